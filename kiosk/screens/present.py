"""How the core's records read on screen: pure functions from outcomes to display text.

No Kivy here, so the wording can be tested without a window. `words` is the patron's
`kiosk.i18n.Words`: their language, and dates and money in their locale's form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from kiosk.core import wording
from kiosk.core.outcomes import Account, Action, Alert, FineLine, HoldLine, ItemOutcome, LoanLine
from kiosk.core.refusals import kiosk_words_for
from kiosk.core.wording import N_
from kiosk.i18n import Words
from kiosk.screens.marks import ATTENTION, DONE, REFUSED, SAVED, UNCONFIRMED

# Alert texts as the patron reads them (the enum's values are for logs and staff).
ALERT_TEXT = {
    Alert.HOLD_FOR_OTHER: wording.ON_HOLD_FOR_OTHER,
    Alert.GIVE_TO_STAFF: N_("Please give this item to staff."),
    Alert.MAGNETIC_MEDIA: N_("Magnetic media: keep it away from the security pad."),
    Alert.NOT_CHECKED_OUT: wording.NOT_CHECKED_OUT,
    Alert.SECURITY_NOT_CHANGED: N_("The item's security tag could not be changed. Please see staff."),
    Alert.INCOMPLETE_SET: N_("Parts of this item are missing. Please put every part on the pad."),
    Alert.OUTCOME_UNKNOWN: N_("The library system did not confirm this. Please see staff."),
}


def outcome_mark(outcome: ItemOutcome) -> str:
    """The mark an item row shows for one checkout, return or renewal."""
    if Alert.OUTCOME_UNKNOWN in outcome.alerts:
        return UNCONFIRMED
    if not outcome.ok:
        return REFUSED
    if outcome.alerts:
        return ATTENTION
    return SAVED if outcome.offline else DONE


@dataclass(frozen=True)
class ItemLine:
    """One row of an item list: what it is, how it went, and the details under it."""

    item_id: str
    title: str
    status: str
    detail: str
    ok: bool
    warn: bool  # ok, but the patron must do something (a hold, give it to staff)
    mark: str = ""  # the row's outcome mark (kiosk.screens.marks); none for loans, holds and fines


def due_date(moment: datetime | None, text: str, words: Words) -> str:
    """A due date with its weekday in the patron's locale, or the ACS's own text."""
    if moment is not None:
        return words.date(moment)
    return text


def item_line(outcome: ItemOutcome, words: Words) -> ItemLine:
    """The row for one checkout, return or renewal."""
    title = outcome.title or words.barcode(outcome.item_id)
    notes: list[str] = []
    if outcome.ok:
        status = {Action.CHECKOUT: words("Checked out"), Action.CHECKIN: words("Returned"),
                  Action.RENEW: words("Renewed")}[outcome.action]
        due = due_date(outcome.due, outcome.due_text, words)
        if due and outcome.action is not Action.CHECKIN:
            notes.append(words("Due back {date}").format(date=due))
    else:
        status = {Action.CHECKOUT: words("Not checked out"), Action.CHECKIN: words("Not returned"),
                  Action.RENEW: words("Not renewed")}[outcome.action]
        if outcome.reason:
            notes.append(words.say(outcome.reason))  # in the kiosk's words when it knows the refusal
    reason_sends_to_staff = "staff" in (kiosk_words_for(outcome.reason) or outcome.reason)
    alerts = [a for a in outcome.alerts  # each thing said once:
              if not (a is Alert.GIVE_TO_STAFF and (Alert.HOLD_FOR_OTHER in outcome.alerts
                                                    or (not outcome.ok and reason_sends_to_staff)))
              and not (a is Alert.OUTCOME_UNKNOWN and outcome.reason)]  # the reason says which
    notes.extend(words(ALERT_TEXT[a]) for a in alerts)
    # A refusal's screen messages are its reason, already said above in the patron's language.
    # Sort bins are for staff (their list and the receipt): the patron reads one instruction.
    warn = outcome.ok and bool(outcome.alerts)
    return ItemLine(outcome.item_id, title, status, "\n".join(_without_repeats(notes)), outcome.ok, warn,
                    outcome_mark(outcome))


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


def loan_line(loan: LoanLine, words: Words) -> ItemLine:
    """A loan on the account or renew screen, with overdue ones marked."""
    due = due_date(loan.due, loan.due_text, words)
    detail = words("Due back {date}").format(date=due) if due else ""
    status = words("Overdue") if loan.overdue else words("On loan")
    return ItemLine(loan.item_id, loan.title or words.barcode(loan.item_id), status,
                    detail, not loan.overdue, False)


def renewable_text(loan: LoanLine, words: Words) -> str:
    """A loan the patron may choose to renew: title, due date, overdue marked."""
    line = loan_line(loan, words)
    return f"{line.title}\n{line.detail}" + (f" - {line.status}" if loan.overdue else "")


def not_renewable_line(loan: LoanLine, words: Words) -> ItemLine:
    """A loan the kiosk knows cannot be renewed: not to choose, with the reason under it."""
    line = loan_line(loan, words)
    detail = "\n".join(filter(None, (line.detail, words.say(loan.renew_block))))
    return ItemLine(loan.item_id, line.title, words("Cannot be renewed"), detail, True, True)


def hold_line(hold: HoldLine, words: Words) -> ItemLine:
    """A hold on the account page: ready ones with the day to pick them up by."""
    detail = ""
    if hold.ready and hold.pickup_by is not None:
        detail = words("Pick up by {date}").format(date=words.date(hold.pickup_by))
    status = words("Ready for pickup") if hold.ready else words("Waiting")
    return ItemLine(hold.item_id, hold.title or hold.item_id, status, detail, True, hold.ready)


def fine_text(fine: FineLine, currency: str, words: Words) -> str:
    """A fine as the patron reads it: "Overdue: The Golden Forest, 2,40 $" (no fee id, no barcode)."""
    kind = words(fine.kind)
    amount = words.money(fine.amount, currency) if fine.amount else ""
    if fine.title and amount:
        return words(N_("{kind}: {title}, {amount}")).format(kind=kind, title=fine.title, amount=amount)
    if fine.title:
        return words(N_("{kind}: {title}")).format(kind=kind, title=fine.title)
    if amount:
        return words(N_("{kind}, {amount}")).format(kind=kind, amount=amount)
    return kind


def account_summary(account: Account, words: Words) -> list[str]:
    """The headline facts of an account: counts, holds ready, fines with their total."""
    # One form in English, as labels; languages whose words change with the number have theirs.
    lines = [words.plural("Loans: {count}", "Loans: {count}", len(account.loans))]
    overdue = sum(1 for loan in account.loans if loan.overdue)
    if overdue:
        lines.append(words.plural("Overdue: {count}", "Overdue: {count}", overdue))
    if account.holds_ready:
        lines.append(words.plural("Ready for you to pick up: {count}", "Ready for you to pick up: {count}",
                                  len(account.holds_ready)))
    if account.holds_waiting:
        lines.append(words.plural("Holds still waiting: {count}", "Holds still waiting: {count}",
                                  len(account.holds_waiting)))
    if _owes(account.fine_total):
        lines.append(words("Fines: {total}").format(total=words.money(account.fine_total, account.currency)))
    return lines


def _owes(amount: str) -> bool:
    """Whether a fine total is worth saying: not empty and not zero (ACSs send "0.00" for no fines)."""
    try:
        return Decimal(amount.strip()) != 0
    except InvalidOperation:
        return bool(amount.strip())
