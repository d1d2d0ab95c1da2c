"""What the patron reads about renewals, holds and fines, from the ACS emulator over loopback:
titles and a reason per refused renewal, loans that cannot be renewed marked beforehand, holds
by title, fines taken apart (no fee ids, no barcodes)."""

from __future__ import annotations

import pytest

from sip2.emulator.demo_data import DEMO

from kiosk.core import wording
from kiosk.core.fines import parse_fine
from kiosk.core.renewability import renewal_block, renewal_refusal
from kiosk.core.session import MAX_ITEMS_KNOWN

from tests.kiosk.test_circulation import log_in, runtime_for


@pytest.fixture
def kiosk(tmp_path, acs):
    runtime = runtime_for(tmp_path, *acs.address)
    yield runtime
    runtime.stop()


def test_renew_all_gives_each_refused_loan_its_title_and_own_reason(kiosk, acs):
    log_in(kiosk)
    circulation = kiosk.circulation
    circulation.account()  # the renew screen shows the loans first
    assert circulation.renew(DEMO.renewal_limit_item).reason == wording.RENEWAL_LIMIT
    outcomes = circulation.renew_all()
    refused = [o for o in outcomes if not o.ok]
    assert [o.item_id for o in refused] == [DEMO.renewal_limit_item]
    assert refused[0].title and refused[0].reason == wording.RENEWAL_LIMIT
    assert all("not renewed" not in o.reason for o in outcomes)  # never the 66's summary


def test_renew_all_asks_the_item_itself_when_nothing_else_says_why(kiosk, acs):
    log_in(kiosk)
    outcomes = kiosk.circulation.renew_all()  # straight away: no account asked, no 29 before
    refused = [o for o in outcomes if not o.ok]
    assert [(o.item_id, o.reason) for o in refused] == [(DEMO.renewal_limit_item, wording.RENEWAL_LIMIT)]
    assert refused[0].title
    assert [t.item_id for t in acs.library.transactions("29")] == [DEMO.renewal_limit_item]
    journal = [(e.kind, e.item_id, e.ok) for e in kiosk.journal.entries()]
    assert journal.count(("renew", DEMO.renewal_limit_item, False)) == 1  # one record per item


def test_renew_all_takes_a_known_reason_without_asking_again(kiosk, acs):
    log_in(kiosk, DEMO.other_patron)
    kiosk.circulation.account()
    outcomes = kiosk.circulation.renew_all()
    assert [(o.item_id, o.reason) for o in outcomes if not o.ok] == [
        (DEMO.loaned_item_with_hold, wording.NO_RENEW_ON_HOLD)]
    assert acs.library.transactions("29") == []


def test_a_loan_on_hold_for_someone_else_is_marked_before_renewing(kiosk):
    log_in(kiosk, DEMO.other_patron)
    loans = {loan.item_id: loan for loan in kiosk.circulation.account().loans}
    assert loans[DEMO.loaned_item_with_hold].renew_block == wording.NO_RENEW_ON_HOLD
    assert loans[DEMO.item_on_loan].renew_block == ""
    refused = kiosk.circulation.renew(DEMO.loaned_item_with_hold)
    assert not refused.ok and refused.reason == wording.NO_RENEW_ON_HOLD and refused.title == "Winter Letters"


def test_a_refused_renewal_marks_the_loan_for_the_rest_of_the_session(kiosk):
    log_in(kiosk)
    kiosk.circulation.renew(DEMO.renewal_limit_item)
    loans = {loan.item_id: loan for loan in kiosk.circulation.account().loans}
    assert loans[DEMO.renewal_limit_item].renew_block == wording.RENEWAL_LIMIT
    assert loans[DEMO.good_patron_loans[0]].renew_block == ""


def test_holds_are_shown_by_title_and_looked_up_once(kiosk, acs):
    log_in(kiosk, DEMO.hold_patron)
    account = kiosk.circulation.account()
    assert [h.title for h in account.holds_ready] == ["The Clockmaker's Daughter"]
    assert account.holds_ready[0].pickup_by is not None
    assert sorted(h.title for h in account.holds_waiting) == ["Birds of the Wetlands", "Winter Letters"]
    before = len(acs.library.transactions("17"))
    kiosk.circulation.account()
    again = [t.item_id for t in acs.library.transactions("17")[before:]]
    assert DEMO.item_on_hold_for_other not in again and DEMO.item_with_hold_queue not in again


def test_fines_read_as_kind_title_and_amount(kiosk):
    log_in(kiosk, DEMO.overdue_patron)
    account = kiosk.circulation.account()
    [fine] = account.fines
    assert fine.kind == "Overdue" and fine.amount == "1.50" and fine.title and fine.item_id
    log_in(kiosk, DEMO.small_fines_patron)
    [printing] = kiosk.circulation.account().fines
    assert (printing.kind, printing.amount, printing.title) == ("Printing", "2.40", "")


@pytest.mark.parametrize("text, kind, amount, item", [
    ("5: 2.40 Overdue (30001000000622)", "Overdue", "2.40", "30001000000622"),
    ("Computer Time", "Computer use", "", ""),
    ("12: 4.50 Damaged cover (30001000000500)", "Damage", "4.50", "30001000000500"),
    ("$3.00 Lost item replacement", "Replacement", "3.00", ""),
    ("7: 1,20 Mahngebühr", "Mahngebühr", "1.20", ""),
    ("", "Fee", "", ""),
])
def test_fine_items_are_taken_apart(text, kind, amount, item):
    fine = parse_fine(text)
    assert (fine.kind, fine.amount, fine.item_id) == (kind, amount, item)


def test_renewability_from_what_sip2_carries():
    assert renewal_block() == ""
    assert renewal_block(hold_queue_length="2") == wording.NO_RENEW_ON_HOLD
    assert renewal_block(hold_queue_length="0", circulation_status="04") == ""
    assert renewal_block(circulation_status="07") == wording.NO_RENEW_RECALLED
    assert renewal_block(patron_status=" Y" + " " * 12) == wording.NO_RENEW_ACCOUNT
    assert renewal_block(refused_before="Item has reached its maximum renewals") == wording.RENEWAL_LIMIT
    assert renewal_block(refused_before="Computer says no") == "Computer says no"
    assert renewal_refusal("Item is overdue and cannot be renewed") == wording.NO_RENEW_OVERDUE
    assert renewal_refusal("This item is on hold for another patron.") == wording.NO_RENEW_ON_HOLD


def test_the_session_keeps_a_bounded_number_of_items(kiosk):
    from sip2.messages import ItemInformationResponse

    log_in(kiosk)
    session = kiosk.circulation.session
    for n in range(MAX_ITEMS_KNOWN + 10):
        session.remember_item(ItemInformationResponse(item_id=str(n), title=f"Title {n}"))
    assert len(session.items) == MAX_ITEMS_KNOWN and session.title_of(str(MAX_ITEMS_KNOWN + 9))
    assert session.title_of("0") == ""


def test_offline_rows_are_named_by_the_titles_seen_before(kiosk, acs):
    from kiosk.core.outcomes import Mode

    log_in(kiosk)
    first, second = DEMO.available_items[10], DEMO.available_items[11]
    out = kiosk.handle_scan(first)
    kiosk.circulation.end_session()
    acs.stop()
    returned = kiosk.handle_scan(first, Mode.RETURN)  # no session: the journal knows the title
    assert returned.ok and returned.offline and returned.title == out.title
    unknown = kiosk.handle_scan(second, Mode.RETURN)
    assert unknown.ok and unknown.offline and unknown.title == ""
    assert [e.title for e in kiosk.queue.pending()] == [out.title, None]


def test_renew_all_refused_as_a_whole_says_why_once(kiosk):
    log_in(kiosk)
    kiosk.link.call(lambda c: c.block_patron(DEMO.good_patron, "Card reported stolen"))
    [whole] = kiosk.circulation.renew_all()
    assert whole.item_id == "" and not whole.ok and whole.reason == wording.CARD_BLOCKED
