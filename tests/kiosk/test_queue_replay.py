"""Replaying the offline queue over real SIP2 on loopback, against a canned ACS."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from sip2.client import SIP2Client
from sip2.connection import ConnectionSettings
from sip2.errors import Unreachable
from sip2.messages import ItemInformationResponse

from kiosk.storage import EntryState, Journal, OfflineQueue, QueueAlert, Replayer, ReplayWorker, connect_with
from kiosk.storage.entries import Kind, QueueEntry
from kiosk.storage.reconcile import Verdict, reconcile

from tests.kiosk.queue_canned_acs import CannedACS, connecting

WHEN = datetime(2026, 3, 2, 10, 0, 0)
DUE = datetime(2026, 3, 23, 23, 59, 59)
ITEMS = [f"3900000000{n:03d}" for n in range(40)]
WAIT = 20.0  # generous bound on waiting for a worker thread; never a performance limit


@pytest.fixture
def acs():
    with CannedACS(ITEMS) as server:
        yield server


def factory_for(acs: CannedACS):
    """A client factory for the canned ACS that gives up connecting after 2 s."""
    return connecting(acs, connect_timeout=2.0)


def offline_day(queue: OfflineQueue, journal: Journal) -> list[QueueEntry]:
    """A morning offline: three checkouts, a return, a renewal, each a minute apart."""
    plan = [("checkout", ITEMS[0], "P1"), ("checkout", ITEMS[1], "P1"), ("checkin", ITEMS[0], None),
            ("checkout", ITEMS[2], "P2"), ("renew", ITEMS[1], "P1")]
    entries = []
    for n, (kind, item, patron) in enumerate(plan):
        entries.append(queue.enqueue(kind, item_id=item, patron_id=patron,
                                     transaction_date=WHEN + timedelta(minutes=n),
                                     due_date=None if kind == "checkin" else DUE + timedelta(days=n),
                                     journal=journal))
    return entries


def test_replay_sends_in_order_with_no_block_and_the_original_dates(acs, store):
    queue, journal = store
    entries = offline_day(queue, journal)
    report = Replayer(queue, factory_for(acs), journal=journal).replay_once()
    assert report.completed and (report.sent, report.done, report.refused) == (5, 5, 0)
    applied = acs.applied()
    assert [(a.code, a.item_id) for a in applied] == [
        ("11", ITEMS[0]), ("11", ITEMS[1]), ("09", ITEMS[0]), ("11", ITEMS[2]), ("29", ITEMS[1])]
    assert all(a.no_block for a in applied)
    assert [a.transaction_date for a in applied] == [e.transaction_date for e in entries]
    # Checkouts and renewals carry the offline due date, returns the original return date.
    assert [a.due_or_return_date for a in applied] == [
        entries[0].due_date, entries[1].due_date, entries[2].transaction_date, entries[3].due_date,
        entries[4].due_date]
    assert queue.counts().done == 5 and queue.pending() == []
    # What the journal says happened is what the ACS applied.
    records = journal.entries()
    assert [(r.kind, r.item_id, r.ok) for r in records] == [
        ({"11": "checkout", "09": "checkin", "29": "renew"}[a.code], a.item_id, a.ok) for a in applied]
    assert records[1].acs_due_date == DUE.replace(day=24).strftime("%Y-%m-%d %H:%M:%S")
    assert acs.loans == {ITEMS[1]: ("P1", entries[4].due_date), ITEMS[2]: ("P2", entries[3].due_date)}


def test_a_refusal_goes_to_staff_and_the_replay_goes_on(acs, store):
    queue, journal = store
    acs.refusals[ITEMS[1]] = "Patron has too many overdue items."
    offline_day(queue, journal)
    report = Replayer(queue, factory_for(acs), journal=journal).replay_once()
    assert report.completed and (report.done, report.refused) == (3, 2)  # the renewal of ITEMS[1] too
    refused = queue.refused()
    assert [(e.kind, e.item_id) for e in refused] == [("checkout", ITEMS[1]), ("renew", ITEMS[1])]
    assert refused[0].reason == "Patron has too many overdue items."
    assert refused[0].acs_messages == ("Patron has too many overdue items.",)
    assert refused[1].reason == "This item is not checked out to you."
    assert journal.for_queue_entry(refused[0].id).ok is False


def test_an_unreachable_acs_leaves_the_queue_untouched(tmp_path, store):
    queue, journal = store
    offline_day(queue, journal)
    with CannedACS(ITEMS) as gone:
        connect = factory_for(gone)
    report = Replayer(queue, connect).replay_once()  # the port is closed now
    assert not report.completed and "cannot connect" in report.stopped_by
    assert [(e.state, e.attempts) for e in queue.pending()] == [(EntryState.PENDING, 0)] * 5


def test_the_acs_going_away_mid_replay_stops_it_and_it_resumes_later(acs, store):
    queue, journal = store
    entries = offline_day(queue, journal)
    replayer = Replayer(queue, factory_for(acs), journal=journal)
    sent = threading.Event()
    original = acs._checkout

    def checkout_then_go_away(request):
        reply = original(request)
        if request.item_id == ITEMS[1]:  # the second checkout is applied, then the ACS vanishes
            acs.apply_then_drop_next = 1
            sent.set()
        return reply

    acs._checkout = checkout_then_go_away
    report = replayer.replay_once()
    assert sent.is_set() and not report.completed
    # The lost reply was reconciled from the item's status: applied, so done and not resent.
    assert queue.get(entries[1].id).state is EntryState.DONE
    assert "reconciled" in queue.get(entries[1].id).last_error
    assert [e.id for e in queue.pending()] == [e.id for e in entries[2:]]

    acs.drop_next = 1  # and once more, before the return is applied
    report = replayer.replay_once()
    assert not report.completed
    report = replayer.replay_once()
    assert report.completed and queue.counts().done == 5
    codes = [(a.code, a.item_id, a.transaction_date) for a in acs.applied()]
    assert len(codes) == len(set(codes)) == 5  # every transaction applied exactly once


def test_an_entry_left_sending_by_a_crash_is_reconciled_before_anything_else(acs, store):
    queue, journal = store
    entries = offline_day(queue, journal)
    # The kiosk died after marking the first checkout "sending": did the ACS get it?
    queue.advance()
    acs.loans[ITEMS[0]] = ("P1", DUE)  # yes: the ACS applied it and the reply was lost
    acs.log.clear()
    report = Replayer(queue, factory_for(acs), journal=journal).replay_once()
    assert report.completed and report.reconciled == 1 and report.sent == 4
    assert [a.item_id for a in acs.applied("11")] == [ITEMS[1], ITEMS[2]]  # ITEMS[0] not sent again
    assert queue.get(entries[0].id).state is EntryState.DONE
    assert journal.for_queue_entry(entries[0].id).ok is True


def test_an_entry_left_sending_that_never_arrived_is_sent_once(acs, store):
    queue, journal = store
    entries = offline_day(queue, journal)
    queue.advance()  # died before the checkout left the kiosk
    report = Replayer(queue, factory_for(acs), journal=journal).replay_once()
    assert report.completed and report.reconciled == 0 and report.sent == 5
    assert [a.item_id for a in acs.applied("11")] == [ITEMS[0], ITEMS[1], ITEMS[2]]
    assert queue.get(entries[0].id).attempts == 2


def test_an_entry_whose_outcome_cannot_be_known_goes_to_staff(acs, store):
    queue, journal = store
    entry = queue.enqueue("renew", item_id=ITEMS[5], patron_id="P1", transaction_date=WHEN,
                          due_date=DUE, journal=journal)
    queue.advance()
    acs.loans[ITEMS[5]] = ("P1", DUE + timedelta(days=7))  # on loan, but not with the date we sent
    report = Replayer(queue, factory_for(acs), journal=journal).replay_once()
    assert report.completed and report.refused == 1 and acs.applied("29") == []
    refused = queue.get(entry.id)
    assert refused.state is EntryState.REFUSED
    assert refused.reason.startswith(f"outcome unknown: check item {ITEMS[5]} by hand")


def test_a_garbled_reply_is_never_resent_blindly_and_gives_up_after_max_attempts(acs, store):
    queue, journal = store
    entry = queue.enqueue("checkout", item_id=ITEMS[0], patron_id="P1", transaction_date=WHEN,
                          due_date=DUE, journal=journal)
    acs.garble_checkouts = True
    replayer = Replayer(queue, factory_for(acs), journal=journal, max_attempts=3)
    for attempt in range(1, 4):
        report = replayer.replay_once()
        assert not report.completed and "not SIP2" in report.stopped_by
        # The client asked with a 17: the item is on the shelf, so the checkout did not apply.
        assert (queue.get(entry.id).state, queue.get(entry.id).attempts) == (EntryState.PENDING, attempt)
    report = replayer.replay_once()  # three tries are enough
    assert report.completed and report.refused == 1
    refused = queue.get(entry.id)
    assert refused.state is EntryState.REFUSED and "not replayed after 3 attempts" in refused.reason


@pytest.mark.parametrize("left_sending", [False, True])
def test_an_entry_the_character_set_cannot_carry_goes_to_staff_and_the_rest_replays(acs, store, left_sending):
    queue, journal = store
    queue.enqueue("checkin", item_id="Ärger-1", transaction_date=WHEN, journal=journal)
    queue.enqueue("checkout", item_id=ITEMS[0], patron_id="P1", transaction_date=WHEN,
                  due_date=DUE, journal=journal)
    if left_sending:
        queue.advance()  # a crash left it "sending": even the 17 about it cannot be written
    connect = factory_for(acs)

    def ascii_client() -> SIP2Client:
        client = connect()
        client.settings = ConnectionSettings(encoding="ascii")
        client.close()  # the next request reconnects with the new settings
        return client

    report = Replayer(queue, ascii_client, journal=journal).replay_once()
    assert report.completed and (report.done, report.refused) == (1, 1)
    refused = queue.refused()[0]
    assert refused.item_id == "Ärger-1" and "cannot be sent" in refused.reason
    assert [a.item_id for a in acs.applied()] == [ITEMS[0]]


def test_two_replays_of_one_queue_never_run_at_once(acs, store):
    queue, journal = store
    offline_day(queue, journal)
    inside, release = threading.Event(), threading.Event()
    connect = factory_for(acs)

    def slow_connect() -> SIP2Client:
        inside.set()
        release.wait(WAIT)
        return connect()

    first = Replayer(queue, slow_connect)
    result: list = []
    thread = threading.Thread(target=lambda: result.append(first.replay_once()))
    thread.start()
    assert inside.wait(WAIT)
    second = Replayer(OfflineQueue(queue.db.path), connect).replay_once()
    release.set()
    thread.join(WAIT)
    assert second.stopped_by == "another replay of this queue is running" and second.sent == 0
    assert result[0].completed and result[0].sent == 5


def test_an_old_database_replays_after_migration(acs, tmp_path):
    from tests.kiosk.test_queue import version_1_database

    path = tmp_path / "old.sqlite"
    version_1_database(path)
    acs.items.update({"OLD1", "OLD2"})
    acs.loans["OLD2"] = ("P9", DUE)
    queue = OfflineQueue(path)
    report = Replayer(queue, factory_for(acs), journal=Journal(queue.db)).replay_once()
    assert report.completed and report.done == 2
    assert [(a.code, a.item_id, a.transaction_date) for a in acs.applied()] == [
        ("11", "OLD1", datetime(2025, 6, 1, 10, 0)), ("09", "OLD2", datetime(2025, 6, 1, 10, 1))]


def test_connect_with_builds_a_logged_in_client(acs):
    host, port = acs.address
    client = connect_with(host=host, port=port, username="kiosk", password="kiosk",
                          institution_id="TEST")()
    try:
        assert client.connected
    finally:
        client.close()


def test_the_worker_backs_off_while_unreachable_alerts_once_and_drains_when_told(store):
    queue, journal = store
    with CannedACS(ITEMS) as acs:
        port = acs.address[1]
    down = CannedACS(ITEMS, port=port)  # same port, not listening yet
    down.loans[ITEMS[0]] = ("P1", DUE)
    alerts: list[QueueAlert] = []
    reports = []
    drained = threading.Event()

    def on_report(report):
        reports.append(report)
        if report.completed and queue.counts().waiting == 0 and alerts and not alerts[-1].raised:
            drained.set()

    queue.enqueue("checkin", item_id=ITEMS[0], transaction_date=WHEN, journal=journal)
    worker = ReplayWorker(Replayer(queue, factory_for(down), journal=journal), interval=0.05,
                          max_interval=0.2, alert_after=timedelta(0), on_alert=alerts.append,
                          on_report=on_report)
    worker.start()
    try:
        deadline = threading.Event()
        for _ in range(400):  # wait for a few failed tries
            if len(reports) >= 3:
                break
            deadline.wait(0.05)
        assert len(reports) >= 3 and all(not r.completed for r in reports)
        assert [a.raised for a in alerts] == [True]  # raised once, however many failures
        with down:
            worker.acs_is_back()
            assert drained.wait(WAIT)
        assert [a.raised for a in alerts] == [True, False]
        assert queue.counts().done == 1
    finally:
        worker.stop()


@pytest.mark.parametrize("kind, code, due, borrower, told, verdict", [
    ("checkout", "04", "2026-03-23 23:59:59", None, DUE, Verdict.DONE),
    ("checkout", "05", "2026-03-23", "P1", DUE, Verdict.DONE),
    ("checkout", "04", "2026-03-23", "P7", DUE, Verdict.UNKNOWN),  # charged to someone else
    ("checkout", "04", None, None, DUE, Verdict.UNKNOWN),
    ("checkout", "03", None, None, DUE, Verdict.RESEND),
    ("checkout", "09", None, None, DUE, Verdict.RESEND),
    ("checkout", "12", None, None, DUE, Verdict.UNKNOWN),  # lost
    ("checkout", "01", None, None, DUE, Verdict.UNKNOWN),
    ("checkin", "03", None, None, None, Verdict.DONE),
    ("checkin", "08", None, None, None, Verdict.DONE),
    ("checkin", "09", None, None, None, Verdict.DONE),
    ("checkin", "10", None, None, None, Verdict.DONE),
    ("checkin", "04", "2026-03-23", None, None, Verdict.RESEND),
    ("checkin", "13", None, None, None, Verdict.UNKNOWN),  # missing
    ("renew", "04", "20260323    235959", None, DUE, Verdict.DONE),
    ("renew", "04", "23/03/2026", "P1", DUE, Verdict.DONE),
    ("renew", "04", "2026-03-30", None, DUE, Verdict.UNKNOWN),
    ("renew", "04", "next tuesday", None, DUE, Verdict.UNKNOWN),
    ("renew", "03", None, None, DUE, Verdict.RESEND),
    ("renew", "04", "2026-03-23", "P7", DUE, Verdict.RESEND),
])
def test_reconciliation_rule(kind, code, due, borrower, told, verdict):
    entry = QueueEntry(id=1, kind=Kind(kind), item_id="I1", patron_id=None if kind == "checkin" else "P1",
                       transaction_date=WHEN, due_date=told, state=EntryState.SENDING, attempts=1,
                       last_error=None, reason=None, created_at=WHEN, updated_at=WHEN)
    status = ItemInformationResponse(circulation_status=code, due_date=due, item_id="I1", title="T",
                                     extra=(("AA", borrower),) if borrower else ())
    assert reconcile(entry, status).verdict is verdict


@pytest.mark.parametrize("kind", ["checkout", "checkin", "renew"])
def test_a_status_of_an_item_the_library_does_not_name_settles_nothing(kind):
    entry = QueueEntry(id=1, kind=Kind(kind), item_id="I1", patron_id=None if kind == "checkin" else "P1",
                       transaction_date=WHEN, due_date=None if kind == "checkin" else DUE,
                       state=EntryState.SENDING, attempts=1, last_error=None, reason=None,
                       created_at=WHEN, updated_at=WHEN)
    for code in ("03", "04"):
        status = ItemInformationResponse(circulation_status=code, due_date="2026-03-23", item_id="I1", title="")
        judged = reconcile(entry, status)
        assert judged.verdict is Verdict.UNKNOWN
        assert "no title" in judged.explanation
    with_properties = ItemInformationResponse(circulation_status="03", item_id="I1", item_properties="DVD")
    assert reconcile(entry, with_properties).verdict is not Verdict.UNKNOWN  # properties name it too


def test_a_reply_about_another_item_is_never_trusted():
    entry = QueueEntry(id=1, kind=Kind.CHECKOUT, item_id="I1", patron_id="P1", transaction_date=WHEN,
                       due_date=DUE, state=EntryState.SENDING, attempts=1, last_error=None,
                       reason=None, created_at=WHEN, updated_at=WHEN)
    status = ItemInformationResponse(circulation_status="03", item_id="I2", title="T")
    assert reconcile(entry, status).verdict is Verdict.UNKNOWN


def test_unreachable_is_what_the_factory_raises(acs):
    with CannedACS(ITEMS) as gone:
        connect = factory_for(gone)
    with pytest.raises(Unreachable):
        connect()
