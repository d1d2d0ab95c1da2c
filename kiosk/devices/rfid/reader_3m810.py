"""3M 810 / Model 210 pad driver: the `TagReader` over a serial port (framing in protocol_3m810)."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.devices.rfid import protocol_3m810 as p
from kiosk.devices.rfid.config import PadSettings
from kiosk.devices.rfid.reader import InventoryEntry, Link, SerialPortLike, SystemInfo, TagReader, Trace, open_serial

DEFAULT_BAUDRATE = 19200


class M3M810Reader(TagReader):
    """A 3M 810 pad reached through any pyserial-like port."""

    def __init__(self, port: SerialPortLike, timeout: float = 0.5, trace: Trace | None = None) -> None:
        self.link: Link[p.Frame] = Link(port, p.deframer, timeout, trace)

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
        """Lock the AFI for good (irreversible on a real tag)."""
        p.parse_ack(self._ask(p.tag_request(p.LOCK_AFI, uid)), uid, "lock AFI")

    def write_dsfid(self, uid: str, dsfid: int) -> None:
        """Write the DSFID byte."""
        p.parse_ack(self._ask(p.tag_request(p.WRITE_DSFID, uid, bytes([dsfid]))), uid, "write DSFID")

    def eas_set(self, uid: str) -> None:
        """EAS on."""
        p.parse_ack(self._ask(p.tag_request(p.EAS_CONTROL, uid, b"\x01")), uid, "EAS control")

    def eas_reset(self, uid: str) -> None:
        """EAS off."""
        p.parse_ack(self._ask(p.tag_request(p.EAS_CONTROL, uid, b"\x00")), uid, "EAS control")

    def eas_check(self, uid: str) -> bool:
        """Whether EAS is on."""
        return p.parse_value(self._ask(p.tag_request(p.CHECK_EAS, uid)), uid, "check EAS") != 0

    def system_info(self, uid: str) -> SystemInfo:
        """DSFID, AFI and memory size through the tag-info command."""
        wanted = bytes([p.INFO_DSFID | p.INFO_AFI | p.INFO_MEMORY])
        info = p.parse_tag_info(self._ask(p.tag_request(p.TAG_INFO, uid, wanted)), uid)
        if info.block_size is None or info.block_count is None:
            raise p.FrameError("tag info reply does not give the memory size")
        return SystemInfo(uid=uid, dsfid=info.dsfid, afi=info.afi,
                          block_size=info.block_size, block_count=info.block_count)

    def close(self) -> None:
        """Close the port."""
        self.link.close()


def open_reader(settings: PadSettings) -> M3M810Reader:
    """Open the configured port (raises OSError / SerialException when it is not there)."""
    port = open_serial(settings.port, settings.baudrate or DEFAULT_BAUDRATE, "N")
    return M3M810Reader(port, settings.reply_timeout)


def reader_factory(settings: PadSettings) -> Callable[[], M3M810Reader]:
    """The opener the pad loop calls (again after every error)."""
    return lambda: open_reader(settings)
