"""ISO 28560-2: library data elements as ISO/IEC 15962 "no directory" data sets (DSFID 0x06).

Each data set is `precursor [offset] length data [offset pad bytes]`; the precursor holds the
offset flag (bit 7), the compaction scheme (bits 6-4) and the relative OID (bits 3-0; 15
means the OID follows in the next byte, minus 15). A 0x00 precursor ends the data. The first
data set must be the primary item identifier.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.devices.tags import compaction as c
from kiosk.devices.tags.errors import ContentContinues, TagFormatError
from kiosk.devices.tags.usage import usage_name

DSFID = 0x06

PRIMARY_ITEM_ID = 1
CONTENT_PARAMETER = 2
OWNER_ISIL = 3
SET_INFORMATION = 4
TYPE_OF_USAGE = 5
SHELF_LOCATION = 6
ONIX_MEDIA_FORMAT = 7

_TEXT_DECODERS = {
    c.INTEGER: c.decode_integer,
    c.NUMERIC: c.decode_numeric,
    c.FIVE_BIT: c.decode_5bit,
    c.SIX_BIT: c.decode_6bit,
    c.SEVEN_BIT: c.decode_7bit,
}


@dataclass(frozen=True)
class ObjectTag:
    """The decoded content of an ISO 28560-2 tag (elements not listed stay in `others`)."""

    item_id: str
    owner_library: str = ""
    parts_in_item: int = 1
    part_number: int = 1
    usage: int | None = None  # type-of-usage class digit, None when absent
    usage_qualifier: int = 0
    shelf_location: str = ""
    others: tuple[tuple[int, str | bytes], ...] = field(default_factory=tuple)

    @property
    def usage_name(self) -> str:
        """The type of usage in words, "" when the tag does not say."""
        return "" if self.usage is None else usage_name(self.usage)


def _decode_text(scheme: int, data: bytes, oid: int) -> str | bytes:
    if scheme in _TEXT_DECODERS:
        return _TEXT_DECODERS[scheme](data)
    if scheme == c.OCTET:
        return data.decode("latin-1")
    if scheme == c.UTF8:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise TagFormatError(f"OID {oid} is not valid UTF-8") from None
    if scheme == c.APPLICATION:
        return data
    raise TagFormatError(f"OID {oid} uses the undefined compaction scheme {scheme}")


def data_sets(memory: bytes, partial: bool = False) -> list[tuple[int, int, bytes]]:
    """Split tag memory into (relative OID, compaction scheme, compacted data) triples.

    With `partial` (only the first blocks were read) data cut by the end of the bytes read, or
    no terminating 0x00 among them, raises ContentContinues: the rest of the memory is needed.
    """
    cut = ContentContinues if partial else TagFormatError  # running out of bytes read
    sets = []
    pos = 0
    while pos < len(memory) and memory[pos] != 0:
        precursor = memory[pos]
        pos += 1
        oid, scheme = precursor & 0x0F, (precursor >> 4) & 0x07
        if oid == 0x0F:
            if pos >= len(memory):
                raise cut("data ends inside an extended OID")
            oid = memory[pos] + 15
            pos += 1
        offset = 0
        if precursor & 0x80:
            if pos >= len(memory):
                raise cut("data ends inside an offset byte")
            offset = memory[pos]
            pos += 1
        if pos >= len(memory):
            raise cut(f"data ends before the length of OID {oid}")
        length = memory[pos]
        pos += 1
        if length == 0:
            raise TagFormatError(f"OID {oid} declares 0 bytes")
        if pos + length > len(memory):
            raise cut(f"OID {oid} declares {length} bytes, {len(memory) - pos} remain")
        sets.append((oid, scheme, bytes(memory[pos:pos + length])))
        pos += length + offset
    if pos >= len(memory) and partial:
        raise ContentContinues("the data sets run to the end of the blocks read, without the terminating 0x00")
    if pos >= len(memory) and not sets:
        raise TagFormatError("the data sets run to the end of the memory read, without the terminating 0x00")
    return sets


def starts_with_item_id(memory: bytes) -> bool:
    """Whether the memory opens with a primary-item-id precursor, as every ISO 28560-2 tag must."""
    return bool(memory) and memory[0] & 0x0F == PRIMARY_ITEM_ID


def _set_information(text: str) -> tuple[int, int]:
    if not text.isdigit():
        raise TagFormatError(f"set information {text!r} is not numeric")
    if len(text) % 2:
        text = "0" + text  # integer compaction drops the leading zero of "0102"
    half = len(text) // 2
    parts, part = int(text[:half]), int(text[half:])
    if parts == 0 or not 1 <= part <= parts:
        raise TagFormatError(f"set information is inconsistent: part {part} of {parts}")
    return parts, part


def decode(memory: bytes, partial: bool = False) -> ObjectTag:
    """Decode ISO 28560-2 tag memory (`partial`: only its first blocks) or raise TagFormatError."""
    sets = data_sets(bytes(memory), partial)
    if not sets:
        raise TagFormatError("ISO 28560-2 memory holds no data sets")
    if sets[0][0] != PRIMARY_ITEM_ID:
        raise TagFormatError(f"ISO 28560-2 must start with the primary item id, found OID {sets[0][0]}")
    values: dict[int, str | bytes] = {}
    others = []
    usage: int | None = None
    qualifier = 0
    for oid, scheme, data in sets:
        if oid in values or (oid == TYPE_OF_USAGE and usage is not None):
            raise TagFormatError(f"OID {oid} appears twice")
        if oid == OWNER_ISIL and scheme == c.APPLICATION:
            values[oid] = c.decode_isil(data)
        elif oid == TYPE_OF_USAGE and scheme == c.APPLICATION:
            usage, qualifier = data[0] >> 4, data[0] & 0x0F
        else:
            values[oid] = _decode_text(scheme, data, oid)
            if oid > TYPE_OF_USAGE and oid != SHELF_LOCATION:
                others.append((oid, values[oid]))
    item = values[PRIMARY_ITEM_ID]
    if not isinstance(item, str) or not item or not item.isprintable():
        raise TagFormatError("ISO 28560-2 primary item id is not printable text")
    parts, part = 1, 1
    if SET_INFORMATION in values:
        parts, part = _set_information(str(values[SET_INFORMATION]))
    owner = values.get(OWNER_ISIL, "")
    shelf = values.get(SHELF_LOCATION, "")
    return ObjectTag(item_id=item, owner_library=owner if isinstance(owner, str) else owner.hex(),
                     parts_in_item=parts, part_number=part, usage=usage,
                     usage_qualifier=qualifier,
                     shelf_location=shelf if isinstance(shelf, str) else shelf.hex(),
                     others=tuple(others))


def compact_text(text: str) -> tuple[int, bytes]:
    """Pick the shortest compaction for a text, as an encoder should: (scheme, bytes)."""
    candidates = []
    for scheme, encoder in ((c.INTEGER, c.encode_integer), (c.NUMERIC, c.encode_numeric),
                            (c.FIVE_BIT, c.encode_5bit), (c.SIX_BIT, c.encode_6bit),
                            (c.SEVEN_BIT, c.encode_7bit)):
        try:
            encoded = encoder(text)
        except ValueError:
            continue
        if _TEXT_DECODERS[scheme](encoded) == text:  # a compaction must give the text back
            candidates.append((len(encoded), scheme, encoded))
    if candidates:
        _, scheme, encoded = min(candidates)
        return scheme, encoded
    return c.UTF8, text.encode("utf-8")


def _data_set(oid: int, scheme: int, data: bytes) -> bytes:
    if not 0 < len(data) < 256:
        raise ValueError(f"OID {oid} data must be 1 to 255 bytes")
    if oid < 15:
        return bytes([(scheme << 4) | oid, len(data)]) + data
    return bytes([(scheme << 4) | 0x0F, oid - 15, len(data)]) + data


def content_parameter(oids: list[int]) -> bytes:
    """The content parameter: one bit per relative OID from 3 up, most significant bit first.

    As in the standard's example, where 02 01 D0 announces OIDs 3, 4 and 6.
    """
    top = max(oids) - 3
    bits = bytearray(top // 8 + 1)
    for oid in oids:
        bits[(oid - 3) // 8] |= 0x80 >> ((oid - 3) % 8)
    return bytes(bits)


def encode(tag: ObjectTag, block_size: int = 4) -> bytes:
    """Encode a tag as data sets plus the terminating 0x00, padded to whole blocks.

    The primary item id comes first, then the content parameter listing the other elements.
    """
    if not tag.item_id:
        raise ValueError("the primary item id cannot be empty")
    sets: list[tuple[int, int, bytes]] = []
    if tag.owner_library:
        sets.append((OWNER_ISIL, c.APPLICATION, c.encode_isil(tag.owner_library)))
    if tag.parts_in_item != 1 or tag.part_number != 1:
        if not (1 <= tag.part_number <= tag.parts_in_item <= 99):
            raise ValueError("part number must be between 1 and parts in item (at most 99)")
        sets.append((SET_INFORMATION, *compact_text(f"{tag.parts_in_item:02d}{tag.part_number:02d}")))
    if tag.usage is not None:
        if not (0 <= tag.usage <= 15 and 0 <= tag.usage_qualifier <= 15):
            raise ValueError("type of usage and its qualifier are one hexadecimal digit each")
        sets.append((TYPE_OF_USAGE, c.APPLICATION, bytes([(tag.usage << 4) | tag.usage_qualifier])))
    if tag.shelf_location:
        sets.append((SHELF_LOCATION, *compact_text(tag.shelf_location)))
    out = bytearray(_data_set(PRIMARY_ITEM_ID, *compact_text(tag.item_id)))
    if sets:
        out += _data_set(CONTENT_PARAMETER, c.APPLICATION, content_parameter([oid for oid, _, _ in sets]))
    for oid, scheme, data in sets:
        out += _data_set(oid, scheme, data)
    out.append(0)
    out += bytes(-len(out) % block_size)
    return bytes(out)
