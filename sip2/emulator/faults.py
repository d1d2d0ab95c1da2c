"""Fault switches of the ACS emulator: what a misbehaving ACS or network does to a kiosk."""

from __future__ import annotations

import threading

_COUNTERS = ("drop_next", "apply_then_drop_next", "bad_checksum_next", "resend_next")


class Faults:
    """Set from any thread while the emulator runs; each `*_next` count drops by one as used.

    - `delay`: seconds to wait after applying a request, before replying.
    - `drop_next`: close the connection instead of applying/answering the next N requests.
    - `apply_then_drop_next`: apply the next N requests, then close without replying.
    - `bad_checksum_next`: corrupt the checksum of the next N replies.
    - `resend_next`: answer the next N requests with 96 instead of applying them.
    - `terminator`: end replies with these bytes (b"\\r\\n" like Koha) instead of the setting's.
    - `silent`: read requests but neither apply nor answer them.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Back to a well-behaved ACS."""
        with self._lock:
            self.delay: float = 0.0
            self.drop_next: int = 0
            self.apply_then_drop_next: int = 0
            self.bad_checksum_next: int = 0
            self.resend_next: int = 0
            self.terminator: bytes | None = None
            self.silent: bool = False

    def take(self, counter: str) -> bool:
        """Use one of a `*_next` count: True (and one less left) when it was above zero."""
        if counter not in _COUNTERS:
            raise ValueError(f"not a fault counter: {counter!r}")
        with self._lock:
            left = getattr(self, counter)
            if left > 0:
                setattr(self, counter, left - 1)
                return True
            return False
