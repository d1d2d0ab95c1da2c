"""The database schema as an ordered list of steps; a release only ever appends steps.

Step N brings a database from version N-1 to version N. Steps are plain SQL, frozen once
released, so that a database written by any older release can be brought up to date in
place when it is opened (queued transactions survive an upgrade).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One schema step: the version it produces, what it is for, and its SQL statements."""

    version: int
    purpose: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "offline queue and transaction journal", (
        """CREATE TABLE queue_entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('checkout', 'checkin', 'renew')),
            item_id TEXT NOT NULL,
            patron_id TEXT,
            transaction_date TEXT NOT NULL,
            due_date TEXT,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'done', 'refused')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX queue_entries_state ON queue_entries (state, id)",
        """CREATE TABLE journal (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            item_id TEXT NOT NULL,
            patron_id TEXT,
            ok INTEGER,
            due_date TEXT,
            offline INTEGER NOT NULL DEFAULT 0,
            queue_entry_id INTEGER
        )""",
    )),
    Migration(2, "receipts and staff lists: names, titles, ACS replies; security failures", (
        "ALTER TABLE queue_entries ADD COLUMN patron_name TEXT",
        "ALTER TABLE queue_entries ADD COLUMN title TEXT",
        "ALTER TABLE queue_entries ADD COLUMN acs_messages TEXT",
        "ALTER TABLE queue_entries ADD COLUMN acs_due_date TEXT",
        "ALTER TABLE queue_entries ADD COLUMN finished_at TEXT",
        "ALTER TABLE queue_entries ADD COLUMN resolved_at TEXT",
        "ALTER TABLE queue_entries ADD COLUMN resolution TEXT",
        "ALTER TABLE journal ADD COLUMN title TEXT",
        "ALTER TABLE journal ADD COLUMN transaction_date TEXT",
        "ALTER TABLE journal ADD COLUMN acs_messages TEXT",
        "ALTER TABLE journal ADD COLUMN acs_due_date TEXT",
        "ALTER TABLE journal ADD COLUMN replayed_at TEXT",
        "ALTER TABLE journal ADD COLUMN patron_forgotten_at TEXT",
        "ALTER TABLE journal ADD COLUMN reason TEXT",
        "CREATE INDEX journal_queue_entry ON journal (queue_entry_id)",
        "CREATE INDEX journal_recorded_at ON journal (recorded_at)",
        """CREATE TABLE security_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at TEXT NOT NULL,
            item_id TEXT NOT NULL,
            tag_uid TEXT,
            wanted_state TEXT NOT NULL CHECK (wanted_state IN ('secured', 'unsecured')),
            why TEXT NOT NULL
        )""",
    )),
    Migration(3, "patrons seen valid online, for offline checks (salted hashes, no card numbers)", (
        """CREATE TABLE kiosk_secrets (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
        """CREATE TABLE patron_cache (
            patron_key TEXT PRIMARY KEY,
            seen_at TEXT NOT NULL
        )""",
    )),
    Migration(4, "e-mail waiting to be sent (receipts, staff alerts), kept across restarts", (
        """CREATE TABLE email_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            next_attempt_at TEXT NOT NULL
        )""",
        "CREATE INDEX email_outbox_due ON email_outbox (state, next_attempt_at)",
    )),
    Migration(5, "the per-scan question 'does this item wait in the queue' as an index lookup", (
        "CREATE INDEX queue_entries_item_state ON queue_entries (item_id, state)",
    )),
)

LATEST_VERSION = MIGRATIONS[-1].version
