"""Patrons seen valid online lately, so that offline checkouts are not open to any card.

Only a keyed hash (HMAC-SHA256) of each card number is kept, with a salt made on first use and
kept in the same database; entries older than the configured days count as not seen and are
deleted by `expire`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert

from kiosk.storage.db import Database
from kiosk.storage.tables import kiosk_secrets, patron_cache
from kiosk.storage.timestamps import from_stamp, stamp

_SALT = "patron_cache_salt"


class PatronCache:
    """Remembers which cards the library system said were valid, for `keep` time."""

    def __init__(self, db: Database, *, keep: timedelta) -> None:
        self.db = db
        self.keep = keep
        self._salt = self._load_salt()

    def _load_salt(self) -> bytes:
        with self.db.transaction() as conn:
            value = conn.execute(select(kiosk_secrets.c.value).where(kiosk_secrets.c.name == _SALT)).scalar()
            if value is None:
                value = secrets.token_hex(32)
                conn.execute(insert(kiosk_secrets).values(name=_SALT, value=value))
        return bytes.fromhex(value)

    def key(self, patron_id: str) -> str:
        """The stored form of a card number: it cannot be turned back into the number."""
        return hmac.new(self._salt, patron_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def remember(self, patron_id: str, now: datetime | None = None) -> None:
        """The library system just said this card is valid."""
        seen = stamp(now)
        statement = insert(patron_cache).values(patron_key=self.key(patron_id), seen_at=seen)
        with self.db.transaction() as conn:
            conn.execute(statement.on_conflict_do_update(index_elements=["patron_key"], set_={"seen_at": seen}))

    def seen(self, patron_id: str, now: datetime | None = None) -> bool:
        """Whether this card was seen valid within the last `keep`."""
        with self.db.reading() as conn:
            text = conn.execute(select(patron_cache.c.seen_at)
                                .where(patron_cache.c.patron_key == self.key(patron_id))).scalar()
        if text is None:
            return False
        when = from_stamp(text)
        return when is not None and (now or datetime.now(timezone.utc)) - when <= self.keep

    def expire(self, now: datetime | None = None) -> int:
        """Forget cards not seen within `keep`; returns how many were forgotten."""
        cutoff = stamp((now or datetime.now(timezone.utc)) - self.keep)
        with self.db.transaction() as conn:
            return conn.execute(delete(patron_cache).where(patron_cache.c.seen_at < cutoff)).rowcount
