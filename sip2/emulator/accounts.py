"""A patron's standing: loans, holds and fines at one moment, the status flags, and whether
the account may borrow at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sip2.emulator.policy import Policy
from sip2.emulator.records import Fine, Hold, Loan, Patron, Records

UNKNOWN_PATRON = "Unknown library card. Please see staff."
WRONG_PIN = "Wrong PIN. Please try again."
UNKNOWN_PATRON_STATUS = "YYYY" + " " * 10  # charge, renewal, recall and hold denied


@dataclass(frozen=True)
class PatronState:
    """What the rules need to know about a patron at one moment."""

    patron: Patron
    loans: list[Loan]  # soonest due first
    holds: list[Hold]  # oldest first
    fines: list[Fine]  # unpaid only, oldest first
    now: datetime

    @property
    def owed_cents(self) -> int:
        """Total of the unpaid fines."""
        return sum(f.owed_cents for f in self.fines)

    @property
    def expired(self) -> bool:
        """Whether the card's expiry date has passed."""
        return self.patron.expires < self.now.date()

    @property
    def overdue(self) -> list[Loan]:
        """Loans whose due date has passed."""
        return [loan for loan in self.loans if loan.due < self.now]


def patron_state(db: Records, patron: Patron, now: datetime) -> PatronState:
    """Read a patron's loans, holds and unpaid fines."""
    loans = db.find(Loan, "patron_id = ?", (patron.id,), order="due, id")
    holds = db.find(Hold, "patron_id = ?", (patron.id,), order="placed, id")
    fines = db.find(Fine, "patron_id = ? AND amount_cents > paid_cents", (patron.id,))
    return PatronState(patron, loans, holds, fines, now)


def status_flags(state: PatronState, policy: Policy) -> str:
    """The 14 patron status flags; a 'Y' denies a privilege, a blank allows it."""
    p, flags = state.patron, [" "] * 14
    barred = p.blocked or p.card_lost or state.expired
    too_much_owed = state.owed_cents > policy.fine_limit_cents
    at_limit = len(state.loans) >= p.loan_limit
    if barred or too_much_owed or at_limit:
        flags[0] = "Y"  # charge privileges denied
    if barred or too_much_owed:
        flags[1] = flags[2] = "Y"  # renewal, recall
    if barred or len(state.holds) >= policy.hold_limit:
        flags[3] = "Y"  # hold privileges denied
    if p.card_lost:
        flags[4] = "Y"
    if at_limit:
        flags[5] = "Y"  # too many items charged
    if len(state.overdue) > policy.overdue_limit:
        flags[6] = "Y"
    if too_much_owed:
        flags[10] = "Y"  # excessive outstanding fines
    return "".join(flags)


def account_refusal(state: PatronState, policy: Policy) -> str | None:
    """Why this patron may not borrow, renew or place holds at all, or None."""
    p = state.patron
    if p.card_lost:
        return "This card has been reported lost. Please see staff."
    if p.blocked:
        return f"Your account is blocked: {p.block_message or 'please see staff'}."
    if state.expired:
        return f"Your library card expired on {p.expires.isoformat()}. Please see staff to renew it."
    if state.owed_cents > policy.fine_limit_cents:
        return (f"You owe {policy.money(state.owed_cents)} {policy.currency}, more than "
                f"{policy.money(policy.fine_limit_cents)}. Please pay before borrowing.")
    return None


def pin_wrong(patron: Patron, pin: str | None) -> bool:
    """Whether a PIN was given (non-empty) and does not match; an absent PIN is not checked."""
    return bool(pin) and pin != patron.pin
