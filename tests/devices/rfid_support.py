"""Shared by the RFID tests: emulators served on a pty or a local TCP port, event collection."""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Iterator

from kiosk.devices.emulators.serving import EmulatorServer, ReaderEmulator
from kiosk.devices.rfid.reader import open_serial
from kiosk.devices.rfid.reader_3m810 import M3M810Reader
from kiosk.devices.rfid.reader_feig import FeigReader

from tests.waiting import wait_for

TRANSPORTS = ("pty", "tcp")


@contextlib.contextmanager
def served(emulator: ReaderEmulator, transport: str, pace: bool = False) -> Iterator[tuple[str, EmulatorServer]]:
    """Serve an emulator; yield (port name or URL, server); stop it afterwards."""
    server = EmulatorServer(emulator, pace=pace)
    url = server.serve_pty() if transport == "pty" else f"socket://127.0.0.1:{server.serve_tcp(0)}"
    try:
        yield url, server
    finally:
        server.stop()


def open_reader(kind: str, url: str, timeout: float = 0.15):
    """A 3M or Feig driver on a served emulator."""
    if kind == "3m810":
        return M3M810Reader(open_serial(url, 19200), timeout)
    return FeigReader(open_serial(url, 38400, "E"), 0xFF, timeout)


class Collector:
    """An event sink that keeps every event and can wait for some."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.events: list = []

    def __call__(self, event) -> None:
        self.queue.put(event)

    def _drain(self) -> None:
        while True:
            try:
                self.events.append(self.queue.get_nowait())
            except queue.Empty:
                return

    def of(self, kind) -> list:
        """Events of one type received so far."""
        self._drain()
        return [e for e in self.events if isinstance(e, kind)]

    def wait(self, kind, count: int = 1, timeout: float = 5.0) -> list:
        """Wait until `count` events of `kind` arrived; return them."""
        wait_for(lambda: len(self.of(kind)) >= count, timeout)
        return self.of(kind)
