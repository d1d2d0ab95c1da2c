"""The [rfid] table: defaults, validation errors that name the key, driver registry."""

import pytest

from kiosk.config.table import ConfigError
from kiosk.devices.rfid import DRIVER_MODULES, open_pad
from kiosk.devices.rfid.config import parse_settings

from tests.devices.rfid_support import Collector


def test_defaults():
    settings = parse_settings({"driver": "3m810", "port": "/dev/ttyUSB0"})
    assert (settings.security, settings.afi_secured, settings.afi_on_loan) == ("afi", 0x07, 0xC2)
    assert settings.baudrate is None and settings.missing_rounds == 2


def test_hex_values_and_3m_world_afis():
    settings = parse_settings({"driver": "feig", "port": "socket://127.0.0.1:7000", "address": 0x00,
                               "afi_secured": 0xDA, "afi_on_loan": 0xD7, "security": "eas"})
    assert (settings.address, settings.afi_secured, settings.afi_on_loan, settings.security) == (0, 0xDA, 0xD7, "eas")


@pytest.mark.parametrize("table,key", [
    ({}, "driver"),
    ({"driver": "acme"}, "driver"),
    ({"driver": "3m810"}, "port"),
    ({"driver": "3m810", "port": 5}, "port"),
    ({"driver": "sim", "baudrate": "fast"}, "baudrate"),
    ({"driver": "sim", "afi_secured": 300}, "afi_secured"),
    ({"driver": "sim", "afi_secured": 7, "afi_on_loan": 7}, "afi_on_loan"),
    ({"driver": "sim", "security": "magnet"}, "security"),
    ({"driver": "sim", "poll_interval": -1}, "poll_interval"),
    ({"driver": "sim", "missing_rounds": True}, "missing_rounds"),
    ({"driver": "sim", "parity": "X"}, "parity"),
    ({"driver": "sim", "colour": "red"}, "colour"),
    ({"driver": "sim", "afi_secured": "0x07"}, "afi_secured"),
])
def test_errors_name_the_key(table, key):
    with pytest.raises(ConfigError) as info:
        parse_settings(table)
    assert str(info.value).startswith(f"rfid.{key}:") or f"missing key {key!r}" in str(info.value)


def test_every_registered_driver_module_offers_a_reader_factory():
    import importlib

    for name, module in DRIVER_MODULES.items():
        assert callable(importlib.import_module(module).reader_factory), name


def test_open_pad_gives_a_stopped_pad_with_a_name():
    pad = open_pad({"driver": "sim", "name": "pad-1"}, Collector())
    assert pad.name == "pad-1" and pad.state.value == "stopped" and pad.tag_store is not None


def test_open_pad_with_a_port_that_does_not_exist_reports_lost_not_a_crash():
    from kiosk.devices.events import DeviceState

    events = Collector()
    pad = open_pad({"driver": "3m810", "port": "/nonexistent/tty"}, events)
    pad.start()
    try:
        from tests.devices.rfid_support import wait_for
        assert wait_for(lambda: pad.state == DeviceState.LOST)
    finally:
        pad.stop()
