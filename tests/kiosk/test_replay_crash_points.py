"""Exactly-once replay when the kiosk dies at every possible request of a queue that returns to
the same items: before a request leaves, or after the ACS applied it but before the reply was
read. The next replay must settle everything, and the ACS must have applied each transaction
once: an entry of an item goes out only when the outcome of the item's previous entry is on
disk, so the 17 about each item tells what happened.
"""

from __future__ import annotations

import pytest

from sip2.client import SIP2Client

from tests.kiosk.replay_kills import ITEMS, Killed, killed_then_replayed

# Each item is borrowed, returned and borrowed again; the last two come back once more.
PLAN = ([("checkout", item) for item in ITEMS] + [("checkin", item) for item in ITEMS]
        + [("checkout", item) for item in ITEMS] + [("checkin", item) for item in ITEMS[:2]])


class DyingClient(SIP2Client):
    """A client whose process dies at its `at`-th checkout or return, before sending it or
    after the ACS applied it."""

    def __init__(self, *args: object, at: int, after_applied: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.at, self.after_applied, self.count = at, after_applied, 0

    def _die_around(self, send):
        self.count += 1
        if self.count == self.at and not self.after_applied:
            raise Killed
        reply = send()
        if self.count == self.at:
            raise Killed
        return reply

    def checkout(self, *args, **kwargs):
        return self._die_around(lambda: super(DyingClient, self).checkout(*args, **kwargs))

    def checkin(self, *args, **kwargs):
        return self._die_around(lambda: super(DyingClient, self).checkin(*args, **kwargs))


@pytest.mark.parametrize("batch_size", [2, 512])  # small batches: many commits, some while sending
@pytest.mark.parametrize("after_applied", [False, True], ids=["before-sending", "after-applied"])
@pytest.mark.parametrize("at", range(1, len(PLAN) + 1))
def test_a_kill_at_any_request_loses_nothing_and_applies_nothing_twice(tmp_path, at, after_applied, batch_size):
    killed_then_replayed(tmp_path / "kiosk.sqlite", PLAN, DyingClient, batch_size, at=at, after_applied=after_applied)
