"""Which module builds a scanner for each `driver` name in a `[[scanner]]` table.

Adding a scanner type means adding a module with a `from_table(table, name, sink)` function
and one line here. Modules are imported only when a configuration uses them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

SCANNER_DRIVERS: dict[str, str] = {
    "evdev": "kiosk.devices.evdev_scanner:from_table",
    "serial": "kiosk.devices.serial_scanner:from_table",
    "keyboard": "kiosk.devices.injected_scanner:keyboard_from_table",
    "sim": "kiosk.devices.injected_scanner:sim_from_table",
}


def load(reference: str | Callable[..., Any]) -> Callable[..., Any]:
    """Resolve "package.module:function" (importing it now); a callable is returned as is."""
    if callable(reference):
        return reference
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)
