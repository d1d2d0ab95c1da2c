"""Whether a loan can be renewed, from what SIP2 carries before the patron tries.

A 17 (item information) gives the item's hold queue (CF) and circulation status; the 63's patron
status flags say whether the card may renew at all; a refused renewal earlier in the session says
why for that item (SIP2 has no field for the number of renewals, so a renewal limit is learned
that way). Pure: no I/O.
"""

from __future__ import annotations

from kiosk.core import wording
from kiosk.core.refusals import kiosk_words_for

RENEWAL_DENIED_FLAG = 1  # patron status position: "renewal privileges denied"

# Circulation statuses (17) of an item on loan that rule a renewal out.
STATUS_BLOCKS: dict[str, str] = {
    "07": wording.NO_RENEW_RECALLED,  # recalled
    "08": wording.NO_RENEW_ON_HOLD,  # waiting on the hold shelf (for someone)
    "11": wording.RENEW_REFUSED,  # claimed returned
    "12": wording.RENEW_REFUSED,  # lost
    "13": wording.RENEW_REFUSED,  # missing
}


def renewal_block(*, patron_status: str = "", hold_queue_length: str | None = None,
                  circulation_status: str = "", refused_before: str = "") -> str:
    """Why a loan cannot be renewed (a core message, or the ACS's words), or "" when it may be.

    `refused_before` is the reason a renewal of this loan was refused earlier in the session.
    """
    flags = patron_status.upper()
    if len(flags) > RENEWAL_DENIED_FLAG and flags[RENEWAL_DENIED_FLAG] == "Y":
        return wording.NO_RENEW_ACCOUNT
    if refused_before:
        return renewal_refusal(refused_before)
    if circulation_status in STATUS_BLOCKS:
        return STATUS_BLOCKS[circulation_status]
    if _count(hold_queue_length) > 0:
        return wording.NO_RENEW_ON_HOLD
    return ""


def renewal_refusal(acs_text: str) -> str:
    """A refused renewal's reason in the kiosk's words (the ACS's text when none fits); a hold
    means the loan stays with the patron until it is due, so it is not sent to staff."""
    ours = kiosk_words_for(acs_text)
    if ours == wording.ON_HOLD_FOR_OTHER:
        return wording.NO_RENEW_ON_HOLD
    return ours or acs_text


def _count(text: str | None) -> int:
    """A count field as sent; anything but digits counts as none."""
    text = (text or "").strip()
    return int(text) if text.isdigit() else 0
