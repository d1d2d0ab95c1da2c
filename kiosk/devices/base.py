"""The life cycle every driver shares: open, serve, lose the device, back off, reopen."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod

from kiosk.backoff import Backoff
from kiosk.config.table import ConfigTable
from kiosk.devices.events import DeviceState, DeviceStatus, EventSink

log = logging.getLogger(__name__)


class DeviceWorker(ABC):
    """A device served by its own thread, reopened with back-off when it fails.

    Subclasses implement `open()` (raise OSError when the device is not there),
    `serve()` (run until `stopping` is set or raise OSError when the device is lost)
    and `close()`. Status changes go to the sink as `DeviceStatus` events.
    """

    def __init__(self, name: str, sink: EventSink, backoff: Backoff | None = None) -> None:
        self.name = name
        self.sink = sink
        self.backoff = backoff or Backoff()
        self.stopping = threading.Event()
        self.state: DeviceState = DeviceState.STOPPED
        self._thread: threading.Thread | None = None

    @abstractmethod
    def open(self) -> None:
        """Open the device; raise OSError (or a subclass) if it is not available."""

    @abstractmethod
    def serve(self) -> None:
        """Read from the device until `self.stopping` is set; raise OSError if it is lost."""

    @abstractmethod
    def close(self) -> None:
        """Release the device; must not raise."""

    def start(self) -> None:
        """Start serving in a daemon thread; returns at once."""
        if self._thread is not None:
            return
        self.stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"device-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop and wait for it."""
        self.stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        self._report(DeviceState.STOPPED, "stopped")

    def _report(self, state: DeviceState, detail: str) -> None:
        if state == self.state and state != DeviceState.ERROR:
            return
        self.state = state
        self.sink(DeviceStatus(source=self.name, state=state, detail=detail))

    def _run(self) -> None:
        first_try = True
        while not self.stopping.is_set():
            try:
                self.open()
            except Exception as exc:  # OSError: not there (yet); anything else: a driver bug, retried too
                delay = self.backoff.next_delay()
                if not isinstance(exc, OSError):
                    log.exception("device %s failed to open", self.name)
                self._report(DeviceState.LOST if first_try else DeviceState.RECONNECTING,
                             f"cannot open: {exc}; retrying in {delay:.1f} s")
                first_try = False
                self.stopping.wait(delay)
                continue
            first_try = False
            self.backoff.reset()
            self._report(DeviceState.CONNECTED, "connected")
            try:
                self.serve()
            except OSError as exc:
                self._report(DeviceState.LOST, f"lost: {exc}")
            except Exception as exc:  # a driver bug must not kill the kiosk; report it and reopen
                log.exception("device %s failed", self.name)
                self._report(DeviceState.ERROR, f"driver error: {exc!r}")
            finally:
                self.close()
            if not self.stopping.is_set():
                self.stopping.wait(self.backoff.next_delay())


def read_backoff(table: ConfigTable) -> Backoff:
    """Reopen delays from the optional `retry_first` and `retry_max` keys (seconds)."""
    first = table.number("retry_first", 0.5, minimum=0.01, maximum=3600.0)
    maximum = table.number("retry_max", 30.0, minimum=first, maximum=3600.0)
    return Backoff(first=first, maximum=maximum)
