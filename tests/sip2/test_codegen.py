"""The generated per-type functions against plain field-by-field readings of the declarations.

The reference decoder below is the codec's algorithm written out as a loop over the
declarations, with no attempt at speed; the generated decoders must agree with it on any
text (same message, same wire layout, same types, or the same error). The generated
encoders must give the general path's very text, or hand the message over to it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sip2 import CodecError, decode, encode
from sip2.codec import _encode_text_general, encode_text
from sip2.codegen import DECODERS, ENCODERS, source
from sip2.fixedfields import parse_fixed
from sip2.message import MESSAGES, Kind, Message, WireLayout, spec_of
from sip2.messages import ACSStatus, Checkout, CheckoutResponse, PatronInformationResponse

from tests.sip2.test_codec_properties import messages

ALL_CLASSES = sorted(MESSAGES.values(), key=lambda c: c.CODE)


def reference_decode(cls: type[Message], text: str) -> Message:
    """Decode `text` field by field from the declarations: the behaviour the codec promises."""
    spec = spec_of(cls)
    end = 2 + spec.fixed_width
    if len(text) < end:
        raise CodecError(f"{cls.NAME} ({cls.CODE}): fixed fields need {end - 2} characters "
                         f"after the code, got {len(text) - 2}")
    values: dict[str, Any] = {}
    fixed_texts, position = [], 2
    for name, fspec in spec.fixed:
        chunk = text[position:position + fspec.width]
        position += fspec.width
        fixed_texts.append(chunk)
        values[name] = parse_fixed(name, fspec, chunk)
    extra, order = [], []
    for piece in text[end:].split("|"):
        if not piece:
            continue
        if len(piece) < 2:
            raise CodecError(f"{cls.NAME} ({cls.CODE}): {piece!r} is not a field "
                             "(a field starts with a 2-letter id)")
        field_id, value = piece[:2], piece[2:]
        order.append(field_id)
        known = spec.by_id.get(field_id)
        if known is None:
            extra.append((field_id, value))
        elif known[1].repeated:
            values.setdefault(known[0], []).append(value)
        elif known[0] in values:
            extra.append((field_id, value))
        else:
            values[known[0]] = value
    for name, vspec in spec.variable:
        if vspec.required and not vspec.repeated:
            values.setdefault(name, None)
    return cls(**values, extra=tuple(extra), wire=WireLayout(tuple(fixed_texts), tuple(order)))


def outcome(read, cls: type[Message], text: str) -> tuple[str, Any]:
    """What reading gives: every attribute with its type, or the error's text."""
    try:
        message = read(cls, text)
    except CodecError as exc:
        return "error", str(exc)
    return "message", [(name, type(value), value) for name, value in sorted(vars(message).items())]


# Characters that exercise every kind's inline reading and its way out to the general reader.
fixed_chars = st.sampled_from("0123456789 YyNnUu1Z|-+٣²\t")
usual_spellings = {
    Kind.FLAG01: st.sampled_from("01YyNn "),
    Kind.YN: st.sampled_from("YNyU "),
    Kind.YNU: st.sampled_from("YNUyn "),
    Kind.DATE: st.sampled_from(["20260130    101500", " " * 18, "20260130   Z235959", "19991231 EST000000"]),
}


def fixed_spelling(width: int, kind: Kind):
    """Mostly what ACSs send for the kind, sometimes any characters of the right width."""
    usual = usual_spellings.get(kind)
    if kind is Kind.INT:
        usual = st.integers(0, 10**width - 1).map(lambda n: f"{n:{width}d}" if n % 2 else f"{n:0{width}d}")
    odd = st.lists(fixed_chars, min_size=width, max_size=width).map("".join)
    return odd if usual is None else st.one_of(usual, usual, usual, odd)


@st.composite
def message_texts(draw):
    cls = draw(st.sampled_from(ALL_CLASSES))
    spec = spec_of(cls)
    fixed_part = "".join(draw(fixed_spelling(f.width, f.kind)) for _, f in spec.fixed)
    if draw(st.integers(0, 9)) == 0:
        fixed_part = fixed_part[:draw(st.integers(0, len(fixed_part)))]  # cut short
    known = [vspec.id for _, vspec in spec.variable] or ["AO"]
    ids = st.one_of(st.sampled_from(known), st.sampled_from(["ZZ", "XY", "A", ""]))
    pieces = draw(st.lists(st.tuples(ids, st.text(st.characters(blacklist_characters="|",
                                                                 blacklist_categories=("Cs",)),
                                                   max_size=6)), max_size=8))
    variable = "|".join(field_id + value for field_id, value in pieces)
    return cls, cls.CODE + fixed_part + variable + draw(st.sampled_from(["|", "", "||"]))


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(message_texts())
def test_generated_decoders_read_any_text_as_the_declarations_say(case):
    cls, text = case
    assert outcome(lambda c, t: DECODERS[c](t), cls, text) == outcome(reference_decode, cls, text)


WITH_DATES = [c for c in ALL_CLASSES if any(f.kind is Kind.DATE for _, f in spec_of(c).fixed)]


@pytest.mark.parametrize("cls", WITH_DATES, ids=lambda c: c.CODE)
def test_every_date_spelling_reads_as_the_declarations_say(cls):
    spec = spec_of(cls)
    dates = [i for i, (_, f) in enumerate(spec.fixed) if f.kind is Kind.DATE]
    for spelling in ["20260130    101500", "20260130   Z101500", "20260130 EST101500",
                     "\t" * 18, "20261330    101500", "2026013x    101500"]:
        chars = ["0" * f.width if f.kind is not Kind.TEXT else "x" * f.width for _, f in spec.fixed]
        chars[dates[0]] = spelling
        text = cls.CODE + "".join(chars) + "AOx|"
        assert outcome(lambda c, t: DECODERS[c](t), cls, text) == outcome(reference_decode, cls, text)


def encoded_by_general_path(message: Message, send_empty: frozenset[str]) -> str | None:
    try:
        return _encode_text_general(message, send_empty)
    except CodecError:
        return None


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(messages(), st.frozensets(st.sampled_from(["AC", "AD", "CH", "BO", "AM", "ZZ"])))
def test_generated_encoders_write_what_the_general_path_writes(message, send_empty):
    fast = ENCODERS[type(message)](message, send_empty)
    if message.extra:
        assert fast is None  # extras keep their place through the general path
    else:
        assert fast is not None and fast == _encode_text_general(message, send_empty)


class Text(str):
    """Text of a subclass of str, which the generated encoders leave to the general path."""


# Values of the wrong type or shape for each kind, and values that would break the framing.
odd_values = {
    Kind.FLAG01: st.sampled_from([0, 1, "", "x", None]),
    Kind.YN: st.sampled_from([0, 1, "", None]),
    Kind.YNU: st.sampled_from([0, 1, "", "U"]),
    Kind.INT: st.sampled_from([-1, 10**6, True, 2.0, "12", None]),
    Kind.DATE: st.sampled_from([datetime(2026, 1, 30, 10, 15, tzinfo=timezone(timedelta(hours=2))),
                                datetime(999, 1, 1), "20260130    101500", 0]),
    Kind.TEXT: st.sampled_from(["|", "\r", "\n", "", "toolongforanyfield", 7, None]),
}
odd_text = st.sampled_from(["a|b", "a\rb", "line\n", 7, b"bytes", Text("sub"), ""])


@st.composite
def odd_messages(draw):
    message = draw(messages())
    spec = spec_of(type(message))
    changes: dict[str, Any] = {"extra": ()}
    for name, fspec in spec.fixed:
        if draw(st.integers(0, 3)) == 0:
            changes[name] = draw(odd_values[fspec.kind])
    for name, vspec in spec.variable:
        if draw(st.integers(0, 3)) == 0:
            changes[name] = (draw(st.lists(odd_text, max_size=2)) if vspec.repeated
                             else draw(odd_text))
    return message.replace(**changes)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(odd_messages())
def test_generated_encoders_never_write_what_the_general_path_would_not(message):
    fast = ENCODERS[type(message)](message, frozenset())
    if fast is not None:
        assert fast == encoded_by_general_path(message, frozenset()) == encode_text(message)


def test_odd_values_still_get_the_general_paths_errors():
    with pytest.raises(CodecError, match=r"max_print_width: expected a whole number of at most 3 digits"):
        encode(MESSAGES["99"](max_print_width=1000))
    with pytest.raises(CodecError, match=r"patron_id \(AA\): '\|', CR and LF cannot be sent"):
        encode(Checkout(patron_id="1|2", item_id="x"))
    with pytest.raises(CodecError, match=r"screen_messages \(AF\): expected text, got 7"):
        encode(CheckoutResponse(screen_messages=("ok", 7)))
    assert encode(Checkout(patron_id=Text("P1"), item_id="x")) == encode(Checkout(patron_id="P1", item_id="x"))


def test_decoded_messages_are_ordinary_messages():
    sent = PatronInformationResponse(patron_status=" " * 14, transaction_date=datetime(2026, 1, 30),
                                     institution_id="I", patron_id="P", personal_name="N",
                                     charged_items=("a", "b"), screen_messages=("hi",))
    got = decode(encode(sent)).message
    assert got == sent and hash(got) == hash(sent) and repr(got) == repr(sent)
    assert got.replace(personal_name="M") == sent.replace(personal_name="M")
    with pytest.raises(AttributeError):
        got.personal_name = "M"  # type: ignore[misc]


def test_source_is_written_from_the_declarations():
    text = source(ACSStatus)
    for name, _ in spec_of(ACSStatus).fixed + spec_of(ACSStatus).variable:
        assert repr(name) in text
    assert "def decode_ACSStatus(text):" in text and "def encode_ACSStatus(message, send_empty):" in text


def test_a_class_declaring_a_field_id_twice_is_refused():
    from sip2.message import message, var

    with pytest.raises(ValueError, match="declares a field id twice"):
        @message("X1", "twice")
        class Twice(Message):  # noqa: F841
            a: str | None = var("AO")
            b: str | None = var("AO")
    assert "X1" not in MESSAGES
