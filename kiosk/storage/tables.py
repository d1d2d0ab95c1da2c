"""The tables as the code queries them (SQLAlchemy Core); `migrations` is what creates them.

A test checks that the two agree, column for column, after every migration step.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Text

metadata = MetaData()

queue_entries = Table(
    "queue_entries", metadata,
    Column("id", Integer, primary_key=True),  # AUTOINCREMENT: never reused, so replay order holds
    Column("kind", Text, nullable=False),
    Column("item_id", Text, nullable=False),
    Column("patron_id", Text),
    Column("transaction_date", Text, nullable=False),
    Column("due_date", Text),
    Column("state", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("reason", Text),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("patron_name", Text),
    Column("title", Text),
    Column("acs_messages", Text),  # JSON list of the ACS's screen messages (AF)
    Column("acs_due_date", Text),  # the due date as the ACS wrote it (AH), raw
    Column("finished_at", Text),
    Column("resolved_at", Text),
    Column("resolution", Text),
)

journal = Table(
    "journal", metadata,
    Column("id", Integer, primary_key=True),
    Column("recorded_at", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("item_id", Text, nullable=False),
    Column("patron_id", Text),
    Column("ok", Integer),  # NULL while an offline transaction waits for its replay
    Column("due_date", Text),
    Column("offline", Integer, nullable=False),
    Column("queue_entry_id", Integer),
    Column("title", Text),
    Column("transaction_date", Text),
    Column("acs_messages", Text),
    Column("acs_due_date", Text),
    Column("replayed_at", Text),
    Column("patron_forgotten_at", Text),
    Column("reason", Text),  # why it was refused, when the kiosk itself refused it (offline rules)
)

security_events = Table(
    "security_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("recorded_at", Text, nullable=False),
    Column("item_id", Text, nullable=False),
    Column("tag_uid", Text),
    Column("wanted_state", Text, nullable=False),
    Column("why", Text, nullable=False),
)

kiosk_secrets = Table(
    "kiosk_secrets", metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

patron_cache = Table(
    "patron_cache", metadata,
    Column("patron_key", Text, primary_key=True),  # HMAC-SHA256 of the card number with a local salt
    Column("seen_at", Text, nullable=False),
)

email_outbox = Table(
    "email_outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),  # emptied when given up: it lists a patron's loans
    Column("state", Text, nullable=False),  # pending or failed; a sent e-mail is deleted
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("created_at", Text, nullable=False),
    Column("next_attempt_at", Text, nullable=False),
)
