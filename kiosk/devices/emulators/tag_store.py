"""Virtual ISO 15693 tags on an emulated pad, and the faults an emulated reader can inject.

Both RFID reader emulators share this: a test or the demo places and removes tags through
`TagStore`, and sets `Faults` to make the next replies noisy, short, corrupt, silent or slow.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

from kiosk.devices.tags import encode_tag, rfid501

_serials = itertools.count(0x100001)


def next_uid() -> str:
    """A fresh NXP-style UID (E0 04 ...), unique within this process."""
    return f"E004{next(_serials):012X}"


@dataclass
class VirtualTag:
    """One tag: its memory, AFI, DSFID and EAS bit, plus how it misbehaves."""

    uid: str
    memory: bytearray
    block_size: int = 4
    dsfid: int = 0x00
    afi: int = 0x07
    eas: bool = True
    afi_locked: bool = False  # write AFI is refused with an error status
    ignores_writes: bool = False  # writes are acknowledged but nothing changes

    @property
    def block_count(self) -> int:
        """Number of memory blocks."""
        return len(self.memory) // self.block_size

    def read(self, first: int, count: int) -> bytes | None:
        """Blocks `first`..`first+count-1`, or None if outside the memory."""
        if count < 1 or first + count > self.block_count:
            return None
        return bytes(self.memory[first * self.block_size:(first + count) * self.block_size])

    def write(self, first: int, data: bytes) -> bool:
        """Store whole blocks; False if outside the memory."""
        if not data or len(data) % self.block_size or first * self.block_size + len(data) > len(self.memory):
            return False
        if not self.ignores_writes:
            self.memory[first * self.block_size:first * self.block_size + len(data)] = data
        return True


def make_tag(model: str, item_id: str, *, uid: str | None = None, parts: int = 1, part: int = 1,
             isil: str = "", block_count: int = 28, afi: int = 0x07, eas: bool = True) -> VirtualTag:
    """A tag programmed with one of the library data models (see kiosk.devices.tags.MODELS)."""
    data, dsfid = encode_tag(model, item_id, parts=parts, part=part, isil=isil)
    if len(data) > block_count * 4:
        raise ValueError(f"{len(data)} bytes do not fit in {block_count} blocks")
    memory = bytearray(data) + bytearray(block_count * 4 - len(data))
    return VirtualTag(uid=uid or next_uid(), memory=memory, dsfid=dsfid, afi=afi, eas=eas)


def blank_tag(uid: str | None = None, block_count: int = 28) -> VirtualTag:
    """A never-programmed 3M tag (0x55 everywhere)."""
    return VirtualTag(uid=uid or next_uid(), memory=bytearray(rfid501.blank(block_count * 4)))


def raw_tag(memory: bytes, *, uid: str | None = None, dsfid: int = 0) -> VirtualTag:
    """A tag holding exactly these bytes (padded to whole blocks)."""
    data = bytearray(memory) + bytearray(-len(memory) % 4)
    return VirtualTag(uid=uid or next_uid(), memory=data, dsfid=dsfid)


class TagStore:
    """The tags currently on the emulated pad; safe to use from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tags: dict[str, VirtualTag] = {}

    def place(self, *tags: VirtualTag) -> None:
        """Put tags on the pad."""
        with self._lock:
            for tag in tags:
                self._tags[tag.uid.upper()] = tag

    def remove(self, *uids: str) -> None:
        """Take tags off the pad (unknown UIDs are ignored)."""
        with self._lock:
            for uid in uids:
                self._tags.pop(uid.upper(), None)

    def clear(self) -> None:
        """Take every tag off."""
        with self._lock:
            self._tags.clear()

    def get(self, uid: str) -> VirtualTag | None:
        """The tag with this UID if it is on the pad."""
        with self._lock:
            return self._tags.get(uid.upper())

    def tags(self) -> list[VirtualTag]:
        """The tags on the pad, in the order they were placed."""
        with self._lock:
            return list(self._tags.values())


@dataclass
class Faults:
    """Faults applied to the next replies; counters count replies, `delay` applies to all."""

    noise: int = 0  # replies preceded by garbage bytes
    noise_bytes: bytes = b"\x00\xd6\x13\xff\x07\xb0"
    drop: int = 0  # replies missing one byte in the middle
    bad_crc: int = 0  # replies whose last byte is flipped
    silent: int = 0  # requests left unanswered
    truncate: int = 0  # replies cut in half
    delay: float = 0.0  # seconds added before every reply
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def apply(self, reply: bytes) -> bytes | None:
        """The bytes to send for `reply` after the pending faults (None: send nothing)."""
        with self._lock:
            if self.silent:
                self.silent -= 1
                return None
            out = bytearray(reply)
            if self.truncate:
                self.truncate -= 1
                out = out[:len(out) // 2]
            if self.drop and len(out) > 2:
                self.drop -= 1
                del out[len(out) // 2]
            if self.bad_crc and out:
                self.bad_crc -= 1
                out[-1] ^= 0x5A
            if self.noise:
                self.noise -= 1
                out = bytearray(self.noise_bytes) + out
            return bytes(out)
