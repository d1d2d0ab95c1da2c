"""Card numbers are masked in logs at INFO and above; the journal gets priorities."""

from __future__ import annotations

import io
import logging

import pytest

from kiosk.log_setup import CardMasker, configure_logging

CARD = "21234567890123"


@pytest.fixture
def logger():
    log = logging.getLogger("kiosk.test.privacy")
    yield log
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "_kiosk_test", False):
            logging.getLogger().removeHandler(handler)


def capture(monkeypatch, journal: bool, level=logging.DEBUG):
    if journal:
        monkeypatch.setenv("JOURNAL_STREAM", "8:1234")
    else:
        monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    stream = io.StringIO()
    handler = configure_logging(["2[0-9]{13}"], level=level, stream=stream)
    handler._kiosk_test = True
    return stream


def test_cards_masked_at_info_kept_at_debug(monkeypatch, logger):
    stream = capture(monkeypatch, journal=False)
    logger.info("patron %s logged in", CARD)
    logger.warning("SIP2 63 sent: 63001AA%s|AD****|", CARD)
    logger.debug("trace: %s", CARD)
    lines = stream.getvalue().splitlines()
    assert "patron **********0123 logged in" in lines[0]
    assert "AA**********0123|" in lines[1]
    assert CARD in lines[2]


def test_longer_digit_runs_are_not_cards(monkeypatch, logger):
    stream = capture(monkeypatch, journal=False)
    logger.info("item 3%s is not a card, nor 123%s", CARD, CARD)
    assert "**" not in stream.getvalue()


def test_exceptions_are_masked_too(monkeypatch, logger):
    stream = capture(monkeypatch, journal=False)
    try:
        raise ValueError(f"unknown patron {CARD}")
    except ValueError:
        logger.exception("login failed")
    assert CARD not in stream.getvalue() and "**********0123" in stream.getvalue()


def test_journal_lines_carry_priorities(monkeypatch, logger):
    stream = capture(monkeypatch, journal=True)
    logger.warning("printer out of paper")
    logger.error("two\nlines")
    assert stream.getvalue().splitlines() == ["<4>kiosk.test.privacy: printer out of paper",
                                              "<3>kiosk.test.privacy: two", "<3>lines"]


def test_masker_is_pure():
    assert CardMasker(["2[0-9]{13}", "TECH-[0-9]{4}"]).mask(f"{CARD} TECH-1234") == "**********0123 *****1234"
