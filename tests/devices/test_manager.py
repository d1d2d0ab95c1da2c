"""DeviceManager: building devices from configuration tables, running several at once."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.config.table import ConfigError
from kiosk.devices import manager as manager_module
from kiosk.devices.classify import Classifier, ScanKind
from kiosk.devices.evdev_scanner import EvdevScanner
from kiosk.devices.events import DeviceState, DeviceStatus, ItemPlaced, Scan, TagData
from kiosk.devices.injected_scanner import InjectedScanner
from kiosk.devices.manager import DeviceManager
from kiosk.devices.serial_scanner import SerialScanner

from tests.devices.test_scan_support import FAST_BACKOFF, Collector, PluggablePty, Pty

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "devices.example.toml"
FAST = {"retry_first": FAST_BACKOFF["first"], "retry_max": FAST_BACKOFF["maximum"]}


def test_the_example_configuration_builds_every_scanner():
    tables = tomllib.loads(EXAMPLE.read_text())
    manager = DeviceManager.from_config(tables, Collector())
    assert [(s.name, s.role, s.driver, s.state) for s in manager.summaries()] == [
        ("wedge", "scanner", "evdev", DeviceState.STOPPED),
        ("desk", "scanner", "serial", DeviceState.STOPPED),
        ("keyboard", "scanner", "keyboard", DeviceState.STOPPED),
    ]
    wedge, desk, keyboard = manager.devices
    assert isinstance(wedge, EvdevScanner) and wedge.decoder.keymap.name == "us"
    assert isinstance(desk, SerialScanner) and (desk.port, desk.baudrate) == ("/dev/ttyACM0", 9600)
    assert (desk.line_settings.bytesize, desk.line_settings.parity, desk.line_settings.stopbits) == (8, "N", 1)
    assert isinstance(keyboard, InjectedScanner) and keyboard.driver == "keyboard"


def test_defaults_name_scanners_by_position_and_accept_a_single_scanner_table():
    manager = DeviceManager.from_config({"scanner": [{"driver": "sim"}, {"driver": "sim"}]}, Collector())
    assert [d.name for d in manager.devices] == ["scanner0", "scanner1"]
    single = DeviceManager.from_config({"scanner": {"driver": "sim"}}, Collector())
    assert [d.name for d in single.devices] == ["scanner0"]
    assert DeviceManager.from_config({}, Collector()).devices == ()


def serial(**keys: Any) -> dict[str, Any]:
    return {"driver": "serial", "port": "/dev/ttyACM0", **keys}


def evdev(**keys: Any) -> dict[str, Any]:
    return {"driver": "evdev", "device": "/dev/input/event3", **keys}


@pytest.mark.parametrize("tables, message", [
    ({"scanner": [{"driver": "sim"}, serial(baudrate="fast")]},
     'scanner[1].baudrate: expected an integer, got "fast"'),
    ({"scanner": [serial(baudrate=True)]}, "scanner[0].baudrate: expected an integer, got true"),
    ({"scanner": [serial(baudrate=0)]}, "scanner[0].baudrate: must be at least 1, got 0"),
    ({"scanner": [{"port": "/dev/ttyACM0"}]}, "scanner[0]: missing key 'driver'"),
    ({"scanner": [{"driver": "usb"}]},
     'scanner[0].driver: expected one of evdev, serial, keyboard, sim, got "usb"'),
    ({"scanner": [serial(baudrat=9600)]}, "scanner[0].baudrat: unknown key (did you mean 'baudrate'?)"),
    ({"scanner": [{"driver": "serial"}]}, "scanner[0]: missing key 'port'"),
    ({"scanner": [serial(port="")]}, "scanner[0].port: must not be empty"),
    ({"scanner": [serial(parity="even")]},
     'scanner[0].parity: expected one of N, E, O, M, S, got "even"'),
    ({"scanner": [serial(bytesize=9)]}, "scanner[0].bytesize: expected 5, 6, 7 or 8, got 9"),
    ({"scanner": [serial(stopbits=3)]}, "scanner[0].stopbits: expected 1, 1.5 or 2, got 3"),
    ({"scanner": [serial(aim="yes")]}, 'scanner[0].aim: expected true or false, got "yes"'),
    ({"scanner": [serial(strip_prefix=5)]}, "scanner[0].strip_prefix: expected a string, got 5"),
    ({"scanner": [evdev(usb="0c2e:0b61")]}, "scanner[0]: give exactly one of 'device'"),
    ({"scanner": [{"driver": "evdev"}]}, "scanner[0]: give exactly one of 'device'"),
    ({"scanner": [evdev(device=" ")]}, "scanner[0].device: must not be empty"),
    ({"scanner": [{"driver": "evdev", "usb": "honeywell"}]}, "scanner[0].usb: expected vvvv:pppp"),
    ({"scanner": [evdev(layout="dvorak")]}, "scanner[0].layout: unknown keyboard layout 'dvorak'"),
    ({"scanner": [evdev(terminators=["esc"])]}, "scanner[0].terminators: unknown terminator key 'esc'"),
    ({"scanner": [evdev(terminators="enter")]},
     'scanner[0].terminators: expected a list of strings, got "enter"'),
    ({"scanner": [evdev(inter_key_timeout=float("nan"))]},
     "scanner[0].inter_key_timeout: expected a number, got nan"),
    ({"scanner": [evdev(inter_key_timeout="fast")]},
     'scanner[0].inter_key_timeout: expected a number, got "fast"'),
    ({"scanner": [evdev(retry_first=1.0, retry_max=0.5)]}, "scanner[0].retry_max: must be at least 1.0"),
    ({"scanner": "serial"}, 'scanner: expected [[scanner]] tables, got "serial"'),
    ({"scanner": ["serial"]}, 'scanner[0]: expected a table, got "serial"'),
    ({"scanner": [{"driver": "sim", "name": "a"}, {"driver": "sim", "name": "a"}]},
     "two devices are named 'a'"),
    ({"rfid": {"port": "/dev/ttyUSB0"}}, "rfid: missing key 'driver'"),
    ({"rfid": "3m810"}, 'rfid: expected a table, got "3m810"'),
])
def test_broken_tables_give_errors_naming_table_and_key(tables, message):
    with pytest.raises(ConfigError) as caught:
        DeviceManager.from_config(tables, Collector())
    assert message in str(caught.value)


def test_every_problem_is_reported_at_once():
    tables = {"scanner": [serial(baudrate="fast"), {"driver": "sim"}, evdev(layout="xx")],
              "rfid": {}}
    with pytest.raises(ConfigError) as caught:
        DeviceManager.from_config(tables, Collector())
    lines = str(caught.value).splitlines()
    assert [line.split(":")[0] for line in lines] == ["scanner[0].baudrate", "scanner[2].layout", "rfid"]


def test_two_scanners_at_once_deliver_with_their_own_names():
    first, second, sink = Pty(), Pty(), Collector()
    manager = DeviceManager.from_config({"scanner": [
        serial(name="left", port=first.path, **FAST),
        serial(name="right", port=second.path, aim=False, bytesize=7, parity="E", **FAST),
        {"driver": "sim", "name": "demo"},
    ]}, sink)
    try:
        with manager:
            for name in ("left", "right", "demo"):
                sink.status(DeviceState.CONNECTED, name)
            second.write(b"]C0right\r")
            first.write(b"]C0left\r")
            assert manager.device("demo").inject("30234000517861")
            got = sorted((s.source, s.text, s.symbology) for s in (sink.scan(), sink.scan(), sink.scan()))
            assert got == [("demo", "30234000517861", None), ("left", "left", "Code 128"),
                           ("right", "]C0right", None)]
    finally:
        first.close()
        second.close()
    assert {s.state for s in manager.summaries()} == {DeviceState.STOPPED}


def test_a_missing_device_is_retried_while_the_others_keep_working(tmp_path):
    port, sink = PluggablePty(tmp_path), Collector()
    manager = DeviceManager.from_config({"scanner": [
        serial(name="desk", port=str(port.link), **FAST), {"driver": "sim", "name": "demo"}]}, sink)
    try:
        manager.start()
        assert "cannot open" in sink.status(DeviceState.LOST, "desk").detail
        sink.status(DeviceState.CONNECTED, "demo")
        assert manager.device("demo").inject("33191000105864")
        assert sink.scan("demo").text == "33191000105864"
        desk = next(s for s in manager.summaries() if s.name == "desk")
        assert desk.state in (DeviceState.LOST, DeviceState.RECONNECTING) and "retrying" in desk.detail
        pty = port.plug()
        sink.status(DeviceState.CONNECTED, "desk")
        pty.write(b"30234000517861\r")
        assert sink.scan("desk").text == "30234000517861"
        assert next(s for s in manager.summaries() if s.name == "desk").detail == "connected"
    finally:
        manager.stop()
        port.unplug()


class FakePad:
    """Stands in for the RFID pad that `kiosk.devices.rfid.open_pad` builds."""

    def __init__(self, table: dict, sink) -> None:
        self.name = table.get("name", "pad")
        self.table, self.sink = table, sink
        self.state = DeviceState.STOPPED
        self.last_problem = "tag E004015012345678: CRC mismatch"

    def start(self) -> None:
        self.state = DeviceState.CONNECTED
        self.sink(DeviceStatus(self.name, DeviceState.CONNECTED, "pad ready"))

    def stop(self) -> None:
        self.state = DeviceState.STOPPED


def test_rfid_table_goes_to_the_rfid_hook(monkeypatch):
    calls = []

    def open_pad(table, sink):
        calls.append(table)
        if table.get("port") == "bad":
            raise ValueError("rfid.port: cannot be 'bad'")
        return FakePad(table, sink)

    monkeypatch.setattr(manager_module, "RFID_HOOK", open_pad)
    sink = Collector()
    manager = DeviceManager.from_config(
        {"scanner": [{"driver": "sim"}], "rfid": {"driver": "3m810", "port": "/dev/ttyUSB0"}}, sink)
    assert calls == [{"driver": "3m810", "port": "/dev/ttyUSB0"}]
    with manager:
        assert sink.status(DeviceState.CONNECTED, "pad").detail == "pad ready"
        pad = next(s for s in manager.summaries() if s.role == "rfid")
        assert (pad.name, pad.driver, pad.state, pad.detail) == ("pad", "3m810", DeviceState.CONNECTED,
                                                                 "pad ready")
        assert pad.last_problem.endswith("CRC mismatch")
    assert manager.device("pad").state is DeviceState.STOPPED
    with pytest.raises(ConfigError, match=r"rfid\.port: cannot be 'bad'"):
        DeviceManager.from_config({"rfid": {"driver": "feig", "port": "bad"}}, sink)


def test_rfid_none_or_absent_means_no_pad(monkeypatch):
    monkeypatch.setattr(manager_module, "RFID_HOOK", "kiosk.devices.no_such_module:open_pad")
    assert DeviceManager.from_config({"rfid": {"driver": "none"}}, Collector()).devices == ()
    assert DeviceManager.from_config({"scanner": []}, Collector()).devices == ()


def test_rfid_driver_without_the_rfid_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(manager_module, "RFID_HOOK", "kiosk.devices.no_such_module:open_pad")
    with pytest.raises(ConfigError, match='rfid.driver: "3m810" needs the RFID pad drivers'):
        DeviceManager.from_config({"rfid": {"driver": "3m810"}}, Collector())


class BrokenDevice:
    name, state = "broken", DeviceState.STOPPED

    def start(self) -> None:
        raise RuntimeError("firmware says no")

    def stop(self) -> None:
        raise RuntimeError("still no")


def test_one_device_failing_to_start_or_stop_does_not_stop_the_others():
    sink = Collector()
    manager = DeviceManager(sink)
    manager.add(BrokenDevice(), "scanner", "test")
    manager.add(InjectedScanner("demo", manager.sink), "scanner", "sim")
    manager.start()
    assert "firmware says no" in sink.status(DeviceState.ERROR, "broken").detail
    sink.status(DeviceState.CONNECTED, "demo")
    manager.stop()
    assert manager.device("demo").state is DeviceState.STOPPED


def test_injected_scanners_deliver_only_while_started():
    sink = Collector()
    sim = InjectedScanner("demo", sink, "sim")
    assert not sim.inject("123")
    sim.start()
    assert sim.inject("  30234000517861\n", symbology="Codabar")
    scan = sink.scan()
    assert (scan.text, scan.source, scan.symbology) == ("30234000517861", "demo", "Codabar")
    assert not sim.inject("   ")
    sim.stop()
    assert not sim.inject("123")
    statuses = [e for e in sink.seen if isinstance(e, DeviceStatus)]
    assert [s.state for s in statuses] == [DeviceState.CONNECTED]
    assert sink.status(DeviceState.STOPPED).source == "demo"
    assert all(not isinstance(e, Scan) for e in list(sink.queue.queue))



def test_scans_are_classified_where_they_enter_and_tags_are_not():
    sink = Collector()
    manager = DeviceManager.from_config({"scanner": [{"driver": "sim", "name": "demo"}]}, sink, Classifier())
    with manager:
        assert manager.device("demo").inject("30234000517861")
        assert sink.scan().classified.kind is ScanKind.ITEM
        assert manager.device("demo").inject("hello")
        assert sink.scan().classified.kind is ScanKind.UNKNOWN
    tag = ItemPlaced(TagData(uid="E004010000000001", item_id="not a barcode", data_model="iso28560-3"), "pad")
    manager.sink(tag)
    assert sink.wait_for(lambda e: isinstance(e, ItemPlaced)) is tag  # an item by its data model, as it came

toml_values = st.recursive(
    st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(), st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)
scanner_keys = st.sampled_from(["driver", "name", "port", "baudrate", "device", "usb", "layout",
                                "terminators", "inter_key_timeout", "max_length", "aim",
                                "strip_prefix", "strip_suffix", "parity", "bytesize", "stopbits",
                                "retry_first", "retry_max", "other"])
scanner_tables = st.dictionaries(scanner_keys, st.one_of(
    toml_values, st.sampled_from(["serial", "evdev", "sim", "keyboard", "us", "0c2e:0b61", "loop://"])),
    max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(scanner_tables, max_size=3), toml_values))
def test_random_scanner_tables_build_or_raise_config_error_only(scanners):
    try:
        manager = DeviceManager.from_config({"scanner": scanners}, Collector())
    except ConfigError as exc:
        assert str(exc)
    else:
        assert all(device.state is DeviceState.STOPPED for device in manager.devices)
