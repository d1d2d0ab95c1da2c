"""The transaction journal on a real SQLite file: records, offline outcomes, statistics, retention."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.core.outcomes import Action, ItemOutcome
from kiosk.storage import EntryState, Journal, OfflineQueue, QueueError, Settlement, open_database

WHEN = datetime(2026, 3, 2, 10, 15, 0)
DUE = datetime(2026, 3, 23, 23, 59, 59)


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "kiosk.sqlite")
    yield database
    database.close()


def test_online_transactions_are_recorded_with_what_the_acs_said(db):
    journal = Journal(db)
    ok = journal.record_transaction("checkout", item_id="I1", ok=True, patron_id="P1", title="Germinal",
                        due_date="2026-03-23 23:59:59", acs_messages=["Checked out.", "Enjoy!"],
                        transaction_date=WHEN)
    refused = journal.record_transaction("renew", item_id="I2", ok=False, patron_id="P1",
                             acs_messages=["Renewal limit reached."])
    assert [e.id for e in journal.entries()] == [ok.id, refused.id]
    first = journal.entries()[0]
    assert first == ok
    assert (first.ok, first.offline, first.queue_entry_id, first.title) == (True, False, None, "Germinal")
    assert first.acs_messages == ("Checked out.", "Enjoy!") and first.due_date == "2026-03-23 23:59:59"
    assert journal.entries(item_id="I2")[0].ok is False
    assert journal.entries(patron_id="P1", offline=False) == journal.entries()
    assert journal.entries(since=datetime.now(timezone.utc) + timedelta(minutes=1)) == []


def test_bad_records_are_refused(db):
    journal = Journal(db)
    with pytest.raises(QueueError, match="unknown transaction kind"):
        journal.record_transaction("pay", item_id="I1", ok=True)
    with pytest.raises(QueueError, match="item id"):
        journal.record_transaction("checkin", item_id="", ok=True)
    with pytest.raises(TypeError):
        journal.record_transaction("checkout", item_id="I1", ok=True, patron_password="1234")  # type: ignore[call-arg]


def test_an_offline_transaction_is_completed_by_its_replay(db):
    queue, journal = OfflineQueue(db), Journal(db)
    entry = queue.enqueue("checkout", item_id="I1", patron_id="P1", transaction_date=WHEN,
                          due_date=DUE, title="Germinal", journal=journal)
    queued = journal.for_queue_entry(entry.id)
    assert (queued.ok, queued.offline, queued.kind, queued.patron_id) == (None, True, "checkout", "P1")
    assert queued.transaction_date == WHEN and queued.due_date == DUE.isoformat()
    assert journal.statistics()["checkout"] == {"ok": 0, "refused": 0, "waiting": 1, "offline": 1}

    sending = queue.advance()
    queue.advance(Settlement(sending.id, EntryState.DONE, acs_messages=("Checked out.",),
                             acs_due_date="2026-03-23 23:59:59"), journal=journal)
    replayed = journal.for_queue_entry(entry.id)
    assert replayed.id == queued.id and replayed.ok is True and replayed.replayed_at is not None
    assert replayed.acs_messages == ("Checked out.",) and replayed.acs_due_date == "2026-03-23 23:59:59"
    assert len(journal.entries()) == 1


def test_a_replay_outcome_without_a_queued_record_creates_one(db):
    queue, journal = OfflineQueue(db), Journal(db)
    entry = queue.enqueue("checkin", item_id="I9", transaction_date=WHEN)  # journal not given
    queue.advance()
    queue.settle(Settlement(entry.id, EntryState.REFUSED, reason="Not checked out.",
                            acs_messages=("Not checked out.",)), journal=journal)
    record = journal.for_queue_entry(entry.id)
    assert (record.kind, record.item_id, record.ok, record.offline) == ("checkin", "I9", False, True)


def test_replayed_outcomes_keep_any_text_the_acs_sent(db):
    queue, journal = OfflineQueue(db), Journal(db)
    odd = 'Čapek: "Válka s mloky" 🦎\\ \'R.U.R.\'\nline\ttab'
    entries = [queue.enqueue("checkin", item_id=f"I{n}", transaction_date=WHEN, journal=journal) for n in range(3)]
    sending = queue.advance_batch(take=3)
    queue.advance_batch([Settlement(e.id, EntryState.REFUSED, reason=odd, acs_messages=(odd, "ok"),
                                    acs_due_date=odd, title=odd, last_error=odd) for e in sending],
                        take=0, journal=journal)
    for entry in entries:
        stored, record = queue.get(entry.id), journal.for_queue_entry(entry.id)
        assert (stored.reason, stored.title, stored.last_error, stored.acs_due_date) == (odd, odd, odd, odd)
        assert stored.acs_messages == record.acs_messages == (odd, "ok")
        assert (record.title, record.acs_due_date, record.ok) == (odd, odd, False)


def test_statistics_count_outcomes_per_kind(db):
    journal = Journal(db)
    for ok in (True, True, False):
        journal.record_transaction("checkout", item_id="I1", ok=ok)
    journal.record_transaction("checkin", item_id="I1", ok=True)
    OfflineQueue(db).enqueue("checkin", item_id="I2", transaction_date=WHEN, journal=journal)
    stats = journal.statistics()
    assert stats["checkout"] == {"ok": 2, "refused": 1, "waiting": 0, "offline": 0}
    assert stats["checkin"] == {"ok": 1, "refused": 0, "waiting": 1, "offline": 1}
    assert stats["renew"] == {"ok": 0, "refused": 0, "waiting": 0, "offline": 0}
    assert journal.statistics(until=datetime.now(timezone.utc) - timedelta(days=1))["checkout"]["ok"] == 0


def test_patron_ids_are_forgotten_after_the_retention_period(db):
    queue, journal = OfflineQueue(db), Journal(db)
    journal.record_transaction("checkout", item_id="I1", ok=True, patron_id="P1")
    done = queue.enqueue("checkout", item_id="I2", patron_id="P2", patron_name="Ann",
                         transaction_date=WHEN, due_date=DUE, journal=journal)
    refused = queue.enqueue("checkout", item_id="I3", patron_id="P3", transaction_date=WHEN,
                            due_date=DUE, journal=journal)
    queue.advance()
    queue.advance(Settlement(done.id, EntryState.DONE), journal=journal)
    queue.advance(Settlement(refused.id, EntryState.REFUSED, reason="blocked"), journal=journal)

    now = datetime.now(timezone.utc)
    assert journal.forget_patrons(timedelta(days=90), now=now) == 0
    assert journal.forget_patrons(timedelta(days=90), now=now + timedelta(days=91)) == 3
    records = journal.entries()
    assert [r.patron_id for r in records] == [None, None, None]
    assert all(r.patron_forgotten_at is not None for r in records)
    assert records[0].item_id == "I1" and records[0].ok is True  # statistics keep working
    # The done queue entry loses its patron; the refusal staff still have to handle keeps it.
    assert (queue.get(done.id).patron_id, queue.get(done.id).patron_name) == (None, None)
    assert queue.get(refused.id).patron_id == "P3"
    with pytest.raises(QueueError):
        journal.forget_patrons(timedelta(days=-1))


def test_security_failures_are_recorded_for_staff(db):
    journal = Journal(db)
    event = journal.security_event(item_id="I1", wanted_secured=False, uid="E004010012345678",
                                   reason="the pad did not confirm the AFI write")
    journal.security_event(item_id="I2", wanted_secured=True, reason="no tag found for the item")
    events = journal.security_events()
    assert events[0] == event and [e.item_id for e in events] == ["I1", "I2"]
    assert (events[0].wanted_state, events[0].tag_uid) == ("unsecured", "E004010012345678")
    assert events[1].tag_uid is None and events[1].wanted_state == "secured"
    with pytest.raises(QueueError, match="reason"):
        journal.security_event(item_id="I1", wanted_secured=True, reason="")
    with pytest.raises(QueueError, match="item id"):
        journal.security_event(item_id="", wanted_secured=True, reason="x")


def test_outcomes_from_the_circulation_core_are_recorded(db):
    queue, journal = OfflineQueue(db), Journal(db)
    online = ItemOutcome(Action.CHECKOUT, "I1", True, title="Germinal", due=DUE,
                         due_text="2026-03-23 23:59:59", screen_messages=("Checked out.",), timestamp=WHEN)
    refused = ItemOutcome(Action.CHECKOUT, "I2", False, offline=True, timestamp=WHEN,
                          reason="Checking out is not possible while the library system is unavailable.")
    record = journal.record(online, patron_id="P1")
    assert (record.kind, record.ok, record.offline, record.title) == ("checkout", True, False, "Germinal")
    assert record.due_date == "2026-03-23 23:59:59" and record.transaction_date == WHEN
    assert record.acs_messages == ("Checked out.",) and record.patron_id == "P1"
    local = journal.record(refused, patron_id="P1")
    assert (local.ok, local.offline, local.reason) == (False, True, refused.reason)

    # Queued offline: recorded as waiting, once, and completed by the replay.
    entry = queue.enqueue("checkin", item_id="I3", transaction_date=WHEN)
    accepted = ItemOutcome(Action.CHECKIN, "I3", True, offline=True, timestamp=WHEN)
    waiting = journal.record(accepted, queue_entry_id=entry.id)
    assert (waiting.ok, waiting.offline, waiting.queue_entry_id) == (None, True, entry.id)
    assert journal.record(accepted, queue_entry_id=entry.id) is None  # never twice
    queue.advance()
    queue.settle(Settlement(entry.id, EntryState.DONE, acs_messages=("Returned.",)), journal=journal)
    assert journal.for_queue_entry(entry.id).ok is True
    assert len(journal.entries()) == 3


def test_an_outcome_recorded_after_its_replay_is_not_added_again(db):
    queue, journal = OfflineQueue(db), Journal(db)
    entry = queue.enqueue("checkin", item_id="I3", transaction_date=WHEN)
    queue.advance()
    queue.settle(Settlement(entry.id, EntryState.DONE), journal=journal)  # the worker was quick
    assert journal.record(ItemOutcome(Action.CHECKIN, "I3", True, offline=True),
                          queue_entry_id=entry.id) is None
    assert journal.for_queue_entry(entry.id).ok is True and len(journal.entries()) == 1
