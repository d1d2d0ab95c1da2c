"""What the screens say, without a window: item rows, account lines, catalogues and sounds."""

from __future__ import annotations

import gettext
import io
import re
import wave
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk.core import wording
from kiosk.core.outcomes import Account, Action, Alert, HoldLine, ItemOutcome, LoanLine
from kiosk.core.runtime import KioskRuntime
from kiosk.core.status_report import gather
from kiosk.core.wording import Phrase
from kiosk.demo import demo_config
from kiosk.devices.events import DeviceState, DeviceStatus, ItemPlaced, Scan, TagData
from kiosk.i18n import AVAILABLE, LOCALE_DIR, translator
from kiosk.i18n.update import extract
from kiosk.screens.present import ALERT_TEXT, account_summary, item_line, loan_line
from kiosk.screens.technician_flow import describe_event
from kiosk.sounds.make import SOUNDS, samples

english = translator("en")
german = translator("de")
french = translator("fr")


def test_checked_out_item_shows_its_due_date_with_the_weekday_in_the_patrons_form():
    outcome = ItemOutcome(Action.CHECKOUT, "3001", True, title="Salt River", due=datetime(2026, 12, 24, 23, 59))
    line = item_line(outcome, english)
    assert (line.title, line.status, line.detail, line.ok, line.warn) == (
        "Salt River", "Checked out", "Due back Thu, Dec 24, 2026", True, False)
    assert item_line(outcome, german).detail == "Rückgabe bis Do., 24. Dez. 2026"
    assert item_line(outcome, french).detail == "À rendre le jeu. 24 déc. 2026"
    assert item_line(outcome, translator("en", "en_GB")).detail == "Due back Thu, 24 Dec 2026"


def test_refusal_gives_the_reason_once_even_when_acs_and_alert_repeat_it():
    outcome = ItemOutcome(Action.CHECKOUT, "3002", False, reason="This item is on hold for another patron.",
                          alerts=(Alert.HOLD_FOR_OTHER, Alert.GIVE_TO_STAFF),
                          screen_messages=("This item is on hold for another patron.",))
    line = item_line(outcome, english)
    assert line.detail == ALERT_TEXT[Alert.HOLD_FOR_OTHER] and line.status == "Not checked out" and not line.ok
    assert item_line(outcome, german).detail == german(wording.ON_HOLD_FOR_OTHER)  # German only, once


def test_return_says_one_instruction_no_bin_and_no_offline_note():
    outcome = ItemOutcome(Action.CHECKIN, "3003", True, alerts=(Alert.GIVE_TO_STAFF,), sort_bin="B2", offline=True)
    line = item_line(outcome, english)
    assert line.title == "Barcode 3003" and line.status == "Returned" and line.warn
    assert line.detail.splitlines() == ["Please give this item to staff."]  # the banner says "offline"


def test_an_item_of_unknown_title_is_named_by_its_barcode_in_groups_a_patron_can_compare():
    outcome = ItemOutcome(Action.CHECKOUT, "30001000000341", True, offline=True)
    assert item_line(outcome, english).title == "Barcode 3000\xa01000\xa00003\xa041"
    assert item_line(outcome, german).title == "Barcode 3000\xa01000\xa00003\xa041"
    assert item_line(outcome, french).title == "Code-barres 3000\xa01000\xa00003\xa041"
    assert english.barcode("BK-17") == "Barcode BK-17"  # not all digits: as it is


def test_refused_rows_say_what_did_not_happen():
    refused = {action: item_line(ItemOutcome(action, "3004", False), english).status
               for action in (Action.CHECKOUT, Action.CHECKIN, Action.RENEW)}
    assert refused == {Action.CHECKOUT: "Not checked out", Action.CHECKIN: "Not returned",
                       Action.RENEW: "Not renewed"}


def test_account_lines_mark_overdue_holds_and_fines_in_the_locales_money():
    account = Account("2001", "Ann", loans=(LoanLine("1", "A", overdue=True), LoanLine("2", "B")),
                      holds_ready=(HoldLine("C"),), fine_total="2.40", currency="USD")
    assert account_summary(account, english) == [
        "Loans: 2", "Overdue: 1", "Ready for you to pick up: 1", "Fines: $2.40"]
    assert account_summary(account, german)[-1] == "Gebühren: 2,40\xa0$"
    nothing_owed = Account("2001", "Ann", loans=(LoanLine("2", "B"),), fine_total="0.00", currency="USD")
    assert account_summary(nothing_owed, english) == ["Loans: 1"]  # no "Fines: $0.00"
    assert loan_line(account.loans[0], english).status == "Overdue"


def test_the_cores_words_and_known_refusals_are_translated_and_others_pass_through():
    ours = ItemOutcome(Action.CHECKOUT, "30001000000010", False, reason=wording.SCAN_CARD_FIRST)
    assert item_line(ours, german).detail == "Bitte scannen Sie zuerst Ihren Bibliotheksausweis."
    known = ItemOutcome(Action.CHECKOUT, "30001000000010", False, reason="Item not for loan (ref.)",
                        screen_messages=("Item not for loan (ref.)",))
    assert item_line(known, german).detail == german(wording.NOT_FOR_LOAN)
    theirs = ItemOutcome(Action.CHECKOUT, "30001000000010", False, reason="Ask at the music desk.")
    assert item_line(theirs, german).detail == "Ask at the music desk."


def _templates(phrase: Phrase):
    """The templates a Phrase is made of, its values' included."""
    yield phrase.template
    for _, value in phrase.values:
        if isinstance(value, Phrase):
            yield from _templates(value)


def test_technician_status_lines_are_said_in_the_technicians_language(acs, tmp_path):
    runtime = KioskRuntime(demo_config(*acs.address, str(tmp_path)))
    runtime.start()
    try:
        assert runtime.link.probe()  # the ACS's flags and clock...
        acs.stop()
        assert not runtime.link.probe()  # ...then it is gone: the link says why
        flow_events = {"keyboard": Scan(text="3000", source="keyboard", symbology="code128"),
                       "pad": ItemPlaced(tag=TagData("E004", "30001000000010", "iso28560-3"), source="pad")}
        report = gather(runtime, {name: describe_event(e) for name, e in flow_events.items()})
        lines = [line.phrase for section in (report.library_system, report.devices, report.queue, report.kiosk)
                 for line in section]
        lines.append(describe_event(DeviceStatus(source="pad", state=DeviceState.CONNECTED, detail="connected")))
        lines.append(describe_event(DeviceStatus(source="pad", state=DeviceState.LOST, detail="unplugged")))
    finally:
        runtime.stop()
    english = [str(line) for line in lines]
    assert "NOT connected: the library system cannot be reached" in english
    assert any(line.startswith("ACS flags: online yes, checkout yes") for line in english)
    assert "pad (RFID pad, sim): connected" in english
    # no English built outside the catalogues: every template is a wording text, or values only
    texts = set(wording_texts())
    for line in lines:
        for template in _templates(line):
            assert template in texts or not re.search(r"[A-Za-z]", re.sub(r"\{\w+\}", "", template)), template
    said = {words.code: [words.phrase(line) for line in lines] for words in (german, french)}
    assert "NICHT verbunden: das Bibliothekssystem ist nicht erreichbar" in said["de"]
    assert "NON connecté\xa0: le système de la bibliothèque est injoignable" in said["fr"]
    assert "pad (RFID-Ablage, sim): verbunden" in said["de"]
    assert "keyboard (lecteur de codes-barres, keyboard)\xa0: connecté" in said["fr"]
    assert any(line.startswith("ACS-Flags: online ja, Ausleihe ja, Rückgabe ja") for line in said["de"])
    assert any(line.startswith("Indicateurs ACS\xa0: en ligne oui, prêt oui") for line in said["fr"])
    assert "letztes Ereignis: aufgelegt E004: Medium 30001000000010 (iso28560-3)" in said["de"]
    assert said["fr"][-2:] == ["connecté", "déconnecté\xa0: unplugged"]  # a detail only when it says more


def test_every_device_state_has_its_words():
    assert set(wording.DEVICE_STATES) == {state.value for state in DeviceState}


def wording_texts() -> list[str]:
    """Every text of kiosk.core.wording, the technician's included (wording.ALL leaves those out)."""
    found = []
    for value in vars(wording).values():
        values = value.values() if isinstance(value, dict) else (value,)
        found += [v for v in values if isinstance(v, str)]
    return found


def _catalogue(code: str):
    with open(LOCALE_DIR / code / "LC_MESSAGES" / "kiosk.po", "rb") as stream:
        return read_po(stream, locale=code)


@pytest.fixture(scope="module")
def source_texts(tmp_path_factory):
    """Every patron text in the code and the kv rules, extracted now as `pybabel extract` does."""
    pot = tmp_path_factory.mktemp("i18n") / "kiosk.pot"
    extract(pot)
    with pot.open("rb") as stream:
        texts = [m for m in read_po(stream) if m.id]
    assert len(texts) > 100 and any("session ends" in str(m.id) for m in texts)  # kv rules are read
    return texts


@pytest.mark.parametrize("code", [c for c in AVAILABLE if c != "en"])
def test_every_patron_text_has_a_translation_that_keeps_its_fields(code, source_texts):
    catalogue = _catalogue(code)
    missing, broken = [], []
    for message in source_texts:
        entry = catalogue.get(message.id)
        forms = () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or entry.fuzzy or not forms or not all(forms):
            missing.append(message.id)
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"\{\w+\}", ids[-1]))
        broken += [(message.id, form) for form in forms if set(re.findall(r"\{\w+\}", form)) != wanted]
    assert not missing, f"{code} lacks (run python -m kiosk.i18n.update, then translate): {missing}"
    assert not broken, f"{code} changes the fields of {broken}"


@pytest.mark.parametrize("code", [c for c in AVAILABLE if c != "en"])
def test_committed_mo_files_match_their_po(code):
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue(code))
    compiled.seek(0)
    with open(LOCALE_DIR / code / "LC_MESSAGES" / "kiosk.mo", "rb") as stream:
        committed = gettext.GNUTranslations(stream)
    assert committed._catalog == gettext.GNUTranslations(compiled)._catalog, "run: python -m kiosk.i18n.update"
    assert committed.gettext("Done") != "Done"


def test_french_punctuation_never_starts_a_line():
    # French puts a space before : ; ! ? and inside « »; a plain space there lets the sign wrap alone
    spaced = [entry.string for entry in _catalogue("fr") if entry.id
              for form in (entry.string if isinstance(entry.string, tuple) else (entry.string,))
              if re.search(r" [:;!?»]|« ", form)]
    assert not spaced, f"use a no-break space (U+00A0) in: {spaced}"


def _bare_patron_texts(path: Path) -> list[str]:
    """String literals that reach a patron without a translation call around them."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        values = []
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "show_message", "Delivery", "Body", "Heading", "BigButton", "ItemRow"):
            values = [*node.args, *(k.value for k in node.keywords if k.arg in ("text", "message", "status"))]
        elif isinstance(node, ast.Assign) and any(getattr(t, "attr", "") == "message" for t in node.targets):
            values = [node.value]
        found += [f"{path.name}:{v.lineno} {v.value!r}" for v in values
                  if isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value.strip()]
    return found


def test_no_patron_text_skips_the_catalogues():
    package = Path(__file__).resolve().parents[2] / "kiosk"
    files = [package / "app.py", *sorted((package / "screens").glob("*.py")),
             *sorted((package / "receipts").glob("*.py"))]
    bare = [text for path in files for text in _bare_patron_texts(path)]
    assert not bare, f"wrap these in tr()/words() (or a wording text): {bare}"


def test_plural_forms_follow_each_language():
    singular, plural = "Your session ends in {count} second.", "Your session ends in {count} seconds."
    assert english.plural(singular, plural, 1) == "Your session ends in 1 second."
    assert english.plural(singular, plural, 0) == "Your session ends in 0 seconds."
    assert german.plural(singular, plural, 1).endswith("1 Sekunde.")
    assert french.plural(singular, plural, 0).endswith("0 seconde.")  # French counts 0 as one
    assert french.plural(singular, plural, 2).endswith("2 secondes.")


def test_bundled_sounds_are_short_wav_files():
    folder = Path(__file__).resolve().parents[2] / "kiosk" / "sounds"
    for name, notes in SOUNDS.items():
        with wave.open(str(folder / f"{name}.wav")) as wav:
            assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
            assert 0.1 < wav.getnframes() / wav.getframerate() < 1.0
            assert wav.readframes(wav.getnframes()) == samples(notes)
