"""The kiosk's SQLite database: durable settings on every connection and a versioned schema.

Every connection runs in write-ahead-log mode with synchronous=FULL, so a transaction that
committed survives a power cut (SD cards in kiosks lose power), and waits on a busy timeout
instead of failing when another thread or process is writing. Writes start with
BEGIN IMMEDIATE so that two writers queue up instead of deadlocking on a lock upgrade.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from kiosk.storage.errors import StorageError
from kiosk.storage.migrations import LATEST_VERSION, MIGRATIONS
from kiosk.storage.timestamps import stamp

BUSY_TIMEOUT_SECONDS = 10.0
RECHECK_SECONDS = 10.0  # how often a known storage problem is looked at again
_MIN_FREE_BYTES = 1 << 20  # below this the disk counts as still full
_READ_ONLY = "kiosk_read_only"  # execution option: start a plain (deferred) transaction


class Database:
    """One SQLite file shared by the offline queue and the journal.

    Open it with `open_database(path)` (or wrap an existing SQLAlchemy engine with
    `Database(engine)`, which applies the same settings to connections made from then on).
    """

    def __init__(self, engine: Engine, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        if engine.dialect.name != "sqlite":
            raise StorageError(f"the kiosk's database must be SQLite, not {engine.dialect.name}")
        self.engine = engine
        self.busy_timeout = busy_timeout
        self._problem: str | None = None  # why the last write failed, for the technician
        self._checked_at = 0.0
        self._problem_lock = threading.Lock()
        if not event.contains(engine, "connect", self._configure):
            event.listen(engine, "connect", self._configure)
            event.listen(engine, "begin", _begin)
        engine.dispose()  # connections opened before the listeners lack the settings
        try:
            self.schema_version = migrate(self)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot open {describe_failure(self.path, exc)}") from None

    @property
    def path(self) -> str:
        """The database file."""
        return self.engine.url.database or ":memory:"

    def _configure(self, dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun by `_begin`
        cursor = dbapi_connection.cursor()
        try:
            mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal" and self.path != ":memory:":
                raise StorageError(f"{self.path}: the file system refused write-ahead logging "
                                   f"(journal mode stays {mode!r}); put the database on a local disk")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE), committed durably when the block ends."""
        with self._watching():
            with self.engine.begin() as conn:
                yield conn

    @contextmanager
    def _watching(self) -> Iterator[None]:
        """Remember a write failing for a reason of the disk or the file (full, damaged,
        read-only) so the kiosk can go out of service; a write succeeding clears it."""
        try:
            yield
        except (sqlite3.OperationalError, sqlite3.DatabaseError, SQLAlchemyError) as exc:
            if _is_storage_failure(exc):
                with self._problem_lock:
                    self._problem, self._checked_at = describe_failure(self.path, exc), time.monotonic()
            raise
        else:
            if self._problem is not None:
                with self._problem_lock:
                    self._problem = None

    def problem(self) -> str | None:
        """Why the database cannot be written now (for the out-of-service screen), or None.

        Once a write failed, this looks again every RECHECK_SECONDS: the problem clears
        when the disk has room again and the file passes SQLite's quick check.
        """
        with self._problem_lock:
            problem = self._problem
            if problem is None or time.monotonic() - self._checked_at < RECHECK_SECONDS:
                return problem
            self._checked_at = time.monotonic()
        if self._healthy():
            with self._problem_lock:
                self._problem = None
            return None
        return problem

    def _healthy(self) -> bool:
        try:
            if shutil.disk_usage(Path(self.path).parent).free < _MIN_FREE_BYTES:
                return False
            with self.engine.connect() as conn:
                return conn.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"
        except (OSError, SQLAlchemyError, sqlite3.Error):
            return False

    @contextmanager
    def write_cursor(self, connection: sqlite3.Connection | None = None) -> Iterator[sqlite3.Cursor]:
        """A bare driver cursor in a write transaction, committed durably when the block ends.

        For the one-statement writes on a patron's path (queueing a transaction), where
        SQLAlchemy's own bookkeeping would cost as much as the disk sync. The transaction runs
        on `connection` when given (one of `held_connection`), else on a pooled one.
        """
        with self._watching(), self._driver(connection) as driver:
            cursor = driver.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                if driver.in_transaction:  # SQLite ends it itself on a full disk
                    cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    @contextmanager
    def held_connection(self) -> Iterator[sqlite3.Connection]:
        """A pooled driver connection kept for a run of write transactions (a replay's commits),
        used by one thread at a time. Its page cache stays valid from one of them to the next,
        where a connection that another one wrote after reads its pages again."""
        with self._driver(None) as driver:
            yield driver

    @contextmanager
    def _driver(self, connection: sqlite3.Connection | None) -> Iterator[sqlite3.Connection]:
        if connection is not None:
            yield connection
            return
        raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None  # a pooled connection that is open
            yield driver
        finally:
            raw.close()  # back to the pool

    @contextmanager
    def read_cursor(self) -> Iterator[sqlite3.Cursor]:
        """A bare driver cursor outside any transaction: each statement reads its own snapshot.

        For one-statement reads on a patron's path (is this item queued), where opening an
        SQLAlchemy transaction would cost more than the indexed lookup itself.
        """
        with self._driver(None) as driver:
            cursor = driver.cursor()
            try:
                yield cursor
            finally:
                cursor.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction: a consistent snapshot that does not hold up writers."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{_READ_ONLY: True})
            with conn.begin():
                yield conn

    def close(self) -> None:
        """Close every pooled connection (the file stays)."""
        self.engine.dispose()


def _is_storage_failure(exc: BaseException) -> bool:
    """A failure of the disk or the file, not of the statement (a constraint, a bad value)."""
    orig = getattr(exc, "orig", None) or exc
    return isinstance(orig, sqlite3.DatabaseError) and not isinstance(
        orig, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError))


def describe_failure(path: str, exc: BaseException) -> str:
    """What went wrong with the database file, in words a technician can act on."""
    detail = str(getattr(exc, "orig", None) or exc)
    lowered = detail.lower()
    where = Path(path).parent
    if "full" in lowered:
        return (f"the disk holding the kiosk database {path} is full: free space in {where} "
                "(everything recorded before is kept)")
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return (f"the kiosk database {path} is damaged ({detail}): keep a copy of the file for "
                "recovery, move it aside and restart the kiosk to begin a new one")
    if "readonly" in lowered or "read-only" in lowered:
        return (f"the kiosk database {path} cannot be written ({detail}): check that the file "
                "system is writable and the file belongs to the kiosk's user")
    if "i/o" in lowered:
        return (f"the disk holding the kiosk database {path} failed ({detail}): check the SD card "
                "or disk")
    return f"the kiosk database {path}: {detail}"


def _begin(conn: Connection) -> None:
    if conn.get_execution_options().get(_READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def open_database(path: str | os.PathLike[str], *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> Database:
    """Open (or create) the database file, creating its folder, and bring its schema up to date.

    Raises StorageError when the folder cannot be created, the file is not a database, or
    it was written by a newer release of the kiosk.
    """
    file = Path(path)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the folder of the kiosk database {file}: {exc}") from None
    engine = create_engine(f"sqlite:///{file}", connect_args={
        "timeout": busy_timeout, "check_same_thread": False})
    return Database(engine, busy_timeout=busy_timeout)


def as_database(engine_or_path: Database | Engine | str | os.PathLike[str]) -> Database:
    """A Database from whatever the caller has: one already open, an engine, or a file path."""
    if isinstance(engine_or_path, Database):
        return engine_or_path
    if isinstance(engine_or_path, Engine):
        return Database(engine_or_path)
    return open_database(engine_or_path)


def migrate(db: Database) -> int:
    """Apply the migration steps the database lacks, in one transaction; returns its version."""
    with db.transaction() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS schema_version ("
                             "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        current = conn.execute(text("SELECT coalesce(max(version), 0) FROM schema_version")).scalar_one()
        if current > LATEST_VERSION:
            raise StorageError(f"{db.path} has schema version {current}, written by a newer release "
                               f"than this one (which knows up to {LATEST_VERSION}); upgrade the kiosk")
        for step in MIGRATIONS:
            if step.version <= current:
                continue
            for statement in step.statements:
                conn.exec_driver_sql(statement)
            conn.execute(text("INSERT INTO schema_version (version, applied_at) VALUES (:v, :at)"),
                         {"v": step.version, "at": stamp()})
    return LATEST_VERSION
