"""What the rules ask about an item: its loan, who is first in its hold queue, whether it may
be lent, and when a loan of it falls due."""

from __future__ import annotations

from datetime import datetime, timedelta

from sip2.emulator.policy import Policy
from sip2.emulator.records import Hold, Item, Loan, Records

UNKNOWN_ITEM = "Unknown item. Please see staff."
ON_HOLD_FOR_OTHER = "This item is on hold for another patron."


HOLD_ORDER = "ready DESC, placed, id"  # one waiting on the hold shelf first, then the oldest


def loan_of(db: Records, item_id: str) -> Loan | None:
    """The item's current loan, or None."""
    return db.first(Loan, "item_id = ?", (item_id,))


def first_hold(db: Records, item_id: str) -> Hold | None:
    """The hold first in line for an item: one waiting on the hold shelf, else the oldest."""
    return db.first(Hold, "item_id = ?", (item_id,), order=HOLD_ORDER)


def hold_queue(db: Records, item_id: str) -> list[Hold]:
    """Every hold on the item, first in line first."""
    return db.find(Hold, "item_id = ?", (item_id,), order=HOLD_ORDER)


def item_refusal(item: Item, patron_id: str, first: Hold | None) -> str | None:
    """Why this item may not be lent to this patron now, or None (its loan is checked apart);
    `first` is the hold first in line for it."""
    if item.lost:
        return "This item is recorded as lost. Please see staff."
    if not item.circulates:
        return "This item is for use in the library only."
    if first is not None and first.patron_id != patron_id:
        return ON_HOLD_FOR_OTHER
    return None


def due_date(policy: Policy, item: Item, start: datetime) -> datetime:
    """End of the last day of the loan period for this item's media type."""
    day = start.date() + timedelta(days=policy.loan_period(item.media_type))
    return datetime.combine(day, datetime.max.time()).replace(microsecond=0)
