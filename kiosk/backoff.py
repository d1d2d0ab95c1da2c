"""Waiting longer after each failure: a device that will not open, a library system or a
heartbeat receiver that does not answer."""

from __future__ import annotations


class Backoff:
    """Exponential back-off delays: first, first*factor, ... capped at `maximum`."""

    def __init__(self, first: float = 0.5, factor: float = 2.0, maximum: float = 30.0) -> None:
        self.first, self.factor, self.maximum = first, factor, maximum
        self._next = first

    def next_delay(self) -> float:
        """Return the delay to wait now and grow the following one."""
        delay = self._next
        self._next = min(self._next * self.factor, self.maximum)
        return delay

    def reset(self) -> None:
        """Start again from the first delay (after a success)."""
        self._next = self.first
