"""Due dates as real ACSs write them, and the dialect profiles."""

from datetime import datetime, timezone

import pytest

from sip2 import ChecksumMode, CodecError
from sip2.dates import format_transaction_date, parse_due_date, parse_transaction_date
from sip2.dialects import DIALECTS, dialect


@pytest.mark.parametrize("text, expected", [
    ("20261224    235959", datetime(2026, 12, 24, 23, 59, 59)),
    ("20261224   Z235959", datetime(2026, 12, 24, 23, 59, 59, tzinfo=timezone.utc)),
    ("2026-12-24 23:59:59", datetime(2026, 12, 24, 23, 59, 59)),  # Evergreen
    ("2026-12-24", datetime(2026, 12, 24)),
    ("2026-12-24T23:59:59Z", datetime(2026, 12, 24, 23, 59, 59, tzinfo=timezone.utc)),
    ("24/12/2026", datetime(2026, 12, 24)),  # Koha, localised
    ("24.12.2026 18:00", datetime(2026, 12, 24, 18, 0)),
    ("20261224", datetime(2026, 12, 24)),
])
def test_due_dates_in_every_form_seen(text, expected):
    due = parse_due_date(text)
    assert due.raw == text and due.moment == expected


def test_month_first_libraries_and_unknown_forms_keep_the_text():
    assert parse_due_date("12/24/2026", day_first=False).moment == datetime(2026, 12, 24)
    unknown = parse_due_date("next Tuesday")
    assert unknown.raw == "next Tuesday" and unknown.moment is None
    assert parse_due_date("31/02/2026").moment is None  # no such day: raw text only
    assert parse_due_date("") is None and parse_due_date(None) is None


def test_transaction_dates_round_trip_and_reject_nonsense():
    local = datetime(2026, 11, 30, 9, 15, 2)
    assert parse_transaction_date(format_transaction_date(local)) == local
    assert parse_transaction_date(" " * 18) is None
    with pytest.raises(CodecError, match="18 characters"):
        parse_transaction_date("2026")
    with pytest.raises(CodecError, match="not a SIP2 date"):
        parse_transaction_date("20261340    250000")


def test_every_dialect_gives_valid_connection_settings():
    for name in ("generic", "koha", "evergreen", "folio", "sirsidynix", "polaris", "sierra"):
        settings = DIALECTS[name].settings()
        assert settings.terminator in (b"\r", b"\n", b"\r\n")
        "é".encode(settings.encoding, errors="replace")
    assert dialect("folio").settings().encoding == "cp850"
    assert dialect("sirsidynix").settings().checksums is ChecksumMode.ON
    koha = dialect("Koha").settings(terminator="crlf", checksums="off", encoding="latin-1")
    assert (koha.terminator, koha.checksums, koha.encoding) == (b"\r\n", ChecksumMode.OFF, "latin-1")


@pytest.mark.parametrize("call, message", [
    (lambda: dialect("alma"), "unknown SIP2 dialect 'alma'"),
    (lambda: dialect("koha").settings(terminator="nl"), "terminator must be one of"),
    (lambda: dialect("koha").settings(checksums="sometimes"), "checksums must be one of"),
    (lambda: dialect("koha").settings(encoding="klingon"), "unknown character set"),
])
def test_dialect_mistakes_are_explained(call, message):
    with pytest.raises(CodecError, match=message):
        call()
