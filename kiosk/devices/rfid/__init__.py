"""Library RFID pads: drivers, the pad loop and item security.

`open_pad(table, sink)` builds a pad from the `[rfid]` configuration table. Reader models are
looked up in `DRIVER_MODULES`; a new model is one new module offering
`reader_factory(settings) -> callable returning a TagReader`, plus one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

from kiosk.config.table import ConfigError
from kiosk.devices.events import EventSink
from kiosk.devices.rfid.config import PadSettings, parse_settings
from kiosk.devices.rfid.pad import PadLoop
from kiosk.devices.rfid.reader import TagReader

__all__ = ["ConfigError", "DRIVER_MODULES", "PadLoop", "PadSettings", "open_pad", "reader_factory"]

DRIVER_MODULES = {
    "3m810": "kiosk.devices.rfid.reader_3m810",
    "feig": "kiosk.devices.rfid.reader_feig",
    "sim": "kiosk.devices.rfid.reader_sim",
}


def reader_factory(settings: PadSettings) -> Callable[[], TagReader]:
    """The callable that opens the configured reader model."""
    return import_module(DRIVER_MODULES[settings.driver]).reader_factory(settings)


def open_pad(table: Mapping[str, Any], sink: EventSink) -> PadLoop:
    """A pad loop (not started yet) from the `[rfid]` table; ConfigError names a bad key."""
    settings = parse_settings(table)
    factory = reader_factory(settings)
    pad = PadLoop(settings, factory, sink)
    pad.tag_store = getattr(factory, "store", None)
    return pad
