"""The offline queue on real SQLite files: durability settings, order, states, export, purge, migration."""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, inspect

from kiosk.storage import EntryState, Journal, OfflineQueue, QueueError, Settlement, StorageError, open_database
from kiosk.storage.db import Database
from kiosk.storage.migrations import LATEST_VERSION, MIGRATIONS
from kiosk.storage.queue import _ITEM_WAITING
from kiosk.storage.tables import metadata

WHEN = datetime(2026, 3, 2, 10, 15, 0)
DUE = datetime(2026, 3, 23, 23, 59, 59)


def checkout(queue: OfflineQueue, item: str = "I1", **kwargs):
    kwargs.setdefault("patron_id", "P1")
    kwargs.setdefault("transaction_date", WHEN)
    kwargs.setdefault("due_date", DUE)
    return queue.enqueue("checkout", item_id=item, **kwargs)


@pytest.fixture
def queue(tmp_path):
    db = open_database(tmp_path / "kiosk.sqlite")
    yield OfflineQueue(db)
    db.close()


def pragmas(db: Database) -> tuple[str, int, int]:
    with db.reading() as conn:
        return (conn.exec_driver_sql("PRAGMA journal_mode").scalar(),
                conn.exec_driver_sql("PRAGMA synchronous").scalar(),
                conn.exec_driver_sql("PRAGMA busy_timeout").scalar())


def test_every_connection_is_durable(tmp_path):
    db = open_database(tmp_path / "deep" / "folder" / "kiosk.sqlite", busy_timeout=3)
    assert (tmp_path / "deep" / "folder" / "kiosk.sqlite").exists()
    assert pragmas(db) == ("wal", 2, 3000)  # synchronous 2 = FULL
    # A second connection at the same time gets the same settings.
    with db.reading() as first, db.reading() as second:
        assert first.connection.dbapi_connection is not second.connection.dbapi_connection
        for conn in (first, second):
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    db.close()


def test_a_failed_write_leaves_nothing_behind(queue):
    with pytest.raises(RuntimeError):
        with queue.db.write_cursor() as cursor:
            cursor.execute("INSERT INTO security_events (recorded_at, item_id, wanted_state, why) "
                           "VALUES ('2026-01-01T00:00:00.000000', 'I1', 'secured', 'test')")
            raise RuntimeError("the disk is full")
    with queue.db.reading() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM security_events").scalar() == 0
    assert checkout(queue).id == 1  # and the database is usable afterwards


def test_an_engine_given_by_the_caller_gets_the_same_settings(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'k.sqlite'}")
    queue = OfflineQueue(engine)
    assert pragmas(queue.db)[:2] == ("wal", 2)
    assert checkout(queue).id == 1


def test_entries_keep_their_order_and_ids_are_never_reused(queue):
    first = checkout(queue, "I1")
    second = queue.enqueue("checkin", item_id="I2", transaction_date=WHEN + timedelta(seconds=1))
    third = queue.enqueue("renew", item_id="I3", patron_id="P1", transaction_date=WHEN, due_date=DUE)
    assert [e.id for e in queue.pending()] == [first.id, second.id, third.id]
    assert first.id < second.id < third.id
    assert [e.kind for e in queue.pending()] == ["checkout", "checkin", "renew"]
    assert queue.get(second.id) == second

    # Settle everything, purge it all, and the next id still grows.
    entry = queue.advance()
    while entry is not None:
        entry = queue.advance(Settlement(entry.id, EntryState.DONE))
    assert queue.purge(timedelta(0), now=datetime.now(timezone.utc) + timedelta(seconds=1)) == 3
    assert checkout(queue, "I4").id == third.id + 1


def test_what_is_stored_comes_back_unchanged(queue):
    aware = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    entry = checkout(queue, "3901000123", patron_id="2100045", transaction_date=aware,
                     patron_name="Zoë Øvergaard", title="Émile Zola: Germinal")
    again = queue.get(entry.id)
    assert again == entry
    assert again.transaction_date == aware and again.transaction_date.tzinfo is not None
    assert again.due_date == DUE and again.state is EntryState.PENDING and again.attempts == 0
    assert again.patron_name == "Zoë Øvergaard" and again.title == "Émile Zola: Germinal"


@pytest.mark.parametrize("kind, kwargs, words", [
    ("lend", {"item_id": "I1"}, "unknown transaction kind"),
    ("checkin", {"item_id": ""}, "non-empty"),
    ("checkin", {"item_id": "   "}, "non-empty"),
    ("checkin", {"item_id": 12345}, "non-empty"),
    ("checkin", {"item_id": "I1|AAevil"}, "'|'"),
    ("checkin", {"item_id": "I1\r"}, "control"),
    ("checkin", {"item_id": "x" * 101}, "longer"),
    ("checkout", {"item_id": "I1", "due_date": DUE}, "patron"),
    ("renew", {"item_id": "I1", "patron_id": "P1"}, "due date"),
    ("checkout", {"item_id": "I1", "patron_id": "P1|x", "due_date": DUE}, "'|'"),
    ("checkout", {"item_id": "I1", "patron_id": "P1", "due_date": "tomorrow"}, "due_date"),
    ("checkin", {"item_id": "I1", "title": 42}, "title"),
])
def test_bad_entries_are_refused_with_a_clear_error(queue, kind, kwargs, words):
    kwargs.setdefault("transaction_date", WHEN)
    with pytest.raises(QueueError, match=words):
        queue.enqueue(kind, **kwargs)
    assert queue.counts().waiting == 0


def test_a_transaction_date_is_required_and_must_be_a_date(queue):
    with pytest.raises(QueueError, match="transaction_date"):
        queue.enqueue("checkin", item_id="I1", transaction_date="2026-03-02")
    with pytest.raises(TypeError):
        queue.enqueue("checkin", item_id="I1")  # type: ignore[call-arg]


def test_no_pin_can_be_stored(queue):
    with pytest.raises(TypeError):
        checkout(queue, patron_password="1234")  # type: ignore[call-arg]
    with queue.db.reading() as conn:
        columns = [c["name"].lower() for table in ("queue_entries", "journal", "security_events")
                   for c in inspect(conn).get_columns(table)]
    assert not [c for c in columns if "pin" in c or "password" in c]


def test_states_and_attempts(queue):
    a, b = checkout(queue, "I1"), checkout(queue, "I2")
    sending = queue.advance()
    assert (sending.id, sending.state, sending.attempts) == (a.id, EntryState.SENDING, 1)
    assert queue.get(a.id).state is EntryState.SENDING
    assert [e.id for e in queue.in_flight()] == [a.id]

    queue.retry_later(a.id, "library system unreachable")
    back = queue.get(a.id)
    assert back.state is EntryState.PENDING and back.last_error == "library system unreachable"

    again = queue.advance()
    assert (again.id, again.attempts) == (a.id, 2)
    nxt = queue.advance(Settlement(a.id, EntryState.DONE, acs_messages=("Checked out.",),
                                   acs_due_date="2026-03-23 23:59:59", title="Germinal"))
    assert nxt.id == b.id
    done = queue.get(a.id)
    assert done.state is EntryState.DONE and done.finished_at is not None
    assert done.acs_messages == ("Checked out.",) and done.title == "Germinal"

    assert queue.advance(Settlement(b.id, EntryState.REFUSED, reason="Patron blocked.")) is None
    with pytest.raises(QueueError, match="not in flight"):
        queue.settle(Settlement(b.id, EntryState.DONE))  # settled already
    with pytest.raises(QueueError):
        Settlement(b.id, EntryState.PENDING)


def test_a_batch_that_settles_an_entry_twice_is_refused_whole(queue):
    a, b = checkout(queue, "I1"), checkout(queue, "I2")
    queue.advance_batch(take=2)
    with pytest.raises(QueueError, match=f"queue entry {a.id} was settled twice in one batch"):
        queue.advance_batch([Settlement(a.id, EntryState.DONE), Settlement(b.id, EntryState.DONE),
                             Settlement(a.id, EntryState.REFUSED, reason="no")], take=0)
    assert [queue.get(e.id).state for e in (a, b)] == [EntryState.SENDING] * 2


def test_counts_and_age_of_the_oldest_waiting_entry(queue):
    assert queue.oldest_pending_age() is None
    first = checkout(queue, "I1")
    checkout(queue, "I2")
    checkout(queue, "I3")
    queue.advance()  # I1 in flight
    queue.advance(Settlement(first.id, EntryState.REFUSED, reason="no"))  # I2 now in flight
    counts = queue.counts()
    assert (counts.pending, counts.sending, counts.done, counts.refused, counts.unresolved) == (1, 1, 0, 1, 1)
    assert counts.waiting == 2
    later = queue.get(2).created_at + timedelta(hours=3)
    assert queue.oldest_pending_age(later) == timedelta(hours=3)
    assert queue.oldest_pending_age(later.replace(tzinfo=None)) == timedelta(hours=3)  # naive = UTC


def refuse_all(queue: OfflineQueue) -> None:
    entry = queue.advance()
    while entry is not None:
        entry = queue.advance(Settlement(entry.id, EntryState.REFUSED, reason=f"refused {entry.item_id}",
                                         acs_messages=("Blocked.", "See staff.")))


def test_refused_entries_export_as_csv_for_staff(queue):
    checkout(queue, "I1", patron_name="Ann, \"the\" reader", title="=HYPERLINK(\"x\")")
    checkout(queue, "I2")
    refuse_all(queue)
    out = io.StringIO()
    assert queue.export_refused_csv(out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["item_id"] for r in rows] == ["I1", "I2"]
    assert rows[0]["patron_name"] == "Ann, \"the\" reader"
    assert rows[0]["title"] == "'=HYPERLINK(\"x\")"  # not a formula in a spreadsheet
    assert rows[0]["reason"] == "refused I1" and rows[0]["acs_messages"] == "Blocked. / See staff."
    assert rows[0]["transaction_date"] == WHEN.isoformat() and rows[0]["attempts"] == "1"

    resolved = queue.mark_refused_resolved(1, "checked out by hand at the desk")
    assert resolved.resolved_at is not None and resolved.resolution == "checked out by hand at the desk"
    assert [e.id for e in queue.refused()] == [2]
    assert queue.counts().unresolved == 1
    out = io.StringIO()
    assert queue.export_refused_csv(out) == 1
    assert queue.export_refused_csv(io.StringIO(), include_resolved=True) == 2


def test_only_unresolved_refusals_can_be_resolved(queue):
    checkout(queue)
    with pytest.raises(QueueError, match="pending"):
        queue.mark_refused_resolved(1)
    with pytest.raises(QueueError, match="no queue entry"):
        queue.mark_refused_resolved(99)
    refuse_all(queue)
    queue.mark_refused_resolved(1)
    with pytest.raises(QueueError, match="already resolved"):
        queue.mark_refused_resolved(1)


def test_purge_removes_old_done_entries_only(queue):
    for n in range(5):
        checkout(queue, f"I{n}")
    entry = queue.advance()
    entry = queue.advance(Settlement(entry.id, EntryState.DONE))  # I0 done, I1 sending
    entry = queue.advance(Settlement(entry.id, EntryState.REFUSED, reason="no"))  # I1 refused, I2 sending
    entry = queue.advance(Settlement(entry.id, EntryState.DONE), take_next=False)  # I2 done; I3, I4 pending
    queue.advance()  # I3 sending
    now = datetime.now(timezone.utc)
    assert queue.purge(timedelta(days=30), now=now) == 0  # nothing that old
    assert queue.purge(timedelta(days=30), now=now + timedelta(days=31)) == 2
    assert {e.item_id: e.state for e in queue.entries()} == {
        "I1": EntryState.REFUSED, "I3": EntryState.SENDING, "I4": EntryState.PENDING}
    with pytest.raises(QueueError):
        queue.purge(timedelta(days=-1))


def test_enqueue_from_many_threads_while_replaying(queue):
    errors: list[BaseException] = []

    def producer(n: int) -> None:
        try:
            for i in range(25):
                checkout(queue, f"T{n}-{i}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=producer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    settled = 0
    entry = None
    while any(t.is_alive() for t in threads) or entry is not None or queue.counts().pending:
        entry = queue.advance(None if entry is None else Settlement(entry.id, EntryState.DONE))
        settled += entry is not None
    for t in threads:
        t.join()
    assert not errors
    assert settled == 100 and queue.counts().done == 100
    assert len({e.id for e in queue.entries()}) == 100


def test_an_enqueued_entry_survives_the_process_being_killed(tmp_path):
    path = tmp_path / "kiosk.sqlite"
    script = (
        "import os, signal, sys\n"
        "from datetime import datetime\n"
        "from kiosk.storage import OfflineQueue\n"
        "q = OfflineQueue(sys.argv[1])\n"
        "e = q.enqueue('checkin', item_id='KILLED', transaction_date=datetime(2026, 3, 2, 10, 0))\n"
        "print(e.id, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    child = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                           timeout=60, cwd=os.getcwd())
    assert child.returncode == -signal.SIGKILL
    entry = OfflineQueue(path).get(int(child.stdout.strip()))
    assert entry is not None and entry.item_id == "KILLED" and entry.state is EntryState.PENDING


def version_1_database(path) -> None:
    """A database as the first release wrote it, made with raw SQL, with entries in it."""
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for statement in MIGRATIONS[0].statements:
        raw.execute(statement)
    raw.execute("INSERT INTO schema_version VALUES (1, '2025-01-01T00:00:00.000000')")
    rows = [("checkout", "OLD1", "P1", "2025-06-01T10:00:00", "2025-06-22T23:59:59", "pending"),
            ("checkin", "OLD2", None, "2025-06-01T10:01:00", None, "pending"),
            ("checkout", "OLD3", "P2", "2025-06-01T09:00:00", "2025-06-22T23:59:59", "done")]
    for kind, item, patron, when, due, state in rows:
        raw.execute("INSERT INTO queue_entries (kind, item_id, patron_id, transaction_date, due_date, "
                    "state, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
                    (kind, item, patron, when, due, state, "2025-06-01T10:02:00.000000",
                     "2025-06-01T10:02:00.000000"))
    raw.execute("INSERT INTO journal (recorded_at, kind, item_id, patron_id, ok, offline, queue_entry_id) "
                "VALUES ('2025-06-01T10:02:00.000000', 'checkout', 'OLD1', 'P1', NULL, 1, 1)")
    raw.commit()
    raw.close()


def test_a_version_1_database_is_migrated_in_place(tmp_path):
    path = tmp_path / "old.sqlite"
    version_1_database(path)
    db = open_database(path)
    assert db.schema_version == LATEST_VERSION == 5
    with db.reading() as conn:
        versions = [v for (v,) in conn.exec_driver_sql("SELECT version FROM schema_version ORDER BY version")]
    assert versions == [1, 2, 3, 4, 5]
    queue = OfflineQueue(db)
    assert [(e.item_id, e.state) for e in queue.pending()] == [("OLD1", "pending"), ("OLD2", "pending")]
    assert queue.get(1).due_date == datetime(2025, 6, 22, 23, 59, 59) and queue.get(1).title is None
    assert Journal(db).for_queue_entry(1).ok is None
    new = checkout(queue, "NEW", title="New title")
    assert new.id == 4 and queue.get(4).title == "New title"
    db.close()
    assert open_database(path).schema_version == 5  # opening again changes nothing


def test_migrations_build_exactly_the_tables_the_code_queries(tmp_path):
    db = open_database(tmp_path / "k.sqlite")
    with db.reading() as conn:
        inspector = inspect(conn)
        for table in metadata.sorted_tables:
            assert [c["name"] for c in inspector.get_columns(table.name)] == [c.name for c in table.columns]


def test_a_database_from_a_newer_release_is_not_touched(tmp_path):
    path = tmp_path / "future.sqlite"
    open_database(path).close()
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO schema_version VALUES (99, '2030-01-01T00:00:00.000000')")
    raw.commit()
    raw.close()
    with pytest.raises(StorageError, match="newer release"):
        open_database(path)


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"this is a text file, not SQLite " * 100)
    with pytest.raises(StorageError, match="cannot open the kiosk database"):
        open_database(path)


def test_a_folder_that_cannot_be_created_gives_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError, match="cannot create the folder"):
        open_database(tmp_path / "file" / "kiosk.sqlite")


def test_has_waiting_names_items_not_yet_replayed(tmp_path):
    queue = OfflineQueue(tmp_path / "kiosk.db")
    entry = queue.enqueue("checkin", item_id="30001000000010", transaction_date=datetime(2026, 11, 30, 9, 0))
    assert queue.has_waiting("30001000000010") and not queue.has_waiting("30001000000028")
    assert queue.advance().id == entry.id  # taken to be sent: still waiting
    assert queue.has_waiting("30001000000010")
    queue.settle(Settlement(entry.id, EntryState.DONE))
    assert not queue.has_waiting("30001000000010")


def test_has_waiting_looks_the_item_up_in_an_index_not_through_the_waiting_entries(tmp_path):
    queue = OfflineQueue(tmp_path / "kiosk.db")
    for n in range(50):
        queue.enqueue("checkin", item_id=f"I{n}", transaction_date=datetime(2026, 11, 30, 9, 0))
    with queue.db.read_cursor() as cursor:
        plan = " ".join(row[-1] for row in cursor.execute("EXPLAIN QUERY PLAN " + _ITEM_WAITING, ("I7",)))
    assert "SEARCH" in plan and "queue_entries_item_state (item_id=? AND state=?)" in plan
    assert queue.has_waiting("I49") and not queue.has_waiting("I50")


def test_listing_gives_one_page_of_the_entries_staff_asked_for(tmp_path):
    queue = OfflineQueue(tmp_path / "kiosk.db")
    first, second, third = (checkout(queue, f"I{n}") for n in range(3))
    queue.advance()
    queue.settle(Settlement(first.id, EntryState.REFUSED, reason="Unknown item."))
    assert [e.id for e in queue.listing()] == [second.id, third.id]
    assert [e.id for e in queue.listing("all", limit=2)] == [first.id, second.id]
    assert [e.id for e in queue.listing("refused")] == [first.id]
    queue.mark_refused_resolved(first.id)
    assert queue.listing("refused") == [] and [e.id for e in queue.listing("all", limit=0)] == []
    later = third.created_at + timedelta(seconds=1)
    assert queue.listing("all", since=later) == []
    assert [e.id for e in queue.listing("all", since=third.created_at)] == [third.id]
    with pytest.raises(QueueError, match="unknown listing 'lost'"):
        queue.listing("lost")
    with pytest.raises(QueueError, match="cannot be negative"):
        queue.listing(limit=-1)
