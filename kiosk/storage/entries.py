"""What the offline queue holds: its entries, their states, and what became of one that was sent.

Plain records, below both the queue (which stores them) and the journal (which records them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from kiosk.storage.errors import QueueError
from kiosk.storage.timestamps import utc_now


class Kind(StrEnum):
    """What a queued transaction does."""

    CHECKOUT = "checkout"
    CHECKIN = "checkin"
    RENEW = "renew"


class EntryState(StrEnum):
    """Where an entry is in its replay."""

    PENDING = "pending"  # waiting to be sent
    SENDING = "sending"  # sent, or about to be: the reply has not been recorded yet
    DONE = "done"  # the library system accepted it
    REFUSED = "refused"  # refused, or its outcome could not be known: for staff


@dataclass(frozen=True)
class QueueEntry:
    """One queued transaction as stored. Dates: `transaction_date`/`due_date` as given (local
    SIP2 time); `created_at`, `updated_at`, `finished_at`, `resolved_at` in UTC."""

    id: int
    kind: Kind
    item_id: str
    patron_id: str | None
    transaction_date: datetime
    due_date: datetime | None
    state: EntryState
    attempts: int
    last_error: str | None
    reason: str | None  # why it was refused (the ACS's screen messages, or why the outcome is unknown)
    created_at: datetime
    updated_at: datetime
    patron_name: str | None = None
    title: str | None = None
    acs_messages: tuple[str, ...] = ()
    acs_due_date: str | None = None
    finished_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None

    def age(self, now: datetime | None = None) -> timedelta:
        """How long ago the entry was queued."""
        return (now or utc_now()) - self.created_at


class Outgoing(NamedTuple):
    """An entry just marked "sending", as its replay needs it: a light record made once per
    replayed entry (a `QueueEntry` costs several times more to build)."""

    id: int
    kind: Kind
    item_id: str
    patron_id: str | None
    transaction_date: datetime
    due_date: datetime | None
    attempts: int  # counting the attempt it was just marked for
    last_error: str | None


# What the replay sends and reconciles: an entry read whole, or one just marked "sending".
EntryToSend = QueueEntry | Outgoing


@dataclass(frozen=True)
class QueueCounts:
    """How many entries are in each state, and how many refusals staff have not dealt with."""

    pending: int = 0
    sending: int = 0
    done: int = 0
    refused: int = 0
    unresolved: int = 0

    @property
    def waiting(self) -> int:
        """Entries not replayed yet (pending or in flight)."""
        return self.pending + self.sending


@dataclass(frozen=True)
class Settlement:
    """What became of an entry that was being sent: done or refused, with what the ACS said."""

    entry_id: int
    state: EntryState
    reason: str | None = None
    acs_messages: tuple[str, ...] = ()
    acs_due_date: str | None = None
    title: str | None = None
    last_error: str | None = None

    def __post_init__(self) -> None:
        if self.state not in (EntryState.DONE, EntryState.REFUSED):
            raise QueueError(f"an entry is settled as done or refused, not {self.state}")

    @property
    def acs_messages_json(self) -> str:
        """The ACS's messages as stored (a JSON list), from a cache: `cached_property` takes a
        lock on every first read, which costs more than the cache look-up."""
        return _messages_json(self.acs_messages)


@lru_cache(maxsize=256)
def _messages_json(messages: tuple[str, ...]) -> str:
    """Screen messages as stored; cached, as an ACS repeats the same few ("Checked out.")."""
    return json.dumps(list(messages), ensure_ascii=False) if messages else "[]"
