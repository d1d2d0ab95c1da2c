"""Feig ISO host protocol (ID CPR.M02, ID ISC.MR and relatives): frames and payloads (pure).

Frame: LEN, COM-ADR, command, data, CRC (least significant byte first); LEN counts every
byte including itself and the CRC; CRC-16/MCRF4XX over everything before it. Replies:
LEN, ADR, command, status, data, CRC. Status 00 OK, 01 no transponder, 83 RF error,
94 more data, 95 ISO error (the ISO 15693 error code follows).

Payloads (from the ID ISC host-protocol manuals' field lists and public drivers):
- B0 01 inventory: MODE (bit 7 "more": fetch the rest after status 94) -> count, per tag
  TR-TYPE, DSFID, UID[8].
- B0 23 read multiple blocks: MODE 01 (addressed), UID, first block, count -> count, block
  size, per block [security status, data]. B0 24 write: MODE 01, UID, first, count, size,
  data. Block data travel with each block's bytes reversed (most significant byte first),
  so they are reversed here to give tag memory order.
- B0 27 write AFI: MODE 01, UID, AFI; B0 29 write DSFID: MODE 01, UID, DSFID (the B0
  sub-commands mirror the ISO 15693 command codes). B0 2B system info: MODE 01, UID -> DSFID, UID, AFI,
  block size - 1 (low 5 bits), block count - 1, IC reference.
- B1 custom commands: MFR, command, MODE 01, UID: NXP (MFR 04) A2 set EAS, A3 reset EAS,
  A5 EAS alarm (the tag answers only while its EAS bit is set).
UIDs travel most significant byte first (E0 first), as the manuals print them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.devices.crc16 import crc16_mcrf4xx
from kiosk.devices.rfid.errors import FrameError, NoTag, ReaderError
from kiosk.devices.rfid.framing import Deframer, FrameRules
from kiosk.devices.rfid.protocol_3m810 import uid_bytes, uid_text

ISO_COMMAND, CUSTOM_COMMAND = 0xB0, 0xB1
INVENTORY, READ, WRITE, WRITE_AFI, WRITE_DSFID, SYSTEM_INFO = 0x01, 0x23, 0x24, 0x27, 0x29, 0x2B
MODE_ADDRESSED = 0x01
MODE_MORE = 0x80
NXP = 0x04
NXP_SET_EAS, NXP_RESET_EAS, NXP_EAS_ALARM = 0xA2, 0xA3, 0xA5
TR_TYPE_ISO15693 = 0x03

OK, NO_TAG, RF_ERROR, MORE_DATA, ISO_ERROR = 0x00, 0x01, 0x83, 0x94, 0x95
UNKNOWN_COMMAND, NOT_AVAILABLE = 0x80, 0x82
REFUSALS = (UNKNOWN_COMMAND, NOT_AVAILABLE)  # the reader's own no; 95 is the tag's
STATUS_TEXT = {
    0x01: "no transponder",
    0x02: "data false",
    0x03: "write error",
    0x04: "address error",
    0x80: "unknown command",
    0x82: "command not available",
    0x83: "RF communication error",
    0x84: "RF warning",
    0x94: "more data",
    0x95: "ISO 15693 error",
}
REPLY_COMMANDS = frozenset({ISO_COMMAND, CUSTOM_COMMAND, 0x52, 0x65, 0x66, 0x69})
MIN_REPLY = 6


@dataclass(frozen=True)
class Frame:
    """One Feig frame: address, command, and the bytes between the command and the CRC."""

    address: int
    command: int
    data: bytes = b""

    @property
    def status(self) -> int:
        """First data byte of a reply."""
        if not self.data:
            raise FrameError(f"reply to command 0x{self.command:02X} has no status byte")
        return self.data[0]


def encode_frame(address: int, command: int, data: bytes = b"") -> bytes:
    """The bytes of a frame (request or reply)."""
    length = len(data) + 5
    if length > 255:
        raise ValueError("frame longer than 255 bytes")
    body = bytes([length, address, command]) + data
    return body + crc16_mcrf4xx(body).to_bytes(2, "little")


def _length_at(buf: bytes, i: int) -> int | None:
    length = buf[i]
    if length < MIN_REPLY - 1:
        return None
    if i + 3 > len(buf):
        return 0
    if buf[i + 2] not in REPLY_COMMANDS:
        return None
    return length


def _parse(frame: bytes) -> Frame | None:
    if crc16_mcrf4xx(frame[:-2]) != int.from_bytes(frame[-2:], "little"):
        return None
    return Frame(frame[1], frame[2], frame[3:-2])


RULES = FrameRules(_length_at, _parse)


def deframer() -> Deframer[Frame]:
    """A fresh stream decoder for Feig frames."""
    return Deframer(RULES)


def decode_frame(frame: bytes) -> Frame:
    """Decode exactly one whole frame or raise FrameError saying what is wrong."""
    frame = bytes(frame)
    if len(frame) < 5 or frame[0] != len(frame):
        raise FrameError(f"not a Feig frame (length byte vs size): {frame[:8].hex(' ')}")
    parsed = _parse(frame)
    if parsed is None:
        raise FrameError(f"bad CRC in {frame.hex(' ')}")
    return parsed


def _reverse_blocks(data: bytes, size: int) -> bytes:
    return b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))


# ---- requests --------------------------------------------------------------------------

def inventory_request(address: int = 0xFF, more: bool = False) -> bytes:
    """Inventory of every ISO 15693 tag in the field."""
    return encode_frame(address, ISO_COMMAND, bytes([INVENTORY, MODE_MORE if more else 0]))


def read_request(address: int, uid: str, first: int, count: int) -> bytes:
    """Read `count` blocks from `first` of one tag."""
    return encode_frame(address, ISO_COMMAND,
                        bytes([READ, MODE_ADDRESSED]) + uid_bytes(uid) + bytes([first, count]))


def write_request(address: int, uid: str, first: int, data: bytes, block_size: int) -> bytes:
    """Write whole blocks from `first` (data in tag memory order)."""
    if not data or len(data) % block_size:
        raise ValueError(f"writes take whole {block_size}-byte blocks")
    return encode_frame(address, ISO_COMMAND,
                        bytes([WRITE, MODE_ADDRESSED]) + uid_bytes(uid)
                        + bytes([first, len(data) // block_size, block_size])
                        + _reverse_blocks(data, block_size))


def write_afi_request(address: int, uid: str, afi: int) -> bytes:
    """Write the AFI byte of one tag."""
    return encode_frame(address, ISO_COMMAND, bytes([WRITE_AFI, MODE_ADDRESSED]) + uid_bytes(uid) + bytes([afi]))


def write_dsfid_request(address: int, uid: str, dsfid: int) -> bytes:
    """Write the DSFID byte of one tag."""
    return encode_frame(address, ISO_COMMAND, bytes([WRITE_DSFID, MODE_ADDRESSED]) + uid_bytes(uid) + bytes([dsfid]))


def system_info_request(address: int, uid: str) -> bytes:
    """Get system information of one tag."""
    return encode_frame(address, ISO_COMMAND, bytes([SYSTEM_INFO, MODE_ADDRESSED]) + uid_bytes(uid))


def nxp_request(address: int, uid: str, nxp_command: int) -> bytes:
    """An NXP custom command (EAS set, reset, alarm) through the B1 wrapper."""
    return encode_frame(address, CUSTOM_COMMAND, bytes([NXP, nxp_command, MODE_ADDRESSED]) + uid_bytes(uid))


# ---- replies ---------------------------------------------------------------------------

def check_status(frame: Frame, uid: str = "", allowed: tuple[int, ...] = (OK,)) -> bytes:
    """Raise NoTag / ReaderError for a failed reply; return the data after the status."""
    status = frame.status
    if status in allowed:
        return frame.data[1:]
    if status == NO_TAG:
        raise NoTag(status, uid)
    why = STATUS_TEXT.get(status, "unknown status")
    if status == ISO_ERROR and len(frame.data) > 1:
        why += f" (tag error code 0x{frame.data[1]:02X})"
    raise ReaderError(status, why)


def parse_inventory(frame: Frame) -> tuple[list[tuple[str, int]], bool]:
    """((UID, DSFID) per tag, whether the reader holds more) from an inventory reply."""
    if frame.status == NO_TAG:
        return [], False
    data = check_status(frame, allowed=(OK, MORE_DATA))
    if not data:
        raise FrameError("inventory reply without a tag count")
    count, entries = data[0], data[1:]
    if len(entries) != count * 10:
        raise FrameError(f"inventory says {count} tags but holds {len(entries)} bytes")
    tags = []
    for n in range(count):
        entry = entries[n * 10:(n + 1) * 10]
        tags.append((uid_text(entry[2:10]), entry[1]))
    return tags, frame.status == MORE_DATA


def parse_read(frame: Frame, uid: str, count: int) -> bytes:
    """Tag memory (in tag order) from a read reply."""
    data = check_status(frame, uid)
    if len(data) < 2:
        raise FrameError("read reply without block count and size")
    returned, size = data[0], data[1]
    blocks = data[2:]
    if returned != count or size == 0 or len(blocks) != count * (size + 1):
        raise FrameError(f"read asked {count} blocks, reply holds {returned} of {size} bytes "
                         f"({len(blocks)} bytes)")
    return b"".join(blocks[n * (size + 1) + 1:(n + 1) * (size + 1)][::-1] for n in range(count))


@dataclass(frozen=True)
class SystemInfo:
    """Get-system-information reply content."""

    uid: str
    dsfid: int
    afi: int
    block_size: int
    block_count: int
    ic_reference: int


def parse_system_info(frame: Frame, uid: str) -> SystemInfo:
    """Decode a system-information reply."""
    data = check_status(frame, uid)
    if len(data) < 13:
        raise FrameError(f"system info reply too short ({len(data)} bytes)")
    got = uid_text(data[1:9])
    if got != uid.upper():
        raise FrameError(f"system info is about tag {got}, asked {uid}")
    return SystemInfo(uid=got, dsfid=data[0], afi=data[9], block_size=(data[10] & 0x1F) + 1,
                      block_count=data[11] + 1, ic_reference=data[12])
