"""Replaying the offline queue against the project's ACS emulator over loopback SIP2."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

pytest.importorskip("sip2.emulator")

from sip2.client import SIP2Client  # noqa: E402
from sip2.emulator import ACSEmulator  # noqa: E402
from sip2.emulator.demo_data import DEMO  # noqa: E402

from kiosk.storage import EntryState, Journal, OfflineQueue, Replayer  # noqa: E402

WHEN = datetime(2026, 3, 2, 10, 0, 0)
ITEMS = DEMO.available_items
CODES = {"11": "checkout", "09": "checkin", "29": "renew"}


@pytest.fixture
def emulator():
    with ACSEmulator(host="127.0.0.1", port=0, institution_id="DEMO") as emu:
        yield emu


def connecting_to(where, timeout: float = 5.0, then=None):
    """A client factory for the address `where()` gives now; `then()` runs once logged in
    (a fault set before would hit the login instead)."""
    def connect() -> SIP2Client:
        host, port = where()
        client = SIP2Client(host, port, username="kiosk", password="kiosk", institution_id="DEMO",
                            location="kiosk-1", timeout=timeout, connect_timeout=2.0)
        client.connect()
        if then is not None:
            then()
        return client
    return connect


def queue_offline_spell(queue: OfflineQueue, journal: Journal) -> list:
    """Checkouts by two patrons, a return, a renewal, and a checkout by an unknown card."""
    steps = [("checkout", ITEMS[0], DEMO.good_patron), ("checkout", ITEMS[1], DEMO.good_patron),
             ("checkout", ITEMS[2], DEMO.second_good_patron), ("checkin", ITEMS[0], None),
             ("renew", ITEMS[1], DEMO.good_patron), ("checkout", ITEMS[3], DEMO.unknown_patron),
             ("checkin", DEMO.item_on_loan, None), ("checkout", ITEMS[4], DEMO.blocked_patron)]
    entries = []
    for n, (kind, item, patron) in enumerate(steps):
        when = WHEN + timedelta(minutes=n)
        entries.append(queue.enqueue(kind, item_id=item, patron_id=patron, transaction_date=when,
                                     due_date=None if kind == "checkin" else when + timedelta(days=21 + n),
                                     journal=journal))
    return entries


def emulator_log(emu: ACSEmulator):
    return [t for t in emu.library.transactions() if t.code in CODES]


def test_offline_transactions_replayed_match_the_library_records(emulator, store):
    queue, journal = store
    entries = queue_offline_spell(queue, journal)
    report = Replayer(queue, connecting_to(lambda: emulator.address), journal=journal).replay_once()
    assert report.completed and report.sent == len(entries)

    log = emulator_log(emulator)
    assert len(log) == len(entries) and all(t.no_block for t in log)
    # The journal says what the library system recorded, transaction for transaction.
    assert [(CODES[t.code], t.item_id, t.transaction_date, t.ok) for t in log] == [
        (r.kind, r.item_id, r.transaction_date, r.ok) for r in journal.entries()]
    # No block: the blocked patron's checkout went through; the unknown card could not.
    assert [e.item_id for e in queue.refused()] == [ITEMS[3]]
    assert queue.refused()[0].reason and queue.refused()[0].acs_messages
    # Loans carry the offline due dates; the returned items are back.
    assert emulator.library.loan_of(ITEMS[1]) == (DEMO.good_patron, entries[4].due_date)
    assert emulator.library.loan_of(ITEMS[2]) == (DEMO.second_good_patron, entries[2].due_date)
    assert emulator.library.loan_of(ITEMS[4]) == (DEMO.blocked_patron, entries[7].due_date)
    assert emulator.library.loan_of(ITEMS[0]) is None and emulator.library.loan_of(DEMO.item_on_loan) is None


def test_lost_replies_are_reconciled_never_resent(emulator, store):
    queue, journal = store
    entries = queue_offline_spell(queue, journal)
    faults = [lambda: setattr(emulator.faults, "apply_then_drop_next", 1),  # applied, reply lost
              lambda: setattr(emulator.faults, "drop_next", 1)]  # lost before it is applied
    replayer = Replayer(queue, connecting_to(lambda: emulator.address, then=lambda: faults and faults.pop(0)()),
                        journal=journal)
    report = replayer.replay_once()
    assert not report.completed and report.reconciled == 0
    assert queue.get(entries[0].id).state is EntryState.DONE  # judged from the 17 the client asked
    report = replayer.replay_once()
    assert not report.completed
    assert queue.get(entries[1].id).state is EntryState.PENDING  # the item is on the shelf: not applied
    report = replayer.replay_once()
    assert report.completed and queue.counts().waiting == 0
    keys = [(t.code, t.item_id, t.transaction_date) for t in emulator_log(emulator)]
    assert len(keys) == len(set(keys)) == len(entries)


def test_a_silent_acs_leaves_the_entry_in_doubt_until_checked(emulator, store):
    queue, journal = store
    entries = queue_offline_spell(queue, journal)
    replayer = Replayer(queue, connecting_to(lambda: emulator.address, timeout=0.3,
                                             then=lambda: setattr(emulator.faults, "silent", True)),
                        journal=journal)
    report = replayer.replay_once()
    assert not report.completed
    assert report.stopped_by and [e.state for e in queue.in_flight()] == [EntryState.SENDING]
    emulator.faults.reset()
    replayer.client_factory = connecting_to(lambda: emulator.address)
    report = replayer.replay_once()
    assert report.completed and queue.counts().waiting == 0
    assert queue.get(entries[0].id).attempts == 2  # asked with a 17 first, then sent once more
    assert len(emulator_log(emulator)) == len(entries)


def test_the_acs_going_away_and_coming_back_with_its_records(tmp_path, store):
    queue, journal = store
    entries = queue_offline_spell(queue, journal)
    library = str(tmp_path / "library.sqlite")
    acs = ACSEmulator(db=library, host="127.0.0.1", port=0).start()
    address = {"now": acs.address}
    network_fails = [lambda: setattr(acs.faults, "apply_then_drop_next", 3)]
    replayer = Replayer(queue, connecting_to(lambda: address["now"],
                                             then=lambda: network_fails and network_fails.pop(0)()),
                        journal=journal)
    try:
        assert not replayer.replay_once().completed  # applies three, then the network fails
        acs.stop()  # the library system goes down altogether
        report = replayer.replay_once()
        assert not report.completed and "cannot connect" in report.stopped_by
        assert queue.counts().waiting > 0

        acs = ACSEmulator(db=library, host="127.0.0.1", port=0).start()  # back, with its records
        address["now"] = acs.address
        report = replayer.replay_once()
        assert report.completed and queue.counts().waiting == 0
        keys = [(t.code, t.item_id, t.transaction_date) for t in emulator_log(acs)]
        assert len(keys) == len(set(keys))
        for entry in queue.entries():
            key = ({v: k for k, v in CODES.items()}[entry.kind], entry.item_id, entry.transaction_date)
            assert keys.count(key) == (1 if entry.state is EntryState.DONE or entry.acs_messages else 0) \
                or entry.reason.startswith("outcome unknown")
    finally:
        acs.stop()
    assert len(entries) == len(queue.entries())


def test_an_acs_without_no_block_refuses_and_the_refusals_reach_staff(store):
    from sip2.emulator import Policy

    queue, journal = store
    queue_offline_spell(queue, journal)
    with ACSEmulator(host="127.0.0.1", port=0, policy=Policy(honour_no_block=False)) as strict:
        report = Replayer(queue, connecting_to(lambda: strict.address), journal=journal).replay_once()
        log = emulator_log(strict)
    assert report.completed and report.refused >= 2
    refused = {e.item_id: e for e in queue.refused()}
    assert ITEMS[4] in refused and ITEMS[3] in refused  # the blocked patron is judged this time
    assert all(e.reason and e.acs_messages for e in refused.values())
    assert [(r.item_id, r.ok) for r in journal.entries()] == [(t.item_id, t.ok) for t in log]
