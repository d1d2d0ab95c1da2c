"""A patron's session: who is logged in, what they did, and when it times out. Pure: no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.core.outcomes import ItemOutcome

if TYPE_CHECKING:  # the session only keeps 17s; the idle screen need not load the SIP2 messages
    from sip2.messages import ItemInformationResponse

MAX_ITEMS_KNOWN = 100  # item information kept per session: a patron's loans, holds and fines


class SessionState(enum.Enum):
    """Where a session is in its life."""

    ACTIVE = "active"
    WARNING = "warning"  # the patron is shown a countdown
    EXPIRED = "expired"


@dataclass
class PatronSession:
    """One patron at the kiosk. The PIN is kept in memory for this session only, never stored."""

    patron_id: str
    name: str
    pin: str | None
    started: float
    timeout: float
    warning: float
    offline: bool = False
    email: str = ""
    last_activity: float = 0.0
    outcomes: dict[tuple[str, str], ItemOutcome] = field(default_factory=dict)
    offline_checkouts: int = 0
    known_due: dict[str, datetime] = field(default_factory=dict)  # due dates seen, for renewals
    patron_status: str = ""  # the 14 flags of the latest 63, for what the card may do
    items: dict[str, ItemInformationResponse] = field(default_factory=dict)  # 17s asked this session
    renew_refusals: dict[str, str] = field(default_factory=dict)  # why a renewal was refused, by item

    def __post_init__(self) -> None:
        self.last_activity = self.last_activity or self.started

    def touch(self, now: float) -> None:
        """The patron did something: the timeout starts again."""
        self.last_activity = now

    def state(self, now: float) -> SessionState:
        """Active, in its warning period, or expired, at monotonic time `now`."""
        idle = now - self.last_activity
        if idle >= self.timeout:
            return SessionState.EXPIRED
        if idle >= self.timeout - self.warning:
            return SessionState.WARNING
        return SessionState.ACTIVE

    def seconds_left(self, now: float) -> float:
        """Seconds until the session ends by itself."""
        return max(0.0, self.timeout - (now - self.last_activity))

    def remember_item(self, info: ItemInformationResponse) -> None:
        """Keep an item's information for the session (titles of holds and fines, renewability);
        the oldest is forgotten beyond MAX_ITEMS_KNOWN."""
        self.items.pop(info.item_id, None)
        self.items[info.item_id] = info
        while len(self.items) > MAX_ITEMS_KNOWN:
            del self.items[next(iter(self.items))]

    def title_of(self, item_id: str) -> str:
        """The item's title as seen this session (item information or a transaction), or ""."""
        info = self.items.get(item_id)
        if info is not None and info.title:
            return info.title
        return next((o.title for o in reversed(self.outcomes.values()) if o.item_id == item_id and o.title), "")

    def results(self) -> list[ItemOutcome]:
        """Every item outcome of the session, in order, for the screen and the receipt."""
        return list(self.outcomes.values())


class DoubleScanFilter:
    """Ignores the same scan repeated within a few seconds (scanners and pads repeat themselves)."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._last: dict[str, float] = {}

    def is_repeat(self, key: str, now: float) -> bool:
        """True when `key` was seen less than `window` seconds ago; remembers this sighting."""
        last = self._last.get(key)
        self._last[key] = now
        if len(self._last) > 256:  # forget old sightings so memory stays bounded
            cutoff = now - self.window
            self._last = {k: t for k, t in self._last.items() if t >= cutoff}
        return last is not None and now - last < self.window
