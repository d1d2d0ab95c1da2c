"""USB keyboard-wedge scanners read through Linux evdev.

The device is found by a stable path (`/dev/input/by-id/...`) or by USB vendor:product,
grabbed exclusively so scanned keys never reach the screen as typing, and its key events go
through `WedgeDecoder`. The device itself sits behind `KeyEventSource`, a four-method
interface, so tests and bench set-ups can use a source that yields real `InputEvent`s.
"""

from __future__ import annotations

import errno
import logging
import select
from collections.abc import Callable
from typing import Protocol

from kiosk.backoff import Backoff
from kiosk.config.table import ConfigError, ConfigTable
from kiosk.devices.base import DeviceWorker, read_backoff
from kiosk.devices.events import EventSink, Scan
from kiosk.devices.keymaps import KeymapError, keymap, terminator_codes
from kiosk.devices.wedge_decoder import DecodedScan, WedgeDecoder

log = logging.getLogger(__name__)


class KeyEventSource(Protocol):
    """What the scanner needs from an input device."""

    path: str
    usb_id: tuple[int, int]  # (vendor, product)
    has_enter_key: bool  # a keyboard (or scanner) interface rather than e.g. consumer keys

    def grab(self) -> None:
        """Take the device exclusively; raise OSError if another program holds it."""

    def read_events(self, timeout: float) -> list:
        """Events available within `timeout` seconds ([] if none); OSError when unplugged."""

    def close(self) -> None:
        """Release the device."""


class EvdevSource:
    """`KeyEventSource` over a real `evdev.InputDevice`."""

    def __init__(self, path: str) -> None:
        from evdev import InputDevice, ecodes  # python-evdev is installed on Linux only

        self.path = path
        self._device = InputDevice(path)
        try:
            self.usb_id = (self._device.info.vendor, self._device.info.product)
            keys = self._device.capabilities().get(ecodes.EV_KEY, [])
        except OSError:
            self._device.close()
            raise
        self.has_enter_key = ecodes.KEY_ENTER in keys or ecodes.KEY_KPENTER in keys

    def grab(self) -> None:
        """EVIOCGRAB the device."""
        self._device.grab()

    def read_events(self, timeout: float) -> list:
        """Wait up to `timeout` for events, so the worker can notice a stop request."""
        readable, _, _ = select.select([self._device.fd], [], [], timeout)
        if not readable:
            return []
        try:
            return list(self._device.read())
        except BlockingIOError:
            return []

    def close(self) -> None:
        """Close the device (this also releases the grab)."""
        self._device.close()


def list_input_devices() -> list[str]:
    """Paths of the event devices this process may read."""
    import evdev  # python-evdev is installed on Linux only

    return evdev.list_devices()


def parse_usb_id(text: str) -> tuple[int, int]:
    """Parse "vvvv:pppp" (hexadecimal, as lsusb prints it) into (vendor, product)."""
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(1 <= len(p) <= 4 for p in parts):
        raise ValueError(f"expected vvvv:pppp in hexadecimal, got {text!r}")
    try:
        return int(parts[0], 16), int(parts[1], 16)
    except ValueError:
        raise ValueError(f"expected vvvv:pppp in hexadecimal, got {text!r}") from None


class EvdevScanner(DeviceWorker):
    """A keyboard-wedge scanner: grab, decode key events, deliver `Scan` events."""

    def __init__(self, name: str, sink: EventSink, decoder: WedgeDecoder, *,
                 device: str | None = None, usb: tuple[int, int] | None = None,
                 open_source: Callable[[str], KeyEventSource] = EvdevSource,
                 list_paths: Callable[[], list[str]] = list_input_devices,
                 backoff: Backoff | None = None, poll_interval: float = 0.2) -> None:
        if (device is None) == (usb is None):
            raise ValueError("give exactly one of device (a path) or usb (vendor, product)")
        super().__init__(name, sink, backoff)
        self.decoder = decoder
        self.device, self.usb = device, usb
        self.open_source, self.list_paths = open_source, list_paths
        self.poll_interval = poll_interval
        self.last_problem = ""
        self._source: KeyEventSource | None = None

    def open(self) -> None:
        """Find and open the device, then grab it."""
        try:
            source = self.open_source(self.device) if self.device is not None else self._find_by_usb()
        except PermissionError as exc:
            raise PermissionError(exc.errno, f"{exc.strerror}: {exc.filename} (the kiosk's user needs "
                                             "read access: the 'input' group or a udev rule)") from exc
        try:
            source.grab()
        except OSError as exc:
            source.close()
            if exc.errno == errno.EBUSY:
                raise OSError(exc.errno, f"cannot grab {source.path}: another program holds "
                                         "it exclusively") from exc
            raise OSError(exc.errno, f"cannot grab {source.path}: {exc.strerror or exc}") from exc
        self.decoder.reset()
        self._source = source

    def _find_by_usb(self) -> KeyEventSource:
        assert self.usb is not None
        vendor, product = self.usb
        unreadable = 0
        for path in sorted(self.list_paths()):
            try:
                source = self.open_source(path)
            except OSError:
                unreadable += 1  # perhaps ours, perhaps not: only counted in the message
                continue
            if source.usb_id == (vendor, product) and source.has_enter_key:
                return source
            source.close()
        hint = f" ({unreadable} input device(s) could not be opened)" if unreadable else ""
        raise FileNotFoundError(errno.ENOENT, f"no keyboard input device with USB id "
                                              f"{vendor:04x}:{product:04x}{hint}")

    def serve(self) -> None:
        """Read events until stopped; OSError (unplugged) goes up to the worker loop."""
        assert self._source is not None
        while not self.stopping.is_set():
            for event in self._source.read_events(self.poll_interval):
                for outcome in self.decoder.feed(event):
                    if isinstance(outcome, DecodedScan):
                        self.sink(Scan(text=outcome.text, source=self.name))
                    else:
                        self.last_problem = f"{outcome.reason} (typed so far: {outcome.partial!r})"
                        log.warning("scanner %s: discarded input: %s", self.name, self.last_problem)

    def close(self) -> None:
        """Close the device; errors from an unplugged device are expected and ignored."""
        source, self._source = self._source, None
        if source is not None:
            try:
                source.close()
            except OSError:
                pass


def from_table(table: ConfigTable, name: str, sink: EventSink) -> EvdevScanner:
    """Build from a `[[scanner]]` table with driver = "evdev"."""
    if table.has("device") == table.has("usb"):
        raise ConfigError(f"{table.label}: give exactly one of 'device' (a path) or 'usb' (vvvv:pppp)")
    device = table.text("device") if table.has("device") else None
    if device is not None and not device.strip():
        raise table.error("device", "must not be empty")
    usb = None
    if table.has("usb"):
        try:
            usb = parse_usb_id(table.text("usb"))
        except ValueError as exc:
            raise table.error("usb", str(exc)) from None
    try:
        layout = keymap(table.text("layout", "us"))
    except KeymapError as exc:
        raise table.error("layout", str(exc)) from None
    try:
        terminators = terminator_codes(table.texts("terminators", ("enter", "kpenter")))
    except KeymapError as exc:
        raise table.error("terminators", str(exc)) from None
    decoder = WedgeDecoder(layout, terminators,
                           table.number("inter_key_timeout", 0.5, minimum=0.001, maximum=10.0),
                           table.integer("max_length", 256, minimum=1, maximum=4096))
    return EvdevScanner(name, sink, decoder, device=device, usb=usb, backoff=read_backoff(table))
