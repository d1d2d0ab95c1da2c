"""What the screens say, without a window: item rows, account lines, catalogues and sounds."""

from __future__ import annotations

import gettext
import wave
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.core import wording
from kiosk.core.outcomes import Account, Action, Alert, ItemOutcome, LoanLine
from kiosk.i18n import AVAILABLE, LOCALE_DIR, translator
from kiosk.i18n.catalogue import CatalogueError, build_mo, parse_po, source_messages
from kiosk.screens.present import ALERT_TEXT, account_summary, item_line, loan_line
from kiosk.sounds.make import SOUNDS, samples

english = translator("en")
german = translator("de")


def test_checked_out_item_shows_its_due_date_in_the_patrons_form():
    outcome = ItemOutcome(Action.CHECKOUT, "3001", True, title="Salt River", due=datetime(2026, 12, 21, 23, 59))
    line = item_line(outcome, english)
    assert (line.title, line.status, line.detail, line.ok, line.warn) == (
        "Salt River", "Checked out", "Due back 21/12/2026", True, False)
    assert item_line(outcome, german).detail == "Rückgabe bis 21.12.2026"


def test_refusal_gives_the_reason_once_even_when_acs_and_alert_repeat_it():
    outcome = ItemOutcome(Action.CHECKOUT, "3002", False, reason="This item is on hold for another patron.",
                          alerts=(Alert.HOLD_FOR_OTHER, Alert.GIVE_TO_STAFF),
                          screen_messages=("This item is on hold for another patron.",))
    line = item_line(outcome, english)
    assert line.detail == ALERT_TEXT[Alert.HOLD_FOR_OTHER] and line.status == "Not checked out" and not line.ok


def test_return_says_one_instruction_no_bin_and_no_offline_note():
    outcome = ItemOutcome(Action.CHECKIN, "3003", True, alerts=(Alert.GIVE_TO_STAFF,), sort_bin="B2", offline=True)
    line = item_line(outcome, english)
    assert line.title == "Item 3003" and line.status == "Returned" and line.warn
    assert line.detail.splitlines() == ["Please give this item to staff."]  # the banner says "offline"


def test_refused_rows_say_what_did_not_happen():
    refused = {action: item_line(ItemOutcome(action, "3004", False), english).status
               for action in (Action.CHECKOUT, Action.CHECKIN, Action.RENEW)}
    assert refused == {Action.CHECKOUT: "Not checked out", Action.CHECKIN: "Not returned",
                       Action.RENEW: "Not renewed"}


def test_account_lines_mark_overdue_holds_and_fines():
    account = Account("2001", "Ann", loans=(LoanLine("1", "A", overdue=True), LoanLine("2", "B")),
                      holds_ready=("C",), fine_total="2.50", currency="EUR")
    assert account_summary(account, english) == [
        "Loans: 2", "Overdue: 1", "Ready for you to pick up: 1", "Fines: 2.50 EUR"]
    assert loan_line(account.loans[0], english).status == "Overdue"


def test_the_cores_words_are_translated_and_the_library_systems_pass_through():
    ours = ItemOutcome(Action.CHECKOUT, "30001000000010", False, reason=wording.SCAN_CARD_FIRST)
    assert item_line(ours, german).detail == "Bitte scannen Sie zuerst Ihren Bibliotheksausweis."
    theirs = ItemOutcome(Action.CHECKOUT, "30001000000010", False, reason="Item not for loan (ref.)")
    assert item_line(theirs, german).detail == "Item not for loan (ref.)"


@pytest.mark.parametrize("code", [c for c in AVAILABLE if c != "en"])
def test_every_language_is_complete_and_keeps_placeholders(code):
    po = parse_po((LOCALE_DIR / code / "LC_MESSAGES" / "kiosk.po").read_text(encoding="utf-8"))
    messages = source_messages()
    missing = [m for m in messages if not po.get(m)]
    assert not missing, f"{code} lacks {missing}"
    for msgid in messages:
        for placeholder in ("{name}", "{count}", "{date}", "{bin}", "{seconds}", "{address}", "{id}"):
            assert (placeholder in msgid) == (placeholder in po[msgid]), (code, msgid)


@pytest.mark.parametrize("code", [c for c in AVAILABLE if c != "en"])
def test_committed_mo_files_match_their_po(code):
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    built = build_mo(parse_po((folder / "kiosk.po").read_text(encoding="utf-8")))
    assert (folder / "kiosk.mo").read_bytes() == built, "run: python -m kiosk.i18n.catalogue"
    catalogue = gettext.GNUTranslations(open(folder / "kiosk.mo", "rb"))
    assert catalogue.gettext("Done") != "Done"


def test_po_reader_refuses_what_it_cannot_read():
    with pytest.raises(CatalogueError, match=":2:"):
        parse_po('msgid "a"\nbogus\n')
    assert parse_po('#, fuzzy\nmsgid "a"\nmsgstr "b"\n') == {}
    assert parse_po('msgid "a"\n"b"\nmsgstr "c\\n"\n') == {"ab": "c\n"}


def test_bundled_sounds_are_short_wav_files():
    folder = Path(__file__).resolve().parents[2] / "kiosk" / "sounds"
    for name, notes in SOUNDS.items():
        with wave.open(str(folder / f"{name}.wav")) as wav:
            assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
            assert 0.1 < wav.getnframes() / wav.getframerate() < 1.0
            assert wav.readframes(wav.getnframes()) == samples(notes)
