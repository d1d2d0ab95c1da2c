"""The circulation core against Evergreen's SIPServer, as captured: a scripted ACS on 127.0.0.1
answers every request with the reply Evergreen's sample ILS really sent to the same request
(tests/sip2/data/evergreen-sipserver-sample-ils.txt), and the kiosk speaks the `evergreen`
dialect to it."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.core.outcomes import Alert, LoginStatus
from kiosk.core.runtime import KioskRuntime

from tests.kiosk.test_circulation import runtime_for
from tests.sip2.captured_acs import CapturedACS, read_capture

PATRON, PIN, NAME = "djfiander", "6789", "David J. Fiander"
BOOK, TITLE = "1565921879", "Perl 5 desktop reference"
UNKNOWN_ITEM = "9999999999"


@pytest.fixture
def evergreen():
    with CapturedACS(read_capture("evergreen-sipserver-sample-ils.txt")) as acs:
        yield acs


@pytest.fixture
def kiosk(tmp_path, evergreen) -> KioskRuntime:
    host, port = evergreen.address
    runtime = runtime_for(
        tmp_path, host, port,
        sip2={"dialect": "evergreen", "username": "scclient", "password": "clientpwd",
              "location": "LOC1", "institution": "UWOLS"},
        patron={"pattern": "[a-z]+", "check_digit": "none"}, item={"pattern": "[0-9]+"})
    yield runtime
    runtime.stop()


def test_a_patron_logs_in_checks_out_renews_returns_and_sees_the_account(kiosk):
    circulation = kiosk.circulation
    login = circulation.log_in(PATRON, PIN)
    assert login.status is LoginStatus.OK and login.name == NAME

    out = circulation.checkout(BOOK)
    assert out.ok and out.title == TITLE and out.due.date() == datetime(2026, 12, 17).date()

    account = circulation.account()
    assert account.name == NAME and [(loan.item_id, loan.title) for loan in account.loans] == [(BOOK, TITLE)]
    assert account.loans[0].due.date() == datetime(2026, 12, 17).date()
    assert [(f.kind, f.title) for f in account.fines] == [("Computer use", "")]
    assert account.holds_ready == () and account.holds_waiting == ()

    renewed = circulation.renew(BOOK)
    assert renewed.ok and renewed.title == TITLE and renewed.due is not None

    back = circulation.checkin(BOOK)
    assert back.ok and back.title == TITLE and not back.alerts

    assert [(e.kind, e.item_id, e.ok) for e in kiosk.journal.entries()] == [
        ("checkout", BOOK, True), ("renew", BOOK, True), ("checkin", BOOK, True)]
    assert circulation.end_session() and kiosk.queue.refused() == []


def test_refusals_in_evergreens_words(kiosk):
    wrong_pin = kiosk.circulation.log_in(PATRON, "0000")
    assert wrong_pin.status is LoginStatus.REFUSED
    assert kiosk.circulation.log_in("nosuchpatron", "1234").status is LoginStatus.REFUSED
    assert kiosk.circulation.log_in(PATRON, PIN).status is LoginStatus.OK
    invalid = kiosk.circulation.checkout(UNKNOWN_ITEM)
    assert not invalid.ok and invalid.reason == "Invalid Item"


def test_a_return_of_an_unknown_item_that_drops_the_connection_is_not_confirmed(kiosk, evergreen):
    result = kiosk.circulation.checkin(UNKNOWN_ITEM)
    assert not result.ok and Alert.OUTCOME_UNKNOWN in result.alerts
    assert result.reason == "We could not confirm this return. Please give the item to staff."
    staff = kiosk.queue.refused()
    assert [(e.kind.value, e.item_id) for e in staff] == [("checkin", UNKNOWN_ITEM)]
    assert "does not know the item" in staff[0].reason
    # The 09 got no reply; the kiosk logged in again and asked with a 17, and never resent the 09.
    codes = [raw[:2] for raw in evergreen.requests]
    assert codes == [b"93", b"09", b"93", b"17"]
