"""Feig ISO-host-protocol driver: the `TagReader` over a serial port (framing in protocol_feig)."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.devices.rfid import protocol_feig as p
from kiosk.devices.rfid.config import PadSettings
from kiosk.devices.rfid.errors import NoTag
from kiosk.devices.rfid.reader import InventoryEntry, Link, SerialPortLike, SystemInfo, TagReader, Trace, open_serial

DEFAULT_BAUDRATE = 38400
MAX_MORE_ROUNDS = 16  # a reader holding more tags than this many replies is misbehaving


class FeigReader(TagReader):
    """A Feig reader reached through any pyserial-like port."""

    def __init__(self, port: SerialPortLike, address: int = 0xFF, timeout: float = 0.5,
                 trace: Trace | None = None) -> None:
        self.address = address
        self.link: Link[p.Frame] = Link(port, p.deframer, timeout, trace)
        self._block_size: dict[str, int] = {}

    def _ask(self, request: bytes) -> p.Frame:
        command = request[2]
        return self.link.exchange(request, lambda frame: frame.command == command)

    def inventory(self) -> list[InventoryEntry]:
        """Every tag in the field, following "more data" replies until the reader is done."""
        entries: list[InventoryEntry] = []
        more = False
        for _ in range(MAX_MORE_ROUNDS):
            tags, more = p.parse_inventory(self._ask(p.inventory_request(self.address, more)))
            entries += [InventoryEntry(uid, dsfid) for uid, dsfid in tags]
            if not more:
                break
        return entries

    def _size_of(self, uid: str) -> int:
        if uid not in self._block_size:
            self.system_info(uid)
        return self._block_size[uid]

    def read_blocks(self, uid: str, first: int, count: int) -> bytes:
        """Read blocks, in tag memory order."""
        return p.parse_read(self._ask(p.read_request(self.address, uid, first, count)), uid, count)

    def write_blocks(self, uid: str, first: int, data: bytes) -> None:
        """Write whole blocks (block size learned from system info)."""
        request = p.write_request(self.address, uid, first, data, self._size_of(uid))
        p.check_status(self._ask(request), uid)

    def get_afi(self, uid: str) -> int:
        """The AFI, from system information."""
        return p.parse_system_info(self._ask(p.system_info_request(self.address, uid)), uid).afi

    def write_afi(self, uid: str, afi: int) -> None:
        """Write the AFI byte."""
        p.check_status(self._ask(p.write_afi_request(self.address, uid, afi)), uid)

    def write_dsfid(self, uid: str, dsfid: int) -> None:
        """Write the DSFID byte."""
        p.check_status(self._ask(p.write_dsfid_request(self.address, uid, dsfid)), uid)

    def eas_set(self, uid: str) -> None:
        """NXP EAS on through the custom-command wrapper."""
        p.check_status(self._ask(p.nxp_request(self.address, uid, p.NXP_SET_EAS)), uid)

    def eas_reset(self, uid: str) -> None:
        """NXP EAS off through the custom-command wrapper."""
        p.check_status(self._ask(p.nxp_request(self.address, uid, p.NXP_RESET_EAS)), uid)

    def eas_check(self, uid: str) -> bool:
        """NXP EAS alarm: only a tag with EAS on answers, so silence is checked against presence."""
        try:
            p.check_status(self._ask(p.nxp_request(self.address, uid, p.NXP_EAS_ALARM)), uid)
            return True
        except NoTag:
            self.system_info(uid)  # raises NoTag again if the tag really is gone
            return False

    def system_info(self, uid: str) -> SystemInfo:
        """DSFID, AFI and memory layout."""
        info = p.parse_system_info(self._ask(p.system_info_request(self.address, uid)), uid)
        if len(self._block_size) > 1024:  # a kiosk sees tags by the thousand; remember recent ones only
            self._block_size.clear()
        self._block_size[uid] = info.block_size
        return SystemInfo(uid=info.uid, dsfid=info.dsfid, afi=info.afi,
                          block_size=info.block_size, block_count=info.block_count)

    def close(self) -> None:
        """Close the port."""
        self.link.close()


def open_reader(settings: PadSettings) -> FeigReader:
    """Open the configured port (raises OSError / SerialException when it is not there)."""
    port = open_serial(settings.port, settings.baudrate or DEFAULT_BAUDRATE, settings.parity or "E")
    return FeigReader(port, settings.address, settings.reply_timeout)


def reader_factory(settings: PadSettings) -> Callable[[], FeigReader]:
    """The opener the pad loop calls (again after every error)."""
    return lambda: open_reader(settings)
