"""How dates are kept in the database: ISO 8601 text that sorts in time order.

Transaction and due dates are stored as given (SIP2 dates are naive local times; an aware
datetime keeps its offset). Bookkeeping timestamps (created, finished, recorded) are UTC,
stored naive with microseconds so that text comparison is time comparison.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import overload


def utc_now() -> datetime:
    """The current time in UTC (aware)."""
    return datetime.now(timezone.utc)


def stamp(moment: datetime | None = None) -> str:
    """A bookkeeping timestamp: `moment` (default now) in UTC, as sortable text."""
    moment = moment or utc_now()
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


@overload
def from_stamp(text: str) -> datetime: ...
@overload
def from_stamp(text: None) -> None: ...
def from_stamp(text: str | None) -> datetime | None:
    """The aware UTC datetime of a bookkeeping timestamp (None stays None)."""
    if text is None:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def date_text(moment: datetime | None) -> str | None:
    """A transaction or due date as stored: ISO text, offset kept when there is one."""
    return None if moment is None else moment.isoformat()


@overload
def parse_date_text(text: str) -> datetime: ...
@overload
def parse_date_text(text: None) -> None: ...
def parse_date_text(text: str | None) -> datetime | None:
    """The datetime of a stored transaction or due date (None stays None)."""
    return None if text is None else datetime.fromisoformat(text)
