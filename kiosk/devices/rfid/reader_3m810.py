"""3M 810 / Model 210 pad driver: the `TagReader` over a serial port (framing in protocol_3m810).

Required, because a real pad is known to answer them: FE inventory, 02 read, 04 write,
0A get AFI, 09 write AFI. Optional, asked at most once per pad: 0D tag info, 0B write DSFID,
06 lock AFI, 03 and 0C (EAS).
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.devices.rfid import protocol_3m810 as p
from kiosk.devices.rfid.config import PadSettings
from kiosk.devices.rfid.reader import (
    InventoryEntry,
    Link,
    OptionalCommands,
    SerialPortLike,
    SystemInfo,
    TagReader,
    Trace,
    open_serial,
)

DEFAULT_BAUDRATE = 19200


class M3M810Reader(TagReader):
    """A 3M 810 pad reached through any pyserial-like port."""

    def __init__(self, port: SerialPortLike, timeout: float = 0.5, trace: Trace | None = None,
                 optional: OptionalCommands | None = None) -> None:
        self.link: Link[p.Frame] = Link(port, p.deframer, timeout, trace)
        self.optional = optional if optional is not None else OptionalCommands()

    def _ask(self, request: bytes) -> p.Frame:
        command = request[3]
        return self.link.exchange(request, lambda frame: frame.command == command)

    def inventory(self) -> list[InventoryEntry]:
        """Every tag on the pad (UIDs only: the pad's usual request does not return DSFIDs)."""
        reply = self._ask(p.inventory_request())
        return [InventoryEntry(uid, dsfid) for uid, dsfid in p.parse_inventory(reply)]

    def read_blocks(self, uid: str, first: int, count: int) -> bytes:
        """Read blocks (4 bytes each)."""
        return p.parse_read(self._ask(p.read_request(uid, first, count)), uid, first, count)

    def write_blocks(self, uid: str, first: int, data: bytes) -> None:
        """Write whole 4-byte blocks."""
        p.check_status(self._ask(p.write_request(uid, first, data)), uid)

    def get_afi(self, uid: str) -> int:
        """Read the AFI byte."""
        return p.parse_value(self._ask(p.tag_request(p.GET_AFI, uid)), uid, "get AFI")

    def write_afi(self, uid: str, afi: int) -> None:
        """Write the AFI byte."""
        p.parse_ack(self._ask(p.tag_request(p.WRITE_AFI, uid, bytes([afi]))), uid, "write AFI")

    def lock_afi(self, uid: str) -> None:
        """Lock the AFI for good (irreversible on a real tag); optional."""
        self._optional("lock AFI (06)", p.tag_request(p.LOCK_AFI, uid), uid)

    def write_dsfid(self, uid: str, dsfid: int) -> None:
        """Write the DSFID byte; optional."""
        self._optional("write DSFID (0B)", p.tag_request(p.WRITE_DSFID, uid, bytes([dsfid])), uid)

    def eas_set(self, uid: str) -> None:
        """EAS on; optional."""
        self._optional("EAS control (0C)", p.tag_request(p.EAS_CONTROL, uid, b"\x01"), uid)

    def eas_reset(self, uid: str) -> None:
        """EAS off; optional."""
        self._optional("EAS control (0C)", p.tag_request(p.EAS_CONTROL, uid, b"\x00"), uid)

    def eas_check(self, uid: str) -> bool:
        """Whether EAS is on; optional."""
        reply = self.optional.ask("check EAS (03)", lambda: self._ask(p.tag_request(p.CHECK_EAS, uid)))
        return p.parse_value(reply, uid, "check EAS") != 0

    def system_info(self, uid: str) -> SystemInfo:
        """DSFID, AFI and memory size through the optional tag-info command."""
        wanted = bytes([p.INFO_DSFID | p.INFO_AFI | p.INFO_MEMORY])
        return self.optional.ask("tag info (0D)", lambda: self._tag_info(uid, wanted))

    def _tag_info(self, uid: str, wanted: bytes) -> SystemInfo:
        info = p.parse_tag_info(self._ask(p.tag_request(p.TAG_INFO, uid, wanted)), uid)
        if info.block_size is None or info.block_count is None:
            raise p.FrameError("tag info reply does not give the memory size")
        return SystemInfo(uid=uid, dsfid=info.dsfid, afi=info.afi,
                          block_size=info.block_size, block_count=info.block_count)

    def _optional(self, command: str, request: bytes, uid: str) -> None:
        self.optional.ask(command, lambda: p.parse_ack(self._ask(request), uid, command))

    def close(self) -> None:
        """Close the port."""
        self.link.close()


def open_reader(settings: PadSettings, optional: OptionalCommands | None = None) -> M3M810Reader:
    """Open the configured port (raises OSError / SerialException when it is not there)."""
    port = open_serial(settings.port, settings.baudrate or DEFAULT_BAUDRATE, "N")
    return M3M810Reader(port, settings.reply_timeout, optional=optional)


def reader_factory(settings: PadSettings) -> Callable[[], M3M810Reader]:
    """The opener the pad loop calls (again after every error); refusals outlive reopening."""
    optional = OptionalCommands()
    return lambda: open_reader(settings, optional)
