"""What the core tells the screens and the receipt: plain records, in the library's words."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Alert(enum.Enum):
    """Something the patron or staff must be told about an item."""

    HOLD_FOR_OTHER = "on hold for another patron"
    GIVE_TO_STAFF = "please give this item to staff"
    MAGNETIC_MEDIA = "magnetic media: keep away from the security pad"
    NOT_CHECKED_OUT = "this item was not checked out"
    SECURITY_NOT_CHANGED = "the item's security could not be changed: please see staff"
    INCOMPLETE_SET = "parts of this item are missing"
    OUTCOME_UNKNOWN = "the library system did not confirm this: please see staff"


class Action(enum.Enum):
    """The circulation transactions a patron can make."""

    CHECKOUT = "checkout"
    CHECKIN = "checkin"
    RENEW = "renew"


@dataclass(frozen=True)
class ItemOutcome:
    """The result of one transaction on one item, for the screen and the receipt."""

    action: Action
    item_id: str
    ok: bool
    title: str = ""
    due: datetime | None = None
    due_text: str = ""  # the due date as the library system wrote it
    reason: str = ""  # why it was refused, in the library system's words when it gave some
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()
    alerts: tuple[Alert, ...] = ()
    sort_bin: str = ""
    offline: bool = False  # stored to be sent when the library system is back
    repeat: bool = False  # the same item again: this is the earlier result, nothing was sent
    timestamp: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))


@dataclass(frozen=True)
class LoanLine:
    """One item on a patron's account."""

    item_id: str
    title: str = ""
    due: datetime | None = None
    due_text: str = ""
    overdue: bool = False
    renew_block: str = ""  # why the kiosk knows it cannot be renewed (a core message); empty: it may be


@dataclass(frozen=True)
class HoldLine:
    """One of the patron's holds: ready on the hold shelf or still waiting."""

    item_id: str  # the library system's id for the hold (usually the item's barcode)
    title: str = ""
    ready: bool = False
    pickup_by: datetime | None = None


@dataclass(frozen=True)
class FineLine:
    """One fine or fee, as the patron reads it: what kind, for which item, how much."""

    kind: str  # a core message for the usual kinds ("Overdue"), else the library system's words
    amount: str = ""  # as the library system wrote it ("2.40"); empty when it gave none
    title: str = ""
    item_id: str = ""


@dataclass(frozen=True)
class Account:
    """What a patron sees under "my account"."""

    patron_id: str
    name: str
    loans: tuple[LoanLine, ...] = ()
    holds_ready: tuple[HoldLine, ...] = ()
    holds_waiting: tuple[HoldLine, ...] = ()
    fines: tuple[FineLine, ...] = ()
    fine_total: str = ""
    currency: str = ""
    email: str = ""
    screen_messages: tuple[str, ...] = ()


class LoginStatus(enum.Enum):
    """How a log-in attempt ended."""

    OK = "ok"
    NEED_PIN = "need pin"
    REFUSED = "refused"


@dataclass(frozen=True)
class LoginResult:
    """The answer to a card scan or a typed card number (with its PIN)."""

    status: LoginStatus
    patron_id: str = ""
    name: str = ""
    reason: str = ""
    screen_messages: tuple[str, ...] = ()
    offline: bool = False
    email: str = ""


# --- what a scan came to, for the app ------------------------------------------------------

class Mode(enum.Enum):
    """What an item scan means right now."""

    CHECKOUT = "checkout"
    RETURN = "return"


@dataclass(frozen=True)
class TechnicianCard:
    """A technician card was scanned: the app asks for the technician PIN."""

    card: str


@dataclass(frozen=True)
class NotUnderstood:
    """A scan that is neither a card nor an item; `reason` says why, for the patron."""

    text: str
    reason: str


ScanResult = LoginResult | ItemOutcome | TechnicianCard | NotUnderstood
