"""The replay records each reply's outcome while the library system answers the next request.
The two rules still hold at every request (checked on disk, from another connection), and a
kill while that work runs (the next request already on the wire) loses nothing and applies
nothing twice.
"""

from __future__ import annotations

import sqlite3

import pytest

from sip2.client import SIP2Client

from kiosk.storage import Replayer

from tests.kiosk.queue_canned_acs import CannedACS, connecting
from tests.kiosk.replay_kills import ITEMS, Killed, killed_then_replayed, queued

A, B, C, D = ITEMS
# Entries of one item next to each other (the outcome of the first must be on disk before the
# second goes out, so it cannot wait for the next request), and apart.
PLAN = [("checkout", A), ("checkin", A), ("checkout", A), ("checkout", B), ("checkin", B),
        ("checkin", A), ("checkout", C), ("checkout", D), ("checkin", D), ("checkin", C),
        ("checkout", B), ("checkin", B)]


class WatchingClient(SIP2Client):
    """Before each checkout or return leaves, reads the database as another process would."""

    def __init__(self, *args: object, path: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.path = path
        self.seen: list[tuple[str, list[str]]] = []  # (state of the entry sent, states of its item's earlier ones)

    def _look(self, item: str, transaction_date) -> None:
        with sqlite3.connect(self.path) as db:
            rows = db.execute("SELECT transaction_date, state FROM queue_entries WHERE item_id = ? ORDER BY id",
                              (item,)).fetchall()
        states = [state for date, state in rows]
        mine = [date for date, _ in rows].index(transaction_date.isoformat())
        self.seen.append((states[mine], states[:mine]))

    def checkout(self, patron_id, item_id, **kwargs):
        self._look(item_id, kwargs["transaction_date"])
        return super().checkout(patron_id, item_id, **kwargs)

    def checkin(self, item_id, **kwargs):
        self._look(item_id, kwargs["transaction_date"])
        return super().checkin(item_id, **kwargs)


@pytest.mark.parametrize("batch_size", [2, 512])
def test_every_request_leaves_marked_on_disk_after_its_items_earlier_outcomes(tmp_path, batch_size):
    path = str(tmp_path / "kiosk.sqlite")
    queue, journal = queued(path, PLAN)
    with CannedACS(ITEMS) as acs:
        client = connecting(acs, WatchingClient, path=path)()
        report = Replayer(queue, lambda: client, journal=journal, batch_size=batch_size).replay_once()
    assert report.completed and report.done == len(PLAN)
    assert len(client.seen) == len(PLAN)
    for state, earlier in client.seen:
        assert state == "sending"  # rule 1
        assert all(s == "done" for s in earlier)  # rule 2
    queue.db.close()


class KilledWhileAnswered(SIP2Client):
    """A client whose process dies at its `at`-th checkout or return, in the work the replay does
    while the library system answers (that request is on the wire)."""

    def __init__(self, *args: object, at: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.at, self.count = at, 0

    def _dying(self, kwargs: dict) -> dict:
        self.count += 1
        if self.count == self.at:
            work = kwargs.get("meanwhile")

            def then_die() -> None:
                if work is not None:
                    work()
                raise Killed

            kwargs["meanwhile"] = then_die
        return kwargs

    def checkout(self, patron_id, item_id, **kwargs):
        return super().checkout(patron_id, item_id, **self._dying(kwargs))

    def checkin(self, item_id, **kwargs):
        return super().checkin(item_id, **self._dying(kwargs))


@pytest.mark.parametrize("batch_size", [2, 512])
@pytest.mark.parametrize("at", range(1, len(PLAN) + 1))
def test_a_kill_while_the_acs_answers_loses_nothing_and_applies_nothing_twice(tmp_path, at, batch_size):
    killed_then_replayed(tmp_path / "kiosk.sqlite", PLAN, KilledWhileAnswered, batch_size, at=at)
