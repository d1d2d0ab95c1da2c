"""Serial scanners (RS-232, USB CDC "virtual COM", or any pyserial URL).

The port is opened with `serial.serial_for_url`, so the configured `port` can be a device
(`/dev/ttyACM0`), a symlink (`/dev/serial/by-id/...`), or a URL: `socket://host:port` for a
network scanner or the bench emulator, `spy://...` for a hex trace, `loop://` for self-tests.
Bytes go through `LineFramer`; the thread only reads and delivers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import serial

from kiosk.backoff import Backoff
from kiosk.config.table import ConfigTable
from kiosk.devices.base import DeviceWorker, read_backoff
from kiosk.devices.events import EventSink, Scan
from kiosk.devices.serial_framing import FramedScan, LineFormat, LineFramer

log = logging.getLogger(__name__)

# pyserial 3.x derives SerialException from OSError, so the worker's OSError handling
# covers lost ports; tests/devices/test_scan_serial.py checks this stays true.
PORT_ERRORS = (OSError, serial.SerialException)


@dataclass(frozen=True)
class LineSettings:
    """Character framing on the wire; most scanners use 8N1, some older ones 7E1."""

    bytesize: int = 8
    parity: str = "N"  # N, E, O, M, S as pyserial names them
    stopbits: float = 1


class SerialScanner(DeviceWorker):
    """A scanner that sends one line per barcode over a serial port or URL."""

    def __init__(self, name: str, sink: EventSink, port: str, *, baudrate: int = 9600,
                 line_settings: LineSettings | None = None, framer: LineFramer | None = None,
                 backoff: Backoff | None = None, poll_interval: float = 0.2) -> None:
        super().__init__(name, sink, backoff)
        self.port, self.baudrate = port, baudrate
        self.line_settings = line_settings or LineSettings()
        self.framer = framer or LineFramer()
        self.poll_interval = poll_interval
        self.last_problem = ""
        self._serial: serial.SerialBase | None = None

    def open(self) -> None:
        """Open the port; a port that is not there raises OSError (retried with back-off)."""
        try:
            self._serial = serial.serial_for_url(
                self.port, baudrate=self.baudrate, bytesize=self.line_settings.bytesize,
                parity=self.line_settings.parity, stopbits=self.line_settings.stopbits,
                timeout=self.poll_interval)
        except ValueError as exc:
            # A malformed URL or setting will not fix itself, but it must not end the worker.
            raise OSError(f"invalid port setting {self.port!r}: {exc}") from exc
        dropped = self.framer.reset()
        if dropped:
            log.info("scanner %s: dropped %r left over from before the reopen", self.name, dropped)

    def serve(self) -> None:
        """Read until stopped; a lost port raises OSError up to the worker loop."""
        port = self._serial
        assert port is not None
        while not self.stopping.is_set():
            try:
                data = port.read(port.in_waiting or 1)
            except PORT_ERRORS as exc:
                raise OSError(str(exc)) from exc
            for outcome in self.framer.feed(data):
                if isinstance(outcome, FramedScan):
                    self.sink(Scan(text=outcome.text, source=self.name, symbology=outcome.symbology))
                else:
                    self.last_problem = f"{outcome.reason} (bytes: {outcome.raw[:40]!r})"
                    log.warning("scanner %s: discarded line: %s", self.name, self.last_problem)

    def close(self) -> None:
        """Close the port, ignoring errors from a port that is already gone."""
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except PORT_ERRORS:
                pass


def from_table(table: ConfigTable, name: str, sink: EventSink) -> SerialScanner:
    """Build from a `[[scanner]]` table with driver = "serial"."""
    port = table.text("port")
    if not port.strip():
        raise table.error("port", "must not be empty")
    line_format = LineFormat(aim=table.flag("aim", True),
                             strip_prefix=table.text("strip_prefix", ""),
                             strip_suffix=table.text("strip_suffix", ""))
    framer = LineFramer(line_format, max_length=table.integer("max_length", 256, minimum=1, maximum=4096))
    bytesize = table.integer("bytesize", 8, minimum=0, maximum=16)  # the allowed values are named below
    if bytesize not in (5, 6, 7, 8):
        raise table.error("bytesize", f"expected 5, 6, 7 or 8, got {bytesize}")
    stopbits = table.number("stopbits", 1, minimum=0, maximum=16)
    if stopbits not in (1, 1.5, 2):
        raise table.error("stopbits", f"expected 1, 1.5 or 2, got {stopbits:g}")
    settings = LineSettings(bytesize, table.choice("parity", ("N", "E", "O", "M", "S"), "N"),
                            1.5 if stopbits == 1.5 else int(stopbits))
    return SerialScanner(name, sink, port, baudrate=table.integer("baudrate", 9600, minimum=1, maximum=4_000_000),
                         line_settings=settings, framer=framer, backoff=read_backoff(table))
