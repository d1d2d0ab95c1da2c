"""The transaction journal: every checkout, return and renewal the kiosk made, online or offline.

It feeds receipts, usage statistics and audits. An offline transaction is recorded when it
is queued (outcome unknown) and completed when it is replayed, with what the library system
said. Patron ids are removed after the library's retention period (`forget_patrons`); no
PIN is ever stored. Failures to change an item's security (RFID AFI/EAS bit, tattle tape)
go to their own table for staff.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, func, insert, select, update

from kiosk.storage.db import Database, as_database
from kiosk.storage.entries import QueueEntry, Settlement
from kiosk.storage.errors import QueueError
from kiosk.storage.tables import journal as J, queue_entries as Q, security_events as S
from kiosk.storage.timestamps import date_text, from_stamp, parse_date_text, stamp, utc_now

KINDS = ("checkout", "checkin", "renew")


class TransactionOutcome(Protocol):
    """What the journal reads from a transaction's outcome (the circulation core's ItemOutcome)."""

    action: Any  # "checkout", "checkin", "renew", or an enum with one of those as its value
    item_id: str
    ok: bool
    title: str
    due: datetime | None
    due_text: str  # the due date as the library system wrote it
    reason: str
    screen_messages: tuple[str, ...]
    offline: bool
    timestamp: datetime


@dataclass(frozen=True)
class JournalEntry:
    """One transaction as the journal keeps it. `ok` is None while an offline one awaits replay."""

    id: int
    recorded_at: datetime
    kind: str
    item_id: str
    patron_id: str | None
    ok: bool | None
    due_date: str | None  # the due date the patron was told (ACS text, or ISO for offline ones)
    offline: bool
    queue_entry_id: int | None
    title: str | None
    transaction_date: datetime | None
    acs_messages: tuple[str, ...]
    acs_due_date: str | None
    replayed_at: datetime | None
    patron_forgotten_at: datetime | None
    reason: str | None = None  # why the kiosk itself refused it (offline rules), if it did


@dataclass(frozen=True)
class SecurityEvent:
    """An item whose security could not be set as wanted, for staff to fix by hand."""

    id: int
    recorded_at: datetime
    item_id: str
    tag_uid: str | None
    wanted_state: str  # "secured" (armed, on return) or "unsecured" (disarmed, on checkout)
    why: str


class Journal:
    """The journal tables in the kiosk's database (the same file as the offline queue)."""

    def __init__(self, engine_or_path: Database | Engine | str | os.PathLike[str]) -> None:
        self.db = as_database(engine_or_path)

    def record(self, outcome: TransactionOutcome, *, patron_id: str | None = None,
               queue_entry_id: int | None = None) -> JournalEntry | None:
        """Record the outcome of a transaction as the circulation core reports it.

        An offline outcome that was queued (`queue_entry_id`) is recorded as waiting for its
        replay, once: None is returned when its queue entry already has a record.
        """
        waiting = outcome.offline and queue_entry_id is not None and outcome.ok
        return self.record_transaction(
            getattr(outcome.action, "value", outcome.action), item_id=outcome.item_id,
            ok=None if waiting else outcome.ok, patron_id=patron_id, title=outcome.title or None,
            due_date=outcome.due_text or outcome.due, acs_messages=outcome.screen_messages,
            transaction_date=outcome.timestamp, reason=outcome.reason or None,
            offline=outcome.offline, queue_entry_id=queue_entry_id)

    def record_transaction(self, kind: str, *, item_id: str, ok: bool | None,
                           patron_id: str | None = None, title: str | None = None,
                           due_date: datetime | str | None = None, acs_messages: Iterable[str] = (),
                           transaction_date: datetime | None = None, reason: str | None = None,
                           offline: bool = False, queue_entry_id: int | None = None) -> JournalEntry | None:
        """Record one transaction: `ok` True or False as answered, None while it waits offline.

        With `queue_entry_id`, nothing is added (None returned) when that queue entry already
        has a record: an offline transaction is recorded once, however it got there.
        """
        if kind not in KINDS:
            raise QueueError(f"unknown transaction kind {kind!r}: expected one of {', '.join(KINDS)}")
        if not isinstance(item_id, str) or not item_id:
            raise QueueError(f"item id must be non-empty text, got {item_id!r}")
        values = {
            "recorded_at": stamp(), "kind": kind, "item_id": item_id, "patron_id": patron_id,
            "ok": None if ok is None else int(bool(ok)), "due_date": _due_text(due_date),
            "offline": int(bool(offline)), "queue_entry_id": queue_entry_id, "title": title,
            "transaction_date": date_text(transaction_date),
            "acs_messages": json.dumps(list(acs_messages), ensure_ascii=False), "reason": reason,
        }
        with self.db.transaction() as conn:
            result = conn.exec_driver_sql(_INSERT_ONCE, (*values.values(), queue_entry_id))
            if result.rowcount == 0:
                return None
            return _journal_entry({**values, "id": result.lastrowid})

    def record_replay_outcomes(self, settlements: Sequence[Settlement], *,
                               cursor: sqlite3.Cursor | None = None) -> None:
        """Complete the records of replayed entries (made from the queue entry for one that has
        none), in the transaction of the driver `cursor` when given (the queue's, once per batch)."""
        replayed_at = stamp()
        rows = [(int(s.state == "done"), replayed_at, s.acs_messages_json, s.acs_due_date,
                 s.title or None, s.entry_id) for s in settlements]
        with _maybe(self.db, cursor) as c:
            c.executemany(_UPDATE_REPLAYED, rows)
            if c.rowcount != len(rows):  # some were queued without the journal's record
                c.executemany(_INSERT_REPLAYED, rows)

    def entries(self, *, since: datetime | None = None, until: datetime | None = None,
                item_id: str | None = None, patron_id: str | None = None,
                offline: bool | None = None) -> list[JournalEntry]:
        """Journal records, oldest first, filtered by when they were recorded (UTC), item,
        patron or offline flag."""
        query = select(J).order_by(J.c.id)
        if since is not None:
            query = query.where(J.c.recorded_at >= stamp(since))
        if until is not None:
            query = query.where(J.c.recorded_at < stamp(until))
        if item_id is not None:
            query = query.where(J.c.item_id == item_id)
        if patron_id is not None:
            query = query.where(J.c.patron_id == patron_id)
        if offline is not None:
            query = query.where(J.c.offline == int(offline))
        with self.db.reading() as conn:
            return [_journal_entry(row) for row in conn.execute(query).mappings()]

    def title_of(self, item_id: str) -> str | None:
        """The title the library system last gave for the item, to name it while it is offline."""
        query = (select(J.c.title).where(J.c.item_id == item_id, J.c.title.is_not(None))
                 .order_by(J.c.id.desc()).limit(1))
        with self.db.reading() as conn:
            return conn.execute(query).scalar()

    def for_queue_entry(self, entry_id: int) -> JournalEntry | None:
        """The record of the offline transaction queued as `entry_id`."""
        with self.db.reading() as conn:
            row = conn.execute(select(J).where(J.c.queue_entry_id == entry_id)).mappings().first()
        return None if row is None else _journal_entry(row)

    def statistics(self, *, since: datetime | None = None,
                   until: datetime | None = None) -> dict[str, dict[str, int]]:
        """Counts per kind: {"checkout": {"ok": n, "refused": n, "waiting": n, "offline": n}, ...}."""
        outcome = func.coalesce(J.c.ok, -1)
        query = select(J.c.kind, outcome, J.c.offline, func.count()).group_by(J.c.kind, outcome, J.c.offline)
        if since is not None:
            query = query.where(J.c.recorded_at >= stamp(since))
        if until is not None:
            query = query.where(J.c.recorded_at < stamp(until))
        stats = {kind: {"ok": 0, "refused": 0, "waiting": 0, "offline": 0} for kind in KINDS}
        with self.db.reading() as conn:
            for kind, ok, offline, count in conn.execute(query):
                counts = stats.setdefault(kind, {"ok": 0, "refused": 0, "waiting": 0, "offline": 0})
                counts[{1: "ok", 0: "refused", -1: "waiting"}[ok]] += count
                counts["offline"] += count if offline else 0
        return stats

    def forget_patrons(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Remove patron ids from journal records older than `older_than` (the library's
        retention period), and from queue entries done or resolved before then; returns the
        number of journal records changed. Refused entries staff still have to see keep theirs."""
        if older_than < timedelta(0):
            raise QueueError("the retention period cannot be negative")
        moment = now or utc_now()
        cutoff = stamp(moment - older_than)
        with self.db.transaction() as conn:
            changed = conn.execute(update(J).where(
                (J.c.recorded_at < cutoff) & J.c.patron_id.is_not(None)
            ).values(patron_id=None, patron_forgotten_at=stamp(moment))).rowcount
            conn.execute(update(Q).where(
                (Q.c.patron_id.is_not(None) | Q.c.patron_name.is_not(None)) & (
                    ((Q.c.state == "done") & (Q.c.finished_at < cutoff))
                    | ((Q.c.state == "refused") & (Q.c.resolved_at < cutoff)))
            ).values(patron_id=None, patron_name=None))
        return changed

    def security_event(self, *, item_id: str, wanted_secured: bool, reason: str,
                       uid: str | None = None) -> SecurityEvent:
        """Record that an item's security could not be changed (to secured, on a return, or to
        unsecured, on a checkout) and why, so staff can fix it by hand. `uid` is the RFID tag's."""
        if not isinstance(item_id, str) or not item_id:
            raise QueueError(f"item id must be non-empty text, got {item_id!r}")
        if not isinstance(reason, str) or not reason:
            raise QueueError("a security event needs the reason it failed")
        values = {"recorded_at": stamp(), "item_id": item_id, "tag_uid": uid,
                  "wanted_state": "secured" if wanted_secured else "unsecured", "why": reason}
        with self.db.transaction() as conn:
            new_id = conn.execute(insert(S).values(**values)).lastrowid
        return _security_event({**values, "id": new_id})

    def security_events(self, *, since: datetime | None = None) -> list[SecurityEvent]:
        """Security failures, oldest first."""
        query = select(S).order_by(S.c.id)
        if since is not None:
            query = query.where(S.c.recorded_at >= stamp(since))
        with self.db.reading() as conn:
            return [_security_event(row) for row in conn.execute(query).mappings()]


def _maybe(db: Database, cursor: sqlite3.Cursor | None) -> AbstractContextManager[sqlite3.Cursor]:
    """The caller's transaction when given one, else a transaction of our own."""
    return nullcontext(cursor) if cursor is not None else db.write_cursor()


_INSERT_ONCE = ("INSERT INTO journal (recorded_at, kind, item_id, patron_id, ok, due_date, offline, "
                "queue_entry_id, title, transaction_date, acs_messages, reason) "
                "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM journal WHERE queue_entry_id = ?)")
# Plain SQL: these run in the queue's transactions, once per queued or replayed entry.
_INSERT_QUEUED = ("INSERT INTO journal (recorded_at, kind, item_id, patron_id, ok, due_date, offline, "
                  "queue_entry_id, title, transaction_date, acs_messages) "
                  "VALUES (?, ?, ?, ?, NULL, ?, 1, ?, ?, ?, '[]')")
_UPDATE_REPLAYED = ("UPDATE journal SET ok = ?, replayed_at = ?, acs_messages = ?, acs_due_date = ?, "
                    "title = coalesce(?, title) WHERE queue_entry_id = ?")
_INSERT_REPLAYED = ("INSERT INTO journal (recorded_at, kind, item_id, patron_id, ok, due_date, offline, "
                    "queue_entry_id, title, transaction_date, acs_messages, acs_due_date, replayed_at) "
                    "SELECT created_at, kind, item_id, patron_id, ?1, due_date, 1, id, coalesce(?5, title), "
                    "transaction_date, ?3, ?4, ?2 FROM queue_entries WHERE id = ?6 "
                    "AND NOT EXISTS (SELECT 1 FROM journal WHERE queue_entry_id = ?6)")


def journal_row_for_queued(entry: QueueEntry) -> tuple[str, tuple[Any, ...]]:
    """SQL and parameters recording an offline transaction as it is queued (outcome unknown
    until its replay), for the queue to run in the transaction that queues it."""
    return _INSERT_QUEUED, (stamp(entry.created_at), entry.kind.value, entry.item_id, entry.patron_id,
                            date_text(entry.due_date), entry.id, entry.title,
                            date_text(entry.transaction_date))


def _due_text(due: datetime | str | None) -> str | None:
    return due if isinstance(due, str) or due is None else date_text(due)


def _journal_entry(row: Any) -> JournalEntry:
    ok = row.get("ok")
    return JournalEntry(
        id=row["id"], recorded_at=from_stamp(row["recorded_at"]), kind=row["kind"],
        item_id=row["item_id"], patron_id=row.get("patron_id"), ok=None if ok is None else bool(ok),
        due_date=row.get("due_date"), offline=bool(row.get("offline")),
        queue_entry_id=row.get("queue_entry_id"), title=row.get("title"),
        transaction_date=parse_date_text(row.get("transaction_date")),
        acs_messages=tuple(json.loads(row["acs_messages"])) if row.get("acs_messages") else (),
        acs_due_date=row.get("acs_due_date"), replayed_at=from_stamp(row.get("replayed_at")),
        patron_forgotten_at=from_stamp(row.get("patron_forgotten_at")), reason=row.get("reason"))


def _security_event(row: Any) -> SecurityEvent:
    return SecurityEvent(id=row["id"], recorded_at=from_stamp(row["recorded_at"]), item_id=row["item_id"],
                         tag_uid=row.get("tag_uid"), wanted_state=row["wanted_state"], why=row["why"])
