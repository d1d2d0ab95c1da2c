"""The RFID reader error family: one base class, typed by what went wrong."""

from __future__ import annotations


class RfidError(Exception):
    """Anything a reader or its framing can report; callers may catch this one class."""


class FrameError(RfidError):
    """Bytes that do not form a valid frame, or no valid reply in time."""


class ReaderError(RfidError):
    """The reader answered with a non-zero status."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(f"reader status 0x{status:02X}: {why}")
        self.status = status
        self.why = why


class NoTag(ReaderError):
    """The addressed tag did not answer (it left the pad, or never was there)."""

    def __init__(self, status: int, uid: str = "") -> None:
        super().__init__(status, f"no transponder {uid}".strip())
        self.uid = uid


class Unsupported(RfidError):
    """The pad does not offer an optional command: it refused it now, or did so before."""

    def __init__(self, command: str, why: str = "refused by this pad earlier") -> None:
        super().__init__(f"the pad does not offer {command} ({why})")
        self.command = command
