"""What a 17 (item information) proves about a checkout, return or renewal whose reply was lost.

Only positive evidence counts: the 17 must name an item the library knows (a title or item
properties) and show a status that settles the question. A 17 about an unknown item, or one
that could not be had at all, settles nothing, and the patron is sent to staff.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sip2.dates import parse_due_date
from sip2.messages import ItemInformationResponse

# The same statuses and the same test of a known item the replay of the offline queue judges
# by: charged (04, 05), and back in the library (available, on the hold shelf, waiting to be
# re-shelved, in transit).
from kiosk.storage.reconcile import CHARGED, RETURNED as NOT_ON_LOAN, names_known_item


class Evidence(enum.Enum):
    """What the 17 says about the transaction whose reply was lost."""

    DONE = "done"  # it went through
    NOT_DONE = "not done"  # it certainly did not
    UNSETTLED = "unsettled"  # nothing to go by: staff must look


def borrower(status: ItemInformationResponse) -> str | None:
    """The patron the item is charged to, when the ACS adds it (AA, an extension field)."""
    return (dict(status.extra).get("AA") or "").strip() or None


def after_checkout(status: ItemInformationResponse | None, patron_id: str) -> Evidence:
    """Checked out when the item is charged, to this patron wherever the ACS says to whom."""
    if not names_known_item(status):
        return Evidence.UNSETTLED
    assert status is not None
    if status.circulation_status in CHARGED:
        to = borrower(status)
        return Evidence.DONE if to is None or to == patron_id else Evidence.UNSETTLED
    if status.circulation_status in NOT_ON_LOAN:
        return Evidence.NOT_DONE
    return Evidence.UNSETTLED


def after_return(status: ItemInformationResponse | None) -> Evidence:
    """Returned only when a known item is no longer on loan; anything else is for staff."""
    if names_known_item(status) and status is not None and status.circulation_status in NOT_ON_LOAN:
        return Evidence.DONE
    return Evidence.UNSETTLED


def after_renewal(status: ItemInformationResponse | None, patron_id: str,
                  due_before: datetime | None) -> Evidence:
    """Renewed when the item is still charged (to this patron where the ACS says) and now falls
    due later than the due date the kiosk knew before; without that date nothing is proven."""
    if after_checkout(status, patron_id) is not Evidence.DONE or due_before is None:
        return Evidence.UNSETTLED
    assert status is not None
    due = parse_due_date(status.due_date)
    if due is None or due.moment is None:
        return Evidence.UNSETTLED
    return Evidence.DONE if _naive(due.moment) > _naive(due_before) else Evidence.UNSETTLED


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)
