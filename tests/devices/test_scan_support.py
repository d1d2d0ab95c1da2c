"""Shared test support for the scanner tests: an event collector and pseudo-terminals."""

from __future__ import annotations

import os
import queue
import tty
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from kiosk.backoff import Backoff
from kiosk.devices.base import DeviceWorker
from kiosk.devices.events import DeviceEvent, DeviceState, DeviceStatus, Scan

WAIT = 5.0  # generous: a shared, busy machine; tests only wait this long when failing

FAST_BACKOFF = dict(first=0.02, factor=2.0, maximum=0.1)


def fast_backoff() -> Backoff:
    """Reopen quickly so the tests do not sit in back-off delays."""
    return Backoff(**FAST_BACKOFF)


W = TypeVar("W", bound=DeviceWorker)


@contextmanager
def running(worker: W) -> Iterator[W]:
    """The worker started for the block, and stopped after it however the block ends."""
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


class Collector:
    """An event sink that tests can wait on."""

    def __init__(self) -> None:
        self.queue: queue.Queue[DeviceEvent] = queue.Queue()
        self.seen: list[DeviceEvent] = []

    def __call__(self, event: DeviceEvent) -> None:
        self.queue.put(event)

    def wait_for(self, predicate: Callable[[DeviceEvent], bool], timeout: float = WAIT) -> DeviceEvent:
        """Return the first event (new or already seen) matching `predicate`."""
        for event in self.seen:
            if predicate(event):
                self.seen.remove(event)
                return event
        while True:
            try:
                event = self.queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no matching event within {timeout} s; seen: {self.seen}") from None
            if predicate(event):
                return event
            self.seen.append(event)

    def scan(self, source: str | None = None) -> Scan:
        """Wait for the next scan (from `source` if given)."""
        event = self.wait_for(lambda e: isinstance(e, Scan) and source in (None, e.source))
        assert isinstance(event, Scan)
        return event

    def status(self, state: DeviceState, source: str | None = None) -> DeviceStatus:
        """Wait for a status change to `state`."""
        event = self.wait_for(lambda e: isinstance(e, DeviceStatus) and e.state is state
                              and source in (None, e.source))
        assert isinstance(event, DeviceStatus)
        return event


class Pty:
    """A pseudo-terminal in raw mode: the test writes to `master`, the driver opens `path`."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no echo, no line editing, no CR -> LF
        self.path = os.ttyname(self.slave)

    def write(self, data: bytes) -> None:
        """Send bytes as the scanner would."""
        os.write(self.master, data)

    def close(self) -> None:
        """Close both ends: the device is gone."""
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


class PluggablePty:
    """A stable symlink (like /dev/serial/by-id/...) to a pty that can be unplugged and replugged."""

    def __init__(self, directory: Path) -> None:
        self.link = directory / "scanner-port"
        self.pty: Pty | None = None

    def plug(self) -> Pty:
        """Create a fresh pty and point the link at it."""
        self.pty = Pty()
        tmp = self.link.with_suffix(".new")
        tmp.symlink_to(self.pty.path)
        tmp.replace(self.link)
        return self.pty

    def unplug(self) -> None:
        """Close the pty and remove the link."""
        if self.pty is not None:
            self.pty.close()
            self.pty = None
        self.link.unlink(missing_ok=True)
