"""config/devices.example.toml documents every key each driver reads, and nothing else.

The keys a driver reads are seen by building it (as `kiosk config check` does, without opening
anything) and noting what its configuration table was asked for. The example documents each
driver in a table of its own (active or commented-out keys); the RFID pad's models share one.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from kiosk.config.table import ConfigTable
from kiosk.devices.manager import DeviceManager

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "devices.example.toml"
SCANNER_TABLES = {"evdev": {"device": "/dev/input/event0"}, "serial": {"port": "loop://"}, "keyboard": {}}
PAD_MODELS = ("3m810", "feig", "sim")


def keys_read(tables: dict, monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """Table label -> the keys the drivers read while building the devices of `tables`."""
    seen: dict[str, set[str]] = {}
    check = ConfigTable.check_all_read

    def noting(table: ConfigTable) -> None:
        seen.setdefault(table.label, set()).update(table._read)
        check(table)

    monkeypatch.setattr(ConfigTable, "check_all_read", noting)
    DeviceManager.from_config(tables, lambda event: None)
    return seen


def documented() -> list[tuple[str, str, list[str]]]:
    """(table, driver, keys written, active or commented out) for each device table of the example."""
    blocks: list[tuple[str, str, list[str]]] = []
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        header = re.fullmatch(r"\[\[?(\w+)\]\]?\s*(#.*)?", line)
        if header:
            blocks.append((header[1], "", []))
            continue
        key = re.match(r"#?\s*(\w+)\s*=\s*(\S+)", line)
        if key and blocks:
            table, driver, keys = blocks[-1]
            keys.append(key[1])
            if key[1] == "driver" and not driver:
                blocks[-1] = (table, key[2].strip('"'), keys)
    return [block for block in blocks if block[0] in ("scanner", "rfid")]


def test_every_scanner_driver_is_documented_with_exactly_its_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    scanners = [{"driver": driver, **table} for driver, table in SCANNER_TABLES.items()]
    read = keys_read({"scanner": scanners}, monkeypatch)
    examples = {driver: keys for table, driver, keys in documented() if table == "scanner"}
    assert sorted(examples) == sorted(SCANNER_TABLES)
    for index, driver in enumerate(SCANNER_TABLES):
        written, code = examples[driver], read[f"scanner[{index}]"]
        assert set(written) == code, (f'[[scanner]] driver = "{driver}": in the code only: '
                                      f"{sorted(code - set(written))}; in the example only: {sorted(set(written) - code)}")
        assert len(written) == len(set(written)), f'[[scanner]] driver = "{driver}": a key written twice'


def test_the_rfid_table_documents_every_key_of_every_pad_model(monkeypatch: pytest.MonkeyPatch) -> None:
    code: set[str] = set()
    for model in PAD_MODELS:
        code |= keys_read({"rfid": {"driver": model, "port": "loop://"}}, monkeypatch)["rfid"]
    [written] = [keys for table, _, keys in documented() if table == "rfid"]
    assert set(written) == code, (f"[rfid]: in the code only: {sorted(code - set(written))}; "
                                  f"in the example only: {sorted(set(written) - code)}")
    assert len(written) == len(set(written)), "[rfid]: a key written twice"


def test_the_example_is_a_valid_device_configuration() -> None:
    DeviceManager.from_config(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")), lambda event: None)
