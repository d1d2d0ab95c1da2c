"""14-digit library barcodes: type digit, 4-digit institution, 8-digit serial, check digit."""

from __future__ import annotations

PATRON_TYPE = "2"
ITEM_TYPE = "3"


def check_digit(digits: str) -> str:
    """The Luhn-style check digit of 13 digits.

    Every other digit is doubled starting from the first, the digits of the products are
    added up, and the check digit brings the total to a multiple of ten.
    """
    if len(digits) != 13 or not digits.isdigit() or not digits.isascii():
        raise ValueError(f"expected 13 digits, got {digits!r}")
    total = 0
    for position, char in enumerate(digits):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value // 10 + value % 10
    return str((10 - total % 10) % 10)


def is_valid(barcode: str) -> bool:
    """Whether a 14-digit barcode ends in the right check digit."""
    if len(barcode) != 14 or not barcode.isdigit() or not barcode.isascii():
        return False
    return check_digit(barcode[:13]) == barcode[13]


def make_barcode(kind: str, institution: int, serial: int) -> str:
    """A barcode of `kind` ("2" patron, "3" item) for an institution number and serial."""
    if kind not in (PATRON_TYPE, ITEM_TYPE):
        raise ValueError(f"barcode type must be 2 (patron) or 3 (item), got {kind!r}")
    if not 0 <= institution < 10**4 or not 0 <= serial < 10**8:
        raise ValueError(f"institution must fit 4 digits and serial 8: {institution}, {serial}")
    body = f"{kind}{institution:04d}{serial:08d}"
    return body + check_digit(body)
