"""How renewability, holds, fines and refused rows read, in English, German and French: the pure
presentation functions, no window."""

from __future__ import annotations

from datetime import datetime

from kiosk.core import wording
from kiosk.core.outcomes import Action, Alert, FineLine, HoldLine, ItemOutcome, LoanLine
from kiosk.i18n import translator
from kiosk.screens.present import fine_text, hold_line, item_line, not_renewable_line, renewable_text

english, german, french = translator("en"), translator("de"), translator("fr")


def test_fines_read_as_kind_title_and_locale_money():
    fine = FineLine("Overdue", "2.40", "The Golden Forest", "30001000000622")
    assert fine_text(fine, "USD", english) == "Overdue: The Golden Forest, $2.40"
    assert fine_text(fine, "USD", french) == "En retard\xa0: The Golden Forest, 2,40\xa0$US"
    assert fine_text(FineLine("Printing", "2.40"), "EUR", german) == "Drucken, 2,40\xa0€"
    assert fine_text(FineLine("Computer use"), "", english) == "Computer use"
    assert fine_text(FineLine("Lost book fee", "12.00"), "USD", german).startswith("Lost book fee, ")


def test_holds_read_by_title_with_the_pick_up_date():
    ready = hold_line(HoldLine("3001", "Winter Letters", True, datetime(2026, 12, 24)), german)
    assert (ready.title, ready.status, ready.detail, ready.warn) == (
        "Winter Letters", "Abholbereit", "Abholen bis Do., 24. Dez. 2026", True)
    waiting = hold_line(HoldLine("3002", "", False), english)
    assert (waiting.title, waiting.status, waiting.detail) == ("3002", "Waiting", "")


def test_a_loan_that_cannot_be_renewed_says_why_and_is_not_to_choose():
    loan = LoanLine("3001", "Winter Letters", datetime(2026, 12, 24), overdue=False,
                    renew_block=wording.NO_RENEW_ON_HOLD)
    line = not_renewable_line(loan, french)
    assert line.status == "Non prolongeable"
    assert line.detail.splitlines() == ["À rendre le jeu. 24 déc. 2026",
                                        "Réservé pour un autre usager\xa0: ne peut pas être prolongé."]
    assert renewable_text(LoanLine("3002", "Salt River", overdue=True), english) == "Salt River\n - Overdue"


def test_a_refused_row_says_staff_once_and_in_one_language():
    unknown = ItemOutcome(Action.CHECKIN, "3009", False, reason="Unknown item. Please see staff.",
                          screen_messages=("Unknown item. Please see staff.",), alerts=(Alert.GIVE_TO_STAFF,))
    assert item_line(unknown, german).detail == german(wording.ITEM_UNKNOWN)
    lost = ItemOutcome(Action.CHECKOUT, "3010", False, reason="This item is recorded as lost. Please see staff.")
    assert item_line(lost, french).detail == french(wording.ITEM_LOST)
