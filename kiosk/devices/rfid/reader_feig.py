"""Feig ISO-host-protocol driver: the `TagReader` over a serial port (framing in protocol_feig).

Required, as documented in Feig's ISO host protocol manuals: B0 01 inventory, B0 23 read,
B0 24 write, B0 27 write AFI, and B0 2B system info where the AFI is read back (the manuals
offer no other way to read it). Reading an item needs no system info: the inventory gives the
DSFID and each read reply the block size. Optional, asked at most once per pad: B0 2B for an
item's memory size, B0 29 write DSFID, B1 NXP EAS commands.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.devices.rfid import protocol_feig as p
from kiosk.devices.rfid.config import PadSettings
from kiosk.devices.rfid.errors import NoTag
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

DEFAULT_BAUDRATE = 38400
MAX_MORE_ROUNDS = 16  # a reader holding more tags than this many replies is misbehaving
REMEMBERED_TAGS = 1024  # a kiosk sees tags by the thousand; remember recent block sizes only
SYSTEM_INFO = "system info (B0 2B)"


class FeigReader(TagReader):
    """A Feig reader reached through any pyserial-like port."""

    def __init__(self, port: SerialPortLike, address: int = 0xFF, timeout: float = 0.5,
                 trace: Trace | None = None, optional: OptionalCommands | None = None) -> None:
        self.address = address
        self.link: Link[p.Frame] = Link(port, p.deframer, timeout, trace)
        self.optional = optional if optional is not None else pad_memory()
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
            self.read_blocks(uid, 0, 1)  # every read reply says the block size
        return self._block_size[uid]

    def _remember_size(self, uid: str, size: int) -> None:
        if len(self._block_size) > REMEMBERED_TAGS:
            self._block_size.clear()
        self._block_size[uid] = size

    def read_blocks(self, uid: str, first: int, count: int) -> bytes:
        """Read blocks, in tag memory order."""
        data = p.parse_read(self._ask(p.read_request(self.address, uid, first, count)), uid, count)
        self._remember_size(uid, len(data) // count)
        return data

    def write_blocks(self, uid: str, first: int, data: bytes) -> None:
        """Write whole blocks (block size learned from an earlier read)."""
        request = p.write_request(self.address, uid, first, data, self._size_of(uid))
        p.check_status(self._ask(request), uid)

    def get_afi(self, uid: str) -> int:
        """The AFI, from system information: required here, as the only documented AFI read."""
        return p.parse_system_info(self._ask(p.system_info_request(self.address, uid)), uid).afi

    def write_afi(self, uid: str, afi: int) -> None:
        """Write the AFI byte."""
        p.check_status(self._ask(p.write_afi_request(self.address, uid, afi)), uid)

    def write_dsfid(self, uid: str, dsfid: int) -> None:
        """Write the DSFID byte; optional."""
        request = p.write_dsfid_request(self.address, uid, dsfid)
        self.optional.ask("write DSFID (B0 29)", lambda: p.check_status(self._ask(request), uid))

    def eas_set(self, uid: str) -> None:
        """NXP EAS on through the custom-command wrapper; optional."""
        self._nxp(uid, p.NXP_SET_EAS)

    def eas_reset(self, uid: str) -> None:
        """NXP EAS off through the custom-command wrapper; optional."""
        self._nxp(uid, p.NXP_RESET_EAS)

    def eas_check(self, uid: str) -> bool:
        """NXP EAS alarm: only a tag with EAS on answers, so silence is checked against presence."""
        try:
            self._nxp(uid, p.NXP_EAS_ALARM)
            return True
        except NoTag:
            self.read_blocks(uid, 0, 1)  # raises NoTag again if the tag really is gone
            return False

    def _nxp(self, uid: str, command: int) -> None:
        request = p.nxp_request(self.address, uid, command)
        self.optional.ask("NXP EAS commands (B1)", lambda: p.check_status(self._ask(request), uid))

    def system_info(self, uid: str) -> SystemInfo:
        """DSFID, AFI and memory layout."""
        request = p.system_info_request(self.address, uid)
        info = self.optional.ask(SYSTEM_INFO, lambda: p.parse_system_info(self._ask(request), uid))
        self._remember_size(uid, info.block_size)
        return SystemInfo(uid=info.uid, dsfid=info.dsfid, afi=info.afi,
                          block_size=info.block_size, block_count=info.block_count)

    def close(self) -> None:
        """Close the port."""
        self.link.close()


def pad_memory() -> OptionalCommands:
    """What one reader refuses; a transponder's own error (status 95) is not the reader's refusal."""
    return OptionalCommands(refuses=lambda exc: exc.status in p.REFUSALS)


def open_reader(settings: PadSettings, optional: OptionalCommands | None = None) -> FeigReader:
    """Open the configured port (raises OSError / SerialException when it is not there)."""
    port = open_serial(settings.port, settings.baudrate or DEFAULT_BAUDRATE, settings.parity or "E")
    return FeigReader(port, settings.address, settings.reply_timeout, optional=optional)


def reader_factory(settings: PadSettings) -> Callable[[], FeigReader]:
    """The opener the pad loop calls (again after every error); refusals outlive reopening."""
    optional = pad_memory()
    return lambda: open_reader(settings, optional)
