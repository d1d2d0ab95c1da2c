"""How the core's records read on screen: pure functions from outcomes to display text.

No Kivy here, so the wording can be tested without a window. `tr` is the patron's gettext.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from kiosk.core.outcomes import Account, Action, Alert, ItemOutcome, LoanLine

Translate = Callable[[str], str]

# Alert texts as the patron reads them (the enum's values are for logs and staff).
ALERT_TEXT = {
    Alert.HOLD_FOR_OTHER: "This item is on hold for another patron. Please give it to staff.",
    Alert.GIVE_TO_STAFF: "Please give this item to staff.",
    Alert.MAGNETIC_MEDIA: "Magnetic media: keep it away from the security pad.",
    Alert.NOT_CHECKED_OUT: "This item was not checked out.",
    Alert.SECURITY_NOT_CHANGED: "The item's security tag could not be changed. Please see staff.",
    Alert.INCOMPLETE_SET: "Parts of this item are missing. Please put every part on the pad.",
    Alert.OUTCOME_UNKNOWN: "The library system did not confirm this. Please see staff.",
}


@dataclass(frozen=True)
class ItemLine:
    """One row of an item list: what it is, how it went, and the details under it."""

    item_id: str
    title: str
    status: str
    detail: str
    ok: bool
    warn: bool  # ok, but the patron must do something (a hold, give it to staff)


def due_date(moment: datetime | None, text: str, tr: Translate) -> str:
    """A due date in the patron's language's numeric form, or the ACS's own text."""
    if moment is not None:
        return moment.strftime(tr("%d/%m/%Y"))
    return text


def item_line(outcome: ItemOutcome, tr: Translate) -> ItemLine:
    """The row for one checkout, return or renewal."""
    title = outcome.title or tr("Item {id}").format(id=outcome.item_id)
    notes: list[str] = []
    if outcome.ok:
        status = {Action.CHECKOUT: tr("Checked out"), Action.CHECKIN: tr("Returned"),
                  Action.RENEW: tr("Renewed")}[outcome.action]
        due = due_date(outcome.due, outcome.due_text, tr)
        if due and outcome.action is not Action.CHECKIN:
            notes.append(tr("Due back {date}").format(date=due))
    else:
        status = {Action.CHECKOUT: tr("Not checked out"), Action.CHECKIN: tr("Not returned"),
                  Action.RENEW: tr("Not renewed")}[outcome.action]
        if outcome.reason:
            notes.append(tr(outcome.reason))  # the core's words translate; the ACS's pass through
    alerts = [a for a in outcome.alerts  # each thing said once:
              if not (a is Alert.GIVE_TO_STAFF and Alert.HOLD_FOR_OTHER in outcome.alerts)
              and not (a is Alert.OUTCOME_UNKNOWN and outcome.reason)]  # the reason says which
    notes.extend(tr(ALERT_TEXT[a]) for a in alerts)
    if not outcome.ok:
        notes.extend(outcome.screen_messages)  # the ACS's own words about a refusal
    # Sort bins are for staff (their list and the receipt): the patron reads one instruction.
    warn = outcome.ok and bool(outcome.alerts)
    return ItemLine(outcome.item_id, title, status, "\n".join(_without_repeats(notes)), outcome.ok, warn)


def _without_repeats(notes: list[str]) -> list[str]:
    """Drop notes that another note already says (the ACS and the alerts often overlap)."""
    def plain(text: str) -> str:
        return " ".join(text.lower().replace(":", ".").split()).rstrip(".")

    kept: list[str] = []
    for i, note in enumerate(notes):
        key = plain(note)
        if not key or any(key in plain(other) for j, other in enumerate(notes)
                          if j != i and (key != plain(other) or j < i)):
            continue
        kept.append(note)
    return kept


def loan_line(loan: LoanLine, tr: Translate) -> ItemLine:
    """A loan on the account or renew screen, with overdue ones marked."""
    due = due_date(loan.due, loan.due_text, tr)
    detail = tr("Due back {date}").format(date=due) if due else ""
    status = tr("Overdue") if loan.overdue else tr("On loan")
    return ItemLine(loan.item_id, loan.title or tr("Item {id}").format(id=loan.item_id), status,
                    detail, not loan.overdue, False)


def account_summary(account: Account, tr: Translate) -> list[str]:
    """The headline facts of an account: counts, holds ready, fines with their total."""
    lines = [tr("Loans: {count}").format(count=len(account.loans))]
    overdue = sum(1 for loan in account.loans if loan.overdue)
    if overdue:
        lines.append(tr("Overdue: {count}").format(count=overdue))
    if account.holds_ready:
        lines.append(tr("Ready for you to pick up: {count}").format(count=len(account.holds_ready)))
    if account.holds_waiting:
        lines.append(tr("Holds still waiting: {count}").format(count=len(account.holds_waiting)))
    if account.fine_total:
        lines.append(tr("Fines: {total}").format(total=f"{account.fine_total} {account.currency}".strip()))
    return lines
