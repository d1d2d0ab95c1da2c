"""ISO 28560-2 data sets and the ISO/IEC 15962 compaction schemes."""

import pytest

from kiosk.devices.tags import compaction as c, iso28560_2 as obj
from kiosk.devices.tags.errors import TagFormatError


def test_isil_worked_example_from_the_standard():
    assert c.encode_isil("DE-Heu1") == bytes.fromhex("21 40 8E 16 BF 1F")
    assert c.decode_isil(bytes.fromhex("21 40 8E 16 BF 1F")) == "DE-Heu1"


@pytest.mark.parametrize("isil", ["CH-000134-1", "DK-710100", "US-DLC", "FI-Vantaa", "GB-UkOxU", "dk-7:a/b"])
def test_isil_round_trip(isil):
    assert c.decode_isil(c.encode_isil(isil)) == isil


def test_six_bit_worked_example_from_the_standard():
    assert c.encode_6bit("QA268.L55") == bytes.fromhex("44 1C B6 E2 E3 35 D6")
    assert c.decode_6bit(bytes.fromhex("44 1C B6 E2 E3 35 D6")) == "QA268.L55"


def test_shelf_location_data_set_matches_the_standard():
    # precursor 0x46 (6-bit, OID 6), length 7, data
    tag = obj.ObjectTag(item_id="1", shelf_location="QA268.L55")
    assert bytes.fromhex("46 07 44 1C B6 E2 E3 35 D6") in obj.encode(tag)


def test_set_information_example_from_the_standard():
    memory = bytes.fromhex("91 00 05 1C BE 99 1A 14 02 01 D0 14 02 04 B3 00")
    tag = obj.decode(memory)
    assert tag.item_id == "123456789012"
    assert (tag.parts_in_item, tag.part_number) == (12, 3)


@pytest.mark.parametrize("text,scheme", [
    ("123456789012", c.INTEGER), ("0012345", c.NUMERIC), ("ABCDEF", c.FIVE_BIT),
    ("QA268.L55", c.SIX_BIT), ("abc-12", c.SEVEN_BIT), ("Ærø", c.UTF8),
])
def test_encoder_picks_a_compaction_that_gives_the_text_back(text, scheme):
    chosen, data = obj.compact_text(text)
    assert chosen == scheme
    decoded = obj.decode(obj.encode(obj.ObjectTag(item_id=text)))
    assert decoded.item_id == text


@pytest.mark.parametrize("text", ["A", "AB", "ABC", "ABCD", "ABCDEFGH", "ABCDEFGHIJKLMNOP"])
def test_packed_schemes_round_trip_every_length(text):
    assert c.decode_5bit(c.encode_5bit(text)) == text
    assert c.decode_6bit(c.encode_6bit(text)) == text
    assert c.decode_7bit(c.encode_7bit(text)) == text


def test_full_tag_round_trip():
    tag = obj.ObjectTag(item_id="30234000517861", owner_library="DK-710100", parts_in_item=3,
                        part_number=2, usage=1, shelf_location="QA268.L55")
    assert obj.decode(obj.encode(tag)) == tag


def test_offset_and_extended_oid_are_skipped_correctly():
    memory = bytes([0x91, 0x02, 0x01, 0x07, 0xAA, 0xAA,  # item "7" then 2 pad bytes
                    0x6F, 0x02, 0x02, 0x41, 0x42,  # OID 17 (title), octet "AB"
                    0x00])
    tag = obj.decode(memory)
    assert tag.item_id == "7" and tag.others == ((17, "AB"),)


@pytest.mark.parametrize("memory,reason", [
    (bytes([0x63, 0x01, 0x41, 0x00]), "must start with the primary item id"),
    (bytes([0x61, 0x09, 0x41]), "declares 9 bytes"),
    (bytes([0x11, 0x01, 0x05, 0x11, 0x01, 0x05, 0x00]), "appears twice"),
    (bytes([0x21, 0x01, 0xAB, 0x00]), "non-digit"),
    (bytes([0x61, 0x01, 0x41, 0x14, 0x01, 0x0D, 0x00]), "inconsistent"),
])
def test_malformed_data_gives_a_reason(memory, reason):
    with pytest.raises(TagFormatError, match=reason):
        obj.decode(memory)


def test_content_parameter_matches_the_standard_example():
    assert obj.content_parameter([3, 4, 6]) == b"\xD0"
    encoded = obj.encode(obj.ObjectTag(item_id="1", owner_library="DK-1", parts_in_item=2, shelf_location="A1"))
    assert encoded[3:6] == bytes([0x02, 0x01, 0xD0])
    assert obj.encode(obj.ObjectTag(item_id="1")) == bytes([0x11, 0x01, 0x01, 0x00])
