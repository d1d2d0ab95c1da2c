"""The kiosk's words: refusals of library systems said the kiosk's way, dates and money in the
patron's locale, the `[kiosk] locale` setting and the extractor that reads the kv rules."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest

from sip2.emulator import accounts, holdings, loan_rules
from sip2.emulator.demo_data import DEMO

from kiosk.config import ConfigError, parse_config
from kiosk.core import wording
from kiosk.core.outcomes import LoginStatus
from kiosk.core.refusals import card_refusal, kiosk_words_for
from kiosk.i18n import translator
from kiosk.i18n.formats import locale_for
from kiosk.i18n.kv_extract import extract_kv
from kiosk.screens.present import item_line

from tests.kiosk.test_circulation import runtime_for

EVERGREEN_CAPTURE = Path(__file__).resolve().parents[1] / "sip2" / "data" / "evergreen-sipserver-sample-ils.txt"


@pytest.mark.parametrize("acs_text, ours", [
    # Evergreen's SIPServer, as captured in tests/sip2/data
    ("Invalid Item", wording.ITEM_UNKNOWN),
    ("Item not checked out to David J. Fiander", wording.ITEM_NOT_YOURS),
    # the bench emulator
    (holdings.UNKNOWN_ITEM, wording.ITEM_UNKNOWN),
    (holdings.ON_HOLD_FOR_OTHER, wording.ON_HOLD_FOR_OTHER),
    (loan_rules.HOLD_TO_STAFF, wording.ON_HOLD_FOR_OTHER),
    (accounts.UNKNOWN_PATRON, wording.CARD_UNKNOWN),
    (accounts.WRONG_PIN, wording.WRONG_PIN),
    ("Your account is blocked: please see staff.", wording.CARD_BLOCKED),
    ("Your account is blocked: Account blocked: lost books.", wording.CARD_BLOCKED),
    ("You have reached your limit of 5 items.", wording.TOO_MANY_ITEMS),
    ("This item has already been renewed 3 times, the most allowed.", wording.RENEWAL_LIMIT),
    ("This item is not checked out to you.", wording.ITEM_NOT_YOURS),
    (loan_rules.NOT_CHECKED_OUT, wording.NOT_CHECKED_OUT),
    ("Item not checked out", wording.NOT_CHECKED_OUT),
    ("This item is already checked out to you.", wording.ITEM_ALREADY_YOURS),
    ("This item is checked out to another patron. Please see staff.", wording.ITEM_OUT_TO_OTHER),
    ("You have reached your limit of 3 holds.", wording.HOLD_LIMIT),
    # other systems' usual phrasing
    ("Patron blocked", wording.CARD_BLOCKED),
    ("Patron card expired", wording.CARD_EXPIRED),
    ("Item not for loan", wording.NOT_FOR_LOAN),
    ("Renewal limit reached", wording.RENEWAL_LIMIT),
    ("Too many items checked out", wording.TOO_MANY_ITEMS),
    ("Patron has excessive fines", wording.TOO_MANY_FINES),
    ("You owe 12.50 USD, more than 10.00. Please pay before borrowing.", wording.TOO_MANY_FINES),
    ("Your library card expired on 2026-11-03. Please see staff to renew it.", wording.CARD_EXPIRED),
    ("This card has been reported lost. Please see staff.", wording.CARD_LOST),
])
def test_common_refusals_are_said_the_kiosks_way(acs_text, ours):
    assert kiosk_words_for(acs_text) == ours


def test_the_captured_evergreen_refusals_are_known_and_its_greeting_is_not_a_refusal():
    capture = EVERGREEN_CAPTURE.read_text(encoding="utf-8")
    assert "AFInvalid Item" in capture and "AFItem not checked out to" in capture
    assert kiosk_words_for("Thank you for using Evergreen!") is None
    assert kiosk_words_for("Ask at the music desk.") is None


@pytest.mark.parametrize("patron, ours", [
    (DEMO.blocked_patron, wording.CARD_BLOCKED),
    (DEMO.expired_patron, wording.CARD_EXPIRED),
    (DEMO.lost_card_patron, wording.CARD_LOST),
])
def test_a_refused_card_reads_as_one_sentence_in_the_patrons_language(tmp_path, acs, patron, ours):
    runtime = runtime_for(tmp_path, *acs.address)
    try:
        result = runtime.handle_scan(patron, pin=DEMO.good_pin)
    finally:
        runtime.stop()
    assert result.status is LoginStatus.REFUSED
    for code in ("de", "fr"):
        words = translator(code)
        assert words.say(result.reason) == words(ours) != ours  # not "blocked: Account blocked: ..."


def test_returns_and_refusals_from_the_emulator_read_in_one_language(tmp_path, acs):
    from kiosk.core.outcomes import Mode

    runtime = runtime_for(tmp_path, *acs.address)
    try:
        not_on_loan = runtime.handle_scan(DEMO.available_items[0], mode=Mode.RETURN)
        runtime.handle_scan(DEMO.good_patron, pin=DEMO.good_pin)
        on_hold = runtime.handle_scan(DEMO.item_on_hold_for_other)
    finally:
        runtime.stop()
    assert not not_on_loan.ok and not on_hold.ok
    for code in ("de", "fr"):
        words = translator(code)
        returned, refused = item_line(not_on_loan, words).detail, item_line(on_hold, words).detail
        assert returned.splitlines()[0] == words(wording.NOT_CHECKED_OUT)
        assert refused == words(wording.ON_HOLD_FOR_OTHER)  # once, and not beside the ACS's English
        assert "item" not in (returned + refused).lower()  # no English sentence left beside them


def test_patron_status_flags_that_bar_a_card():
    assert card_refusal("Y" + " " * 13) == wording.CARD_BLOCKED
    assert card_refusal("Y   Y" + " " * 9) == wording.CARD_LOST  # lost says more than blocked
    assert card_refusal(" " * 14) is None and card_refusal("") is None
    assert card_refusal("          Y   ") is None  # fines alone do not bar the card here


def test_say_translates_core_texts_templates_refusals_and_passes_the_rest():
    german = translator("de")
    assert german.say(wording.SCAN_CARD_FIRST) == german(wording.SCAN_CARD_FIRST) != wording.SCAN_CARD_FIRST
    filled = wording.DEVICE_NOT_WORKING.format(device="pad")
    assert german.say(filled) == "Ein Gerät, das dieser Automat braucht (pad), funktioniert nicht."
    assert translator("fr").say("Invalid Item") == translator("fr")(wording.ITEM_UNKNOWN)
    assert german.say(f"{wording.COULD_NOT_START}\nno such file: x.toml") == (
        "Der Automat konnte nicht starten.\nno such file: x.toml")  # the error stays for staff
    assert german.say("Ask at the music desk.") == "Ask at the music desk." and german.say("") == ""
    assert german.say(loan_rules.GIVE_TO_STAFF) == "Bitte geben Sie dieses Medium dem Personal."  # our words too


def test_dates_and_money_in_the_locales_form():
    due = datetime(2026, 12, 24, 23, 59)
    assert translator("de").date(due) == "Do., 24. Dez. 2026"
    assert translator("en").date(due) == "Thu, Dec 24, 2026"  # a US reader is not misled by 24/12
    assert translator("fr").date(date(2026, 12, 24)) == "jeu. 24 déc. 2026"
    assert translator("de").money("2.40", "USD") == "2,40\xa0$"
    assert translator("en").money("2.40", "USD") == "$2.40"
    assert translator("fr").money("1234.5", "EUR") == "1\u202f234,50\xa0€".replace("\u202f", "\xa0")
    assert translator("de").money("2.40", "") == "2,40"
    assert translator("en").money("n/a", "USD") == "n/a USD"  # not an amount: as the ACS sent it
    assert "\u202f" not in translator("en").date_time(datetime(2026, 11, 30, 9, 30))


def test_the_kiosks_locale_setting_gives_its_region_to_every_language():
    assert locale_for("en", "") == "en" and locale_for("en", "en-GB") == "en_GB"
    assert locale_for("fr", "de_CH") == "fr_CH"  # Swiss French beside Swiss German
    assert locale_for("de", "en_US") == "de"  # no German of the United States in CLDR
    assert translator("de", "de_CH").money("2.40", "CHF") == "CHF\xa02.40"


def test_locale_setting_is_checked_with_a_clear_message():
    base = {"sip2": {"host": "127.0.0.1", "port": 6001}}
    assert parse_config({**base, "kiosk": {"locale": "en-GB"}}).kiosk.locale == "en_GB"
    assert parse_config(base).kiosk.locale == ""
    with pytest.raises(ConfigError, match="locale.*unknown locale 'xx_YY'"):
        parse_config({**base, "kiosk": {"locale": "xx_YY"}})
    with pytest.raises(ConfigError, match="locale"):
        parse_config({**base, "kiosk": {"locale": 5}})


def test_kv_extractor_finds_tr_and_plural_calls_but_not_comments():
    kv = (b"#:import dp kivy.metrics.dp\n"
          b"# app.tr('not this')\n"
          b"    text: app.tr('Back', app.language)\n"
          b"    text: app.tr(\"Say \\\"hi\\\"\", app.language) if x else app.tr('Other', app.language)\n"
          b"    text: app.trn('{count} second', '{count} seconds', root.n, app.language)\n"
          b"    text: root.title(x)\n")
    found = list(extract_kv(io.BytesIO(kv), {"tr": None, "trn": (1, 2)}.keys(), [], {}))
    assert found == [(3, "tr", ("Back", None), []), (4, "tr", ('Say "hi"', None), []),
                     (4, "tr", ("Other", None), []),
                     (5, "trn", ("{count} second", "{count} seconds"), [])]


def test_babel_stays_out_of_the_start_up_imports():
    import subprocess
    import sys

    code = ("import sys, kiosk.i18n, kiosk.screens.present, kiosk.receipts.content, kiosk.config;"
            "kiosk.i18n.translator('de')('Done');"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2]).stdout.strip()
    assert loaded == "[]"
