"""What the replay tests that kill the kiosk share: a queued plan, the death itself, the replay
of the next process, and the check that everything was applied exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from os import PathLike

import pytest

from sip2.client import SIP2Client

from kiosk.storage import EntryState, Journal, OfflineQueue, Replayer, ReplayReport, open_database

from tests.kiosk.queue_canned_acs import CannedACS, connecting

WHEN = datetime(2026, 3, 2, 10, 0, 0)
ITEMS = [f"3900000000{n:03d}" for n in range(4)]
CODES = {"checkout": "11", "checkin": "09"}


class Killed(BaseException):
    """The kiosk's process dies here (nothing after it runs, nothing catches it)."""


def queued(path: str | PathLike[str], plan: list[tuple[str, str]]) -> tuple[OfflineQueue, Journal]:
    """A new database at `path` holding `plan` ((kind, item) pairs, a minute apart) in its queue."""
    db = open_database(path)
    queue, journal = OfflineQueue(db), Journal(db)
    for n, (kind, item) in enumerate(plan):
        when = WHEN + timedelta(minutes=n)
        queue.enqueue(kind, item_id=item, patron_id="P1" if kind == "checkout" else None,
                      transaction_date=when, due_date=when + timedelta(days=21) if kind == "checkout" else None,
                      journal=journal)
    return queue, journal


def killed_then_replayed(path: str | PathLike[str], plan: list[tuple[str, str]],
                         dying: type[SIP2Client], batch_size: int, **when: object) -> None:
    """Queue `plan`, replay it with a `dying` client (`when` says where it dies) until the process
    is killed, replay again as the next process would, and check that the ACS applied every
    entry exactly once."""
    queue, journal = queued(path, plan)
    with CannedACS(ITEMS) as acs:
        with pytest.raises(Killed):
            Replayer(queue, connecting(acs, dying, **when), journal=journal, batch_size=batch_size).replay_once()
        queue.db.close()  # the process is gone; the next one opens the file again
        queue = OfflineQueue(open_database(path))
        report = Replayer(queue, connecting(acs), journal=Journal(queue.db)).replay_once()
    assert_applied_exactly_once(report, queue, acs, len(plan))
    queue.db.close()


def assert_applied_exactly_once(report: ReplayReport, queue: OfflineQueue, acs: CannedACS,
                                planned: int) -> None:
    """The last replay finished, all `planned` entries are done, and the ACS applied each once."""
    assert report.completed
    entries = queue.entries()
    assert [e.state for e in entries] == [EntryState.DONE] * planned, [e.last_error for e in entries]
    assert not [a for a in acs.applied() if not a.ok]  # a return sent twice would be refused: not on loan
    applied = Counter((a.code, a.item_id, a.transaction_date) for a in acs.applied())
    assert applied == Counter((CODES[e.kind], e.item_id, e.transaction_date) for e in entries)
    assert all(r.ok for r in Journal(queue.db).entries())
