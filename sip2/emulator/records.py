"""The library's rows as the circulation rules read and change them, over one SQLite transaction.

The ORM models in `store` define the tables and seed the demo library; answering a request
goes through the plain SQL here instead, because building and running ORM statements cost
most of a request's time. A record is a plain dataclass with the field names of its ORM
model; `Records` reads them (`get`, `first`, `find`) and writes every change explicitly
(`insert`, `update`, `delete`). Values are stored exactly as SQLAlchemy stores them, so the
ORM reads what the rules wrote.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar, get_type_hints


@dataclass
class Patron:
    """A library card holder (table `patrons`)."""

    TABLE: ClassVar[str] = "patrons"
    id: str
    name: str
    pin: str
    email: str | None
    phone: str | None
    address: str | None
    language: str
    expires: date
    blocked: bool
    block_message: str | None
    card_lost: bool
    loan_limit: int


@dataclass
class Item:
    """A copy the library lends or keeps for reference (table `items`)."""

    TABLE: ClassVar[str] = "items"
    id: str
    title: str
    author: str | None
    call_number: str
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


@dataclass
class Loan:
    """An item out to a patron (table `loans`); `id` None until inserted."""

    TABLE: ClassVar[str] = "loans"
    id: int | None
    item_id: str
    patron_id: str
    checked_out: datetime
    due: datetime
    renewals: int


@dataclass
class Hold:
    """A patron waiting for an item (table `holds`); `ready` once it waits on the hold shelf."""

    TABLE: ClassVar[str] = "holds"
    id: int | None
    item_id: str
    patron_id: str
    placed: datetime
    pickup_location: str | None
    expires: str | None
    ready: bool
    pickup_by: date | None


@dataclass
class Fine:
    """Money a patron owes (table `fines`)."""

    TABLE: ClassVar[str] = "fines"
    id: int | None
    patron_id: str
    item_id: str | None
    amount_cents: int
    paid_cents: int
    description: str
    created: datetime

    @property
    def owed_cents(self) -> int:
        """What is left to pay on this fine."""
        return self.amount_cents - self.paid_cents


@dataclass
class Transaction:
    """One request the emulator answered (table `transactions`)."""

    TABLE: ClassVar[str] = "transactions"
    id: int | None
    at: datetime
    transaction_date: datetime | None
    code: str
    patron_id: str | None
    item_id: str | None
    ok: bool
    no_block: bool
    detail: str


RECORDS = (Patron, Item, Loan, Hold, Fine, Transaction)
R = TypeVar("R", Patron, Item, Loan, Hold, Fine, Transaction)


def _reader(hint: object) -> Callable[[Any], Any] | None:
    """How to turn a stored value back into a field of this type (None: as it is)."""
    for kind, read in ((datetime, datetime.fromisoformat), (date, date.fromisoformat), (bool, bool)):
        if hint is kind or kind in getattr(hint, "__args__", ()):
            return read
    return None


_COLUMNS = {kind: tuple(f.name for f in fields(kind)) for kind in RECORDS}
_SELECT = {kind: f"SELECT {', '.join(_COLUMNS[kind])} FROM {kind.TABLE}" for kind in RECORDS}
_READERS = {kind: tuple(_reader(get_type_hints(kind)[f.name]) for f in fields(kind)) for kind in RECORDS}


def _stored(value: object) -> object:
    """A value as SQLAlchemy's SQLite dialect stores it (dates as text, booleans as 0/1)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class Records:
    """Reads and writes records inside one transaction of a sqlite3 cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def get(self, kind: type[R], key: object) -> R | None:
        """The record with this primary key, or None."""
        found = self.find(kind, "id = ?", (key,))
        return found[0] if found else None

    def first(self, kind: type[R], where: str, params: Sequence[object] = (), *,
              order: str = "id") -> R | None:
        """The first record matching `where` (an SQL condition with ? parameters), or None."""
        found = self.find(kind, where, params, order=order, limit=1)
        return found[0] if found else None

    def find(self, kind: type[R], where: str, params: Sequence[object] = (), *,
             order: str = "id", limit: int | None = None) -> list[R]:
        """Every record matching `where`, in `order` (an SQL ORDER BY list)."""
        sql = f"{_SELECT[kind]} WHERE {where} ORDER BY {order}" + (f" LIMIT {limit:d}" if limit else "")
        readers = _READERS[kind]
        return [kind(*(value if read is None or value is None else read(value)
                       for read, value in zip(readers, row)))
                for row in self._cursor.execute(sql, tuple(params))]

    def insert(self, record: R) -> R:
        """Add the record (its `id` is filled in when it was None) and return it."""
        columns = _COLUMNS[type(record)]  # "id" first: left to SQLite when None
        if record.id is None:
            columns = columns[1:]
        self._cursor.execute(f"INSERT INTO {record.TABLE} ({', '.join(columns)}) "
                             f"VALUES ({', '.join('?' * len(columns))})",
                             [_stored(getattr(record, name)) for name in columns])
        if record.id is None:
            record.id = self._cursor.lastrowid
        return record

    def update(self, record: R, **changes: object) -> R:
        """Change fields of the record, in memory and in the table."""
        for name, value in changes.items():
            setattr(record, name, value)
        assignments = ", ".join(f"{name} = ?" for name in changes)
        self._cursor.execute(f"UPDATE {record.TABLE} SET {assignments} WHERE id = ?",
                             (*(_stored(v) for v in changes.values()), record.id))
        return record

    def delete(self, record: R) -> None:
        """Remove the record from its table."""
        self._cursor.execute(f"DELETE FROM {record.TABLE} WHERE id = ?", (record.id,))
