"""Which character sets can carry SIP2, and a clear error for those that cannot.

SIP2 frames messages with ASCII bytes ('|', CR, LF, the two-letter field ids, the AZ
checksum over bytes). A character set can carry it only when every ASCII character is
that one byte both ways and no other character hides an ASCII byte inside its own bytes:
UTF-8, the ISO 8859 family, the DOS and Windows code pages, EUC. Shift-JIS, Big5 and GBK
(whose second bytes can be '|'), UTF-16, UTF-7, the ISO 2022 family and codecs such as
idna or punycode cannot.
"""

from __future__ import annotations

import codecs
import encodings
import encodings.aliases
import functools
import pkgutil
import sys
from collections.abc import Callable

from sip2.errors import CodecError

_ASCII_BYTES = bytes(range(128))
_ASCII_TEXT = _ASCII_BYTES.decode("ascii")
# ASCII text that a stateful or escaping codec reads as something else.
_ESCAPES = (b"\x1b$B", b"\x1b$A", b"\x1b(J", b"~{", b"+AGE-", b"\\u00e9", b"\\xe9", b"=E9")
COMMON = ("utf-8", "cp850", "latin-1", "cp1252", "iso8859-15", "ascii")


@functools.lru_cache(maxsize=256)
def carries_sip2(encoding: str) -> bool:
    """Whether `encoding` is a text encoding that keeps SIP2's ASCII framing intact."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        return False
    if not getattr(info, "_is_text_encoding", True) or info.name == "charmap":
        return False  # a bytes-to-bytes codec, or the bare machinery behind the code pages
    try:
        if _ASCII_TEXT.encode(encoding) != _ASCII_BYTES or _ASCII_BYTES.decode(encoding) != _ASCII_TEXT:
            return False
        if any(sample.decode(encoding) != sample.decode("ascii") for sample in _ESCAPES):
            return False
    except (UnicodeError, ValueError, TypeError):
        return False
    return not _swallows_ascii(encoding)


def _swallows_ascii(encoding: str) -> bool:
    """Whether a byte above 0x7F followed by an ASCII byte reads as one character."""
    for lead in range(0x80, 0x100):
        for trail in range(0x80):
            try:
                text = bytes((lead, trail)).decode(encoding)
            except (UnicodeError, ValueError):
                continue
            if not text.endswith(chr(trail)):
                return True
    return False


@functools.lru_cache(maxsize=256)
def text_decoder(encoding: str) -> Callable[[bytes], str]:
    """A function reading bytes as text in `encoding` (strictly), with the codec looked up once.

    `bytes.decode` looks the codec up on every call, which for a code page such as cp850
    costs as much as the decoding itself; UTF-8, Latin-1 and ASCII it reads without a
    lookup, so those keep it. Raises LookupError for an unknown character set.
    """
    info = codecs.lookup(encoding)
    if info.name in _READ_WITHOUT_LOOKUP or not getattr(info, "_is_text_encoding", True):
        return lambda data: data.decode(encoding)  # a bytes-to-bytes codec: bytes.decode refuses it
    decode = info.decode
    # A code page's module keeps its 256 characters in `decoding_table`: read with it directly,
    # one call fewer, when that reads all 256 bytes exactly as the codec does.
    owner = sys.modules.get(type(getattr(decode, "__self__", None)).__module__)
    table = getattr(owner, "decoding_table", None)
    every_byte = bytes(range(256))
    if isinstance(table, str) and codecs.charmap_decode(every_byte, "replace", table) == decode(every_byte, "replace"):
        charmap_decode = codecs.charmap_decode
        return lambda data: charmap_decode(data, "strict", table)[0]
    return lambda data: decode(data)[0]


_READ_WITHOUT_LOOKUP = frozenset(("utf-8", "iso8859-1", "ascii"))


@functools.lru_cache(maxsize=1)
def usable_encodings() -> tuple[str, ...]:
    """Every character set of this Python that can carry SIP2, by codec name."""
    names = set(encodings.aliases.aliases.values())
    names |= {module.name for module in pkgutil.iter_modules(encodings.__path__)}
    found = set()
    for name in names:
        if carries_sip2(name):
            found.add(codecs.lookup(name).name)
    return tuple(sorted(found))


def check_encoding(encoding: str) -> str:
    """`encoding` itself when it can carry SIP2; otherwise CodecError naming the allowed ones."""
    if carries_sip2(encoding):
        return encoding
    try:
        codecs.lookup(encoding)
        problem = f"character set {encoding!r} cannot carry SIP2 (it is not ASCII-compatible)"
    except (LookupError, TypeError, ValueError):
        problem = f"unknown character set {encoding!r}"
    raise CodecError(f"{problem}; use one of {', '.join(COMMON)} "
                     f"(or another ASCII-compatible one: {', '.join(usable_encodings())})")
