"""Circulation rules of the ACS emulator, driven over a real socket with the codec."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from sip2 import messages as m
from sip2.dates import parse_due_date
from sip2.emulator import DEMO, ACSEmulator
from sip2.fields import SUPPORTED_MESSAGES, denied_privileges, summary_for

from tests.sip2.emulator_peer import INSTITUTION, SC

BOOK = DEMO.available_items[0]
OTHER_BOOK = DEMO.available_items[1]


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def due_day(reply: m.CheckoutResponse | m.RenewResponse) -> date:
    parsed = parse_due_date(reply.due_date)
    assert parsed is not None and parsed.moment is not None, reply.due_date
    return parsed.moment.date()


# --- session and status -------------------------------------------------------------------

def test_login_with_the_configured_account(emu):
    with SC(emu.address) as client:
        assert client.login("kiosk", "kiosk")


def test_wrong_login_is_refused_and_the_connection_stays_open(emu):
    with SC(emu.address) as client:
        assert not client.login("kiosk", "wrong")
        assert not client.login("nobody", "kiosk")
        assert client.login()


def test_requests_before_login_close_the_connection(emu):
    with SC(emu.address) as client:
        client.send(m.PatronStatusRequest(institution_id=INSTITUTION, patron_id=DEMO.good_patron))
        assert client.is_closed()
    assert emu.library.transactions("23") == []


def test_login_can_be_made_optional():
    with ACSEmulator(require_login=False, accounts={}) as emu, SC(emu.address) as client:
        reply = client.patron_information(DEMO.good_patron, pin=DEMO.good_pin)
        assert reply.valid_patron == "Y"


def test_sc_status_reports_flags_supported_messages_and_clock(emu):
    with SC(emu.address) as client:
        status = client.ask(m.SCStatus())  # answered before login too
        assert client.login()
        sent = client.send(m.SCStatus(status_code="0", max_print_width=40))
        received = client.read()
    reply = received.message
    assert isinstance(reply, m.ACSStatus)
    assert received.sequence == int(sent[sent.index(b"AY") + 2:][:1])
    assert reply.online and reply.checkin_ok and reply.checkout_ok and reply.offline_ok
    assert reply.supported_messages == "Y" * len(SUPPORTED_MESSAGES)
    assert reply.institution_id == "DEMO" and reply.protocol_version == "2.00"
    assert reply.terminal_location == "Kiosk 1" and status.terminal_location is None
    assert abs((reply.date_time_sync - now()).total_seconds()) < 3600


def test_institution_id_is_configurable():
    with ACSEmulator(institution_id="MAIN") as emu, SC(emu.address) as client:
        client.login()
        assert client.ask(m.SCStatus()).institution_id == "MAIN"


# --- patrons ------------------------------------------------------------------------------

def status_of(sc: SC, patron: str, pin: str = "") -> m.PatronStatusResponse:
    return sc.ask(m.PatronStatusRequest(transaction_date=now(), institution_id=INSTITUTION,
                                        patron_id=patron, terminal_password="", patron_password=pin))


def test_patron_status_of_a_good_patron(sc):
    reply = status_of(sc, DEMO.good_patron, DEMO.good_pin)
    assert (reply.valid_patron, reply.valid_patron_password) == ("Y", "Y")
    assert denied_privileges(reply.patron_status) == []
    assert reply.personal_name == "Marta Quintero" and reply.fee_amount == "0.00"


def test_patron_status_checks_the_pin(sc):
    assert status_of(sc, DEMO.good_patron, "9999").valid_patron_password == "N"
    assert status_of(sc, DEMO.good_patron, "").valid_patron_password == "N"


def test_patron_status_of_an_unknown_card(sc):
    reply = status_of(sc, DEMO.unknown_patron)
    assert reply.valid_patron == "N" and reply.screen_messages
    assert "charge privileges denied" in denied_privileges(reply.patron_status)


@pytest.mark.parametrize("patron, flag", [
    (DEMO.blocked_patron, "charge privileges denied"),
    (DEMO.fined_patron, "excessive outstanding fines"),
    (DEMO.expired_patron, "charge privileges denied"),
    (DEMO.lost_card_patron, "card reported lost"),
    (DEMO.limit_patron, "too many items charged"),
])
def test_patron_status_flags_say_what_is_denied(sc, patron, flag):
    reply = status_of(sc, patron)
    assert reply.valid_patron == "Y"
    assert flag in denied_privileges(reply.patron_status)


def test_fined_patron_status_carries_the_amount(sc):
    reply = status_of(sc, DEMO.fined_patron)
    assert reply.fee_amount == "12.50" and reply.currency_type == "USD"


def test_patron_information_counts_limits_and_contact(sc):
    reply = sc.patron_information(DEMO.good_patron, pin=DEMO.good_pin)
    assert reply.charged_items_count == 3 and reply.overdue_items_count == 0
    assert reply.charged_items == ()  # no list unless the summary asks for one
    assert (reply.hold_items_limit, reply.overdue_items_limit, reply.charged_items_limit) == ("0010", "0005", "0020")
    assert reply.email and "@" in reply.email and reply.valid_patron_password == "Y"


def test_patron_information_returns_the_list_the_summary_picks(sc):
    charged = sc.patron_information(DEMO.good_patron, summary=summary_for("charged_items")).charged_items
    assert set(charged) == {*DEMO.good_patron_loans, DEMO.renewal_limit_item}
    ready = sc.patron_information(DEMO.holds_ready_patron, summary=summary_for("hold_items"))
    assert ready.hold_items_count == 2 and len(ready.hold_items) == 2
    overdue = sc.patron_information(DEMO.overdue_patron, summary=summary_for("overdue_items"))
    assert overdue.overdue_items_count == 2 and len(overdue.overdue_items) == 2
    fines = sc.patron_information(DEMO.fined_patron, summary=summary_for("fine_items"))
    assert fines.fine_items_count == 2 and "8.00" in fines.fine_items[0]
    waiting = sc.patron_information(DEMO.hold_patron, summary=summary_for("unavailable_hold_items"))
    assert set(waiting.unavailable_hold_items) == {DEMO.item_with_hold_queue, DEMO.loaned_item_with_hold}
    assert waiting.hold_items_count == 1 and waiting.unavailable_holds_count == 2


def test_patron_information_honours_the_item_range(sc):
    summary = summary_for("charged_items")
    whole = sc.patron_information(DEMO.good_patron, summary=summary).charged_items
    assert sc.patron_information(DEMO.good_patron, summary=summary, start="2", end="3").charged_items == whole[1:3]
    assert sc.patron_information(DEMO.good_patron, summary=summary, start="1", end="1").charged_items == whole[:1]
    assert sc.patron_information(DEMO.good_patron, summary=summary, start="5", end="9").charged_items == ()


def test_patron_information_hides_details_for_a_wrong_pin(sc):
    reply = sc.patron_information(DEMO.good_patron, pin="0000", summary=summary_for("charged_items"))
    assert reply.valid_patron_password == "N"
    assert reply.charged_items == () and reply.email is None


def test_block_patron_blocks_the_card(sc, emu):
    reply = sc.ask(m.BlockPatron(card_retained=True, transaction_date=now(), institution_id=INSTITUTION,
                                 blocked_card_message="Card left in the kiosk", patron_id=DEMO.good_patron))
    assert isinstance(reply, m.PatronStatusResponse)
    assert "charge privileges denied" in denied_privileges(reply.patron_status)
    assert emu.library.patron(DEMO.good_patron).blocked
    refused = sc.checkout(DEMO.good_patron, BOOK)
    assert not refused.ok and "Card left in the kiosk" in refused.screen_messages[0]


def test_patron_enable_lifts_a_block(sc, emu):
    reply = sc.ask(m.PatronEnable(transaction_date=now(), institution_id=INSTITUTION,
                                  patron_id=DEMO.blocked_patron))
    assert isinstance(reply, m.PatronEnableResponse) and reply.valid_patron == "Y"
    assert denied_privileges(reply.patron_status) == []
    assert not emu.library.patron(DEMO.blocked_patron).blocked
    assert sc.checkout(DEMO.blocked_patron, BOOK).ok


def test_patron_enable_refuses_unknown_patron_and_wrong_pin(sc):
    unknown = sc.ask(m.PatronEnable(institution_id=INSTITUTION, patron_id=DEMO.unknown_patron))
    assert unknown.valid_patron == "N"
    wrong = sc.ask(m.PatronEnable(institution_id=INSTITUTION, patron_id=DEMO.blocked_patron,
                                  patron_password="0000"))
    assert wrong.valid_patron_password == "N"


def test_end_patron_session(sc):
    reply = sc.ask(m.EndPatronSession(transaction_date=now(), institution_id=INSTITUTION,
                                      patron_id=DEMO.good_patron))
    assert isinstance(reply, m.EndSessionResponse) and reply.end_session
    assert reply.patron_id == DEMO.good_patron


# --- fees ---------------------------------------------------------------------------------

def pay(sc: SC, patron: str, amount: str, **fields: str) -> m.FeePaidResponse:
    return sc.ask(m.FeePaid(transaction_date=now(), fee_amount=amount, institution_id=INSTITUTION,
                            patron_id=patron, **fields))


def test_fee_paid_reduces_fines_until_the_patron_may_borrow(sc, emu):
    assert not sc.checkout(DEMO.fined_patron, BOOK).ok
    reply = pay(sc, DEMO.fined_patron, "5.00", transaction_id="T1")
    assert reply.payment_accepted and reply.transaction_id == "T1"
    assert emu.library.patron(DEMO.fined_patron).owed_cents == 750
    assert sc.checkout(DEMO.fined_patron, BOOK).ok


def test_fee_paid_for_one_fee(sc, emu):
    fines = sc.patron_information(DEMO.fined_patron, summary=summary_for("fine_items")).fine_items
    second = fines[1].split(":")[0]
    assert pay(sc, DEMO.fined_patron, "4.50", fee_identifier=second).payment_accepted
    assert emu.library.patron(DEMO.fined_patron).owed_cents == 800
    assert not pay(sc, DEMO.fined_patron, "1.00", fee_identifier=second).payment_accepted


@pytest.mark.parametrize("amount", ["abc", "-1", "0", "1.234", "NaN", "99.00", ""])
def test_fee_paid_refuses_bad_amounts(sc, emu, amount):
    reply = pay(sc, DEMO.fined_patron, amount)
    assert not reply.payment_accepted and reply.screen_messages
    assert emu.library.patron(DEMO.fined_patron).owed_cents == 1250


def test_fee_paid_refuses_unknown_patron_and_other_currency(sc):
    assert not pay(sc, DEMO.unknown_patron, "1.00").payment_accepted
    reply = sc.ask(m.FeePaid(currency_type="EUR", fee_amount="1.00", institution_id=INSTITUTION,
                             patron_id=DEMO.fined_patron))
    assert not reply.payment_accepted and "USD" in reply.screen_messages[0]


# --- checkout -----------------------------------------------------------------------------

def test_checkout_lends_the_item_with_a_due_date_by_media_type(sc, emu):
    reply = sc.checkout(DEMO.good_patron, BOOK, pin=DEMO.good_pin)
    assert reply.ok and not reply.renewal_ok and reply.desensitize and reply.magnetic_media is False
    assert reply.title and reply.media_type == "001"
    assert due_day(reply) == date.today() + timedelta(days=21)
    patron, due = emu.library.loan_of(BOOK)
    assert patron == DEMO.good_patron and due.date() == due_day(reply)
    disc = sc.checkout(DEMO.good_patron, DEMO.multipart_set[1])
    assert disc.ok and disc.media_type == "006" and disc.item_properties == "disc 2 of 3"
    assert due_day(disc) == date.today() + timedelta(days=14)


def test_checkout_of_magnetic_media_says_so(sc):
    reply = sc.checkout(DEMO.good_patron, DEMO.magnetic_item)
    assert reply.ok and reply.magnetic_media is True and reply.media_type == "005"
    assert due_day(reply) == date.today() + timedelta(days=7)


def test_due_date_can_be_sent_in_the_sip2_form():
    from sip2.emulator import Policy
    with ACSEmulator(policy=Policy(due_date_format="sip2")) as emu, SC(emu.address) as client:
        client.login()
        reply = client.checkout(DEMO.good_patron, BOOK)
        assert len(reply.due_date) == 18 and due_day(reply) == date.today() + timedelta(days=21)


@pytest.mark.parametrize("patron, item, pin, words", [
    (DEMO.unknown_patron, BOOK, None, "Unknown library card"),
    (DEMO.good_patron, DEMO.unknown_item, None, "Unknown item"),
    (DEMO.good_patron, BOOK, "0000", "Wrong PIN"),
    (DEMO.blocked_patron, BOOK, None, "blocked"),
    (DEMO.expired_patron, BOOK, None, "expired"),
    (DEMO.lost_card_patron, BOOK, None, "reported lost"),
    (DEMO.fined_patron, BOOK, None, "12.50"),
    (DEMO.limit_patron, BOOK, None, "limit of 5"),
    (DEMO.good_patron, DEMO.item_on_hold_for_other, None, "on hold for another patron"),
    (DEMO.good_patron, DEMO.item_with_hold_queue, None, "on hold for another patron"),
    (DEMO.good_patron, DEMO.reference_item, None, "library only"),
    (DEMO.good_patron, DEMO.item_on_loan, None, "checked out to another patron"),
    (DEMO.good_patron, DEMO.lost_item, None, "lost"),
])
def test_checkout_refusals_say_why_and_change_nothing(sc, emu, patron, item, pin, words):
    before = emu.library.loan_of(item)
    reply = sc.checkout(patron, item, pin=pin)
    assert not reply.ok and reply.due_date == "" and not reply.desensitize
    assert any(words in text for text in reply.screen_messages), reply.screen_messages
    assert emu.library.loan_of(item) == before
    assert emu.library.transactions("11")[-1].ok is False


def test_small_fines_do_not_block(sc):
    assert sc.checkout(DEMO.small_fines_patron, BOOK).ok


def test_checkout_again_by_the_same_patron_is_a_renewal_when_allowed(sc, emu):
    assert sc.checkout(DEMO.good_patron, BOOK).ok
    again = sc.checkout(DEMO.good_patron, BOOK, renewal_policy=True)
    assert again.ok and again.renewal_ok
    assert emu.library.renewals_of(BOOK) == 1


def test_checkout_again_is_refused_when_the_sc_does_not_allow_renewals(sc, emu):
    assert sc.checkout(DEMO.good_patron, BOOK).ok
    again = sc.checkout(DEMO.good_patron, BOOK, renewal_policy=False)
    assert not again.ok and "already checked out to you" in again.screen_messages[0]
    assert emu.library.renewals_of(BOOK) == 0


def test_the_patron_a_hold_waits_for_may_check_it_out(sc, emu):
    reply = sc.checkout(DEMO.hold_patron, DEMO.item_on_hold_for_other)
    assert reply.ok
    assert emu.library.holds_on(DEMO.item_on_hold_for_other) == []


def test_cancelled_checkout_undoes_the_loan_without_capturing_holds(sc, emu):
    assert sc.checkout(DEMO.good_patron, BOOK).ok
    assert sc.hold("+", DEMO.second_good_patron, BOOK).ok
    undone = sc.checkout(DEMO.good_patron, BOOK, cancel="Y")
    assert undone.ok and emu.library.loan_of(BOOK) is None
    assert not emu.library.holds_on(BOOK)[0].ready
    assert not sc.checkout(DEMO.good_patron, OTHER_BOOK, cancel="Y").ok


# --- no block (store and forward) ---------------------------------------------------------

def test_no_block_checkout_is_accepted_despite_the_rules_with_original_dates(sc, emu):
    then = now() - timedelta(days=2)
    nb_due = datetime.combine(date.today() + timedelta(days=10), datetime.min.time()).replace(hour=20)
    reply = sc.checkout(DEMO.blocked_patron, DEMO.item_on_hold_for_other, no_block=True, when=then,
                        nb_due=nb_due)
    assert reply.ok
    assert emu.library.loan_of(DEMO.item_on_hold_for_other) == (DEMO.blocked_patron, nb_due)
    entry = emu.library.transactions("11")[-1]
    assert entry.ok and entry.no_block and entry.transaction_date == then
    assert "blocked" in entry.detail and "on hold" in entry.detail


def test_no_block_checkout_without_nb_due_date_counts_from_the_original_date(sc, emu):
    then = now() - timedelta(days=3)
    assert sc.checkout(DEMO.expired_patron, BOOK, no_block=True, when=then).ok
    assert emu.library.loan_of(BOOK)[1].date() == then.date() + timedelta(days=21)


def test_no_block_checkout_moves_a_loan_from_another_patron(sc, emu):
    assert sc.checkout(DEMO.good_patron, DEMO.item_on_loan, no_block=True).ok
    assert emu.library.loan_of(DEMO.item_on_loan)[0] == DEMO.good_patron


def test_no_block_still_needs_a_known_patron_and_item(sc):
    assert not sc.checkout(DEMO.unknown_patron, BOOK, no_block=True).ok
    assert not sc.checkout(DEMO.good_patron, DEMO.unknown_item, no_block=True).ok


def test_utc_transaction_dates_are_understood(sc, emu):
    from datetime import timezone
    then = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    assert sc.checkout(DEMO.good_patron, BOOK, no_block=True, when=then).ok
    local = then.astimezone().replace(tzinfo=None)
    assert emu.library.transactions("11")[-1].transaction_date == local


# --- checkin ------------------------------------------------------------------------------

def test_checkin_clears_the_loan_and_resensitizes(sc, emu):
    sc.checkout(DEMO.good_patron, BOOK)
    reply = sc.checkin(BOOK)
    assert reply.ok and reply.resensitize and not reply.alert
    assert reply.patron_id == DEMO.good_patron and reply.permanent_location == "Adult fiction"
    assert emu.library.loan_of(BOOK) is None


def test_checkin_of_an_item_for_staff_raises_the_alert_with_its_sort_bin(sc):
    sc.checkout(DEMO.good_patron, DEMO.item_to_staff)
    reply = sc.checkin(DEMO.item_to_staff)
    assert reply.ok and reply.alert and reply.sort_bin == DEMO.staff_sort_bin
    assert any("staff" in text for text in reply.screen_messages)


def test_checkin_of_an_item_someone_waits_for_puts_it_on_the_hold_shelf(sc, emu):
    reply = sc.checkin(DEMO.loaned_item_with_hold)
    assert reply.ok and reply.alert and reply.sort_bin == DEMO.hold_sort_bin
    assert any("hold for another patron" in text for text in reply.screen_messages)
    assert emu.library.holds_on(DEMO.loaned_item_with_hold)[0].ready
    info = sc.item_information(DEMO.loaned_item_with_hold)
    assert info.circulation_status == "08" and info.hold_pickup_date
    assert not sc.checkout(DEMO.good_patron, DEMO.loaned_item_with_hold).ok


def test_checkin_of_an_item_not_on_loan_or_unknown(sc):
    reply = sc.checkin(BOOK)
    assert not reply.ok and reply.alert and "not checked out" in reply.screen_messages[0]
    unknown = sc.checkin(DEMO.unknown_item)
    assert not unknown.ok and "Unknown item" in unknown.screen_messages[0]


def test_checkin_of_a_lost_item_marks_it_found_and_sends_it_to_staff(sc, emu):
    reply = sc.checkin(DEMO.lost_item)
    assert reply.alert and any("lost" in text for text in reply.screen_messages)
    assert not emu.library.item(DEMO.lost_item).lost


def test_late_return_is_fined_from_the_no_block_return_date(sc, emu):
    due = emu.library.loan_of(DEMO.item_on_loan)[1]
    assert sc.checkin(DEMO.item_on_loan, no_block=True, returned=due - timedelta(days=1)).ok
    assert emu.library.patron(DEMO.other_patron).owed_cents == 0
    loan_due = emu.library.loan_of(DEMO.loaned_item_with_hold)[1]
    reply = sc.checkin(DEMO.loaned_item_with_hold, no_block=True, returned=loan_due + timedelta(days=4))
    assert reply.ok and any("late" in text for text in reply.screen_messages)
    assert emu.library.patron(DEMO.other_patron).owed_cents == 4 * 25
    entry = emu.library.transactions("09")[-1]
    assert entry.no_block


# --- renew --------------------------------------------------------------------------------

def test_renew_extends_the_loan(sc, emu):
    item = DEMO.good_patron_loans[0]
    old_due = emu.library.loan_of(item)[1]
    reply = sc.renew(DEMO.good_patron, item, pin=DEMO.good_pin)
    assert reply.ok and reply.renewal_ok
    assert due_day(reply) == date.today() + timedelta(days=21) > old_due.date()
    assert emu.library.renewals_of(item) == 1


def test_renewal_limit(sc, emu):
    reply = sc.renew(DEMO.good_patron, DEMO.renewal_limit_item)
    assert not reply.ok and "renewed 2 times" in reply.screen_messages[0]
    forced = sc.renew(DEMO.good_patron, DEMO.renewal_limit_item, no_block=True,
                      nb_due=datetime(2031, 1, 2, 12, 0, 0))
    assert forced.ok and emu.library.loan_of(DEMO.renewal_limit_item)[1] == datetime(2031, 1, 2, 12, 0, 0)


def test_renew_is_refused_when_someone_else_holds_the_item(sc):
    reply = sc.renew(DEMO.other_patron, DEMO.loaned_item_with_hold)
    assert not reply.ok and "on hold for another patron" in reply.screen_messages[0]
    assert sc.renew(DEMO.other_patron, DEMO.item_on_loan).ok


@pytest.mark.parametrize("patron, item, words", [
    (DEMO.good_patron, DEMO.item_on_loan, "not checked out to you"),
    (DEMO.unknown_patron, DEMO.item_on_loan, "Unknown library card"),
    (DEMO.good_patron, DEMO.unknown_item, "Unknown item"),
])
def test_renew_refusals(sc, patron, item, words):
    reply = sc.renew(patron, item)
    assert not reply.ok and words in reply.screen_messages[0]


def test_fines_over_the_limit_block_renewal_until_paid(sc):
    assert sc.checkout(DEMO.fined_patron, BOOK, no_block=True).ok
    refused = sc.renew(DEMO.fined_patron, BOOK)
    assert not refused.ok and "12.50" in refused.screen_messages[0]
    assert pay(sc, DEMO.fined_patron, "12.50").payment_accepted
    assert sc.renew(DEMO.fined_patron, BOOK).ok


def test_fines_under_the_limit_do_not_block_renewal(sc):
    assert sc.renew(DEMO.overdue_patron, demo_item(40)).ok  # owes 1.50


def demo_item(serial: int) -> str:
    from sip2.emulator.demo_data import item_barcode
    return item_barcode(serial)


def test_renew_all_lists_renewed_and_unrenewed(sc):
    reply = sc.ask(m.RenewAll(transaction_date=now(), institution_id=INSTITUTION,
                              patron_id=DEMO.good_patron, patron_password=DEMO.good_pin))
    assert isinstance(reply, m.RenewAllResponse) and reply.ok
    assert set(reply.renewed_items) == set(DEMO.good_patron_loans)
    assert reply.unrenewed_items == (DEMO.renewal_limit_item,)
    assert (reply.renewed_count, reply.unrenewed_count) == (2, 1)


def test_renew_all_refused_for_blocked_or_unknown(sc):
    assert not sc.ask(m.RenewAll(institution_id=INSTITUTION, patron_id=DEMO.fined_patron)).ok
    assert not sc.ask(m.RenewAll(institution_id=INSTITUTION, patron_id=DEMO.unknown_patron)).ok
    assert not sc.ask(m.RenewAll(institution_id=INSTITUTION, patron_id=DEMO.good_patron,
                                 patron_password="0000")).ok


# --- items --------------------------------------------------------------------------------

def test_item_information_reflects_the_current_loan(sc, emu):
    assert sc.item_information(BOOK).circulation_status == "03"
    out = sc.checkout(DEMO.good_patron, BOOK)
    info = sc.item_information(BOOK)
    assert info.circulation_status == "04" and info.due_date == out.due_date
    assert ("AA", DEMO.good_patron) in info.extra
    sc.checkin(BOOK)
    info = sc.item_information(BOOK)
    assert info.circulation_status == "03" and info.due_date is None


@pytest.mark.parametrize("item, status", [
    (DEMO.item_on_loan, "04"), (DEMO.item_on_hold_for_other, "08"), (DEMO.lost_item, "12"),
    (DEMO.reference_item, "03"), (DEMO.unknown_item, "01"),
])
def test_item_information_status_codes(sc, item, status):
    info = sc.item_information(item)
    assert info.circulation_status == status and info.screen_messages


def test_item_information_hold_queue_and_details(sc):
    info = sc.item_information(DEMO.loaned_item_with_hold)
    assert info.hold_queue_length == "1" and info.title == "Winter Letters"
    assert info.permanent_location and info.owner == "DEMO" and info.media_type == "001"
    tape = sc.item_information(DEMO.magnetic_item)
    assert tape.media_type == "005"
    non_ascii = sc.item_information(DEMO.non_ascii_item)
    assert non_ascii.title.startswith("Émile Zola")


def test_item_status_update_sets_the_properties(sc, emu):
    reply = sc.ask(m.ItemStatusUpdate(transaction_date=now(), institution_id=INSTITUTION,
                                      item_id=BOOK, item_properties="spine label replaced"))
    assert isinstance(reply, m.ItemStatusUpdateResponse) and reply.item_properties_ok
    assert emu.library.item(BOOK).properties == "spine label replaced"
    unknown = sc.ask(m.ItemStatusUpdate(institution_id=INSTITUTION, item_id=DEMO.unknown_item,
                                        item_properties="x"))
    assert not unknown.item_properties_ok


# --- holds --------------------------------------------------------------------------------

def test_hold_place_change_and_cancel(sc, emu):
    placed = sc.hold("+", DEMO.good_patron, DEMO.item_on_loan, pickup_location="Branch 2")
    assert placed.ok and placed.queue_position == "1" and not placed.available
    assert placed.pickup_location == "Branch 2"
    second = sc.hold("+", DEMO.second_good_patron, DEMO.item_on_loan)
    assert second.ok and second.queue_position == "2"
    changed = sc.hold("*", DEMO.good_patron, DEMO.item_on_loan, pickup_location="Main")
    assert changed.ok and emu.library.holds_on(DEMO.item_on_loan)[0].pickup_location == "Main"
    cancelled = sc.hold("-", DEMO.good_patron, DEMO.item_on_loan)
    assert cancelled.ok
    assert [h.patron_id for h in emu.library.holds_on(DEMO.item_on_loan)] == [DEMO.second_good_patron]
    assert not sc.hold("-", DEMO.good_patron, DEMO.item_on_loan).ok


def test_a_new_hold_blocks_other_patrons(sc):
    placed = sc.hold("+", DEMO.second_good_patron, BOOK)
    assert placed.ok and placed.available  # on the shelf and first in line
    refused = sc.checkout(DEMO.good_patron, BOOK)
    assert not refused.ok and "on hold" in refused.screen_messages[0]
    assert sc.checkout(DEMO.second_good_patron, BOOK).ok


def test_renewal_refused_once_another_patron_holds_the_loan(sc):
    item = DEMO.good_patron_loans[0]
    assert sc.hold("+", DEMO.second_good_patron, item).ok
    reply = sc.renew(DEMO.good_patron, item)
    assert not reply.ok and "on hold" in reply.screen_messages[0]


@pytest.mark.parametrize("patron, item, mode, words", [
    (DEMO.good_patron, DEMO.good_patron_loans[0], "+", None),
    (DEMO.blocked_patron, BOOK, "+", "blocked"),
    (DEMO.unknown_patron, BOOK, "+", "Unknown library card"),
    (DEMO.good_patron, DEMO.unknown_item, "+", "Unknown item"),
    (DEMO.good_patron, DEMO.reference_item, "+", "cannot be placed on hold"),
    (DEMO.good_patron, BOOK, "?", "Unknown hold mode"),
])
def test_hold_refusals(sc, patron, item, mode, words):
    reply = sc.hold(mode, patron, item)
    if words is None:
        assert reply.ok
        again = sc.hold(mode, patron, item)
        assert not again.ok and "already have a hold" in again.screen_messages[0]
    else:
        assert not reply.ok and words in reply.screen_messages[0]


# --- the transaction log ------------------------------------------------------------------

def test_every_request_is_logged(sc, emu):
    sc.checkout(DEMO.good_patron, BOOK)
    sc.checkin(BOOK)
    sc.item_information(BOOK)
    codes = [entry.code for entry in emu.library.transactions()]
    assert codes == ["93", "11", "09", "17"]
    assert all(entry.at for entry in emu.library.transactions())


def test_an_acs_that_ignores_no_block_judges_replays_like_any_request():
    from sip2.emulator import Policy
    with ACSEmulator(policy=Policy(honour_no_block=False)) as emu, SC(emu.address) as client:
        client.login()
        refused = client.checkout(DEMO.blocked_patron, BOOK, no_block=True, when=now() - timedelta(days=2))
        assert not refused.ok and "blocked" in refused.screen_messages[0]
        assert client.checkout(DEMO.good_patron, BOOK, no_block=True, when=now() - timedelta(days=2),
                               nb_due=datetime(2031, 1, 1)).ok
        assert due_day_of(emu, BOOK) == date.today() + timedelta(days=21)  # nb due date ignored
        assert emu.library.transactions("11")[-1].no_block  # the log still says what was asked


def due_day_of(emu: ACSEmulator, item: str) -> date:
    return emu.library.loan_of(item)[1].date()
