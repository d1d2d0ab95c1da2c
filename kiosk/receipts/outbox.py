"""E-mail waiting to be sent, kept in the kiosk's database so that a restart loses none.

A sent e-mail is deleted (it lists a patron's loans); one given up after too many attempts
is kept as `failed` for staff to see, with its body emptied for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update

from kiosk.storage.db import Database
from kiosk.storage.tables import email_outbox
from kiosk.storage.timestamps import from_stamp, stamp, utc_now


@dataclass(frozen=True)
class OutgoingMail:
    """One e-mail in the outbox."""

    id: int
    recipient: str
    subject: str
    body: str
    attempts: int


@dataclass(frozen=True)
class OutboxCounts:
    """How many e-mails wait, how many were given up, and how old the oldest waiting one is."""

    pending: int
    failed: int
    oldest_pending: datetime | None


class Outbox:
    """The durable e-mail queue."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, recipient: str, subject: str, body: str) -> int:
        """Store an e-mail to send as soon as possible; returns its id."""
        now = stamp()
        with self.database.transaction() as conn:
            result = conn.execute(insert(email_outbox).values(
                recipient=recipient, subject=subject, body=body, state="pending", attempts=0,
                created_at=now, next_attempt_at=now))
            return int(result.inserted_primary_key[0])

    def due(self, now: datetime | None = None, limit: int = 20) -> list[OutgoingMail]:
        """Pending e-mails whose next attempt is due, oldest first."""
        with self.database.reading() as conn:
            rows = conn.execute(select(email_outbox).where(
                email_outbox.c.state == "pending", email_outbox.c.next_attempt_at <= stamp(now or utc_now()))
                .order_by(email_outbox.c.id).limit(limit)).all()
        return [OutgoingMail(r.id, r.recipient, r.subject, r.body, r.attempts) for r in rows]

    def next_attempt(self) -> datetime | None:
        """When the earliest pending e-mail is due (None when nothing waits)."""
        with self.database.reading() as conn:
            value = conn.execute(select(func.min(email_outbox.c.next_attempt_at))
                                 .where(email_outbox.c.state == "pending")).scalar()
        return from_stamp(value)

    def sent(self, mail_id: int) -> None:
        """The e-mail was accepted by the SMTP server: forget it."""
        with self.database.transaction() as conn:
            conn.execute(delete(email_outbox).where(email_outbox.c.id == mail_id))

    def retry_later(self, mail_id: int, error: str, delay: timedelta) -> None:
        """Sending failed for now; try again after `delay`."""
        with self.database.transaction() as conn:
            conn.execute(update(email_outbox).where(email_outbox.c.id == mail_id).values(
                attempts=email_outbox.c.attempts + 1, last_error=error[:500],
                next_attempt_at=stamp(utc_now() + delay)))

    def give_up(self, mail_id: int, error: str) -> None:
        """Sending will never work (refused address, too many attempts): keep the record only."""
        with self.database.transaction() as conn:
            conn.execute(update(email_outbox).where(email_outbox.c.id == mail_id).values(
                state="failed", attempts=email_outbox.c.attempts + 1, last_error=error[:500], body=""))

    def counts(self) -> OutboxCounts:
        """Pending and failed totals, and the creation time of the oldest pending e-mail."""
        with self.database.reading() as conn:
            rows = dict(conn.execute(select(email_outbox.c.state, func.count())
                                     .group_by(email_outbox.c.state)).all())
            oldest = conn.execute(select(func.min(email_outbox.c.created_at))
                                  .where(email_outbox.c.state == "pending")).scalar()
        return OutboxCounts(rows.get("pending", 0), rows.get("failed", 0), from_stamp(oldest))
