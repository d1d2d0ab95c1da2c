"""3M "RFID501" tags (not ISO): seven 4-byte blocks, no CRC.

Block 0: 0x04, set number << 4 | parts in set, 0x00, item type; blocks 1-4: barcode (16 ASCII
characters, NUL padded); block 5: branch (12 bits) << 20 | library (20 bits), stored as a
little-endian 32-bit word like the tag's other multi-byte values (as in the public
Biblio::RFID decoder); block 6: a custom 32-bit value. Blank tags read as 0x55 everywhere.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from kiosk.devices.tags.errors import BlankTag, TagFormatError

LENGTH = 28
MARKER = 0x04
BLANK_BYTE = 0x55


@dataclass(frozen=True)
class Rfid501Tag:
    """The decoded content of a 3M RFID501 tag."""

    item_id: str
    part_number: int = 1
    parts_in_item: int = 1
    item_type: int = 1
    branch: int = 0
    library: int = 0
    custom: int = 0


def is_blank(memory: bytes) -> bool:
    """True when the first seven blocks hold nothing but the 3M blank pattern 0x55."""
    head = memory[:LENGTH]
    return len(head) == LENGTH and head == bytes([BLANK_BYTE]) * LENGTH


def decode(memory: bytes) -> Rfid501Tag:
    """Decode RFID501 memory or raise TagFormatError (BlankTag for a blank tag)."""
    memory = bytes(memory)
    if len(memory) < LENGTH:
        raise TagFormatError(f"RFID501 needs {LENGTH} bytes, got {len(memory)}")
    if is_blank(memory):
        raise BlankTag("blank tag (3M blank pattern 0x55)")
    if memory[0] != MARKER or memory[2] != 0x00:
        raise TagFormatError("not RFID501: block 0 does not start with 04 .. 00")
    part, parts = memory[1] >> 4, memory[1] & 0x0F
    if parts == 0 or not 1 <= part <= parts:
        raise TagFormatError(f"RFID501 set information is inconsistent: part {part} of {parts}")
    raw_id = memory[4:20]
    text = raw_id.split(b"\x00", 1)[0]
    if not text or raw_id[len(text):].strip(b"\x00"):
        raise TagFormatError("RFID501 barcode is empty or has bytes after its NUL padding")
    try:
        item_id = text.decode("ascii")
    except UnicodeDecodeError:
        raise TagFormatError(f"RFID501 barcode is not ASCII: {text.hex()}") from None
    if not item_id.isprintable():
        raise TagFormatError(f"RFID501 barcode holds control characters: {text.hex()}")
    (location,) = struct.unpack_from("<I", memory, 20)
    (custom,) = struct.unpack_from("<I", memory, 24)
    return Rfid501Tag(item_id=item_id, part_number=part, parts_in_item=parts,
                      item_type=memory[3], branch=location >> 20, library=location & 0xFFFFF,
                      custom=custom)


def encode(tag: Rfid501Tag) -> bytes:
    """Encode the seven RFID501 blocks."""
    item = tag.item_id.encode("ascii")
    if not 0 < len(item) <= 16:
        raise ValueError("the barcode must be 1 to 16 ASCII characters")
    if not 1 <= tag.part_number <= tag.parts_in_item <= 15:
        raise ValueError("part number must be between 1 and parts in item (at most 15)")
    if not (0 <= tag.branch < 1 << 12 and 0 <= tag.library < 1 << 20 and 0 <= tag.item_type < 256):
        raise ValueError("branch is 12 bits, library 20 bits, item type one byte")
    return (bytes([MARKER, (tag.part_number << 4) | tag.parts_in_item, 0, tag.item_type])
            + item.ljust(16, b"\x00")
            + struct.pack("<II", (tag.branch << 20) | tag.library, tag.custom & 0xFFFFFFFF))


def blank(length: int = LENGTH) -> bytes:
    """The memory of a blank 3M tag."""
    return bytes([BLANK_BYTE]) * length
