"""The evdev scanner worker with input sources that yield real InputEvents.

There is no /dev/input on the test machine, so the device is a `FakeInputDevices` set: each
path yields real `evdev.InputEvent` objects and can be unplugged (read raises OSError ENODEV)
or held by another program (grab raises OSError EBUSY), as the kernel does.
"""

from __future__ import annotations

import errno
import os
import queue

import pytest
from evdev import ecodes as E

from kiosk.devices.emulators.scanner import wedge_events
from kiosk.devices.evdev_scanner import EvdevScanner, parse_usb_id
from kiosk.devices.events import DeviceState
from kiosk.devices.wedge_decoder import WedgeDecoder

from tests.devices.test_scan_support import Collector, fast_backoff, running

HONEYWELL = (0x0C2E, 0x0B61)


class FakeInput:
    """One input device node: a queue of events, grabbable once, unpluggable."""

    def __init__(self, devices: FakeInputDevices, path: str, usb_id: tuple[int, int],
                 has_enter_key: bool) -> None:
        self.devices, self.path, self.usb_id, self.has_enter_key = devices, path, usb_id, has_enter_key
        self.events: queue.Queue = queue.Queue()
        self.closed = False

    def grab(self) -> None:
        if self.path in self.devices.grabbed_elsewhere:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))

    def read_events(self, timeout: float) -> list:
        if self.path in self.devices.unplugged:
            raise OSError(errno.ENODEV, os.strerror(errno.ENODEV))
        try:
            batch = [self.events.get(timeout=timeout)]
        except queue.Empty:
            return []
        while not self.events.empty():
            batch.append(self.events.get_nowait())
        return batch

    def close(self) -> None:
        self.closed = True


class FakeInputDevices:
    """The set of device nodes the worker can list and open."""

    def __init__(self) -> None:
        self.specs: dict[str, tuple[tuple[int, int], bool]] = {}
        self.unplugged: set[str] = set()
        self.grabbed_elsewhere: set[str] = set()
        self.opened: dict[str, FakeInput] = {}

    def add(self, path: str, usb_id: tuple[int, int] = HONEYWELL, has_enter_key: bool = True) -> None:
        self.specs[path] = (usb_id, has_enter_key)
        self.unplugged.discard(path)

    def list_paths(self) -> list[str]:
        return [p for p in self.specs if p not in self.unplugged]

    def open(self, path: str) -> FakeInput:
        if path not in self.specs or path in self.unplugged:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        device = FakeInput(self, path, *self.specs[path])
        self.opened[path] = device
        return device

    def type(self, path: str, text: str, layout: str = "us", **options) -> None:
        for event in wedge_events(text, layout, **options):
            self.opened[path].events.put(event)


def make_scanner(devices: FakeInputDevices, sink: Collector, layout: str = "us", **where) -> EvdevScanner:
    return EvdevScanner("wedge", sink, WedgeDecoder(layout), open_source=devices.open,
                        list_paths=devices.list_paths, backoff=fast_backoff(), poll_interval=0.05,
                        **where)


def test_scans_from_a_device_path():
    devices, sink = FakeInputDevices(), Collector()
    devices.add("/dev/input/by-id/usb-Honeywell-event-kbd")
    scanner = make_scanner(devices, sink, device="/dev/input/by-id/usb-Honeywell-event-kbd")
    with running(scanner):
        sink.status(DeviceState.CONNECTED)
        devices.type("/dev/input/by-id/usb-Honeywell-event-kbd", "30234000517861", autorepeat=True)
        scan = sink.scan()
        assert (scan.text, scan.source, scan.symbology) == ("30234000517861", "wedge", None)
    assert devices.opened["/dev/input/by-id/usb-Honeywell-event-kbd"].closed


def test_finds_the_keyboard_interface_by_usb_id_and_decodes_with_its_layout():
    devices, sink = FakeInputDevices(), Collector()
    devices.add("/dev/input/event3", usb_id=(0x046D, 0xC31C))  # a real keyboard
    devices.add("/dev/input/event4", has_enter_key=False)  # the scanner's consumer-keys node
    devices.add("/dev/input/event5")
    scanner = make_scanner(devices, sink, layout="de", usb=HONEYWELL)
    with running(scanner):
        sink.status(DeviceState.CONNECTED)
        devices.type("/dev/input/event5", "Zeitschrift-2024/Y", layout="de")
        assert sink.scan().text == "Zeitschrift-2024/Y"
    assert devices.opened["/dev/input/event3"].closed and devices.opened["/dev/input/event4"].closed


def test_no_matching_usb_device_is_reported_with_the_id():
    devices, sink = FakeInputDevices(), Collector()
    scanner = make_scanner(devices, sink, usb=HONEYWELL)
    with running(scanner):
        assert "no keyboard input device with USB id 0c2e:0b61" in sink.status(DeviceState.LOST).detail


def test_usb_lookup_mentions_devices_it_could_not_open():
    devices, sink = FakeInputDevices(), Collector()
    devices.add("/dev/input/event5")

    def no_access(path: str):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)

    scanner = EvdevScanner("wedge", sink, WedgeDecoder(), usb=HONEYWELL, open_source=no_access,
                           list_paths=devices.list_paths, backoff=fast_backoff())
    with running(scanner):
        assert "(1 input device(s) could not be opened)" in sink.status(DeviceState.LOST).detail


def test_device_grabbed_by_another_program_is_reported_clearly_and_retried():
    devices, sink = FakeInputDevices(), Collector()
    devices.add("/dev/input/event5")
    devices.grabbed_elsewhere.add("/dev/input/event5")
    scanner = make_scanner(devices, sink, device="/dev/input/event5")
    with running(scanner):
        lost = sink.status(DeviceState.LOST)
        assert "another program holds it exclusively" in lost.detail
        devices.grabbed_elsewhere.clear()
        sink.status(DeviceState.CONNECTED)


def test_unplug_is_lost_then_replug_reconnects_and_half_scan_is_dropped():
    devices, sink = FakeInputDevices(), Collector()
    devices.add("/dev/input/event5")
    scanner = make_scanner(devices, sink, usb=HONEYWELL)
    with running(scanner):
        sink.status(DeviceState.CONNECTED)
        devices.type("/dev/input/event5", "123", terminator=None)  # unplugged mid-scan
        devices.unplugged.add("/dev/input/event5")
        assert "lost" in sink.status(DeviceState.LOST).detail
        sink.status(DeviceState.RECONNECTING)
        devices.add("/dev/input/event5")
        sink.status(DeviceState.CONNECTED)
        devices.type("/dev/input/event5", "456")
        assert sink.scan().text == "456"


def test_unknown_key_is_a_problem_not_a_crash():
    devices, sink = FakeInputDevices(), Collector()
    devices.add("/dev/input/event5")
    scanner = make_scanner(devices, sink, device="/dev/input/event5")
    with running(scanner):
        sink.status(DeviceState.CONNECTED)
        devices.type("/dev/input/event5", "a@b", layout="de")  # scanner set to German, kiosk to US
        devices.type("/dev/input/event5", "ok")
        assert sink.scan().text == "ok"
        assert "unknown key KEY_Q (16) with AltGr in layout 'us'" in scanner.last_problem
        assert "typed so far: 'a'" in scanner.last_problem


def test_usb_id_parsing():
    assert parse_usb_id("0c2e:0b61") == HONEYWELL
    for bad in ("0c2e", "0c2e:0b61:1", "xyz:0b61", "12345:1"):
        with pytest.raises(ValueError, match="vvvv:pppp"):
            parse_usb_id(bad)


def test_exactly_one_way_to_find_the_device():
    with pytest.raises(ValueError):
        EvdevScanner("x", Collector(), WedgeDecoder())
    with pytest.raises(ValueError):
        EvdevScanner("x", Collector(), WedgeDecoder(), device="/dev/input/event1", usb=HONEYWELL)


def test_real_input_device_path_that_does_not_exist_is_lost():
    sink = Collector()
    scanner = EvdevScanner("wedge", sink, WedgeDecoder(), device="/dev/input/by-id/none-such",
                           backoff=fast_backoff())
    with running(scanner):
        assert "none-such" in sink.status(DeviceState.LOST).detail


def test_keypad_enter_from_the_device_ends_the_scan():
    devices, sink = FakeInputDevices(), Collector()
    devices.add("/dev/input/event5")
    scanner = make_scanner(devices, sink, device="/dev/input/event5")
    with running(scanner):
        sink.status(DeviceState.CONNECTED)
        devices.type("/dev/input/event5", "789", terminator=E.KEY_KPENTER)
        assert sink.scan().text == "789"


def test_usb_lookup_on_a_machine_without_input_devices_is_lost():
    sink = Collector()
    scanner = EvdevScanner("wedge", sink, WedgeDecoder(), usb=HONEYWELL, backoff=fast_backoff())
    with running(scanner):
        assert "USB id 0c2e:0b61" in sink.status(DeviceState.LOST).detail


def test_permission_problem_says_what_to_fix():
    sink = Collector()

    def no_access(path: str):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)

    scanner = EvdevScanner("wedge", sink, WedgeDecoder(), device="/dev/input/event5",
                           open_source=no_access, backoff=fast_backoff())
    with running(scanner):
        detail = sink.status(DeviceState.LOST).detail
        assert "Permission denied: /dev/input/event5" in detail and "'input' group" in detail
