"""Date rules of the emulator, applied straight to the store with a fixed clock (no socket)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from sip2 import messages as m
from sip2.emulator import DEMO, Policy, demo_data
from sip2.emulator.library import Library
from sip2.emulator.rules import Circulation
from sip2.emulator.store import Store
from sip2.fields import denied_privileges

SEEDED = date(2026, 1, 20)
AO = "DEMO"


@pytest.fixture
def circulation():
    store = Store()
    demo_data.seed(store, SEEDED)
    try:
        yield Circulation(store, Policy())
    finally:
        store.close()


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=hour)


def test_due_date_runs_to_the_end_of_the_last_day_across_a_month_end(circulation):
    reply = circulation.answer(m.Checkout(institution_id=AO, patron_id=DEMO.good_patron,
                                          item_id=DEMO.available_items[0]), now=at(date(2026, 1, 25)))
    assert reply.ok and reply.due_date == "2026-02-15 23:59:59"


def test_sip2_due_date_form(circulation):
    circulation.policy = Policy(due_date_format="sip2")
    reply = circulation.answer(m.Checkout(institution_id=AO, patron_id=DEMO.good_patron,
                                          item_id=DEMO.magnetic_item), now=at(date(2026, 1, 25)))
    assert reply.due_date == "20260201    235959"


def test_a_card_is_valid_through_its_expiry_day(circulation):
    library = Library(circulation.store)
    expires = library.patron(DEMO.good_patron).expires
    request = m.PatronStatusRequest(institution_id=AO, patron_id=DEMO.good_patron)
    on_the_day = circulation.answer(request, now=at(expires, 23))
    day_after = circulation.answer(request, now=at(expires + timedelta(days=1), 0))
    assert denied_privileges(on_the_day.patron_status) == []
    assert "charge privileges denied" in denied_privileges(day_after.patron_status)


def test_a_loan_becomes_overdue_after_its_due_moment(circulation):
    library = Library(circulation.store)
    due = library.loan_of(DEMO.good_patron_loans[0])[1]
    request = m.PatronInformation(summary=" Y        ", institution_id=AO, patron_id=DEMO.good_patron)
    assert circulation.answer(request, now=due).overdue_items_count == 0
    later = circulation.answer(request, now=due + timedelta(seconds=1))
    assert later.overdue_items_count == 3 and len(later.overdue_items) == 3


@pytest.mark.parametrize("days_late, cents", [(0, 0), (1, 25), (10, 250), (100, 1000)])
def test_late_fines_per_day_up_to_the_cap(circulation, days_late, cents):
    library = Library(circulation.store)
    due = library.loan_of(DEMO.item_on_loan)[1]
    reply = circulation.answer(m.Checkin(current_location="x", institution_id=AO, item_id=DEMO.item_on_loan),
                               now=due + timedelta(days=days_late))
    assert reply.ok
    assert library.patron(DEMO.other_patron).owed_cents == cents


def test_late_fines_can_be_turned_off(circulation):
    circulation.policy = Policy(late_fine_per_day_cents=0)
    library = Library(circulation.store)
    due = library.loan_of(DEMO.item_on_loan)[1]
    circulation.answer(m.Checkin(current_location="x", institution_id=AO, item_id=DEMO.item_on_loan),
                       now=due + timedelta(days=30))
    assert library.patron(DEMO.other_patron).owed_cents == 0


def test_renewal_counts_from_today_but_never_shortens_a_loan(circulation):
    library = Library(circulation.store)
    item = DEMO.good_patron_loans[0]
    due = library.loan_of(item)[1]
    early = circulation.answer(m.Renew(institution_id=AO, patron_id=DEMO.good_patron, item_id=item),
                               now=due - timedelta(days=22))
    assert early.ok and library.loan_of(item)[1] == due
    late = circulation.answer(m.Renew(institution_id=AO, patron_id=DEMO.good_patron, item_id=item),
                              now=due + timedelta(days=2))
    assert late.ok and library.loan_of(item)[1].date() == due.date() + timedelta(days=23)


def test_hold_shelf_pickup_date(circulation):
    returned = at(date(2026, 2, 3))
    circulation.answer(m.Checkin(current_location="x", institution_id=AO, item_id=DEMO.loaned_item_with_hold),
                       now=returned)
    info = circulation.answer(m.ItemInformation(institution_id=AO, item_id=DEMO.loaned_item_with_hold),
                              now=returned)
    assert info.circulation_status == "08" and info.hold_pickup_date == "20260210    235959"


def test_answering_a_reply_is_refused(circulation):
    assert not circulation.answers(m.LoginResponse(ok=True))
    with pytest.raises(KeyError):
        circulation.answer(m.LoginResponse(ok=True))
