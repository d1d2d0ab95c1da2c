"""config/kiosk.example.toml documents every setting of the code, and nothing else.

A setting is a field of one of the typed settings that `KioskConfig` holds, one table each
(`[technician]` carries two: the card rule and the access settings). The example writes each
key once, active or commented out, under its table. The device tables are documented in
config/devices.example.toml, by driver (tests/devices/test_devices_example.py).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from kiosk.config import KioskConfig, load_config, settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "kiosk.example.toml"
NOT_TABLES = {"source", "files", "warnings", "devices"}  # KioskConfig fields that are no table
TABLE_OF = {"technician_access": "technician"}  # the rest are named as their table


def settings_in_code() -> dict[str, set[str]]:
    """Table -> the keys the code reads in it."""
    tables: dict[str, set[str]] = {}
    for spec in dataclasses.fields(KioskConfig):
        if spec.name not in NOT_TABLES:
            keys = {f.name for f in dataclasses.fields(_settings_class(spec))}
            tables.setdefault(TABLE_OF.get(spec.name, spec.name), set()).update(keys)
    return tables


def _settings_class(spec: dataclasses.Field) -> type:
    """The settings dataclass a KioskConfig field holds (its annotation names it, maybe `| None`)."""
    classes = [getattr(settings, name) for name in re.findall(r"\w+", str(spec.type))
               if dataclasses.is_dataclass(getattr(settings, name, None))]
    assert len(classes) == 1, f"KioskConfig.{spec.name}: expected one settings class, got {spec.type}"
    return classes[0]


def settings_in_example() -> dict[str, list[str]]:
    """Table -> the keys the example writes in it (active or commented out), in order."""
    tables: dict[str, list[str]] = {}
    table = None
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        header = re.fullmatch(r"#?\s*\[(\w+)\]\s*(#.*)?", line)
        if header:
            table = header[1]
            tables.setdefault(table, [])
            continue
        key = re.match(r"#?\s*(\w+)\s*=", line)
        if key and table is not None:
            tables[table].append(key[1])
    return tables


def test_the_example_documents_every_setting_once_and_nothing_else() -> None:
    code, example = settings_in_code(), settings_in_example()
    assert sorted(example) == sorted(code), "tables in the example differ from the tables the code reads"
    problems = []
    for table in sorted(code):
        written = example[table]
        problems += [f"[{table}] {key}: in the code, not in the example" for key in sorted(code[table] - set(written))]
        problems += [f"[{table}] {key}: in the example, not in the code" for key in sorted(set(written) - code[table])]
        problems += [f"[{table}] {key}: written twice" for key in sorted({k for k in written if written.count(k) > 1})]
    assert not problems, "config/kiosk.example.toml and the settings disagree:\n" + "\n".join(problems)


def test_the_example_is_a_valid_configuration() -> None:
    assert load_config(EXAMPLE).sip2.host == "127.0.0.1"
