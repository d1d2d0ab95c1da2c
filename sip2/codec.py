"""Encode SIP2 messages to bytes and decode bytes to messages. Pure: no I/O, no clocks.

`decode` takes one framed message (terminator optional) and returns a `Received` with the
typed message, its sequence number and what its checksum said. `encode` does the reverse.
A decoded message re-encodes to the very bytes it came from.

The per-field work is done by functions written for each message type from its
declarations (`sip2.codegen`); the general encoding path here handles what those leave
over: wire layouts to follow, extra fields, and values to reject with a precise error.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any, NamedTuple
from zlib import adler32

from sip2 import messages as _messages  # noqa: F401  (importing registers every message class)
from sip2.charsets import carries_sip2, text_decoder
from sip2.checksum import ADLER_EXACT as _ADLER_EXACT, byte_sum
from sip2.codegen import DECODERS, ENCODERS
from sip2.errors import CodecError
from sip2.fields import SECRET_FIELDS
from sip2.fixedfields import forbidden, format_fixed, parse_fixed
from sip2.message import MESSAGES, FixedSpec, Message, spec_of

_HEX_DIGITS = frozenset(b"0123456789ABCDEFabcdef")
_ASCII_DIGITS = frozenset(b"0123456789")


class Received(NamedTuple):
    """One decoded message with its error-detection trailer.

    `checksum` is "ok", "bad" or "absent"; `sequence` is the AY digit or None.
    `warnings` lists what was tolerated (for example bytes invalid in the character set).
    A named tuple: one is made per message received, three times faster than a dataclass.
    """

    message: Message
    sequence: int | None
    checksum: str
    raw: bytes
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:  # without `raw`, which may hold a PIN
        return (f"Received(message={self.message!r}, sequence={self.sequence!r}, "
                f"checksum={self.checksum!r}, warnings={self.warnings!r})")


class _ByCharset(dict):
    """What `find` answers for each character set, kept in a dict: a lookup per message is
    quicker than a call to a cached function. Errors are not kept: they are raised each time."""

    def __init__(self, find: Any) -> None:
        super().__init__()
        self.find = find

    def __missing__(self, encoding: str) -> Any:
        answer = self.find(encoding)
        if len(self) < 256:  # no more than the caches behind it keep
            self[encoding] = answer
        return answer


_CARRIES_SIP2 = _ByCharset(carries_sip2)
_TEXT_DECODER = _ByCharset(text_decoder)


# --- encoding -----------------------------------------------------------------------------

def encode_text(message: Message, *, send_empty: Collection[str] = ()) -> str:
    """The message as text, without error-detection trailer or terminator.

    Optional fields whose id is in `send_empty` are sent empty when absent (some ACSs
    require them). Raises CodecError for a fixed field of the wrong shape or a value that
    contains a field separator.
    """
    text = ENCODERS[type(message)](message, send_empty)
    if text is not None:
        return text  # a plain message with clean values: the class's own generated encoder
    return _encode_text_general(message, send_empty)


def _encode_text_general(message: Message, send_empty: Collection[str]) -> str:
    """Every message, with a wire layout to follow, extras or values to reject, field by field."""
    spec = spec_of(type(message))
    wire = message.wire
    parts = [message.CODE]
    for index, (name, fspec) in enumerate(spec.fixed):
        value = getattr(message, name)
        original = wire.fixed[index] if wire is not None else None
        if original is not None and _same_value(name, fspec, original, value):
            parts.append(original)  # keep the sender's spelling (' 40', 'U', a zone) as it was
        else:
            parts.append(format_fixed(name, fspec, value))

    pending: dict[str, list[str]] = {}
    for name, vspec in spec.variable:
        value = getattr(message, name)
        values: list[str]
        if vspec.repeated:
            values = list(value)
        elif value is None:
            values = [""] if (vspec.required or vspec.id in send_empty) else []
        else:
            values = [value]
        for v in values:
            if not isinstance(v, str):
                shown = type(v).__name__ if vspec.id in SECRET_FIELDS else repr(v)  # a secret stays unquoted
                raise CodecError(f"{name} ({vspec.id}): expected text, got {shown}")
            if forbidden(v):
                raise CodecError(f"{name} ({vspec.id}): '|', CR and LF cannot be sent in a SIP2 field")
        if values:
            pending.setdefault(vspec.id, []).extend(values)
    for field_id, v in message.extra:
        if len(field_id) != 2 or forbidden(field_id + v):
            raise CodecError(f"extra field {field_id!r}: not a two-character id with a clean value")
        pending.setdefault(field_id, []).append(v)

    if wire is None and not message.extra:  # built here, no extras: the specification's order
        parts += [f"{field_id}{v}|" for field_id, values in pending.items() for v in values]
        return "".join(parts)
    # The sender's order first (for a decoded message), then the specification's, then extras.
    order = list(wire.order) if wire is not None else []
    order += [vspec.id for _, vspec in spec.variable for _ in range(len(pending.get(vspec.id, ())))]
    order += [field_id for field_id, _ in message.extra]
    for field_id in order:
        queue = pending.get(field_id)
        if queue:
            parts.append(f"{field_id}{queue.pop(0)}|")
    return "".join(parts)


def _same_value(name: str, spec: FixedSpec, original: str, value: Any) -> bool:
    try:
        return parse_fixed(name, spec, original) == value
    except CodecError:
        return False


def encode(message: Message, *, encoding: str = "utf-8", sequence: int | None = None,
           error_detection: bool = False, terminator: bytes = b"\r",
           send_empty: Collection[str] = ()) -> bytes:
    """Encode a message to bytes ready for the wire.

    With `error_detection`, an `AY<sequence>AZ<checksum>` trailer is added (just `AZ...`
    when `sequence` is None, as 96 and 97 are sent); the checksum covers the encoded bytes.
    """
    text = ENCODERS[type(message)](message, send_empty)  # encode_text, one call fewer per message
    if text is None:
        text = _encode_text_general(message, send_empty)
    if text.isascii() and _CARRIES_SIP2[encoding]:
        data = text.encode("ascii")  # the same bytes, much faster than cp850's character map
    else:
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError as exc:
            raise CodecError(f"{message.NAME}: {_quote_span(text, exc.start, exc.end)} "
                             f"cannot be sent in {encoding}") from None
        except (UnicodeError, LookupError, TypeError) as exc:
            raise CodecError(f"{message.NAME}: cannot be encoded in {encoding!r} ({type(exc).__name__})") from None
    if error_detection:
        trailer = _TRAILERS.get(sequence)
        if trailer is None:
            raise CodecError(f"sequence number must be 0-9, got {sequence!r}")
        trailer_bytes, trailer_sum = trailer
        # Adler-32's high half is a multiple of 65536: it drops out of the checksum's 16 bits.
        value = -((adler32(data, 0) if len(data) <= _ADLER_EXACT else byte_sum(data)) + trailer_sum) & 0xFFFF
        return b"".join((data, trailer_bytes, _HEX_PAIRS[value >> 8], _HEX_PAIRS[value & 0xFF], terminator))
    if sequence is not None:
        raise CodecError("a sequence number is only sent with error detection on")
    return data + terminator


# The checksum's digits two at a time: quicker than formatting '%04X'.
_HEX_PAIRS = tuple(b"%02X" % n for n in range(256))
# What comes before the checksum, with its byte sum: 'AY<sequence>AZ', or 'AZ' alone (as 96 and 97 are sent).
_TRAILERS: dict[int | None, tuple[bytes, int]] = {
    sequence: (trailer, sum(trailer))
    for sequence, trailer in [(None, b"AZ"), *((n, b"AY%dAZ" % n) for n in range(10))]}


# --- decoding -----------------------------------------------------------------------------

def decode(data: bytes, *, encoding: str = "utf-8") -> Received:
    """Decode one framed message; a trailing CR/LF and a stray leading LF are ignored.

    Raises CodecError for anything that is not a SIP2 message this codec knows. The
    checksum is reported, not enforced: see `sip2.connection` for the per-connection policy.
    """
    raw = data
    data = data.lstrip(b"\n").rstrip(b"\r\n")
    if len(data) < 2:
        raise CodecError(f"too short to be a SIP2 message: {raw!r}")

    sequence: int | None = None
    checksum_state = "absent"
    body = data
    # The trailer is 'AY<digit>AZ<4 hex>' or 'AZ<4 hex>' at the very end (or a lone 'AY<digit>').
    # Single bytes are compared as numbers (65 'A', 89 'Y', 90 'Z'): no slice to make.
    size = len(data)
    digits: bytes | None = data[_DIGITS] if size >= 6 and data[-6] == 65 and data[-5] == 90 else None
    if digits is not None:
        head = data[_BEFORE_DIGITS]  # through 'AZ': what the checksum covers
        total = adler32(head, 0) if size <= _ADLER_EXACT + 4 else byte_sum(head)  # its high half drops out below
        expected = -total & 0xFFFF
        if digits == _HEX_PAIRS[expected >> 8] + _HEX_PAIRS[expected & 0xFF]:
            checksum_state = "ok"  # the usual upper-case digits, compared without reading them as a number
        elif _HEX_DIGITS.issuperset(digits):
            checksum_state = "ok" if int(digits, 16) == expected else "bad"
        else:
            digits = None  # not a trailer: 'AZ' and four characters of a value
    if digits is not None:
        if size >= 9 and data[-9] == 65 and data[-8] == 89 and data[-7] in _ASCII_DIGITS:
            body, sequence = data[_BEFORE_AY], data[-7] - 48
        else:
            body = data[_BEFORE_AZ]
    elif size >= 3 and data[-3] == 65 and data[-2] == 89 and data[-1] in _ASCII_DIGITS:
        body, sequence = data[:-3], data[-1] - 48

    warnings: tuple[str, ...] = ()
    try:
        try:
            if body.isascii() and _CARRIES_SIP2[encoding]:
                text = body.decode("ascii")  # the same text, without the character set's table
            else:
                text = _TEXT_DECODER[encoding](body)
        except UnicodeDecodeError as exc:
            warnings = (f"bytes not valid in {encoding} at offset {exc.start}; replaced",)
            text = body.decode(encoding, errors="replace")
    except LookupError:
        raise CodecError(f"unknown character set {encoding!r}") from None
    except (UnicodeError, TypeError):  # codecs such as idna or undefined refuse whole classes of input
        raise CodecError(f"cannot be decoded with {encoding!r}: not a character set for SIP2") from None
    if checksum_state == "bad" and digits is not None and _codepoint_checksum_matches(
            text, data[len(body):-4], digits):
        checksum_state = "ok"  # one real ACS sums characters, not bytes
        warnings += ("checksum computed over characters, not bytes",)

    try:
        message = _DECODER_BY_CODE[text[_CODE]](text)
    except (KeyError, CodecError):
        message = parse_text(text)  # the same reading again, for its precise error
    return _new_tuple(Received, (message, sequence, checksum_state, raw, warnings))  # Received(...), one call fewer


_new_tuple = tuple.__new__
# Slice objects made once (Python 3.11 builds one for every `[a:b]` it runs).
_DIGITS, _BEFORE_DIGITS, _BEFORE_AZ, _BEFORE_AY, _CODE = (
    slice(-4, None), slice(None, -4), slice(None, -6), slice(None, -9), slice(None, 2))


class _DecoderByCode(dict):
    """The generated decoder of each message code, looked up once: one dict lookup per message."""

    def __missing__(self, code: str) -> Any:
        decoder = self[code] = DECODERS[MESSAGES[code]]  # KeyError for a code no class has
        return decoder


_DECODER_BY_CODE = _DecoderByCode()


def _codepoint_checksum_matches(text: str, trailer_head: bytes, digits: bytes) -> bool:
    total = sum(map(ord, text)) + sum(trailer_head)
    return (total + int(digits, 16)) & 0xFFFF == 0


def parse_text(text: str) -> Message:
    """Build the typed message from its text (no trailer, no terminator)."""
    cls = MESSAGES.get(text[:2])
    if cls is None:
        raise CodecError(f"unknown SIP2 message code {text[:2]!r}")
    try:
        return DECODERS[cls](text)
    except CodecError:
        blanked = _blank_secrets(text)
        if blanked == text:
            raise
    # Same positions, secrets blanked: the same fault, reported without quoting a PIN.
    try:
        DECODERS[cls](blanked)
    except CodecError as exc:
        raise CodecError(re.sub(r"\*+", "***", str(exc))) from None  # nor its length
    raise CodecError(f"{cls.NAME} ({cls.CODE}): not a valid message")


# Where a PIN or password may be, whatever the layout: a secret field id and what follows it.
_SECRET_ANYWHERE = re.compile("(%s)([^|]*)" % "|".join(sorted(SECRET_FIELDS)))


def _blank_secrets(text: str) -> str:
    """`text` with every character that may belong to a secret replaced by '*', positions kept."""
    return _SECRET_ANYWHERE.sub(lambda m: m.group(1) + "*" * len(m.group(2)), text)


def _quote_span(text: str, start: int, end: int) -> str:
    """`text[start:end]` quoted for an error message, unless it may be part of a secret."""
    if _blank_secrets(text)[start:end] != text[start:end]:
        return "a character of a PIN or password"
    return repr(text[start:end])


def mask_secrets(data: bytes | str) -> str:
    """The message as text for a log, with PINs and passwords (AD, AC, CO) replaced by ***.

    Works on anything, including bytes that are not a valid message: when the layout is not
    known, or the fixed-length head is broken (short, holding a '|' or a secret field id),
    every AD/AC/CO up to the next '|' is masked wherever it is.
    """
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    text = text.rstrip("\r\n")
    cls = MESSAGES.get(text[:2])
    if cls is not None:
        head_len = 2 + spec_of(cls).fixed_width
        head, rest = text[:head_len], text[head_len:]
        if len(head) == head_len and "|" not in head and not _SECRET_ANYWHERE.search(head):
            pieces = rest.split("|")
            masked = [p[:2] + "***" if p[:2] in SECRET_FIELDS and len(p) > 2 else p for p in pieces]
            return head + "|".join(masked)
    return _SECRET_ANYWHERE.sub(lambda m: m.group(1) + "***", text)
