"""The ESC/POS real-time status replies (DLE EOT n), decoded: bytes in, a printer state out.

DLE EOT 1 asks whether the printer is online; DLE EOT 4 asks about the paper roll. Each reply
is one byte with bits 1 and 4 set and bits 0 and 7 clear, which is how a reply is told apart
from noise. No reply at all means the printer is off or not there.
"""

from __future__ import annotations

import enum

ASK_ONLINE = b"\x10\x04\x01"
ASK_PAPER = b"\x10\x04\x04"
_OFFLINE_BIT = 0x08
_PAPER_NEAR_END = 0x0C
_PAPER_OUT = 0x60


class PrinterState(enum.Enum):
    """What the kiosk knows about its receipt printer."""

    READY = "ready"
    PAPER_LOW = "paper low"  # still prints; staff should change the roll
    PAPER_OUT = "paper out"
    OFFLINE = "offline"  # cover open, error, or switched off
    UNREACHABLE = "unreachable"  # cannot be opened or did not answer
    NOT_CONFIGURED = "not configured"

    @property
    def can_print(self) -> bool:
        """True when a receipt can be printed now."""
        return self in (PrinterState.READY, PrinterState.PAPER_LOW)


class StatusReplyError(ValueError):
    """A status reply that is not a DLE EOT status byte."""


def status_byte(reply: bytes) -> int:
    """The status byte of a reply (the last one, if the printer sent more); raise StatusReplyError."""
    if not reply:
        raise StatusReplyError("no reply")
    byte = reply[-1]
    if byte & 0x93 != 0x12:
        raise StatusReplyError(f"not a status byte: 0x{byte:02x}")
    return byte


def decode(online_reply: bytes, paper_reply: bytes) -> PrinterState:
    """The printer's state from its replies to ASK_ONLINE and ASK_PAPER."""
    try:
        online = status_byte(online_reply)
    except StatusReplyError:
        return PrinterState.UNREACHABLE
    try:
        paper = status_byte(paper_reply)
    except StatusReplyError:
        paper = None
    # Many printers also go offline when the paper runs out: paper out is the more useful news.
    if paper is not None and paper & _PAPER_OUT:
        return PrinterState.PAPER_OUT
    if online & _OFFLINE_BIT:
        return PrinterState.OFFLINE
    if paper is None:
        return PrinterState.UNREACHABLE
    if paper & _PAPER_NEAR_END:
        return PrinterState.PAPER_LOW
    return PrinterState.READY
