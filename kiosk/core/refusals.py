"""The library's own words for what library systems say when they refuse something.

ACS texts differ from one system to the next ("Invalid Item", "Unknown item. Please see staff.",
"Item not checked out to ..."); the kiosk says the common ones the same way in every language.
A text that matches nothing here is shown as the library system wrote it. Pure: no I/O.
"""

from __future__ import annotations

import re

from kiosk.core import wording

# First match wins: specific patterns before general ones. Matched anywhere, ignoring case.
ACS_REFUSALS: tuple[tuple[str, str], ...] = (
    (r"already (checked out|on loan) to you", wording.ITEM_ALREADY_YOURS),
    (r"not (checked out|on loan) to|not charged to", wording.ITEM_NOT_YOURS),
    (r"(checked out|on loan|charged) to (another|someone)", wording.ITEM_OUT_TO_OTHER),
    (r"not (checked out|on loan|charged)\b", wording.NOT_CHECKED_OUT),
    (r"hold for another|hold shelf for another|reserved for another|(is|on) hold\b|holds? (exist|pending)",
     wording.ON_HOLD_FOR_OTHER),
    (r"invalid item|unknown item|item (not found|does not exist)|no such item|bad item", wording.ITEM_UNKNOWN),
    (r"not for loan|non-?circulating|library use only|(use )?in the library only|reference only|not loanable",
     wording.NOT_FOR_LOAN),
    (r"item (is |was |has been )?(recorded |marked |reported )?(as )?(lost|missing)", wording.ITEM_LOST),
    (r"renew\w* (limit|max)|renewed \w+ times|max\w* renewals|too many renewals|no more renewals",
     wording.RENEWAL_LIMIT),
    (r"overdue\b.*\brenew|renew\w*\b.*\boverdue", wording.NO_RENEW_OVERDUE),
    (r"limit of \d+ holds|hold limit|too many holds", wording.HOLD_LIMIT),
    (r"limit of \d+ items|too many items|max\w* (items|checkouts|loans)|checkout limit",
     wording.TOO_MANY_ITEMS),
    (r"card (is |was |has been )?(reported )?lost|lost card", wording.CARD_LOST),
    (r"expired", wording.CARD_EXPIRED),
    (r"fines?\b|fees?\b|owes?\b|outstanding", wording.TOO_MANY_FINES),
    (r"blocked|barred|suspended|privileges denied", wording.CARD_BLOCKED),
    (r"wrong pin|invalid (pin|password)|incorrect (pin|password)|bad password", wording.WRONG_PIN),
    (r"unknown (library )?card|invalid (patron|card|user)|(patron|user) not found|unknown patron",
     wording.CARD_UNKNOWN),
)

# SIP2 patron status flags (positions in the 24/64 reply's 14 characters) that bar a card,
# with what the patron is told; the first set flag in this order decides.
BLOCKING_FLAGS: tuple[tuple[int, str], ...] = (
    (4, wording.CARD_LOST),  # card reported lost
    (0, wording.CARD_BLOCKED),  # charge privileges denied
)

_COMPILED = tuple((re.compile(pattern, re.IGNORECASE), message) for pattern, message in ACS_REFUSALS)


def kiosk_words_for(acs_text: str) -> str | None:
    """The kiosk's own sentence for a library system's refusal text, or None when none fits."""
    for pattern, message in _COMPILED:
        if pattern.search(acs_text):
            return message
    return None


def card_refusal(patron_status: str) -> str | None:
    """What to tell a patron whose card the SIP2 patron status bars (None: it does not bar it)."""
    flags = patron_status.upper()
    for position, message in BLOCKING_FLAGS:
        if position < len(flags) and flags[position] == "Y":
            return message
    return None
