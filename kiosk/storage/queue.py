"""The offline queue: transactions made while the library system was unreachable, kept until replayed.

Each entry is committed durably (its own transaction, synchronous=FULL) before `enqueue`
returns, so a kiosk that loses power right after telling a patron "checked out" still has
the transaction. Entries are replayed in the order they were made (ids only grow) and move
through the states pending -> sending -> done | refused. Refused entries stay in front of
staff until marked resolved. There is no column for a PIN: none is ever stored.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, TextIO

from sqlalchemy import ColumnElement, Connection, Engine, func, insert, select, update

from kiosk.storage.db import Database, as_database
from kiosk.storage.entries import EntryState, Kind, Outgoing, QueueCounts, QueueEntry, Settlement
from kiosk.storage.errors import QueueError
from kiosk.storage.journal import Journal, journal_row_for_queued
from kiosk.storage.tables import queue_entries as Q
from kiosk.storage.timestamps import date_text, from_stamp, parse_date_text, stamp, utc_now

MAX_ID_LENGTH = 100

# What a staff listing can ask for: entry states, and "refused" means those staff still must see.
LISTINGS: dict[str, tuple[EntryState, ...]] = {
    "waiting": (EntryState.PENDING, EntryState.SENDING), "pending": (EntryState.PENDING,),
    "sending": (EntryState.SENDING,), "done": (EntryState.DONE,), "refused": (EntryState.REFUSED,),
    "all": tuple(EntryState),
}


CSV_COLUMNS = ("id", "kind", "item_id", "title", "patron_id", "patron_name", "transaction_date",
               "due_date", "reason", "acs_messages", "attempts", "last_error", "created_at",
               "finished_at", "resolved_at", "resolution")


class OfflineQueue:
    """The durable store-and-forward queue in the kiosk's SQLite database."""

    def __init__(self, engine_or_path: Database | Engine | str | os.PathLike[str]) -> None:
        self.db = as_database(engine_or_path)

    # --- adding -------------------------------------------------------------------------------

    def enqueue(self, kind: str, *, item_id: str, patron_id: str | None = None,
                transaction_date: datetime, due_date: datetime | None = None,
                patron_name: str | None = None, title: str | None = None,
                journal: Journal | None = None) -> QueueEntry:
        """Queue a transaction; it is on disk when this returns.

        `kind` is "checkout", "checkin" or "renew"; checkouts and renewals need the patron
        and `due_date`, the due date the patron was told offline (sent as the no-block due
        date on replay). With `journal`, the journal's record of it is written in the same
        transaction. Raises QueueError for anything that cannot be replayed.
        """
        entry_kind = _kind(kind)
        item = _identifier("item id", item_id)
        patron = None if patron_id is None else _identifier("patron id", patron_id)
        if entry_kind is not Kind.CHECKIN and patron is None:
            raise QueueError(f"a {entry_kind} needs the patron's id")
        if entry_kind is not Kind.CHECKIN and due_date is None:
            raise QueueError(f"a {entry_kind} needs the due date the patron was told (sent as the "
                             "no-block due date on replay)")
        if not isinstance(transaction_date, datetime):
            raise QueueError(f"transaction_date must be a datetime, got {transaction_date!r}")
        if due_date is not None and not isinstance(due_date, datetime):
            raise QueueError(f"due_date must be a datetime or None, got {due_date!r}")
        now = stamp()
        values: dict[str, Any] = {  # in the column order of _INSERT
            "kind": entry_kind.value, "item_id": item, "patron_id": patron,
            "transaction_date": date_text(transaction_date), "due_date": date_text(due_date),
            "created_at": now, "updated_at": now,
            "patron_name": _optional_text("patron name", patron_name),
            "title": _optional_text("title", title),
        }
        with self.db.write_cursor() as cursor:
            entry_id = cursor.execute(_INSERT, tuple(values.values())).lastrowid
            assert entry_id is not None  # an INSERT into a table with an integer key
            entry = QueueEntry(
                id=entry_id, kind=entry_kind, item_id=item, patron_id=patron,
                transaction_date=transaction_date, due_date=due_date, state=EntryState.PENDING,
                attempts=0, last_error=None, reason=None, created_at=from_stamp(now),
                updated_at=from_stamp(now), patron_name=patron_name, title=title)
            if journal is not None:
                cursor.execute(*journal_row_for_queued(entry))
        return entry

    # --- reading ------------------------------------------------------------------------------

    def get(self, entry_id: int) -> QueueEntry | None:
        """The entry with this id, or None (purged, or never existed)."""
        with self.db.reading() as conn:
            row = conn.execute(select(Q).where(Q.c.id == entry_id)).mappings().first()
        return None if row is None else _entry(row)

    def pending(self) -> list[QueueEntry]:
        """Entries still to be replayed (pending, or in flight as "sending"), oldest first."""
        return self._select(Q.c.state.in_((EntryState.PENDING, EntryState.SENDING)))

    def has_waiting(self, item_id: str) -> bool:
        """Whether this item has entries still to be replayed (pending or "sending").

        Asked on every scan: one lookup in the (item_id, state) index, whatever the queue's length.
        """
        with self.db.read_cursor() as cursor:
            return cursor.execute(_ITEM_WAITING, (item_id,)).fetchone() is not None

    def in_flight(self) -> list[QueueEntry]:
        """Entries marked "sending": their outcome must be reconciled before anything else is sent."""
        with self.db.read_cursor() as cursor:  # read before every replay: no ORM round
            rows = cursor.execute(_IN_FLIGHT).fetchall()
            names = [column[0] for column in cursor.description]
        return [_entry(dict(zip(names, row))) for row in rows]

    def anything_waiting(self) -> bool:
        """Whether any entry is still to be replayed: one step in the (state, id) index."""
        with self.db.read_cursor() as cursor:
            return cursor.execute(_ANY_WAITING).fetchone() is not None

    def refused(self, *, include_resolved: bool = False) -> list[QueueEntry]:
        """Refused entries for staff, oldest first; resolved ones only when asked."""
        condition = Q.c.state == EntryState.REFUSED
        if not include_resolved:
            condition = condition & Q.c.resolved_at.is_(None)
        return self._select(condition)

    def entries(self) -> list[QueueEntry]:
        """Every entry still stored, oldest first."""
        return self._select(None)

    def listing(self, which: str = "waiting", *, since: datetime | None = None,
                limit: int | None = None) -> list[QueueEntry]:
        """One page of entries for staff, oldest first: `which` is a key of LISTINGS ("refused"
        leaves out refusals already resolved), `since` keeps entries queued at or after that
        moment (a naive one is local time), `limit` caps the page (None: every entry).

        Only the rows of the page are read and converted, so the first page of a long queue
        costs what a short queue does.
        """
        if which not in LISTINGS:
            raise QueueError(f"unknown listing {which!r}: expected one of {', '.join(LISTINGS)}")
        if limit is not None and limit < 0:
            raise QueueError("the number of entries to list cannot be negative")
        condition: ColumnElement[bool] | None = Q.c.state.in_(LISTINGS[which]) if which != "all" else None
        if which == "refused":
            condition = Q.c.state.in_(LISTINGS[which]) & Q.c.resolved_at.is_(None)
        if since is not None:
            after = Q.c.created_at >= stamp(since if since.tzinfo else since.astimezone())
            condition = after if condition is None else condition & after
        return self._select(condition, limit)

    def counts(self) -> QueueCounts:
        """How many entries are in each state."""
        with self.db.reading() as conn:
            rows = conn.execute(select(Q.c.state, func.count()).group_by(Q.c.state)).all()
            unresolved = conn.execute(select(func.count()).where(
                (Q.c.state == EntryState.REFUSED) & Q.c.resolved_at.is_(None))).scalar_one()
        by_state = {state: count for state, count in rows}
        return QueueCounts(unresolved=unresolved, **{s.value: by_state.get(s.value, 0) for s in EntryState})

    def oldest_pending_age(self, now: datetime | None = None) -> timedelta | None:
        """How long the oldest entry not yet replayed has waited, or None when there is none.

        `now` is an aware datetime (naive ones are taken as UTC); default the current time.
        """
        with self.db.reading() as conn:
            oldest = conn.execute(select(func.min(Q.c.created_at)).where(
                Q.c.state.in_((EntryState.PENDING, EntryState.SENDING)))).scalar_one()
        if oldest is None:
            return None
        return _aware(now) - from_stamp(oldest)

    def _select(self, condition: Any, limit: int | None = None) -> list[QueueEntry]:
        query = select(Q).order_by(Q.c.id)
        if condition is not None:
            query = query.where(condition)
        if limit is not None:
            query = query.limit(limit)
        with self.db.reading() as conn:
            return [_entry(row) for row in conn.execute(query).mappings()]

    # --- staff --------------------------------------------------------------------------------

    def record_unconfirmed(self, kind: str, *, item_id: str, patron_id: str | None,
                           transaction_date: datetime, reason: str, title: str | None = None,
                           error: str | None = None) -> QueueEntry:
        """Put a transaction sent online whose outcome the library system never confirmed on the
        staff list (a refused entry, never replayed), so staff check the item and resolve it."""
        entry_kind = _kind(kind)
        now = stamp()
        values = {
            "kind": entry_kind.value, "item_id": _identifier("item id", item_id),
            "patron_id": None if patron_id is None else _identifier("patron id", patron_id),
            "transaction_date": date_text(transaction_date), "state": EntryState.REFUSED.value,
            "attempts": 1, "last_error": _optional_text("error", error),
            "reason": _optional_text("reason", reason), "created_at": now, "updated_at": now,
            "finished_at": now, "title": _optional_text("title", title),
        }
        with self.db.transaction() as conn:
            entry_id = conn.execute(insert(Q).values(**values)).lastrowid
            row = conn.execute(select(Q).where(Q.c.id == entry_id)).mappings().one()
        return _entry(row)

    def export_refused_csv(self, stream: TextIO, *, include_resolved: bool = False) -> int:
        """Write the refused entries as CSV (header first) to `stream`; returns the rows written.

        Cells that a spreadsheet would run as a formula are prefixed with a quote.
        """
        writer = csv.writer(stream)
        writer.writerow(CSV_COLUMNS)
        rows = self.refused(include_resolved=include_resolved)
        for entry in rows:
            writer.writerow([_csv_cell(value) for value in _csv_values(entry)])
        return len(rows)

    def mark_refused_resolved(self, entry_id: int, note: str | None = None) -> QueueEntry:
        """Record that staff dealt with a refused entry (it leaves the staff list, stays in exports
        of everything). Raises QueueError when the entry is not a refused one."""
        with self.db.transaction() as conn:
            done = conn.execute(update(Q).where(
                (Q.c.id == entry_id) & (Q.c.state == EntryState.REFUSED) & Q.c.resolved_at.is_(None)
            ).values(resolved_at=stamp(), resolution=_optional_text("note", note), updated_at=stamp()))
            row = conn.execute(select(Q).where(Q.c.id == entry_id)).mappings().first()
        if row is None:
            raise QueueError(f"there is no queue entry {entry_id}")
        if done.rowcount == 0:
            raise QueueError(f"queue entry {entry_id} is {row['state']}"
                             f"{' and already resolved' if row['resolved_at'] else ''}: only an "
                             "unresolved refused entry can be marked resolved")
        return _entry(row)

    def purge(self, done_older_than: timedelta, now: datetime | None = None) -> int:
        """Delete entries that were done more than `done_older_than` ago; returns how many.

        Pending, sending and refused entries are never deleted.
        """
        if done_older_than < timedelta(0):
            raise QueueError("the age of entries to purge cannot be negative")
        cutoff = stamp(_aware(now) - done_older_than)
        with self.db.transaction() as conn:
            result = conn.execute(Q.delete().where(
                (Q.c.state == EntryState.DONE) & (Q.c.finished_at < cutoff)))
        return result.rowcount

    # --- replay bookkeeping (used by the replayer) ----------------------------------------------

    def advance_batch(self, settlements: Sequence[Settlement] = (), *, release: Sequence[int] = (),
                      take: int = 1, journal: Journal | None = None) -> list[QueueEntry]:
        """In one transaction: record the `settlements` of entries in flight (and in `journal`),
        put the `release`d ones (in flight but never sent) back to pending, then mark up to
        `take` of the oldest pending entries "sending" (one more attempt each) and return them.

        One commit per call: an entry whose outcome was not committed stays "sending" and is
        reconciled. The caller sends an entry only when every earlier entry of its item has
        its outcome committed (see `kiosk.storage.replay_books`).
        """
        now = stamp()
        rows = self.advance_rows(settlements, release=release, take=take, journal=journal, now=now)
        updated = from_stamp(now)
        return [_sending_entry(row, updated) for row in rows]

    def advance_rows(self, settlements: Sequence[Settlement] = (), *, release: Sequence[int] = (),
                     take: int = 1, journal: Journal | None = None, now: str | None = None,
                     connection: sqlite3.Connection | None = None) -> list[tuple[Any, ...]]:
        """`advance_batch`, returning the entries marked "sending" as raw rows (for `outgoing`):
        the replay's helper thread then holds the interpreter's lock only briefly. `now` is the
        bookkeeping stamp written (default: the current time); `connection`, the replay's own
        (see `Database.held_connection`)."""
        now = now or stamp()
        try:
            # Plain driver statements, a batch at a time: they run once per replayed entry.
            with self.db.write_cursor(connection) as cursor:
                if settlements:
                    cursor.executemany(_SETTLE, [_settle_row(s, now) for s in settlements])
                    if cursor.rowcount != len(settlements):
                        raise _SettledTwice
                    if journal is not None:
                        journal.record_replay_outcomes(settlements, cursor=cursor)
                if release:
                    cursor.executemany(_RELEASE, [(now, entry_id) for entry_id in release])
                return self._mark_sending(cursor, take, now) if take > 0 else []
        except _SettledTwice:
            raise self._first_not_in_flight([s.entry_id for s in settlements]) from None

    @staticmethod
    def _mark_sending(cursor: sqlite3.Cursor, take: int, now: str) -> list[tuple[Any, ...]]:
        rows = cursor.execute(_NEXT_PENDING, (take,)).fetchall()
        if rows:
            cursor.execute(_MARK_SENDING.format(", ".join("?" * len(rows))), (now, *(row[0] for row in rows)))
        return rows

    def _first_not_in_flight(self, entry_ids: Sequence[int]) -> QueueError:
        """Why a batch of settlements was refused: the first entry not in flight (or settled twice)."""
        with self.db.read_cursor() as cursor:
            for entry_id in entry_ids:
                row = cursor.execute("SELECT state FROM queue_entries WHERE id = ?", (entry_id,)).fetchone()
                if row is None or row[0] != EntryState.SENDING:
                    return _not_in_flight(entry_id, row and row[0])
        repeated = next(i for i in entry_ids if entry_ids.count(i) > 1)
        return QueueError(f"queue entry {repeated} was settled twice in one batch")

    def advance(self, settlement: Settlement | None = None, *, take_next: bool = True,
                journal: Journal | None = None) -> QueueEntry | None:
        """`advance_batch` for one entry: settle `settlement`, then take the next pending entry."""
        batch = self.advance_batch([settlement] if settlement else [], take=1 if take_next else 0,
                                   journal=journal)
        return batch[0] if batch else None

    def settle(self, settlement: Settlement, *, journal: Journal | None = None) -> None:
        """Record the outcome of one entry in flight (see `advance_batch`)."""
        self.advance_batch([settlement], take=0, journal=journal)

    def retry_later(self, entry_id: int, error: str) -> None:
        """Put an entry in flight back to "pending": it was certainly not applied."""
        self._set_in_flight(entry_id, state=EntryState.PENDING, last_error=error)

    def note_error(self, entry_id: int, error: str) -> None:
        """Keep an entry "sending" (its outcome is unknown) and record why."""
        self._set_in_flight(entry_id, state=EntryState.SENDING, last_error=error)

    def resend(self, entry_id: int) -> QueueEntry:
        """Count one more attempt of an entry in flight that is about to be sent again."""
        with self.db.transaction() as conn:
            self._require_in_flight(conn, conn.execute(update(Q).where(
                (Q.c.id == entry_id) & (Q.c.state == EntryState.SENDING)
            ).values(attempts=Q.c.attempts + 1, updated_at=stamp())), entry_id)
            return _entry(conn.execute(select(Q).where(Q.c.id == entry_id)).mappings().one())

    def _set_in_flight(self, entry_id: int, *, state: EntryState, last_error: str) -> None:
        with self.db.transaction() as conn:
            self._require_in_flight(conn, conn.execute(update(Q).where(
                (Q.c.id == entry_id) & (Q.c.state == EntryState.SENDING)
            ).values(state=state.value, last_error=last_error, updated_at=stamp())), entry_id)

    @staticmethod
    def _require_in_flight(conn: Connection, result: Any, entry_id: int) -> None:
        if result.rowcount == 1:
            return
        raise _not_in_flight(entry_id, conn.execute(select(Q.c.state).where(Q.c.id == entry_id)).scalar())


# The replay's hot path is plain SQL: it runs once per entry, and the ORM's overhead would
# cost more than the disk sync itself on a fast disk.
_INSERT = ("INSERT INTO queue_entries (kind, item_id, patron_id, transaction_date, due_date, state, "
           "attempts, created_at, updated_at, patron_name, title) "
           "VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)")
_SETTLE = ("UPDATE queue_entries SET state = ?, reason = ?, acs_messages = ?, acs_due_date = ?, "
           "finished_at = ?, updated_at = ?, title = coalesce(?, title), "
           "last_error = coalesce(?, last_error) WHERE id = ? AND state = 'sending'")
_RELEASE = ("UPDATE queue_entries SET state = 'pending', attempts = attempts - 1, updated_at = ? "
            "WHERE id = ? AND state = 'sending'")
_ITEM_WAITING = ("SELECT 1 FROM queue_entries INDEXED BY queue_entries_item_state "
                 "WHERE item_id = ? AND state IN ('pending', 'sending') LIMIT 1")
_IN_FLIGHT = "SELECT * FROM queue_entries WHERE state = 'sending' ORDER BY id"
_ANY_WAITING = "SELECT 1 FROM queue_entries WHERE state IN ('pending', 'sending') LIMIT 1"
_NEXT_PENDING = ("SELECT id, kind, item_id, patron_id, transaction_date, due_date, attempts, last_error, "
                 "created_at, patron_name, title FROM queue_entries WHERE state = 'pending' ORDER BY id LIMIT ?")
_MARK_SENDING = ("UPDATE queue_entries SET state = 'sending', attempts = attempts + 1, updated_at = ? "
                 "WHERE id IN ({})")


class _SettledTwice(Exception):
    """A settlement matched no entry in flight: the batch is rolled back and the culprit found."""


def _settle_row(s: Settlement, now: str) -> tuple[Any, ...]:
    return (s.state.value, s.reason, s.acs_messages_json, s.acs_due_date, now, now, s.title or None,
            s.last_error, s.entry_id)


# Kind(text) goes through the enum machinery: several times the cost of a dict look-up, per entry.
_KINDS = {kind.value: kind for kind in Kind}


def outgoing(row: tuple[Any, ...]) -> Outgoing:
    """An entry just marked "sending", from a row of `OfflineQueue.advance_rows`."""
    entry_id, kind, item_id, patron_id, transaction_date, due_date, attempts, last_error = row[:8]
    return Outgoing(entry_id, _KINDS[kind], item_id, patron_id, datetime.fromisoformat(transaction_date),
                    None if due_date is None else datetime.fromisoformat(due_date), attempts + 1, last_error)


def _sending_entry(row: tuple[Any, ...], updated: datetime) -> QueueEntry:
    """An entry just marked "sending", from a row of _NEXT_PENDING (fewer columns than `_entry`)."""
    (entry_id, kind, item_id, patron_id, transaction_date, due_date, attempts, last_error, created_at,
     patron_name, title) = row
    return QueueEntry(
        id=entry_id, kind=Kind(kind), item_id=item_id, patron_id=patron_id,
        transaction_date=datetime.fromisoformat(transaction_date),
        due_date=None if due_date is None else datetime.fromisoformat(due_date),
        state=EntryState.SENDING, attempts=attempts + 1, last_error=last_error, reason=None,
        created_at=from_stamp(created_at), updated_at=updated, patron_name=patron_name, title=title)


def _not_in_flight(entry_id: int, state: str | None) -> QueueError:
    return QueueError(f"queue entry {entry_id} is {state or 'gone'}, not in flight")


def _kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise QueueError(f"unknown transaction kind {kind!r}: expected one of "
                         f"{', '.join(k.value for k in Kind)}") from None


def _identifier(what: str, value: object) -> str:
    """A barcode as SIP2 can carry it: non-empty text without '|' or control characters."""
    if not isinstance(value, str) or not value.strip():
        raise QueueError(f"{what} must be non-empty text, got {value!r}")
    if len(value) > MAX_ID_LENGTH:
        raise QueueError(f"{what} is longer than {MAX_ID_LENGTH} characters: {value[:20]!r}...")
    if "|" in value or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise QueueError(f"{what} {value!r} contains '|' or control characters, which SIP2 cannot carry")
    return value


def _optional_text(what: str, value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise QueueError(f"{what} must be text or None, got {value!r}")


def _aware(now: datetime | None) -> datetime:
    moment = now or utc_now()
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=utc_now().tzinfo)


def _entry(row: Any) -> QueueEntry:
    return QueueEntry(
        id=row["id"], kind=Kind(row["kind"]), item_id=row["item_id"], patron_id=row["patron_id"],
        transaction_date=parse_date_text(row["transaction_date"]),
        due_date=parse_date_text(row["due_date"]), state=EntryState(row["state"]),
        attempts=row["attempts"], last_error=row.get("last_error"), reason=row.get("reason"),
        created_at=from_stamp(row["created_at"]), updated_at=from_stamp(row["updated_at"]),
        patron_name=row.get("patron_name"), title=row.get("title"),
        acs_messages=tuple(json.loads(row["acs_messages"])) if row.get("acs_messages") else (),
        acs_due_date=row.get("acs_due_date"), finished_at=from_stamp(row.get("finished_at")),
        resolved_at=from_stamp(row.get("resolved_at")), resolution=row.get("resolution"))


def _csv_values(entry: QueueEntry) -> Iterable[object]:
    return (entry.id, entry.kind.value, entry.item_id, entry.title, entry.patron_id,
            entry.patron_name, date_text(entry.transaction_date), date_text(entry.due_date),
            entry.reason, " / ".join(entry.acs_messages), entry.attempts, entry.last_error,
            stamp(entry.created_at), entry.finished_at and stamp(entry.finished_at),
            entry.resolved_at and stamp(entry.resolved_at), entry.resolution)


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting like a formula would run in the spreadsheet staff open the export with.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
