"""3M 810 / Model 210 pad protocol: frames and command payloads (pure, no I/O).

Frame: D6, LEN (2 bytes, big endian, counts every byte after itself including the BCC),
command, data, BCC (2 bytes, big endian) = CRC-16/GENIBUS over everything after D6.
Replies repeat the command and start their data with a status byte (00 OK, 06 no
transponder).

Payload layouts beyond the published example frames come from the public "3M RFID Reader Protocol
Specification" field lists (as transcribed in open-source drivers) and captured traffic. The
captured conversation of a real pad uses FE, 02, 04, 0A and 09 only (plus a D5-framed probe);
the other commands are optional for the driver:
- FE inventory: AFI, response options -> status, AFI, options, count, per tag [DSFID if
  option bit 1][UID if option bit 0]; the pad's usual request is options 0x05.
- 02 read: UID, first block, count -> status, UID, count, per block [block number (2 bytes,
  little endian), 4 data bytes].
- 04 write: UID, first block, count, flags 00, data -> status, UID, next block.
- 0A get AFI: UID -> status, UID, AFI;  09 write AFI: UID, AFI -> status, UID;
  06 lock AFI: UID -> status, UID.
- 03 check EAS: UID -> status, UID, EAS (0/1);  0C EAS control: UID, 0/1 -> status, UID.
- 0D tag info: UID, wanted bits -> status, UID, available bits, then [DSFID if bit 0]
  [AFI if bit 1][block size - 1, block count - 1 if bit 2][IC reference, 2 bytes, if bit 3].
- 0F get DSFID: UID -> status, UID, DSFID;  0B write DSFID: UID, DSFID -> status, UID;  11 version: -> status, vendor, major, minor, build.
UIDs travel most significant byte first (E0 first).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.devices.crc16 import crc16_genibus
from kiosk.devices.rfid.errors import FrameError, NoTag, ReaderError
from kiosk.devices.rfid.framing import Deframer, FrameRules

START = 0xD6
PROBE_START = 0xD5  # the pad's identification exchange is framed like the rest, with D5 first
PROBE, PROBE_VERSION = 0x04, b"\x00\x11"  # captured: D5 00 05 04 00 11 8C 66 -> ... 04 00 11 + 4 version bytes
BLOCK_SIZE = 4
MAX_LENGTH = 2048

INVENTORY, READ, WRITE, CHECK_EAS, LOCK_AFI = 0xFE, 0x02, 0x04, 0x03, 0x06
WRITE_AFI, GET_AFI, EAS_CONTROL, TAG_INFO, GET_DSFID, VERSION = 0x09, 0x0A, 0x0C, 0x0D, 0x0F, 0x11
WRITE_DSFID = 0x0B

STATUS_OK = 0x00
STATUS_NOT_SUPPORTED = 0x02  # what the pad answers to a command it does not know
STATUS_NO_TAG = 0x06
INVENTORY_OPTIONS = 0x05  # the pad's own request: UIDs only
OPT_UID, OPT_DSFID = 0x01, 0x02
INFO_DSFID, INFO_AFI, INFO_MEMORY, INFO_IC = 0x01, 0x02, 0x04, 0x08


@dataclass(frozen=True)
class Frame:
    """One 3M frame: command byte and the data between it and the BCC."""

    command: int
    data: bytes = b""
    start: int = START

    @property
    def status(self) -> int:
        """First data byte of a reply."""
        if not self.data:
            raise FrameError(f"reply to command 0x{self.command:02X} has no status byte")
        return self.data[0]


def encode_frame(command: int, data: bytes = b"", start: int = START) -> bytes:
    """The bytes of a frame (request or reply)."""
    body = (len(data) + 3).to_bytes(2, "big") + bytes([command]) + data
    return bytes([start]) + body + crc16_genibus(body).to_bytes(2, "big")


def _length_at(buf: bytes, i: int) -> int | None:
    if buf[i] not in (START, PROBE_START):
        return None
    if i + 3 > len(buf):
        return 0
    length = int.from_bytes(buf[i + 1:i + 3], "big")
    if not 3 <= length <= MAX_LENGTH:
        return None
    return 3 + length


def _parse(frame: bytes) -> Frame | None:
    if crc16_genibus(frame[1:-2]) != int.from_bytes(frame[-2:], "big"):
        return None
    return Frame(frame[3], frame[4:-2], frame[0])


RULES = FrameRules(_length_at, _parse)


def deframer() -> Deframer[Frame]:
    """A fresh stream decoder for 3M frames."""
    return Deframer(RULES)


def decode_frame(frame: bytes) -> Frame:
    """Decode exactly one whole frame or raise FrameError saying what is wrong."""
    frame = bytes(frame)
    if len(frame) < 6 or frame[0] not in (START, PROBE_START):
        raise FrameError(f"not a 3M frame: {frame[:8].hex(' ')}")
    length = int.from_bytes(frame[1:3], "big")
    if length != len(frame) - 3:
        raise FrameError(f"length field says {length}, frame has {len(frame) - 3} bytes after it")
    parsed = _parse(frame)
    if parsed is None:
        raise FrameError(f"bad BCC in {frame.hex(' ')}")
    return parsed


def uid_bytes(uid: str) -> bytes:
    """A UID written as 16 hex digits (E0 first) as the 8 bytes sent on the wire."""
    try:
        raw = bytes.fromhex(uid)
    except ValueError:
        raise ValueError(f"UID must be 16 hex digits, got {uid!r}") from None
    if len(raw) != 8:
        raise ValueError(f"UID must be 16 hex digits, got {uid!r}")
    return raw


def uid_text(raw: bytes) -> str:
    """The 16-hex-digit form of an 8-byte UID."""
    return raw.hex().upper()


# ---- requests --------------------------------------------------------------------------

def probe_request() -> bytes:
    """The identification request a pad answers with its hardware version."""
    return encode_frame(PROBE, PROBE_VERSION, PROBE_START)


def inventory_request(afi: int = 0, options: int = INVENTORY_OPTIONS) -> bytes:
    """Inventory ("read block UID") of every tag, or of one AFI."""
    return encode_frame(INVENTORY, bytes([afi, options]))


def read_request(uid: str, first: int, count: int) -> bytes:
    """Read `count` blocks from `first`."""
    return encode_frame(READ, uid_bytes(uid) + bytes([first, count]))


def write_request(uid: str, first: int, data: bytes) -> bytes:
    """Write whole 4-byte blocks from `first`."""
    if not data or len(data) % BLOCK_SIZE:
        raise ValueError("3M writes whole 4-byte blocks")
    return encode_frame(WRITE, uid_bytes(uid) + bytes([first, len(data) // BLOCK_SIZE, 0]) + data)


def tag_request(command: int, uid: str, extra: bytes = b"") -> bytes:
    """Any command addressed to one tag: UID then the command's extra bytes."""
    return encode_frame(command, uid_bytes(uid) + extra)


# ---- replies ---------------------------------------------------------------------------

def check_status(frame: Frame, uid: str = "") -> bytes:
    """Raise NoTag / ReaderError for a failed reply; return the data after the status."""
    status = frame.status
    if status == STATUS_NO_TAG:
        raise NoTag(status, uid)
    if status != STATUS_OK:
        raise ReaderError(status, f"command 0x{frame.command:02X} failed")
    return frame.data[1:]


def _need(data: bytes, count: int, what: str) -> None:
    if len(data) < count:
        raise FrameError(f"{what}: reply too short ({len(data)} bytes, need {count})")


def _addressed(frame: Frame, uid: str, extra: int, what: str) -> bytes:
    data = check_status(frame, uid)
    _need(data, 8 + extra, what)
    if uid and uid_text(data[:8]) != uid.upper():
        raise FrameError(f"{what}: reply is about tag {uid_text(data[:8])}, asked {uid}")
    return data[8:]


def parse_inventory(frame: Frame) -> list[tuple[str, int | None]]:
    """(UID, DSFID or None) for each tag in an inventory reply."""
    data = check_status(frame)
    _need(data, 3, "inventory")
    options, count = data[1], data[2]
    size = (8 if options & OPT_UID else 0) + (1 if options & OPT_DSFID else 0)
    if not options & OPT_UID:
        raise FrameError("inventory reply carries no UIDs (option bit 0 clear)")
    entries = data[3:]
    if len(entries) != count * size:
        raise FrameError(f"inventory says {count} tags but holds {len(entries)} bytes")
    tags = []
    for n in range(count):
        entry = entries[n * size:(n + 1) * size]
        dsfid = entry[0] if options & OPT_DSFID else None
        tags.append((uid_text(entry[-8:]), dsfid))
    return tags


def parse_read(frame: Frame, uid: str, first: int, count: int) -> bytes:
    """The data of the blocks asked for, in block order."""
    data = _addressed(frame, uid, 1, "read")
    returned = data[0]
    blocks = data[1:]
    if returned != count or len(blocks) != count * (BLOCK_SIZE + 2):
        raise FrameError(f"read asked {count} blocks, reply holds {returned} ({len(blocks)} bytes)")
    out = bytearray()
    for n in range(count):
        entry = blocks[n * 6:(n + 1) * 6]
        number = int.from_bytes(entry[:2], "little")
        if number != first + n:
            raise FrameError(f"read reply block {number} where block {first + n} was expected")
        out += entry[2:]
    return bytes(out)


def parse_value(frame: Frame, uid: str, what: str) -> int:
    """The one-byte value after the UID (AFI, EAS, DSFID)."""
    return _addressed(frame, uid, 1, what)[0]


def parse_ack(frame: Frame, uid: str, what: str) -> None:
    """A reply that only confirms (status, UID)."""
    _addressed(frame, uid, 0, what)


@dataclass(frozen=True)
class TagInfo:
    """What the 0D command tells about one tag."""

    dsfid: int | None
    afi: int | None
    block_size: int | None
    block_count: int | None


def parse_tag_info(frame: Frame, uid: str) -> TagInfo:
    """Decode a tag-info reply."""
    data = _addressed(frame, uid, 1, "tag info")
    available, rest = data[0], data[1:]
    need = sum(size for bit, size in ((INFO_DSFID, 1), (INFO_AFI, 1), (INFO_MEMORY, 2), (INFO_IC, 2))
               if available & bit)
    _need(rest, need, "tag info")
    pos = 0
    dsfid = afi = size = count = None
    if available & INFO_DSFID:
        dsfid, pos = rest[pos], pos + 1
    if available & INFO_AFI:
        afi, pos = rest[pos], pos + 1
    if available & INFO_MEMORY:
        size, count = rest[pos] + 1, rest[pos + 1] + 1
    return TagInfo(dsfid, afi, size, count)
