"""Exactly-once replay when the kiosk dies at every possible request of a queue that returns to
the same items: before a request leaves, or after the ACS applied it but before the reply was
read. The next replay must settle everything, and the ACS must have applied each transaction
once: an entry of an item goes out only when the outcome of the item's previous entry is on
disk, so the 17 about each item tells what happened.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from sip2.client import SIP2Client

from kiosk.storage import EntryState, Journal, OfflineQueue, Replayer, open_database

from tests.kiosk.queue_canned_acs import CannedACS

WHEN = datetime(2026, 3, 2, 10, 0, 0)
ITEMS = [f"3900000000{n:03d}" for n in range(4)]
# Each item is borrowed, returned and borrowed again; the last two come back once more.
PLAN = ([("checkout", item) for item in ITEMS] + [("checkin", item) for item in ITEMS]
        + [("checkout", item) for item in ITEMS] + [("checkin", item) for item in ITEMS[:2]])


class Killed(BaseException):
    """The kiosk's process dies here (nothing after it runs, nothing catches it)."""


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


def connect(acs: CannedACS, **dying: object):
    def factory() -> SIP2Client:
        host, port = acs.address
        settings = dict(username="kiosk", password="kiosk", institution_id="TEST", timeout=5.0)
        client = DyingClient(host, port, **dying, **settings) if dying else SIP2Client(host, port, **settings)
        client.connect()
        return client
    return factory


@pytest.mark.parametrize("batch_size", [2, 512])  # small batches: many commits, some while sending
@pytest.mark.parametrize("after_applied", [False, True], ids=["before-sending", "after-applied"])
@pytest.mark.parametrize("at", range(1, len(PLAN) + 1))
def test_a_kill_at_any_request_loses_nothing_and_applies_nothing_twice(tmp_path, at, after_applied, batch_size):
    db = open_database(tmp_path / "kiosk.sqlite")
    queue, journal = OfflineQueue(db), Journal(db)
    for n, (kind, item) in enumerate(PLAN):
        when = WHEN + timedelta(minutes=n)
        queue.enqueue(kind, item_id=item, patron_id="P1" if kind == "checkout" else None,
                      transaction_date=when, due_date=when + timedelta(days=21) if kind == "checkout" else None,
                      journal=journal)
    with CannedACS(ITEMS) as acs:
        with pytest.raises(Killed):
            Replayer(queue, connect(acs, at=at, after_applied=after_applied), journal=journal,
                     batch_size=batch_size).replay_once()
        db.close()  # the process is gone; the next one opens the file again
        queue = OfflineQueue(open_database(tmp_path / "kiosk.sqlite"))
        report = Replayer(queue, connect(acs), journal=Journal(queue.db)).replay_once()
        applied = Counter((a.code, a.item_id, a.transaction_date) for a in acs.applied())
        refused_by_acs = [a for a in acs.applied() if not a.ok]
    assert report.completed
    entries = queue.entries()
    assert [e.state for e in entries] == [EntryState.DONE] * len(PLAN), [e.last_error for e in entries]
    assert not refused_by_acs  # a return sent twice would be refused: the item is not on loan
    codes = {"checkout": "11", "checkin": "09"}
    assert applied == Counter((codes[e.kind], e.item_id, e.transaction_date) for e in entries)
    assert all(r.ok for r in Journal(queue.db).entries())
    queue.db.close()
