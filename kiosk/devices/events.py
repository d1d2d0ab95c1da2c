"""What the devices tell the rest of the kiosk: plain, immutable event records.

Every driver delivers these to one sink (a callable), from its own thread; the sink
must not block for long (a `queue.Queue.put` is the usual one).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.devices.classify import Classified


class DeviceState(enum.Enum):
    """Life cycle of a device as a technician sees it."""

    CONNECTED = "connected"
    LOST = "lost"
    RECONNECTING = "reconnecting"
    ERROR = "error"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Scan:
    """A barcode read by a scanner (or typed on the app's keyboard in demo mode)."""

    text: str
    source: str
    symbology: str | None = None
    timestamp: float = field(default_factory=time.time)
    classified: Classified | None = None  # what it is, decided once where it entered the kiosk


@dataclass(frozen=True)
class TagData:
    """An RFID tag's content after decoding its library data model."""

    uid: str  # ISO 15693 UID, 16 hex digits, most significant byte (E0) first
    item_id: str
    data_model: str  # "iso28560-3", "iso28560-2", "3m-rfid501"
    parts_in_item: int = 1
    part_number: int = 1
    owner_library: str = ""
    type_of_usage: str = ""
    secured: bool | None = None  # None when the security state could not be read


@dataclass(frozen=True)
class ItemPlaced:
    """A tag appeared on the pad and decoded to an item."""

    tag: TagData
    source: str
    timestamp: float = field(default_factory=time.time)


@dataclass(frozen=True)
class ItemRemoved:
    """A tag left the pad."""

    uid: str
    source: str
    tag: TagData | None = None
    timestamp: float = field(default_factory=time.time)


@dataclass(frozen=True)
class UnreadableTag:
    """A tag is on the pad but its content could not be trusted; never an item id."""

    uid: str
    reason: str
    source: str
    raw: bytes = b""
    timestamp: float = field(default_factory=time.time)


@dataclass(frozen=True)
class IncompleteSet:
    """Some parts of a multi-part item are on the pad, others are missing."""

    item_id: str
    parts_in_item: int
    present: tuple[int, ...]
    missing: tuple[int, ...]
    source: str
    timestamp: float = field(default_factory=time.time)


@dataclass(frozen=True)
class DeviceStatus:
    """A device connected, was lost, is being retried, or failed (with why)."""

    source: str
    state: DeviceState
    detail: str = ""
    timestamp: float = field(default_factory=time.time)


DeviceEvent = Scan | ItemPlaced | ItemRemoved | UnreadableTag | IncompleteSet | DeviceStatus
EventSink = Callable[[DeviceEvent], None]
