"""A reply lost on the way back: the core believes only a 17 that positively settles it.

The ACS emulator's `drop_next` fault closes the connection instead of applying a request, so
nothing happened; `apply_then_drop_next` applies it and loses only the reply. Each of
checkout, return and renew is tried with an item the library knows and one it does not.
"""

from __future__ import annotations

import pytest

from sip2.emulator.demo_data import DEMO

from kiosk.core.outcomes import Alert, ItemOutcome
from kiosk.core.runtime import KioskRuntime
from kiosk.devices.emulators.tag_store import make_tag
from kiosk.storage.queue import EntryState

from tests.kiosk.test_circulation import log_in, runtime_for
from tests.waiting import wait_for

ON_LOAN_AFI, SECURED_AFI = 0xC2, 0x07


@pytest.fixture
def kiosk(tmp_path, acs):
    runtime = runtime_for(tmp_path, *acs.address, rfid={"driver": "sim", "poll_interval": 0.02})
    runtime.start()
    yield runtime
    runtime.stop()


def on_pad(kiosk: KioskRuntime, item_id: str, afi: int):
    """A tag of `item_id` on the emulated pad, with this AFI (security) value."""
    tag = make_tag("iso28560-3", item_id, afi=afi)
    pad = next(d for d in kiosk.devices.devices if hasattr(d, "tag_store"))
    pad.tag_store.place(tag)
    return tag


def assert_sent_to_staff(kiosk: KioskRuntime, outcome: ItemOutcome, kind: str, reason: str) -> None:
    assert not outcome.ok and Alert.OUTCOME_UNKNOWN in outcome.alerts and outcome.reason == reason
    staff = [(e.kind.value, e.item_id, e.state) for e in kiosk.queue.refused()]
    assert staff == [(kind, outcome.item_id, EntryState.REFUSED)]
    assert kiosk.queue.counts().waiting == 0  # on the staff list, never replayed
    assert [(e.kind, e.item_id, e.ok) for e in kiosk.journal.entries()][-1] == (kind, outcome.item_id, False)


# --- returns ----------------------------------------------------------------------------------

def test_return_of_an_unknown_item_whose_reply_is_lost_is_not_returned(kiosk, acs):
    tag = on_pad(kiosk, DEMO.unknown_item, ON_LOAN_AFI)
    assert kiosk.link.probe()  # connected and logged in: the fault hits the return itself
    acs.faults.drop_next = 1
    result = kiosk.circulation.checkin(DEMO.unknown_item, uids=(tag.uid,))
    assert_sent_to_staff(kiosk, result, "checkin",
                         "We could not confirm this return. Please give the item to staff.")
    assert tag.afi == ON_LOAN_AFI  # security left as it was
    assert "does not know the item" in kiosk.queue.refused()[0].reason


def test_return_of_a_loan_whose_request_was_lost_is_not_returned(kiosk, acs):
    tag = on_pad(kiosk, DEMO.item_on_loan, ON_LOAN_AFI)
    assert kiosk.link.probe()
    acs.faults.drop_next = 1
    result = kiosk.circulation.checkin(DEMO.item_on_loan, uids=(tag.uid,))
    assert_sent_to_staff(kiosk, result, "checkin",
                         "We could not confirm this return. Please give the item to staff.")
    assert tag.afi == ON_LOAN_AFI and acs.library.loan_of(DEMO.item_on_loan) is not None


def test_return_applied_but_reply_lost_is_returned_and_secured(kiosk, acs):
    tag = on_pad(kiosk, DEMO.item_on_loan, ON_LOAN_AFI)
    assert kiosk.link.probe()
    acs.faults.apply_then_drop_next = 1
    result = kiosk.circulation.checkin(DEMO.item_on_loan, uids=(tag.uid,))
    assert result.ok and result.title and tag.afi == SECURED_AFI
    assert kiosk.queue.refused() == []


# --- checkouts --------------------------------------------------------------------------------

def test_checkout_of_an_unknown_item_whose_reply_is_lost_goes_to_staff(kiosk, acs):
    tag = on_pad(kiosk, DEMO.unknown_item, SECURED_AFI)
    log_in(kiosk)
    acs.faults.drop_next = 1
    result = kiosk.circulation.checkout(DEMO.unknown_item, uids=(tag.uid,))
    assert_sent_to_staff(kiosk, result, "checkout",
                         "We could not confirm this checkout. Please give the item to staff.")
    assert tag.afi == SECURED_AFI
    assert kiosk.circulation.checkout(DEMO.unknown_item).repeat  # a second scan sends nothing


def test_checkout_whose_request_was_lost_is_not_checked_out(kiosk, acs):
    item = DEMO.available_items[8]
    tag = on_pad(kiosk, item, SECURED_AFI)
    log_in(kiosk)
    acs.faults.drop_next = 1
    result = kiosk.circulation.checkout(item, uids=(tag.uid,))
    # The library knows the item and shows it on the shelf: certainly not checked out.
    assert not result.ok and "not checked out" in result.reason and Alert.OUTCOME_UNKNOWN not in result.alerts
    assert tag.afi == SECURED_AFI and acs.library.loan_of(item) is None
    assert kiosk.queue.refused() == []


def test_checkout_of_an_item_on_loan_to_another_patron_is_not_taken_as_ours(kiosk, acs):
    tag = on_pad(kiosk, DEMO.item_on_loan, ON_LOAN_AFI)
    log_in(kiosk)
    acs.faults.drop_next = 1
    result = kiosk.circulation.checkout(DEMO.item_on_loan, uids=(tag.uid,))
    assert_sent_to_staff(kiosk, result, "checkout",
                         "We could not confirm this checkout. Please give the item to staff.")


def test_checkout_applied_but_reply_lost_is_checked_out_and_unsecured(kiosk, acs):
    item = DEMO.available_items[9]
    tag = on_pad(kiosk, item, SECURED_AFI)
    log_in(kiosk)
    acs.faults.apply_then_drop_next = 1
    result = kiosk.circulation.checkout(item, uids=(tag.uid,))
    assert result.ok and result.due and tag.afi == ON_LOAN_AFI


# --- renewals ---------------------------------------------------------------------------------

def test_renewal_of_an_unknown_item_whose_reply_is_lost_goes_to_staff(kiosk, acs):
    log_in(kiosk)
    acs.faults.drop_next = 1
    result = kiosk.circulation.renew(DEMO.unknown_item)
    assert_sent_to_staff(kiosk, result, "renew", "We could not confirm this renewal. Please ask staff.")


def test_renewal_whose_request_was_lost_is_not_renewed(kiosk, acs):
    item = DEMO.good_patron_loans[0]
    log_in(kiosk)
    assert item in [loan.item_id for loan in kiosk.circulation.account().loans]
    acs.faults.drop_next = 1
    result = kiosk.circulation.renew(item)
    assert_sent_to_staff(kiosk, result, "renew", "We could not confirm this renewal. Please ask staff.")


def test_renewal_applied_but_reply_lost_is_renewed_when_the_due_date_moved(kiosk, acs):
    item = DEMO.good_patron_loans[1]
    log_in(kiosk)
    before = {loan.item_id: loan.due for loan in kiosk.circulation.account().loans}[item]
    acs.faults.apply_then_drop_next = 1
    result = kiosk.circulation.renew(item)
    assert result.ok and result.due > before


def test_the_staff_list_can_be_resolved_like_a_refused_replay(kiosk, acs):
    assert kiosk.link.probe()
    acs.faults.drop_next = 1
    kiosk.circulation.checkin(DEMO.unknown_item)
    entry = kiosk.queue.refused()[0]
    kiosk.queue.mark_refused_resolved(entry.id, "not ours: handed back")
    assert kiosk.queue.refused() == [] and wait_for(lambda: kiosk.queue.counts().unresolved == 0)


@pytest.mark.parametrize("action", ["checkout", "checkin", "renew"])
def test_a_17_that_fails_too_settles_nothing(kiosk, acs, action):
    item = {"checkout": DEMO.available_items[10], "checkin": DEMO.item_on_loan,
            "renew": DEMO.good_patron_loans[0]}[action]
    log_in(kiosk)
    kiosk.circulation.account()
    acs.faults.drop_next = 2  # the request, then the log-in before the 17
    result = getattr(kiosk.circulation, action)(item)
    assert not result.ok and Alert.OUTCOME_UNKNOWN in result.alerts
    entry = kiosk.queue.refused()[0]
    assert (entry.kind.value, entry.item_id) == (action, item) and "could not be had" in entry.reason


def test_the_patron_reads_it_once_in_their_language():
    from kiosk.core import wording
    from kiosk.core.outcomes import Action
    from kiosk.i18n import translator
    from kiosk.screens.present import item_line

    outcome = ItemOutcome(Action.CHECKIN, DEMO.unknown_item, False, alerts=(Alert.OUTCOME_UNKNOWN,),
                          reason=wording.RETURN_NOT_CONFIRMED)
    assert item_line(outcome, translator("en")).detail == wording.RETURN_NOT_CONFIRMED
    assert item_line(outcome, translator("de")).detail == (
        "Wir konnten diese Rückgabe nicht bestätigen. Bitte geben Sie das Medium dem Personal.")
    assert item_line(outcome, translator("fr")).detail == (
        "Nous n'avons pas pu confirmer ce retour. Veuillez remettre le document au personnel.")
