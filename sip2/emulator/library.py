"""Read access to the emulated library for tests and technicians: plain records, no sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from sip2.emulator.demo_data import DEMO, DemoIds
from sip2.emulator.store import Fine, Hold, Item, Loan, Patron, Store, Transaction


@dataclass(frozen=True)
class PatronRecord:
    """A patron as the library sees them now."""

    id: str
    name: str
    pin: str
    email: str | None
    expires: date
    blocked: bool
    block_message: str | None
    card_lost: bool
    loan_limit: int
    loans: tuple[str, ...]  # item ids
    owed_cents: int


@dataclass(frozen=True)
class ItemRecord:
    """An item as the library sees it now."""

    id: str
    title: str
    media_type: str
    magnetic: bool
    location: str
    part: int
    parts: int
    properties: str | None
    circulates: bool
    lost: bool
    to_staff: bool
    sort_bin: str | None


@dataclass(frozen=True)
class HoldRecord:
    """A patron's place in an item's hold queue."""

    patron_id: str
    ready: bool
    pickup_location: str | None


@dataclass(frozen=True)
class TransactionRecord:
    """One line of the transaction log."""

    at: datetime
    transaction_date: datetime | None
    code: str
    patron_id: str | None
    item_id: str | None
    ok: bool
    no_block: bool
    detail: str


class Library:
    """Read-only view of the emulator's database; each call reads the current state."""

    demo: DemoIds = DEMO

    def __init__(self, store: Store) -> None:
        self._store = store

    def loan_of(self, item_id: str) -> tuple[str, datetime] | None:
        """(patron id, due date) of the item's loan, or None when it is not on loan."""
        with self._store.session() as session:
            loan = session.scalar(select(Loan).where(Loan.item_id == item_id))
            return (loan.patron_id, loan.due) if loan else None

    def renewals_of(self, item_id: str) -> int | None:
        """How many times the item's current loan was renewed, or None when not on loan."""
        with self._store.session() as session:
            loan = session.scalar(select(Loan).where(Loan.item_id == item_id))
            return loan.renewals if loan else None

    def patron(self, patron_id: str) -> PatronRecord | None:
        """The patron with that card barcode, or None."""
        with self._store.session() as session:
            p = session.get(Patron, patron_id)
            if p is None:
                return None
            loans = tuple(session.scalars(select(Loan.item_id).where(Loan.patron_id == p.id)
                                          .order_by(Loan.item_id)))
            owed = sum(f.owed_cents for f in session.scalars(select(Fine).where(Fine.patron_id == p.id)))
            return PatronRecord(p.id, p.name, p.pin, p.email, p.expires, p.blocked, p.block_message,
                                p.card_lost, p.loan_limit, loans, owed)

    def item(self, item_id: str) -> ItemRecord | None:
        """The item with that barcode, or None."""
        with self._store.session() as session:
            i = session.get(Item, item_id)
            if i is None:
                return None
            return ItemRecord(i.id, i.title, i.media_type, i.magnetic, i.location, i.part, i.parts,
                              i.properties, i.circulates, i.lost, i.to_staff, i.sort_bin)

    def holds_on(self, item_id: str) -> list[HoldRecord]:
        """The item's hold queue, first in line first."""
        with self._store.session() as session:
            holds = session.scalars(select(Hold).where(Hold.item_id == item_id)
                                    .order_by(Hold.ready.desc(), Hold.placed, Hold.id))
            return [HoldRecord(h.patron_id, h.ready, h.pickup_location) for h in holds]

    def transactions(self, code: str | None = None) -> list[TransactionRecord]:
        """The transaction log, oldest first, optionally only one message code."""
        with self._store.session() as session:
            query = select(Transaction).order_by(Transaction.id)
            if code is not None:
                query = query.where(Transaction.code == code)
            return [TransactionRecord(t.at, t.transaction_date, t.code, t.patron_id, t.item_id, t.ok,
                                      t.no_block, t.detail) for t in session.scalars(query)]

    def counts(self) -> dict[str, int]:
        """How many rows each table holds."""
        with self._store.session() as session:
            return {name: session.scalar(select(func.count()).select_from(model)) or 0 for name, model in (
                ("patrons", Patron), ("items", Item), ("loans", Loan), ("holds", Hold),
                ("fines", Fine), ("transactions", Transaction))}
