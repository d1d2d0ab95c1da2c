"""The codec's quick readings and writings against the plain ones they stand in for.

Each quick path (the usual date spelling read by `fromisoformat`, the wire layout read from
the text when asked for, code pages decoded without a lookup per call, the trailer from a
table) must give what the plain way gives, on any input.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st

from sip2 import CodecError, decode, encode
from sip2.charsets import text_decoder
from sip2.checksum import checksum
from sip2.dates import format_transaction_date, parse_transaction_date, read_local_date
from sip2.message import WireLayout
from sip2.messages import CheckoutResponse, Login, PatronInformationResponse


def strict_reading(text: str) -> datetime | None | str:
    """What the slicing-and-int() reading of a local date gives: a datetime, or 'refused'."""
    day, zone, clock = text[:8], text[8:12], text[12:]
    if zone != "    " or not (day + clock).isdigit() or not (day + clock).isascii():
        return "refused"
    try:
        return datetime(int(day[:4]), int(day[4:6]), int(day[6:]), int(clock[:2]), int(clock[2:4]), int(clock[4:]))
    except ValueError:
        return "refused"


date_chars = st.sampled_from("0123456789 TWZ-:+.٣²")


@given(st.one_of(
    st.datetimes(min_value=datetime(1000, 1, 1)).map(lambda d: format_transaction_date(d.replace(microsecond=0))),
    st.lists(date_chars, min_size=18, max_size=18).map("".join),
    st.from_regex(r"[0-9]{8}    [0-9]{6}", fullmatch=True),
))
def test_the_quick_date_reading_agrees_with_the_strict_one(text):
    quick = read_local_date(text)
    expected = strict_reading(text)
    assert quick == (None if expected == "refused" else expected)
    try:
        parsed = parse_transaction_date(text)
    except CodecError:
        parsed = "refused"
    if expected != "refused":
        assert parsed == expected


def test_hour_24_and_impossible_days_are_left_to_the_strict_reading():
    for text in ["20260130    240000", "20260230    101500", "00000130    101500", "2026W011    101500"]:
        assert read_local_date(text) is None
        with pytest.raises(CodecError, match="not a SIP2 date"):
            parse_transaction_date(text)


@given(st.datetimes(min_value=datetime(1, 1, 2), timezones=st.sampled_from(
    [None, timezone.utc, timezone(timedelta(hours=2))])))
def test_dates_are_written_as_strftime_writes_them(moment):
    moment = moment.replace(microsecond=0)
    try:
        utc = moment.astimezone(timezone.utc) if moment.tzinfo else None
    except OverflowError:
        return  # before the year 1 in UTC: no SIP2 date can say it
    written = format_transaction_date(moment)
    expected = moment if utc is None else utc
    zone = "    " if utc is None else "   Z"
    assert written == f"{expected.year:04d}{expected:%m%d}{zone}{expected:%H%M%S}"
    if expected.year >= 1000:
        assert written[:8] == expected.strftime("%Y%m%d")
    assert parse_transaction_date(written) == moment


def test_a_decoded_layout_reads_the_fixed_texts_and_field_order_from_the_message():
    data = encode(PatronInformationResponse(
        patron_status="Y" * 14, transaction_date=datetime(2026, 1, 30), institution_id="I",
        patron_id="P", charged_items=("a", "b"), screen_messages=("hi",), extra=(("ZZ", "v"),)))
    wire = decode(data).message.wire
    assert wire.fixed[0] == "Y" * 14 and wire.fixed[2] == "20260130    000000" and len(wire.fixed) == 9
    assert wire.order == ("AO", "AA", "AE", "AU", "AU", "AF", "ZZ")  # AE: required, sent empty
    eager = WireLayout(list(wire.fixed), list(wire.order))
    assert wire == eager and not wire != eager and hash(wire) == hash(eager)
    assert repr(wire) == repr(eager) == f"WireLayout(fixed={wire.fixed!r}, order={wire.order!r})"
    assert wire != WireLayout(wire.fixed, wire.order[:-1])
    assert eager.fixed == wire.fixed and isinstance(eager.order, tuple)


def test_received_keeps_the_raw_bytes_out_of_its_repr():
    data = encode(Login(login_user_id="kiosk", login_password="s3cret"), sequence=1, error_detection=True)
    received = decode(data)
    assert received.raw == data and received.checksum == "ok" and received.sequence == 1
    assert "s3cret" not in repr(received).replace("login_password='s3cret'", "")
    assert "raw" not in repr(received)


@pytest.mark.parametrize("encoding", ["cp850", "cp1252", "iso8859-15", "utf-8", "latin-1", "ascii", "mac-roman"])
def test_the_cached_decoder_reads_as_bytes_decode_does(encoding):
    sample = "Zoë Ødegård, Café crème".encode(encoding, errors="replace")
    assert text_decoder(encoding)(sample) == sample.decode(encoding)
    assert text_decoder(encoding)(b"") == ""


def test_the_cached_decoder_refuses_what_bytes_decode_refuses():
    with pytest.raises(UnicodeDecodeError):
        text_decoder("utf-8")(b"\xff")
    with pytest.raises(LookupError):
        text_decoder("no-such-charset")
    with pytest.raises(LookupError):
        text_decoder("hex")(b"00")  # a bytes-to-bytes codec is no character set


@pytest.mark.parametrize("sequence", [-1, 10, 3.5, "3"])
def test_a_sequence_number_outside_0_9_is_refused(sequence):
    with pytest.raises(CodecError, match="sequence number must be 0-9"):
        encode(CheckoutResponse(), sequence=sequence, error_detection=True)


@pytest.mark.parametrize("sequence", [None, *range(10)])
def test_the_trailer_and_checksum_are_those_of_the_plain_formula(sequence):
    data = encode(CheckoutResponse(title="x" * 300), sequence=sequence, error_detection=True)
    head = data[:-5]
    trailer = b"AZ" if sequence is None else b"AY%dAZ" % sequence
    assert head.endswith(trailer) and data[-5:-1].decode() == checksum(head) and data.endswith(b"\r")


@given(st.binary(max_size=600).map(lambda b: b.translate(None, b"|\r\n")), st.integers(0, 0xFFFF),
       st.booleans(), st.booleans())
def test_the_checksum_compared_as_digits_agrees_with_the_plain_formula(value, wrong, right, lower):
    head = b"941AF" + value + b"|AY1AZ"
    correct = -sum(head) & 0xFFFF
    digits = b"%04x" % (correct if right else wrong) if lower else b"%04X" % (correct if right else wrong)
    received = decode(head + digits + b"\r", encoding="latin-1")  # code points are bytes: no second reading
    assert received.checksum == ("ok" if (sum(head) + int(digits, 16)) & 0xFFFF == 0 else "bad")
    assert received.sequence == 1 and received.message.extra == (("AF", value.decode("latin-1")),)


def test_four_characters_after_az_that_are_not_hex_are_no_trailer():
    received = decode(b"941AFx|AZ12G4\r")
    assert received.checksum == "absent" and received.message.extra == (("AF", "x"), ("AZ", "12G4"))
