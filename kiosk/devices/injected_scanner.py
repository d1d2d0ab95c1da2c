"""Scanners whose barcodes come from the program itself: driver "sim" and driver "keyboard".

- "sim": for the demo, tests and bench runs; code calls `scanner.inject("30234000517861")`.
- "keyboard": the kiosk app's own keyboard. The app collects what is typed in its barcode
  field and, when Enter is pressed, calls `scanner.inject(text)`; the rest of the kiosk then
  sees an ordinary `Scan` and cannot tell it from a hardware scanner.

Both deliver on the caller's thread (the sink is a quick, non-blocking put) and have the same
`name` / `start()` / `stop()` / `state` interface as the hardware drivers.
"""

from __future__ import annotations

import threading

from kiosk.config.table import ConfigTable
from kiosk.devices.events import DeviceState, DeviceStatus, EventSink, Scan


class InjectedScanner:
    """A scanner that delivers text handed to `inject()` while it is started."""

    def __init__(self, name: str, sink: EventSink, driver: str = "sim") -> None:
        self.name = name
        self.sink = sink
        self.driver = driver
        self.state = DeviceState.STOPPED
        self._lock = threading.Lock()

    def start(self) -> None:
        """Become ready at once: there is no hardware to wait for."""
        self._set_state(DeviceState.CONNECTED, f"{self.driver} scanner ready")

    def stop(self) -> None:
        """Stop delivering; later `inject()` calls return False."""
        self._set_state(DeviceState.STOPPED, "stopped")

    def inject(self, text: str, symbology: str | None = None) -> bool:
        """Deliver `text` as a scan; False (and nothing delivered) if stopped or blank."""
        if self.state is not DeviceState.CONNECTED or not isinstance(text, str) or not text.strip():
            return False
        self.sink(Scan(text=text.strip(), source=self.name, symbology=symbology))
        return True

    def _set_state(self, state: DeviceState, detail: str) -> None:
        with self._lock:
            if state is self.state:
                return
            self.state = state
        self.sink(DeviceStatus(source=self.name, state=state, detail=detail))


def sim_from_table(table: ConfigTable, name: str, sink: EventSink) -> InjectedScanner:
    """Build from a `[[scanner]]` table with driver = "sim"."""
    return InjectedScanner(name, sink, "sim")


def keyboard_from_table(table: ConfigTable, name: str, sink: EventSink) -> InjectedScanner:
    """Build from a `[[scanner]]` table with driver = "keyboard"."""
    return InjectedScanner(name, sink, "keyboard")
