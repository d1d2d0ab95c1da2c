"""The emulated library's database: patrons, items, loans, holds, fines and a transaction log.

SQLAlchemy 2.x ORM over SQLite in WAL mode: the models define the tables, seed the demo and
serve the read-only `Library` view; requests are answered through `Store.records()`, plain
SQL in one short transaction each. Write transactions start with BEGIN IMMEDIATE so that
concurrent requests queue on SQLite's busy timeout instead of failing when a reader tries
to become a writer.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from sip2.emulator.records import Records

BUSY_TIMEOUT_SECONDS = 30


class Base(DeclarativeBase):
    """Declarative base of the emulator's tables."""


class Patron(Base):
    """A library card holder."""

    __tablename__ = "patrons"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the card barcode
    name: Mapped[str] = mapped_column(String(200))
    pin: Mapped[str] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(3), default="000")
    expires: Mapped[date] = mapped_column(Date)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    block_message: Mapped[str | None] = mapped_column(String(200))
    card_lost: Mapped[bool] = mapped_column(Boolean, default=False)
    loan_limit: Mapped[int] = mapped_column(Integer)


class Item(Base):
    """A copy of something the library lends (or keeps for reference)."""

    __tablename__ = "items"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the item barcode
    title: Mapped[str] = mapped_column(String(300))
    author: Mapped[str | None] = mapped_column(String(200))
    call_number: Mapped[str] = mapped_column(String(60))
    media_type: Mapped[str] = mapped_column(String(3))  # SIP2 CK code
    magnetic: Mapped[bool] = mapped_column(Boolean, default=False)
    location: Mapped[str] = mapped_column(String(100))
    part: Mapped[int] = mapped_column(Integer, default=1)
    parts: Mapped[int] = mapped_column(Integer, default=1)
    properties: Mapped[str | None] = mapped_column(String(300))  # SIP2 CH, set by 19
    circulates: Mapped[bool] = mapped_column(Boolean, default=True)
    lost: Mapped[bool] = mapped_column(Boolean, default=False)
    to_staff: Mapped[bool] = mapped_column(Boolean, default=False)  # checkin alert
    sort_bin: Mapped[str | None] = mapped_column(String(20))


class Loan(Base):
    """An item out to a patron; at most one per item."""

    __tablename__ = "loans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), unique=True)
    patron_id: Mapped[str] = mapped_column(ForeignKey("patrons.id"), index=True)
    checked_out: Mapped[datetime] = mapped_column(DateTime)
    due: Mapped[datetime] = mapped_column(DateTime)
    renewals: Mapped[int] = mapped_column(Integer, default=0)


class Hold(Base):
    """A patron waiting for an item; `ready` once it waits on the hold shelf."""

    __tablename__ = "holds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    patron_id: Mapped[str] = mapped_column(ForeignKey("patrons.id"), index=True)
    placed: Mapped[datetime] = mapped_column(DateTime)
    pickup_location: Mapped[str | None] = mapped_column(String(100))
    expires: Mapped[str | None] = mapped_column(String(18))
    ready: Mapped[bool] = mapped_column(Boolean, default=False)
    pickup_by: Mapped[date | None] = mapped_column(Date)


class Fine(Base):
    """Money a patron owes; `paid` grows with 37 fee paid until it reaches `amount`."""

    __tablename__ = "fines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patron_id: Mapped[str] = mapped_column(ForeignKey("patrons.id"), index=True)
    item_id: Mapped[str | None] = mapped_column(String(32))
    amount_cents: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(DateTime)

    @property
    def owed_cents(self) -> int:
        """What is left to pay on this fine."""
        return self.amount_cents - self.paid_cents


class Transaction(Base):
    """One request the emulator answered, for tests and for a technician reading the log."""

    __tablename__ = "transactions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)  # when the emulator applied it
    transaction_date: Mapped[datetime | None] = mapped_column(DateTime)  # as the SC sent it
    code: Mapped[str] = mapped_column(String(2))
    patron_id: Mapped[str | None] = mapped_column(String(32))
    item_id: Mapped[str | None] = mapped_column(String(32))
    ok: Mapped[bool] = mapped_column(Boolean)
    no_block: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[str] = mapped_column(Text, default="")


class Store:
    """The database: a file (created when missing) or a temporary file removed on `close`."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        if path is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="sip2-emulator-")
            path = os.path.join(self._tempdir.name, "library.sqlite")
        self.path = os.fspath(path)
        self.engine = create_engine(f"sqlite:///{self.path}",
                                    connect_args={"timeout": BUSY_TIMEOUT_SECONDS,
                                                  "check_same_thread": False})
        event.listen(self.engine, "connect", _configure_connection)
        event.listen(self.engine, "begin", _begin_immediate)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def records(self) -> Iterator[Records]:
        """Plain-SQL access in one write transaction (BEGIN IMMEDIATE): committed when the block
        ends, rolled back on error. What the rules answer requests with."""
        raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None  # a pooled connection that is open
            cursor = driver.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield Records(cursor)
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")
        finally:
            raw.close()  # back to the pool

    def is_empty(self) -> bool:
        """Whether the database holds no patrons and no items yet."""
        with self.session() as session:
            return session.scalar(select(Patron.id).limit(1)) is None and \
                session.scalar(select(Item.id).limit(1)) is None

    def close(self) -> None:
        """Release the database (and remove it when it was temporary)."""
        self.engine.dispose()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None


def _configure_connection(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself, so it can be BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
