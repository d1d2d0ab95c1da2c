"""Serial scanner framing: bytes in, scanned strings out (no port, no clock).

A serial (or USB CDC "virtual COM") scanner sends each barcode as one line ending in CR, LF
or CR LF, optionally starting with an AIM symbology identifier (`]` + code letter + modifier,
e.g. `]C0` for Code 128) and with a prefix/suffix the scanner was programmed to add. Lines
that cannot be trusted come out as `DiscardedLine` with a reason, never as an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

CR, LF = 0x0D, 0x0A

AIM_SYMBOLOGIES = {
    "A": "Code 39",
    "C": "Code 128",
    "E": "EAN/UPC",
    "F": "Codabar",
    "I": "ITF",
    "Q": "QR Code",
    "d": "Data Matrix",
}
"""AIM code letters -> symbology names; other letters are reported as the raw id (e.g. "]X0")."""


class SerialFramingError(ValueError):
    """The framer was configured or fed with something that is not bytes."""


@dataclass(frozen=True)
class FramedScan:
    """One barcode line with its identifiers removed."""

    text: str
    symbology: str | None = None


@dataclass(frozen=True)
class DiscardedLine:
    """Bytes that did not make a trustworthy barcode, and why."""

    reason: str
    raw: bytes


FrameOutcome = FramedScan | DiscardedLine


@dataclass(frozen=True)
class LineFormat:
    """What surrounds the data in a line: AIM identifier, prefix, suffix."""

    aim: bool = True
    strip_prefix: str = ""
    strip_suffix: str = ""


class LineFramer:
    """Cut a byte stream into barcode lines; CR, LF and CR LF each end one line."""

    def __init__(self, line_format: LineFormat | None = None, max_length: int = 256) -> None:
        if not isinstance(max_length, int) or max_length < 1:
            raise SerialFramingError(f"max_length must be a positive integer, got {max_length!r}")
        self.format = line_format or LineFormat()
        self.max_length = max_length
        self._line = bytearray()
        self._after_cr = False  # a CR was the last byte: an LF right after it belongs to it
        self._overlong = False  # skipping the rest of a line that was already discarded

    def reset(self) -> bytes:
        """Drop any partial line (after the port was reopened) and return what was dropped."""
        dropped = bytes(self._line)
        self._line.clear()
        self._after_cr = self._overlong = False
        return dropped

    def feed(self, data: bytes) -> list[FrameOutcome]:
        """Feed bytes as they arrive; return the lines they complete."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise SerialFramingError(f"expected bytes, got {type(data).__name__}")
        data = bytes(data)
        outcomes: list[FrameOutcome] = []
        pos = 0
        while pos < len(data):
            if self._after_cr:
                self._after_cr = False
                if data[pos] == LF:
                    pos += 1
                    continue
            end = _next_terminator(data, pos)
            if end < 0:
                self._append(data[pos:], outcomes)
                break
            self._append(data[pos:end], outcomes)
            self._end_line(outcomes)
            self._after_cr = data[end] == CR
            pos = end + 1
        return outcomes

    def _append(self, chunk: bytes, outcomes: list[FrameOutcome]) -> None:
        if self._overlong or not chunk:
            return
        if len(self._line) + len(chunk) > self.max_length:
            raw = bytes(self._line + chunk[: self.max_length - len(self._line)])
            outcomes.append(DiscardedLine(f"more than {self.max_length} bytes without a line "
                                          "terminator; skipped up to the next one", raw))
            self._line.clear()
            self._overlong = True
            return
        self._line += chunk

    def _end_line(self, outcomes: list[FrameOutcome]) -> None:
        line = bytes(self._line)
        self._line.clear()
        if self._overlong:
            self._overlong = False
        elif line:  # an empty line (e.g. LF CR) is not a scan
            outcomes.append(parse_line(line, self.format))


def _next_terminator(data: bytes, start: int) -> int:
    cr, lf = data.find(b"\r", start), data.find(b"\n", start)
    if cr < 0 or lf < 0:
        return max(cr, lf)
    return min(cr, lf)


def parse_line(line: bytes, line_format: LineFormat = LineFormat()) -> FrameOutcome:
    """Turn one line (without its terminator) into a scan, or say why it is not one."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return DiscardedLine(f"not UTF-8 text: byte 0x{line[exc.start]:02X} at position {exc.start}",
                             line)
    for position, char in enumerate(text):
        if not char.isprintable():
            return DiscardedLine(f"non-printable character U+{ord(char):04X} at position {position}",
                                 line)
    prefix_done = False
    if line_format.strip_prefix and text.startswith(line_format.strip_prefix):
        text, prefix_done = text[len(line_format.strip_prefix):], True
    symbology = None
    if line_format.aim and len(text) >= 3 and text[0] == "]" and text[1].isascii() and text[1].isalpha():
        symbology = AIM_SYMBOLOGIES.get(text[1], text[:3])
        text = text[3:]
    # Scanners differ on whether the programmed prefix goes before or after the AIM id.
    if not prefix_done and line_format.strip_prefix and text.startswith(line_format.strip_prefix):
        text = text[len(line_format.strip_prefix):]
    if line_format.strip_suffix and text.endswith(line_format.strip_suffix):
        text = text[: len(text) - len(line_format.strip_suffix)]
    if not text:
        return DiscardedLine("no data left after removing identifier, prefix and suffix", line)
    return FramedScan(text, symbology)
