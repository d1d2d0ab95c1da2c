"""Property tests: round trips for generated messages of every type, chunking, random bytes."""

from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings, strategies as st

from sip2 import CodecError, Connection, ConnectionSettings, Framer, decode, encode
from sip2.message import MESSAGES, Kind, spec_of

# Text a SIP2 field may carry: anything but the separator, CR, LF and lone surrogates.
field_text = st.text(st.characters(blacklist_characters="|\r\n", blacklist_categories=("Cs",)), max_size=30)
# 'Z' is left out of fixed text so that a fixed part never ends like an AZ trailer.
fixed_alphabet = st.sampled_from("0123456789 YNUabcXY.+-*")
dates = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)).map(
        lambda d: d.replace(microsecond=0)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)).map(
        lambda d: d.replace(microsecond=0, tzinfo=timezone.utc)),
)


def fixed_value(width: int, kind: Kind):
    if kind is Kind.TEXT:
        return st.text(fixed_alphabet, min_size=width, max_size=width)
    return {
        Kind.FLAG01: st.booleans(),
        Kind.YN: st.booleans(),
        Kind.YNU: st.sampled_from([True, False, None]),
        Kind.INT: st.integers(0, 10**width - 1),
        Kind.DATE: dates,
    }[kind]


@st.composite
def messages(draw, cls=None):
    cls = cls or draw(st.sampled_from(sorted(MESSAGES.values(), key=lambda c: c.CODE)))
    spec = spec_of(cls)
    values = {name: draw(fixed_value(f.width, f.kind)) for name, f in spec.fixed}
    for name, v in spec.variable:
        if v.repeated:
            values[name] = draw(st.lists(field_text, max_size=3))
        elif v.required:
            values[name] = draw(field_text)
        else:
            values[name] = draw(st.none() | field_text)
    ids = st.text(st.sampled_from("ABCDPQXZ"), min_size=2, max_size=2).filter(lambda i: i not in spec.by_id)
    values["extra"] = draw(st.lists(st.tuples(ids, field_text), max_size=3))
    return cls(**values)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(messages(), st.sampled_from(["utf-8", "cp850", "latin-1"]), st.integers(0, 9), st.booleans())
def test_decode_encode_round_trip_for_every_message_type(message, encoding, sequence, checked):
    try:
        data = encode(message, encoding=encoding, sequence=sequence if checked else None,
                      error_detection=checked)
    except CodecError as exc:
        assert "cannot be sent in" in str(exc)  # a character outside the character set
        return
    received = decode(data, encoding=encoding)
    assert received.message == message
    assert received.checksum == ("ok" if checked else "absent")
    assert received.sequence == (sequence if checked else None)
    assert encode(received.message, encoding=encoding, sequence=received.sequence,
                  error_detection=checked) == data


@settings(max_examples=200)
@given(st.lists(messages(), min_size=1, max_size=5), st.sampled_from([b"\r", b"\n", b"\r\n"]),
       st.data())
def test_framer_gives_the_same_messages_for_every_chunking(batch, terminator, data):
    wire = b"".join(encode(m, terminator=terminator) for m in batch)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=12)))
    chunks = [wire[a:b] for a, b in zip([0, *cuts], [*cuts, len(wire)])]
    conn = Connection(ConnectionSettings())
    got = []
    for chunk in chunks:
        conn.receive_data(chunk)
        while (received := conn.next_received()) is not None:
            got.append(received.message)
    assert got == batch


@given(st.binary(max_size=300))
def test_random_bytes_only_raise_the_codec_error(data):
    try:
        decode(data)
    except CodecError:
        pass


@given(st.lists(st.binary(max_size=200), max_size=6))
def test_random_byte_stream_only_raises_the_codec_error(chunks):
    conn = Connection(ConnectionSettings(max_length=128))
    for chunk in chunks:
        conn.receive_data(chunk)
        for _ in range(50):
            try:
                if conn.next_received() is None:
                    break
            except CodecError:
                continue


def test_framer_drops_an_over_long_message_and_carries_on():
    framer = Framer(max_length=16)
    framer.feed(b"x" * 40)
    try:
        framer.next_message()
        raise AssertionError("expected a FrameError")
    except CodecError as exc:
        assert "longer than 16" in str(exc)
    assert framer.messages(b"yyyy\r941\r") == [b"941"]


def test_multibyte_character_split_across_reads():
    wire = encode(MESSAGES["24"](personal_name="Zoë Ünal", patron_id="P", institution_id="I"))
    split = wire.index("ë".encode()) + 1  # in the middle of the two bytes of ë
    conn = Connection()
    conn.receive_data(wire[:split])
    assert conn.next_received() is None
    conn.receive_data(wire[split:])
    assert conn.next_received().message.personal_name == "Zoë Ünal"
