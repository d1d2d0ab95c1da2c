"""What became of a queued transaction whose reply was lost, judged from a 17 item information reply.

Pure: a queue entry and an 18 reply in, a verdict out. The replayer asks this whenever an
entry may have reached the library system without its answer being recorded: after the
kiosk was killed while an entry was "sending", or when the client raised UnknownOutcome.

The rule, by kind (circulation status codes of the 18 reply), for an item the library system
names (a title or item properties given; an 18 about an item it does not know -> unknown):

- checkout: charged (04, 05) with a due date -> done (it went through); charged to another
  patron, when the ACS names the borrower (AA, which several ACSs add) -> unknown;
  on the shelf (03 available, 09 waiting to be re-shelved) -> resend (it did not go through);
  anything else -> unknown.
- checkin (return): available (03), waiting on the hold shelf (08), waiting to be re-shelved
  (09) or in transit (10) -> done; still charged (04, 05) -> resend; anything else -> unknown.
- renew: charged with a due date on the same day as the due date the patron was told offline
  (the no-block due date the replay sends) -> done; not charged, or charged to another
  patron -> resend (it cannot have applied; the ACS will answer for itself); charged with any
  other due date -> unknown (a renewal does not change the status, and renewing twice would
  use up a renewal).

Limits: plain SIP2's 18 does not say to whom an item is charged, so without AA a checkout is
judged done when the item is charged to anyone; if it was already on loan to someone else and
the lost checkout was never applied, the entry is wrongly marked done. Any transaction on the
same item made elsewhere (a staff desk) between the lost reply and this check can mislead it
the same way. A renewal whose new due date equals the old one is judged done even if it never
applied (the patron keeps the date they were told either way), and a return of an item that
was not on loan is judged done (the ACS would only have said so). Unknown outcomes are never
resent: they go to staff as refused entries saying which item to check by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sip2.dates import parse_due_date
from sip2.messages import ItemInformationResponse

from kiosk.storage.entries import EntryToSend, Kind

CHARGED = frozenset({"04", "05"})
ON_SHELF = frozenset({"03", "09"})
RETURNED = frozenset({"03", "08", "09", "10"})


class Verdict(StrEnum):
    """What to do with an entry whose outcome was in doubt."""

    DONE = "done"  # it was applied: record it as done, never send it again
    RESEND = "resend"  # it certainly was not applied: send it again
    UNKNOWN = "unknown"  # cannot tell: staff must check the item by hand


@dataclass(frozen=True)
class Reconciliation:
    """A verdict and the facts it rests on, in words for the log and the staff list."""

    verdict: Verdict
    explanation: str


def names_known_item(status: ItemInformationResponse | None) -> bool:
    """Whether the 17 is about an item the library knows (a title or item properties given)."""
    return status is not None and bool((status.title or "").strip() or (status.item_properties or "").strip())


def reconcile(entry: EntryToSend, status: ItemInformationResponse) -> Reconciliation:
    """Judge from the item's status whether `entry` was applied by the library system."""
    code = status.circulation_status
    facts = f"item {entry.item_id} has circulation status {code}"
    if status.item_id and status.item_id != entry.item_id:
        return Reconciliation(Verdict.UNKNOWN, f"asked about item {entry.item_id}, the library "
                                               f"system answered about {status.item_id}")
    if not names_known_item(status):  # a status of an item nobody knows proves nothing
        return Reconciliation(Verdict.UNKNOWN, f"{facts}, but the library system gave no title or "
                                               "properties: it may not know the item")
    borrower = dict(status.extra).get("AA")
    other_borrower = borrower is not None and borrower != entry.patron_id
    due = (status.due_date or "").strip()
    if entry.kind is Kind.CHECKOUT:
        if code in CHARGED and other_borrower:
            return Reconciliation(Verdict.UNKNOWN, f"{facts}, charged to another patron")
        if code in CHARGED and due:
            return Reconciliation(Verdict.DONE, f"{facts}, due {due}: the checkout went through")
        if code in ON_SHELF:
            return Reconciliation(Verdict.RESEND, f"{facts}: the checkout did not go through")
        return Reconciliation(Verdict.UNKNOWN, facts)
    if entry.kind is Kind.CHECKIN:
        if code in RETURNED:
            return Reconciliation(Verdict.DONE, f"{facts}: the return went through")
        if code in CHARGED:
            return Reconciliation(Verdict.RESEND, f"{facts}, still on loan: the return did not go through")
        return Reconciliation(Verdict.UNKNOWN, facts)
    if code not in CHARGED or other_borrower:
        return Reconciliation(Verdict.RESEND, f"{facts}, not on loan to this patron: the renewal "
                                              "cannot have applied")
    told = entry.due_date.date() if entry.due_date else None
    parsed = parse_due_date(status.due_date)
    if told is not None and parsed is not None and parsed.day == told:
        return Reconciliation(Verdict.DONE, f"{facts}, due {due} as the patron was told: the renewal "
                                            "went through")
    return Reconciliation(Verdict.UNKNOWN, f"{facts}, due {due or 'unknown'}")


def unknown_outcome_reason(entry: EntryToSend, explanation: str) -> str:
    """The reason staff read for an entry whose outcome could not be known."""
    return f"outcome unknown: check item {entry.item_id} by hand ({explanation})"
