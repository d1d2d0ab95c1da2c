"""ISO 28560-3 (the "Danish data model"): fixed-length basic block plus extension blocks.

Basic block (bytes): 0 version (high nibble, 1) and type of usage (low nibble); 1 parts in
item; 2 part number; 3-18 primary item id, NUL padded; 19-20 CRC, least significant byte
first; 21-33 owner library ISIL (only 21-31 on 32-byte tags). The CRC is CRC-16/CCITT-FALSE
over bytes 0-18 and 21-33, with bytes missing on a 32-byte tag counted as 0x00.
Extension blocks follow byte 34: [length][id, 2 bytes LE][data][xor checksum]; the length
counts the whole block and a length of 0 ends the chain; the xor of all bytes of a block is 0.

Some vendors store the block swapped: nibbles of byte 0 exchanged, or the bytes of each
4-byte memory block reversed. Decoding tries each layout and keeps the one whose CRC passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.devices.crc16 import crc16_ccitt_false
from kiosk.devices.tags.errors import TagFormatError
from kiosk.devices.tags.usage import usage_name

BASIC_LENGTH = 34
SHORT_LENGTH = 32
VERSION = 1


@dataclass(frozen=True)
class DanishTag:
    """The decoded content of an ISO 28560-3 tag."""

    item_id: str
    usage: int = 1
    parts_in_item: int = 1
    part_number: int = 1
    owner_library: str = ""
    version: int = VERSION
    extensions: tuple[tuple[int, bytes], ...] = field(default_factory=tuple)
    variant: str = "standard"  # which vendor layout passed the CRC

    @property
    def usage_name(self) -> str:
        """The type of usage in words ("circulating", "patron-card", ...)."""
        return usage_name(self.usage)


def block_crc(basic: bytes) -> int:
    """The CRC of a basic block (32 or 34 bytes; bytes beyond the end count as 0x00)."""
    padded = basic[:BASIC_LENGTH].ljust(BASIC_LENGTH, b"\x00")
    return crc16_ccitt_false(padded[0:19] + padded[21:34])


def _reverse_blocks(data: bytes, size: int = 4) -> bytes:
    return b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))


def _swap_first_nibbles(data: bytes) -> bytes:
    return bytes([((data[0] & 0x0F) << 4) | (data[0] >> 4)]) + data[1:]


def _layouts(data: bytes) -> list[tuple[str, bytes]]:
    reversed_blocks = _reverse_blocks(data)
    return [
        ("standard", data),
        ("nibbles-swapped", _swap_first_nibbles(data)),
        ("blocks-reversed", reversed_blocks),
        ("blocks-reversed+nibbles-swapped", _swap_first_nibbles(reversed_blocks)),
    ]


def _crc_passes(data: bytes) -> bool:
    stored = data[19] | (data[20] << 8)
    return block_crc(data) == stored


def _text(raw: bytes, what: str) -> str:
    text = raw.split(b"\x00", 1)[0]
    if raw[len(text):].strip(b"\x00"):
        raise TagFormatError(f"{what} has bytes after its NUL padding")
    try:
        decoded = text.decode("ascii")
    except UnicodeDecodeError:
        raise TagFormatError(f"{what} is not ASCII: {text.hex()}") from None
    if not decoded.isprintable():
        raise TagFormatError(f"{what} holds control characters: {text.hex()}")
    return decoded


def _extensions(data: bytes) -> tuple[tuple[int, bytes], ...]:
    blocks = []
    pos = BASIC_LENGTH
    while pos < len(data):
        length = data[pos]
        if length == 0:
            break
        block = data[pos:pos + length]
        if length < 4 or len(block) < length:
            raise TagFormatError(f"extension block at byte {pos} is truncated (length {length})")
        check = 0
        for byte in block:
            check ^= byte
        if check:
            raise TagFormatError(f"extension block at byte {pos} fails its xor checksum")
        blocks.append((block[1] | (block[2] << 8), bytes(block[3:-1])))
        pos += length
    return tuple(blocks)


def decode(data: bytes) -> DanishTag:
    """Decode tag memory (at least 32 bytes) or raise TagFormatError saying why not."""
    data = bytes(data)
    if len(data) < SHORT_LENGTH:
        raise TagFormatError(f"ISO 28560-3 needs at least {SHORT_LENGTH} bytes, got {len(data)}")
    for variant, layout in _layouts(data):
        if layout[0] >> 4 == VERSION and _crc_passes(layout):
            return _decode_layout(layout, variant)
    raise TagFormatError("not ISO 28560-3: no layout has version 1 and a valid CRC")


def may_continue(data: bytes) -> bool:
    """Whether fewer than 34 bytes that fail could be a basic block whose ISIL ends further on."""
    data = bytes(data)
    return SHORT_LENGTH <= len(data) < BASIC_LENGTH and any(
        layout[0] >> 4 == VERSION for _, layout in _layouts(data))


def _decode_layout(data: bytes, variant: str) -> DanishTag:
    if data[3] == 0x01:
        # byte 3 = 01 moves an id longer than 16 characters to the library extension block
        raise TagFormatError("primary item id is in a library extension block (longer than 16 "
                             "characters); not supported")
    parts, part = data[1], data[2]
    if parts == 0 or not 1 <= part <= parts:
        raise TagFormatError(f"ISO 28560-3 set information is inconsistent: part {part} of {parts}")
    item_id = _text(data[3:19], "primary item id")
    if not item_id:
        raise TagFormatError("ISO 28560-3 primary item id is empty")
    isil_end = BASIC_LENGTH if len(data) >= BASIC_LENGTH else SHORT_LENGTH
    owner = _text(data[21:isil_end], "owner library ISIL")
    extensions: tuple[tuple[int, bytes], ...] = ()
    if len(data) > BASIC_LENGTH:
        try:
            extensions = _extensions(data)
        except TagFormatError:
            # extensions are optional; a damaged one must not hide an item whose basic block is valid
            extensions = ()
    return DanishTag(item_id=item_id, usage=data[0] & 0x0F, parts_in_item=parts, part_number=part,
                     owner_library=owner, version=data[0] >> 4, extensions=extensions,
                     variant=variant)


def encode(tag: DanishTag, length: int = BASIC_LENGTH) -> bytes:
    """Encode a tag's basic block (32 or 34 bytes) and its extension blocks (after byte 34)."""
    if length not in (SHORT_LENGTH, BASIC_LENGTH):
        raise ValueError("an ISO 28560-3 basic block is 32 or 34 bytes")
    item = tag.item_id.encode("ascii")
    owner = tag.owner_library.encode("ascii")
    if not 0 < len(item) <= 16:
        raise ValueError("the primary item id must be 1 to 16 ASCII characters")
    if len(owner) > length - 21:
        raise ValueError(f"the owner ISIL must be at most {length - 21} characters on this tag")
    if not (1 <= tag.parts_in_item <= 255 and 1 <= tag.part_number <= tag.parts_in_item):
        raise ValueError("part number must be between 1 and parts in item (at most 255)")
    if not 0 <= tag.usage <= 15:
        raise ValueError("type of usage is one hexadecimal digit")
    block = bytearray(length)
    block[0] = (VERSION << 4) | tag.usage
    block[1], block[2] = tag.parts_in_item, tag.part_number
    block[3:3 + len(item)] = item
    block[21:21 + len(owner)] = owner
    crc = block_crc(bytes(block))
    block[19], block[20] = crc & 0xFF, crc >> 8
    if tag.extensions:
        if length != BASIC_LENGTH:
            raise ValueError("extension blocks need the 34-byte basic block")
        for ext_id, payload in tag.extensions:
            ext = bytearray([len(payload) + 4, ext_id & 0xFF, ext_id >> 8]) + payload
            check = 0
            for byte in ext:
                check ^= byte
            block += ext + bytes([check])
        block.append(0)
    return bytes(block)
