"""ISO/IEC 15962 compaction schemes used by ISO 28560-2 data sets (pure, bytes <-> str).

Facts relied on (ISO 28560-2 and its annexes, read through public copies):
- integer: a decimal string without leading zeros as an unsigned big-endian binary number;
- 5-, 6- and 7-bit: characters packed most significant bit first; 6-bit codes are the low
  six bits of the ASCII codes 0x20-0x5F; the last byte is completed with the leading bits
  of the 6-bit space code 100000 (worked example "QA268.L55" -> 1C B6 E2 E3 35 D6);
- owner ISIL (relative OID 3, compaction 0): a 5-bit upper/lower case alphabet and a 4-bit
  numeric set with latch and shift codes, padded with 1 bits (example "DE-Heu1" ->
  21 40 8E 16 BF 1F).
Assumptions where the text was not available: numeric compaction is 4-bit BCD with an odd
digit count completed by 0xF; 5-bit codes are the low five bits of 0x40-0x5F padded with
1 bits; 7-bit is padded with 1 bits.
"""

from __future__ import annotations

from kiosk.devices.tags.errors import TagFormatError

INTEGER, NUMERIC, FIVE_BIT, SIX_BIT, SEVEN_BIT, OCTET, UTF8 = 1, 2, 3, 4, 5, 6, 7
APPLICATION = 0


def _bits(data: bytes) -> str:
    return "".join(f"{byte:08b}" for byte in data)


def _to_bytes(bits: str, pad: str) -> bytes:
    missing = -len(bits) % 8
    bits += (pad * 8)[:missing]
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))


def encode_integer(text: str) -> bytes:
    """Integer compaction of a digit string without a leading zero."""
    if not text.isdigit() or not text.isascii() or (len(text) > 1 and text[0] == "0"):
        raise ValueError("integer compaction needs digits without a leading zero")
    value = int(text)
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def decode_integer(data: bytes) -> str:
    """Inverse of `encode_integer`."""
    if not data:
        raise TagFormatError("empty integer-compacted data")
    return str(int.from_bytes(data, "big"))


def encode_numeric(text: str) -> bytes:
    """Numeric compaction (4-bit digits, 0xF completing an odd count)."""
    if not text.isdigit() or not text.isascii():
        raise ValueError("numeric compaction needs digits")
    return _to_bytes("".join(f"{int(c):04b}" for c in text), "1")


def decode_numeric(data: bytes) -> str:
    """Inverse of `encode_numeric`."""
    nibbles = [n for byte in data for n in (byte >> 4, byte & 0x0F)]
    if nibbles and nibbles[-1] == 0xF:
        nibbles.pop()
    if not nibbles:
        raise TagFormatError("empty numeric-compacted data")
    if any(n > 9 for n in nibbles):
        raise TagFormatError(f"numeric-compacted data holds a non-digit nibble: {data.hex()}")
    return "".join(str(n) for n in nibbles)


_SIX_PAD = "100000"


def _packed_encode(text: str, width: int, first: int, last: int, pad: str) -> bytes:
    bits = []
    for char in text:
        code = ord(char)
        if not first <= code <= last:
            raise ValueError(f"{char!r} cannot be packed in {width} bits")
        bits.append(f"{code & ((1 << width) - 1):0{width}b}")
    return _to_bytes("".join(bits), pad)


def _packed_decode(data: bytes, width: int, base: int, pad: str) -> str:
    bits = _bits(data)
    count = len(bits) // width
    codes = [int(bits[i * width:(i + 1) * width], 2) for i in range(count)]
    tail = bits[count * width:]
    if tail and tail != (pad * 8)[:len(tail)]:
        raise TagFormatError(f"{width}-bit data ends with bad padding bits {tail}")
    # a whole trailing pad code only pads when the text alone would not have filled the bytes
    if codes and (len(bits) - width * (count - 1)) < 8 and f"{codes[-1]:0{width}b}" == pad[:width]:
        codes.pop()
    # 5- and 6-bit codes below 0x20 stand for ASCII 0x40-0x5F; the others are ASCII themselves
    chars = [chr(code | base if code < 0x20 else code) for code in codes]
    text = "".join(chars)
    if not text:
        raise TagFormatError(f"empty {width}-bit data")
    return text


def encode_5bit(text: str) -> bytes:
    """5-bit compaction (characters @, A-Z, [, \\, ], ^, _)."""
    return _packed_encode(text, 5, 0x40, 0x5F, "1")


def decode_5bit(data: bytes) -> str:
    """Inverse of `encode_5bit`."""
    return _packed_decode(data, 5, 0x40, "11111")


def encode_6bit(text: str) -> bytes:
    """6-bit compaction (ASCII 0x20-0x5F: space, digits, upper case, punctuation)."""
    return _packed_encode(text, 6, 0x20, 0x5F, _SIX_PAD)


def decode_6bit(data: bytes) -> str:
    """Inverse of `encode_6bit`."""
    return _packed_decode(data, 6, 0x40, _SIX_PAD)


def encode_7bit(text: str) -> bytes:
    """7-bit compaction (US-ASCII)."""
    return _packed_encode(text, 7, 0x00, 0x7F, "1")


def decode_7bit(data: bytes) -> str:
    """Inverse of `encode_7bit`."""
    return _packed_decode(data, 7, 0, "1111111")


# ---- owner ISIL: 5-bit upper/lower case and 4-bit numeric sets with latch and shift ----
_UPPER = ["-"] + [chr(c) for c in range(ord("A"), ord("Z") + 1)] + [":"]
_LOWER = ["-"] + [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["/"]
_DIGITS = [str(d) for d in range(10)] + ["-", ":"]
# control codes per set: (latch, shift) towards each other set
_CONTROLS = {
    "upper": {"lower": (28, 29), "numeric": (30, 31)},
    "lower": {"upper": (28, 29), "numeric": (30, 31)},
    "numeric": {"upper": (12, 13), "lower": (14, 15)},
}
_TABLES = {"upper": _UPPER, "lower": _LOWER, "numeric": _DIGITS}
_WIDTH = {"upper": 5, "lower": 5, "numeric": 4}


def _set_of(char: str, current: str) -> str:
    if char in _TABLES[current]:
        return current
    for name in ("upper", "lower", "numeric"):
        if char in _TABLES[name]:
            return name
    raise ValueError(f"{char!r} cannot appear in an ISIL")


def encode_isil(isil: str) -> bytes:
    """The owner-ISIL compaction: start in upper case, latch for runs, shift for one character."""
    bits = []
    mode = "upper"
    for i, char in enumerate(isil):
        target = _set_of(char, mode)
        if target != mode:
            following = isil[i + 1:i + 2]
            latch, shift = _CONTROLS[mode][target]
            if following and following in _TABLES[target] and following not in _TABLES[mode]:
                bits.append(f"{latch:0{_WIDTH[mode]}b}")
                mode_after = target
            else:
                bits.append(f"{shift:0{_WIDTH[mode]}b}")
                mode_after = mode
            bits.append(f"{_TABLES[target].index(char):0{_WIDTH[target]}b}")
            mode = mode_after
        else:
            bits.append(f"{_TABLES[mode].index(char):0{_WIDTH[mode]}b}")
    if not bits:
        raise ValueError("an ISIL cannot be empty")
    return _to_bytes("".join(bits), "1")


def decode_isil(data: bytes) -> str:
    """Inverse of `encode_isil`; trailing 1 bits shorter than a byte are padding."""
    bits = _bits(data)
    pos, mode, shifted_from = 0, "upper", None
    chars = []
    while pos < len(bits):
        rest = bits[pos:]
        if len(rest) < 8 and set(rest) == {"1"}:
            break
        width = _WIDTH[mode]
        if len(rest) < width:
            raise TagFormatError(f"ISIL data ends inside a character: {rest}")
        code = int(rest[:width], 2)
        pos += width
        table = _TABLES[mode]
        if code < len(table):
            chars.append(table[code])
            if shifted_from:
                mode, shifted_from = shifted_from, None
            continue
        for target, (latch, shift) in _CONTROLS[mode].items():
            if code == latch:
                mode, shifted_from = target, None
                break
            if code == shift:
                shifted_from, mode = shifted_from or mode, target
                break
    if not chars:
        raise TagFormatError("empty ISIL")
    return "".join(chars)
