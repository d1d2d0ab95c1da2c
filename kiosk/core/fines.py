"""Fines as the patron reads them: the 63's fine items (AV) taken apart into kind, amount and item.

SIP2 leaves the text of a fine item to the library system: the emulator writes
"5: 2.40 Overdue (30001000000622)" (its fee id, the amount, the kind, the item), Evergreen
"Computer Time". The fee id is for staff and never shown; the item becomes its title. Pure: no I/O.
"""

from __future__ import annotations

import re

from kiosk.core.outcomes import FineLine
from kiosk.core.wording import N_

# The usual kinds of fee, said the kiosk's way; first match wins, anything else keeps the ACS's words.
FEE_KINDS: tuple[tuple[str, str], ...] = (
    (r"overdue|late|fine\b", N_("Overdue")),
    (r"damage", N_("Damage")),
    (r"lost|replace", N_("Replacement")),
    (r"print|cop(y|ies)", N_("Printing")),
    (r"hold|reserv", N_("Hold fee")),
    (r"rental|hire", N_("Rental")),
    (r"process", N_("Processing fee")),
    (r"computer|internet", N_("Computer use")),
)

_KINDS = tuple((re.compile(pattern, re.IGNORECASE), kind) for pattern, kind in FEE_KINDS)
_FEE_ID = re.compile(r"^\s*\d+\s*:\s*")  # the library system's own number for the fee
_ITEM = re.compile(r"\(\s*([0-9A-Za-z-]{6,})\s*\)")  # the item's barcode, in brackets
_AMOUNT = re.compile(r"(?<![\w.,])[$€£]?\s?(\d{1,7}(?:[.,]\d{1,2})?)(?![\w.,])")


def parse_fine(text: str) -> FineLine:
    """One AV fine item as kind, amount and item id (the title is the caller's to find)."""
    rest = _FEE_ID.sub("", text, count=1)
    item = _ITEM.search(rest)
    item_id = item.group(1) if item else ""
    if item:
        rest = rest[:item.start()] + rest[item.end():]
    amount = _AMOUNT.search(rest)
    value = amount.group(1).replace(",", ".") if amount else ""
    if amount:
        rest = rest[:amount.start()] + rest[amount.end():]
    description = " ".join(rest.split()).strip(" -:,")
    return FineLine(kind=fee_kind(description), amount=value, item_id=item_id)


def fee_kind(description: str) -> str:
    """The kiosk's word for a kind of fee, or the library system's description when none fits."""
    for pattern, kind in _KINDS:
        if pattern.search(description):
            return kind
    return description or N_("Fee")
