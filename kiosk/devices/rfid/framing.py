"""Finding frames in a byte stream that may hold noise, lost bytes or corrupted frames (pure).

A protocol describes where a frame could start and how long it would be; the `Deframer`
keeps the bytes it is fed, returns every frame whose check passes, and skips anything else
up to the next plausible start. Nothing here reads a port or a clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

FrameT = TypeVar("FrameT")

MAX_BUFFER = 4096


@dataclass
class FrameRules(Generic[FrameT]):
    """How one protocol's frames look.

    `length_at(buf, i)` returns the full length of a frame that would start at i, 0 when
    more bytes are needed to tell, or None when no frame can start there. `parse(frame)`
    returns the typed frame or None when its check fails.
    """

    length_at: Callable[[bytes, int], int | None]
    parse: Callable[[bytes], FrameT | None]


@dataclass
class Deframer(Generic[FrameT]):
    """Feed bytes in, get whole valid frames out; counts what it had to skip."""

    rules: FrameRules[FrameT]
    skipped: int = 0
    bad_frames: int = 0
    _buffer: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> list[FrameT]:
        """Add received bytes; return the frames completed by them, in order."""
        self._buffer += data
        frames = []
        while True:
            found = self._next_frame()
            if found is None:
                break
            frames.append(found)
        if len(self._buffer) > MAX_BUFFER:  # a stream of noise must not grow without bound
            self.skipped += len(self._buffer) - MAX_BUFFER
            del self._buffer[:len(self._buffer) - MAX_BUFFER]
        return frames

    def pending(self) -> int:
        """Bytes held while waiting for the rest of a frame."""
        return len(self._buffer)

    def _next_frame(self) -> FrameT | None:
        buf = bytes(self._buffer)
        first_incomplete = None
        for start in range(len(buf)):
            length = self.rules.length_at(buf, start)
            if length is None:
                continue
            if length == 0 or start + length > len(buf):
                if first_incomplete is None:
                    first_incomplete = start
                continue
            frame = self.rules.parse(buf[start:start + length])
            if frame is None:
                self.bad_frames += 1
                continue
            self.skipped += start
            del self._buffer[:start + length]
            return frame
        keep_from = len(buf) if first_incomplete is None else first_incomplete
        self.skipped += keep_from
        del self._buffer[:keep_from]
        return None
