"""`to_kiosk_toml`: host variables (a mapping of tables) as a TOML file for the kiosk.

Tables become [table], lists of tables [[table]] (scanners), nested mappings [table.sub];
strings, numbers, booleans and lists of them become values. The kiosk's own parser checks the
result (`kiosk config check`) before any kiosk is restarted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


def _value(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value} has no TOML form")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v, where) for v in value) + "]"
    raise ValueError(f"{where}: cannot write {type(value).__name__} {value!r} as TOML")


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(_is_table(v) for v in value)


def _table(path: str, table: Mapping[str, Any], header: str | None, out: list[str]) -> None:
    if header:
        out += ["", header]
    for key, value in table.items():
        if not (_is_table(value) or _is_table_list(value)):
            out.append(f"{key} = {_value(value, f'{path}.{key}' if path else key)}")
    for key, value in table.items():
        sub = f"{path}.{key}" if path else key
        if _is_table(value):
            _table(sub, value, f"[{sub}]", out)
        elif _is_table_list(value):
            for item in value:
                _table(sub, item, f"[[{sub}]]", out)


def to_kiosk_toml(settings: Any) -> str:
    """The mapping as TOML text; a string is taken to be TOML already and returned as it is."""
    if isinstance(settings, str):
        return settings if settings.endswith("\n") else settings + "\n"
    if not _is_table(settings):
        raise ValueError(f"kiosk settings must be a mapping of tables, not {type(settings).__name__}")
    out: list[str] = ["# Written by Ansible (role library_kiosk): edit the inventory, not this file."]
    _table("", settings, None, out)
    return "\n".join(out) + "\n"


class FilterModule:
    """Ansible's entry point for the role's filters."""

    def filters(self) -> dict[str, Any]:
        return {"to_kiosk_toml": to_kiosk_toml}
