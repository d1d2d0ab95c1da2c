"""What every RFID reader driver offers, and the request/reply link over a serial port.

Drivers implement `TagReader` for one reader model; the pad loop, the security module and
the technicians' tag tool use only this interface. Every method either returns a typed
value or raises an `RfidError` (NoTag, ReaderError, FrameError, Unsupported); none blocks for
longer than the configured reply timeout.

Commands a reader model is known to answer (the 3M 810's captured conversation, the Feig
manuals' ISO host commands) are required. Any other command is optional: it goes through
`OptionalCommands`, which asks the pad at most once and remembers a refusal for the pad.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from kiosk.devices.rfid.errors import FrameError, NoTag, ReaderError, Unsupported
from kiosk.devices.rfid.framing import Deframer

log = logging.getLogger(__name__)
FrameT = TypeVar("FrameT")
T = TypeVar("T")
Trace = Callable[[str, bytes], None]  # called with ">>" or "<<" and the bytes, for hex traces
READ_SLICE = 0.05  # seconds one port read may block, so deadlines are checked often


@dataclass(frozen=True)
class InventoryEntry:
    """A tag found by an inventory: its UID (16 hex digits, E0 first) and DSFID if reported."""

    uid: str
    dsfid: int | None = None


@dataclass(frozen=True)
class SystemInfo:
    """What a tag says about itself."""

    uid: str
    dsfid: int | None
    afi: int | None
    block_size: int
    block_count: int


class TagReader(ABC):
    """One RFID reader: inventory, block access, AFI and EAS of ISO 15693 tags."""

    @abstractmethod
    def inventory(self) -> list[InventoryEntry]:
        """Every tag in the field."""

    @abstractmethod
    def read_blocks(self, uid: str, first: int, count: int) -> bytes:
        """`count` blocks from block `first`, in tag memory order."""

    @abstractmethod
    def write_blocks(self, uid: str, first: int, data: bytes) -> None:
        """Write whole blocks from block `first`."""

    @abstractmethod
    def get_afi(self, uid: str) -> int:
        """The tag's AFI byte."""

    @abstractmethod
    def write_afi(self, uid: str, afi: int) -> None:
        """Set the tag's AFI byte."""

    @abstractmethod
    def write_dsfid(self, uid: str, dsfid: int) -> None:
        """Set the tag's DSFID (0x06 marks ISO 28560-2 data)."""

    @abstractmethod
    def eas_set(self, uid: str) -> None:
        """Turn the tag's EAS bit on (alarm at the gate)."""

    @abstractmethod
    def eas_reset(self, uid: str) -> None:
        """Turn the tag's EAS bit off."""

    @abstractmethod
    def eas_check(self, uid: str) -> bool:
        """Whether the tag's EAS bit is on."""

    @abstractmethod
    def system_info(self, uid: str) -> SystemInfo:
        """DSFID, AFI and memory layout of the tag; Unsupported when the pad does not offer it."""

    @abstractmethod
    def close(self) -> None:
        """Release the port; must not raise."""

    def read_memory(self, uid: str, info: SystemInfo, blocks_per_read: int = 32, start: int = 0) -> bytes:
        """`info.block_count` blocks from block `start` (all user memory by default), in few exchanges."""
        memory = bytearray()
        first, end = start, start + info.block_count
        while first < end:
            count = min(blocks_per_read, end - first)
            memory += self.read_blocks(uid, first, count)
            first += count
        return bytes(memory)


class OptionalCommands:
    """The optional commands one pad refused, kept across reopenings of its port.

    A refusal is an answer with an error status other than "no transponder" (a driver may
    narrow that with `refuses`, e.g. to the statuses its reader gives unknown commands, so a
    tag's own error is not taken for the pad's); the command is then never sent to this pad
    again, and callers fall back to the required commands. No reply in time is not a refusal
    (the pad may just be slow): it raises FrameError as usual.
    """

    def __init__(self, refuses: Callable[[ReaderError], bool] = lambda exc: True) -> None:
        self.refuses = refuses
        self.refused: set[str] = set()

    def ask(self, command: str, exchange: Callable[[], T]) -> T:
        """Run `exchange` unless `command` was refused before; raise Unsupported when refused."""
        if command in self.refused:
            raise Unsupported(command)
        try:
            return exchange()
        except NoTag:
            raise
        except ReaderError as exc:
            if not self.refuses(exc):
                raise
            self.refused.add(command)
            log.info("the pad refused the optional command %s (%s); not asking again", command, exc)
            raise Unsupported(command, str(exc)) from exc


class SerialPortLike(Protocol):
    """The part of pyserial's `Serial` the link uses (an in-memory pair offers it too)."""

    timeout: float | None

    def write(self, data: bytes) -> int | None: ...
    def read(self, size: int = 1) -> bytes: ...
    def reset_input_buffer(self) -> None: ...
    def close(self) -> None: ...
    @property
    def in_waiting(self) -> int: ...


class Link(Generic[FrameT]):
    """Send one request, wait for the one reply that matches it, within a deadline."""

    def __init__(self, port: SerialPortLike, new_deframer: Callable[[], Deframer[FrameT]],
                 timeout: float = 0.5, trace: Trace | None = None) -> None:
        self.port = port
        self.new_deframer = new_deframer
        self.timeout = timeout
        self.trace = trace
        self._dirty = False

    def exchange(self, request: bytes, matches: Callable[[FrameT], bool]) -> FrameT:
        """Write `request`; return the first valid reply frame for which `matches` is true."""
        if self._dirty:
            self._drain()
        self.port.reset_input_buffer()
        self.port.write(request)
        if self.trace:
            self.trace(">>", request)
        deframer = self.new_deframer()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            chunk = self.port.read(max(1, self.port.in_waiting))
            if not chunk:
                continue
            if self.trace:
                self.trace("<<", chunk)
            for frame in deframer.feed(chunk):
                if matches(frame):
                    return frame
                log.debug("ignoring a reply that does not match the request: %r", frame)
        self._dirty = True  # a late reply must not be taken for the answer to the next request
        raise FrameError(f"no valid reply within {self.timeout:.2f} s "
                         f"({deframer.skipped} bytes skipped, {deframer.bad_frames} bad frames, "
                         f"{deframer.pending()} bytes of an unfinished frame)")

    def _drain(self) -> None:
        quiet_since = time.monotonic()
        deadline = quiet_since + self.timeout
        while time.monotonic() < deadline and time.monotonic() - quiet_since < 0.1:
            if self.port.read(max(1, self.port.in_waiting)):
                quiet_since = time.monotonic()
        self._dirty = False

    def close(self) -> None:
        """Close the port, ignoring errors from a port that is already gone."""
        try:
            self.port.close()
        except Exception:  # closing a vanished device may fail in many ways; nothing to do then
            log.debug("closing the port failed", exc_info=True)


def open_serial(port: str, baudrate: int, parity: str = "N", **kwargs: Any) -> SerialPortLike:
    """Open a port name or URL (pty path, /dev/ttyUSB0, socket://127.0.0.1:PORT, spy://...).

    Failures come out as OSError. A port that rejects the parity setting (a pseudo-terminal
    does) is opened without parity, with a warning: the emulators do not check parity bits.
    """
    import termios

    import serial  # loaded when a pad is opened: the tag codecs and emulators work without it

    def attempt(parity_now: str) -> SerialPortLike:
        opened = serial.serial_for_url(port, baudrate=baudrate, parity=parity_now, bytesize=8,
                                       stopbits=1, timeout=0.1, write_timeout=2.0, **kwargs)
        try:
            opened.timeout = READ_SLICE  # applying settings again shows whether the port accepts them
        except Exception:
            opened.close()
            raise
        return opened

    try:
        try:
            return attempt(parity)
        except termios.error:
            if parity == "N":
                raise
            log.warning("%s rejects parity %s (a pseudo-terminal?); opening it without parity", port, parity)
            return attempt("N")
    except (termios.error, ValueError) as exc:
        raise OSError(f"cannot open {port}: {exc}") from exc
