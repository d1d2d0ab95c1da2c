"""The end-of-session summary's rows and counts, in the patron's language and locale."""

from __future__ import annotations

from datetime import datetime

from kiosk.core import wording
from kiosk.core.outcomes import Action, Alert, ItemOutcome
from kiosk.i18n import translator
from kiosk.screens.session_summary import session_summary

DUE = datetime(2026, 12, 24, 23, 59)


def outcomes() -> tuple[list[ItemOutcome], list[ItemOutcome]]:
    results = [
        ItemOutcome(Action.CHECKOUT, "A1", True, title="The Golden Forest", due=DUE),
        ItemOutcome(Action.CHECKIN, "B2", True, title="Staff Only", alerts=(Alert.GIVE_TO_STAFF,)),
        ItemOutcome(Action.CHECKIN, "C3", True, title="Back Home"),
        ItemOutcome(Action.CHECKOUT, "D4", True, title="Second Loan", due=DUE),
        ItemOutcome(Action.CHECKIN, "A1", True, title="The Golden Forest"),  # out and back in the same visit
    ]
    refused = [ItemOutcome(Action.CHECKOUT, "R9", False, title="Reference Atlas", reason=wording.NOT_FOR_LOAN)]
    return results, refused


def test_the_desk_first_then_loans_with_due_dates_then_returns() -> None:
    results, refused = outcomes()
    summary = session_summary(results, refused, translator("en"))
    assert [(row.item_id, row.status) for row in summary.rows] == [
        ("R9", "Take to the desk"), ("B2", "Returned"),
        ("A1", "Checked out"), ("D4", "Checked out"), ("C3", "Returned"), ("A1", "Returned")]
    assert summary.rows[0].detail == wording.NOT_FOR_LOAN and not summary.rows[0].ok
    assert summary.rows[1].warn and "staff" in summary.rows[1].detail
    assert summary.rows[2].detail == "Due back " + translator("en").date(DUE)
    assert (summary.checked_out, summary.returned, summary.to_the_desk) == (2, 3, 2)


def test_in_german_and_french_with_the_locale_s_dates() -> None:
    results, refused = outcomes()
    for language in ("de", "fr"):
        words = translator(language)
        summary = session_summary(results, refused, words)
        assert summary.rows[0].status == words("Take to the desk") != "Take to the desk"
        assert summary.rows[0].detail == words(wording.NOT_FOR_LOAN)
        assert words.date(DUE) in summary.rows[2].detail and "24" in summary.rows[2].detail


def test_an_unconfirmed_checkout_goes_to_the_desk_too() -> None:
    unknown = ItemOutcome(Action.CHECKOUT, "U1", False, alerts=(Alert.OUTCOME_UNKNOWN,),
                          reason=wording.CHECKOUT_NOT_CONFIRMED)
    summary = session_summary([unknown], [], translator("en"))
    assert [(row.title, row.status) for row in summary.rows] == [("Barcode U1", "Take to the desk")]
    assert summary.checked_out == 0 and summary.to_the_desk == 1


def test_an_empty_session_has_no_rows() -> None:
    summary = session_summary([], [], translator("en"))
    assert summary.rows == [] and (summary.checked_out, summary.returned, summary.to_the_desk) == (0, 0, 0)
