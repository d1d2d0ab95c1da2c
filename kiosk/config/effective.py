"""The settings in force: main file, drop-ins and secrets merged, defaults filled in, every
secret masked, as `kiosk config show` prints them."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from kiosk.config.files import SECRET_KEYS
from kiosk.config.settings import KioskConfig

MASK = "********"
_NOT_SETTINGS = ("source", "files", "warnings", "devices")


def effective_settings(config: KioskConfig) -> dict[str, Any]:
    """Every setting in force, table by table, secrets replaced by a mask."""
    tables: dict[str, Any] = {}
    for spec in dataclasses.fields(config):
        value = getattr(config, spec.name)
        if spec.name in _NOT_SETTINGS or value is None:
            continue
        tables[spec.name] = {key: (MASK if (spec.name, key) in SECRET_KEYS and item else item)
                             for key, item in dataclasses.asdict(value).items() if item is not None}
    tables.update(config.devices)
    return tables


def render_toml(config: KioskConfig) -> str:
    """The effective settings as a TOML document, headed by the files they came from."""
    lines = [f"# read from: {', '.join(config.files) or config.source}"]
    for name, table in effective_settings(config).items():
        for label, values in ([(f"[[{name}]]", t) for t in table] if isinstance(table, list) else [(f"[{name}]", table)]):
            lines += ["", label] + [f"{key} = {_value(item)}" for key, item in values.items()]
    return "\n".join(lines) + "\n"


def _value(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, (int, float)):
        return repr(item)
    if isinstance(item, str):
        return json.dumps(item, ensure_ascii=False)
    if isinstance(item, Mapping):
        if not item:
            return "{}"
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_value(v)}" for k, v in item.items()) + " }"
    return "[" + ", ".join(_value(v) for v in item) + "]"
