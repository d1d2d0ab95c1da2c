"""Serial scanner framing: terminators, AIM identifiers, prefixes, bounds, bad bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.devices.emulators.scanner import EmulatorError, frame_barcode
from kiosk.devices.serial_framing import (
    DiscardedLine,
    FramedScan,
    LineFormat,
    LineFramer,
    SerialFramingError,
    parse_line,
)


def feed_chunks(framer: LineFramer, *chunks: bytes) -> list:
    outcomes = []
    for chunk in chunks:
        outcomes += framer.feed(chunk)
    return outcomes


@pytest.mark.parametrize("terminator", [b"\r", b"\n", b"\r\n"])
def test_each_terminator_ends_a_line(terminator):
    data = b"30234000517861" + terminator + b"33191000105864" + terminator
    assert LineFramer().feed(data) == [FramedScan("30234000517861"), FramedScan("33191000105864")]


def test_crlf_split_across_reads_is_one_terminator():
    framer = LineFramer()
    assert feed_chunks(framer, b"123\r", b"\n456\r", b"\n") == [FramedScan("123"), FramedScan("456")]


def test_byte_at_a_time_delivery():
    framer = LineFramer()
    assert feed_chunks(framer, *[bytes([b]) for b in b"]C0abc\r\nxyz\n"]) == [
        FramedScan("abc", "Code 128"), FramedScan("xyz")]


def test_empty_lines_are_not_scans():
    assert LineFramer().feed(b"\r\n\r\n\n\r\n\r1\r") == [FramedScan("1")]


def test_partial_line_waits_for_its_terminator():
    framer = LineFramer()
    assert framer.feed(b"30234") == []
    assert framer.feed(b"000517861\r") == [FramedScan("30234000517861")]


@pytest.mark.parametrize("aim, name", [("]A0", "Code 39"), ("]C0", "Code 128"), ("]E0", "EAN/UPC"),
                                       ("]F0", "Codabar"), ("]I1", "ITF"), ("]Q1", "QR Code"),
                                       ("]d2", "Data Matrix"), ("]X0", "]X0"), ("]e0", "]e0")])
def test_aim_identifiers_are_stripped_and_named(aim, name):
    assert parse_line(f"{aim}A1234B".encode()) == FramedScan("A1234B", name)


def test_aim_recognition_can_be_turned_off():
    assert parse_line(b"]C0abc", LineFormat(aim=False)) == FramedScan("]C0abc")


def test_bracket_not_followed_by_a_letter_is_data():
    assert parse_line(b"]12345") == FramedScan("]12345")


def test_prefix_and_suffix_are_stripped_in_either_order_with_aim():
    line_format = LineFormat(strip_prefix="@@", strip_suffix="#")
    assert parse_line(b"@@]C0abc#", line_format) == FramedScan("abc", "Code 128")
    assert parse_line(b"]C0@@abc#", line_format) == FramedScan("abc", "Code 128")
    assert parse_line(b"abc", line_format) == FramedScan("abc")


def test_identifier_without_data_is_discarded():
    outcome = parse_line(b"]C0")
    assert isinstance(outcome, DiscardedLine) and "no data" in outcome.reason


def test_control_bytes_and_invalid_utf8_are_discarded_with_reason():
    bell = parse_line(b"12\x0734")
    assert isinstance(bell, DiscardedLine) and bell.reason == "non-printable character U+0007 at position 2"
    latin1 = parse_line(b"caf\xe9")
    assert isinstance(latin1, DiscardedLine) and "byte 0xE9 at position 3" in latin1.reason
    assert parse_line("café".encode()) == FramedScan("café")


def test_overlong_garbage_is_discarded_up_to_the_next_terminator():
    framer = LineFramer(max_length=8)
    outcomes = feed_chunks(framer, b"0123456", b"789abcdef", b"ghij\r\nok\r")
    assert len(outcomes) == 2
    assert isinstance(outcomes[0], DiscardedLine) and "more than 8 bytes" in outcomes[0].reason
    assert outcomes[0].raw == b"01234567"
    assert outcomes[1] == FramedScan("ok")


def test_reset_drops_the_partial_line():
    framer = LineFramer()
    framer.feed(b"half")
    assert framer.reset() == b"half"
    assert framer.feed(b"whole\r") == [FramedScan("whole")]


def test_bad_arguments_raise_the_modules_error():
    with pytest.raises(SerialFramingError):
        LineFramer(max_length=0)
    with pytest.raises(SerialFramingError):
        LineFramer().feed("text, not bytes")


@pytest.mark.parametrize("terminator", ["cr", "lf", "crlf"])
def test_emulator_frames_round_trip(terminator):
    data = frame_barcode("33191000105864", terminator, aim="]F0", prefix="P", suffix="S")
    framer = LineFramer(LineFormat(strip_prefix="P", strip_suffix="S"))
    assert framer.feed(data) == [FramedScan("33191000105864", "Codabar")]


def test_emulator_rejects_malformed_aim_and_terminator():
    with pytest.raises(EmulatorError):
        frame_barcode("1", aim="C0")
    with pytest.raises(EmulatorError):
        frame_barcode("1", terminator="nul")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=12), st.integers(1, 64), st.booleans(),
       st.sampled_from(["", "]", "P"]), st.sampled_from(["", "S", "\r"]))
def test_random_bytes_only_ever_give_outcomes(chunks, max_length, aim, prefix, suffix):
    framer = LineFramer(LineFormat(aim, prefix, suffix), max_length=max_length)
    for outcome in feed_chunks(framer, *chunks):
        assert isinstance(outcome, (FramedScan, DiscardedLine))
        if isinstance(outcome, FramedScan):
            assert outcome.text and outcome.text.isprintable()
        else:
            assert outcome.reason


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x2FF), min_size=1, max_size=30)
       .filter(str.isprintable),
       st.sampled_from(["cr", "lf", "crlf"]), st.integers(1, 5))
def test_random_printable_barcodes_survive_any_chunking(text, terminator, cut):
    data = frame_barcode(text, terminator) * 2
    framer = LineFramer(LineFormat(aim=False), max_length=256)
    chunks = [data[i:i + cut] for i in range(0, len(data), cut)]
    assert feed_chunks(framer, *chunks) == [FramedScan(text), FramedScan(text)]
