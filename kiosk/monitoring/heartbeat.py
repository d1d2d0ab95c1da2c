"""A status heartbeat POSTed to a configured URL, backing off while the receiver is down."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kiosk.backoff import Backoff

log = logging.getLogger(__name__)

LONGEST_WAIT = 600.0


class Heartbeat:
    """Every `interval` seconds, POST `status()` as JSON; on failure wait longer each time."""

    def __init__(self, url: str, interval: float, status: Callable[[], dict[str, Any]], *,
                 token: str | None = None, timeout: float = 10.0) -> None:
        self.url = url
        self.interval = interval
        self.status = status
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.backoff = Backoff(first=interval, factor=2.0, maximum=max(interval, LONGEST_WAIT))
        self.last_error = ""
        self.sent = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def send_once(self) -> bool:
        """POST one heartbeat now; True when the receiver accepted it (2xx)."""
        import requests  # only kiosks with a heartbeat URL pay for loading it (several MB)

        try:
            response = requests.post(self.url, json=self.status(), headers=self.headers, timeout=self.timeout)
            response.raise_for_status()
        except Exception as exc:  # requests' errors, or a snapshot that failed: report and back off
            if str(exc) != self.last_error:
                log.warning("heartbeat to %s failed: %s", self.url, exc)
            self.last_error = str(exc)
            return False
        if self.last_error:
            log.info("heartbeat to %s works again", self.url)
        self.last_error = ""
        self.sent += 1
        return True

    def next_wait(self, ok: bool) -> float:
        """How long to wait before the next heartbeat after one that did or did not get through."""
        if ok:
            self.backoff.reset()
            return self.interval
        return self.backoff.next_delay()

    def start(self) -> None:
        """Send heartbeats from a background thread."""
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop sending."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(self.timeout + 5)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._stopping.wait(self.next_wait(self.send_once()))
