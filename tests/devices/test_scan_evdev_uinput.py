"""The evdev scanner against a real kernel input device made with /dev/uinput.

Skipped where /dev/uinput is missing or not writable (containers, CI without input devices).
"""

from __future__ import annotations

import os

import pytest
from evdev import InputDevice, ecodes as E

from kiosk.devices.emulators.scanner import wedge_events
from kiosk.devices.evdev_scanner import EvdevScanner
from kiosk.devices.events import DeviceState
from kiosk.devices.keymaps import LAYOUTS
from kiosk.devices.wedge_decoder import WedgeDecoder

from tests.devices.test_scan_support import Collector, fast_backoff, running

pytestmark = pytest.mark.skipif(not os.access("/dev/uinput", os.W_OK),
                                reason="needs a writable /dev/uinput")

TEST_USB_ID = (0x1D6B, 0x7A11)  # unlikely to match a real device on the test machine


@pytest.fixture
def wedge():
    from evdev import UInput

    keys = sorted({code for layout in LAYOUTS.values() for code in layout.plain}
                  | {E.KEY_LEFTSHIFT, E.KEY_RIGHTSHIFT, E.KEY_RIGHTALT, E.KEY_ENTER, E.KEY_KPENTER,
                     E.KEY_CAPSLOCK})
    device = UInput({E.EV_KEY: keys}, name="kiosk test wedge", vendor=TEST_USB_ID[0],
                    product=TEST_USB_ID[1])
    yield device
    device.close()


def type_into(device, text: str, layout: str = "us") -> None:
    for event in wedge_events(text, layout):
        if event.type == E.EV_KEY:
            device.write(E.EV_KEY, event.code, event.value)
        else:
            device.syn()


def test_scans_from_a_uinput_wedge_found_by_usb_id(wedge):
    sink = Collector()
    scanner = EvdevScanner("wedge", sink, WedgeDecoder("de"), usb=TEST_USB_ID, backoff=fast_backoff())
    with running(scanner):
        sink.status(DeviceState.CONNECTED)
        type_into(wedge, "Zeitschrift-2024/Y", "de")
        assert sink.scan().text == "Zeitschrift-2024/Y"


def test_a_device_grabbed_elsewhere_is_reported(wedge):
    other = InputDevice(wedge.device.path)
    other.grab()
    sink = Collector()
    scanner = EvdevScanner("wedge", sink, WedgeDecoder(), device=wedge.device.path,
                           backoff=fast_backoff())
    with running(scanner):
        assert "another program holds it exclusively" in sink.status(DeviceState.LOST).detail
        other.ungrab()
        sink.status(DeviceState.CONNECTED)
        type_into(wedge, "30234000517861")
        assert sink.scan().text == "30234000517861"
        other.close()
