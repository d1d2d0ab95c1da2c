"""Cut a byte stream into SIP2 messages, whatever the chunking of the reads.

Accepts CR, LF and CRLF terminators (and a CRLF split across two reads). Messages are
handed out as bytes, so a multi-byte character split between reads is decoded whole.
"""

from __future__ import annotations

from sip2.errors import FrameError

DEFAULT_MAX_LENGTH = 64 * 1024


class Framer:
    """Incremental framer: `feed` bytes, then take whole messages with `next_message`.

    A message longer than `max_length` raises FrameError once; its bytes up to the next
    terminator are dropped, and framing carries on with the message after it.
    """

    def __init__(self, max_length: int = DEFAULT_MAX_LENGTH) -> None:
        self.max_length = max_length
        self._buffer = bytearray()
        self._discarding = False

    def feed(self, data: bytes) -> None:
        """Add bytes read from the connection."""
        self._buffer += data

    @property
    def pending(self) -> int:
        """Bytes received but not yet part of a whole message."""
        return len(self._buffer)

    def next_message(self) -> bytes | None:
        """The next whole message without its terminator, or None if more bytes are needed.

        Blank lines (a bare LF after CR, an empty line) are skipped.
        """
        while True:
            cr, lf = self._buffer.find(b"\r"), self._buffer.find(b"\n")
            ends = [i for i in (cr, lf) if i >= 0]
            if not ends:
                if len(self._buffer) > self.max_length:
                    self._buffer.clear()
                    if not self._discarding:
                        self._discarding = True
                        raise FrameError(f"message longer than {self.max_length} bytes without a "
                                         "terminator; dropped")
                return None
            end = min(ends)
            line = bytes(self._buffer[:end])
            del self._buffer[:end + 1]
            if self._discarding:
                self._discarding = False  # the tail of an over-long message
                continue
            if len(line) > self.max_length:
                raise FrameError(f"message of {len(line)} bytes is longer than the limit of "
                                 f"{self.max_length}; dropped")
            if line:
                return line

    def messages(self, data: bytes = b"") -> list[bytes]:
        """Feed `data` and return every whole message now available (may raise FrameError)."""
        self.feed(data)
        out = []
        while (line := self.next_message()) is not None:
            out.append(line)
        return out
