"""ISO 28560-3 (Danish data model) decoding and encoding."""

import pytest

from kiosk.devices.tags import iso28560_3 as danish
from kiosk.devices.tags.errors import TagFormatError

WORKED_EXAMPLE = bytes.fromhex("11 01 01 31 31 32 32 33 33 34 34 00 00 00 00 00 00 00 00 51 3E 44 45 37 30 35") + bytes(8)


def reverse_blocks(data: bytes) -> bytes:
    return b"".join(data[i:i + 4][::-1] for i in range(0, len(data), 4))


def test_worked_example_decodes_exactly():
    tag = danish.decode(WORKED_EXAMPLE)
    assert (tag.item_id, tag.owner_library, tag.parts_in_item, tag.part_number) == ("11223344", "DE705", 1, 1)
    assert tag.usage_name == "circulating" and tag.version == 1 and tag.variant == "standard"
    assert danish.block_crc(WORKED_EXAMPLE) == 0x3E51


def test_worked_example_encodes_byte_for_byte():
    tag = danish.DanishTag(item_id="11223344", owner_library="DE705")
    assert danish.encode(tag) == WORKED_EXAMPLE


def test_32_byte_tag_counts_missing_bytes_as_zero():
    short = WORKED_EXAMPLE[:32]
    assert danish.decode(short).item_id == "11223344"
    assert danish.encode(danish.DanishTag(item_id="11223344", owner_library="DE705"), 32) == short


def test_32_byte_tag_truncates_isil_at_byte_31():
    tag = danish.DanishTag(item_id="1", owner_library="DK-12345678")
    assert danish.decode(danish.encode(tag, 32)).owner_library == "DK-12345678"
    with pytest.raises(ValueError):
        danish.encode(danish.DanishTag(item_id="1", owner_library="DK-1234567890"), 32)


NOT_FOR_CIRCULATION = danish.encode(danish.DanishTag(item_id="11223344", usage=2, owner_library="DE705"))


@pytest.mark.parametrize("variant,transform", [
    ("nibbles-swapped", lambda d: bytes([((d[0] & 15) << 4) | (d[0] >> 4)]) + d[1:]),
    ("blocks-reversed", reverse_blocks),
    ("blocks-reversed+nibbles-swapped",
     lambda d: reverse_blocks(bytes([((d[0] & 15) << 4) | (d[0] >> 4)]) + d[1:])),
])
def test_vendor_byte_orders_are_recognised_by_crc(variant, transform):
    tag = danish.decode(transform(NOT_FOR_CIRCULATION))
    assert tag.item_id == "11223344" and tag.variant == variant
    assert tag.usage_name == "not-for-circulation"


def test_bad_crc_is_an_error_not_an_item():
    damaged = bytearray(WORKED_EXAMPLE)
    damaged[5] ^= 0x01  # "11223344" -> "11232344" would be a wrong item id
    with pytest.raises(TagFormatError, match="CRC"):
        danish.decode(bytes(damaged))


def test_inconsistent_set_information_is_rejected_even_with_valid_crc():
    data = bytearray(danish.encode(danish.DanishTag(item_id="42")))
    data[2] = 3  # part 3 of 1
    crc = danish.block_crc(bytes(data))
    data[19], data[20] = crc & 0xFF, crc >> 8
    with pytest.raises(TagFormatError, match="part 3 of 1"):
        danish.decode(bytes(data))


def test_extension_blocks_round_trip():
    tag = danish.DanishTag(item_id="9", extensions=((0x0001, b"abc"), (0x0102, b"\x00\x01")))
    encoded = danish.encode(tag)
    assert encoded[34] == 7 and encoded[35:37] == b"\x01\x00"
    assert danish.decode(encoded + bytes(10)).extensions == tag.extensions


def test_damaged_extension_does_not_hide_a_valid_item():
    encoded = bytearray(danish.encode(danish.DanishTag(item_id="9", extensions=((1, b"abc"),))))
    encoded[36] ^= 0xFF
    tag = danish.decode(bytes(encoded))
    assert tag.item_id == "9" and tag.extensions == ()


def test_too_short_and_non_ascii():
    with pytest.raises(TagFormatError, match="at least 32"):
        danish.decode(b"\x11" * 10)
    data = bytearray(danish.encode(danish.DanishTag(item_id="AB")))
    data[3] = 0xC3
    crc = danish.block_crc(bytes(data))
    data[19], data[20] = crc & 0xFF, crc >> 8
    with pytest.raises(TagFormatError, match="not ASCII"):
        danish.decode(bytes(data))


def test_patron_card_usage():
    tag = danish.decode(danish.encode(danish.DanishTag(item_id="2000123", usage=8)))
    assert tag.usage_name == "patron-card"


def test_item_id_moved_to_an_extension_block_is_reported_not_guessed():
    data = bytearray(danish.encode(danish.DanishTag(item_id="X")))
    data[3] = 0x01
    crc = danish.block_crc(bytes(data))
    data[19], data[20] = crc & 0xFF, crc >> 8
    with pytest.raises(TagFormatError, match="library extension block"):
        danish.decode(bytes(data))
