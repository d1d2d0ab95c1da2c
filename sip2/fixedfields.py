"""Fixed-width fields: what each `Kind` of field looks like on the wire, both ways.

The codec's general path and the per-type functions of `sip2.codegen` both rest on these
two functions, so a kind's meaning is written down once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sip2.dates import format_transaction_date, parse_transaction_date
from sip2.errors import CodecError
from sip2.message import FixedSpec, Kind


def format_fixed(name: str, spec: FixedSpec, value: Any) -> str:
    """The characters of a fixed field holding `value`; raises CodecError naming the field."""
    kind, width = spec.kind, spec.width
    if kind is Kind.FLAG01:
        return "1" if value else "0"
    if kind is Kind.YN:
        return "Y" if value else "N"
    if kind is Kind.YNU:
        return "U" if value is None else ("Y" if value else "N")
    if kind is Kind.INT:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 10**width:
            raise CodecError(f"{name}: expected a whole number of at most {width} digits, got {value!r}")
        return f"{value:0{width}d}"
    if kind is Kind.DATE:
        if value is not None and not isinstance(value, datetime):
            raise CodecError(f"{name}: expected a datetime or None, got {value!r}")
        return format_transaction_date(value)
    if not isinstance(value, str) or len(value) != width:
        raise CodecError(f"{name}: expected exactly {width} characters, got {value!r}")
    if forbidden(value):
        raise CodecError(f"{name}: '|', CR and LF cannot be sent in a SIP2 field")
    return value


def forbidden(value: str) -> bool:
    """Whether a value holds a character that would break the framing ('|', CR, LF)."""
    return "|" in value or "\r" in value or "\n" in value


def parse_fixed(name: str, spec: FixedSpec, text: str) -> Any:
    """The value of a fixed field from its characters; raises CodecError naming the field."""
    return PARSERS[spec.kind](name, spec, text)


def _parse_flag01(name: str, spec: FixedSpec, text: str) -> bool:
    if text in "1Yy":
        return True
    if text in "0Nn ":
        return False
    raise CodecError(f"{name}: expected 0 or 1, got {text!r}")


def _parse_yn(name: str, spec: FixedSpec, text: str) -> bool:
    return text in "Yy"  # real ACSs send blanks and 'U' here; anything but Y means no


def _parse_ynu(name: str, spec: FixedSpec, text: str) -> bool | None:
    return True if text in "Yy" else False if text in "Nn" else None


def _parse_int(name: str, spec: FixedSpec, text: str) -> int:
    digits = text.strip()
    if not digits:
        return 0
    if not digits.isdigit() or not digits.isascii():
        raise CodecError(f"{name}: expected digits, got {text!r}")
    return int(digits)


def _parse_date(name: str, spec: FixedSpec, text: str) -> datetime | None:
    try:
        return parse_transaction_date(text)
    except CodecError as exc:
        raise CodecError(f"{name}: {exc}") from None


def _parse_text(name: str, spec: FixedSpec, text: str) -> str:
    return text


# How each kind is read: (field name, its spec, its characters) -> value, or CodecError.
PARSERS: dict[Kind, Callable[[str, FixedSpec, str], Any]] = {
    Kind.FLAG01: _parse_flag01, Kind.YN: _parse_yn, Kind.YNU: _parse_ynu,
    Kind.INT: _parse_int, Kind.DATE: _parse_date, Kind.TEXT: _parse_text,
}
