"""Choosing the data model of a tag, 3M RFID501, and what is never an item."""

import os

import pytest

from kiosk.devices.tags import BlankTag, TagFormatError, decode_tag, encode_tag, iso28560_3, rfid501

UID = "E004010012345678"


def test_rfid501_round_trip_and_layout():
    tag = rfid501.Rfid501Tag(item_id="1301234567", part_number=1, parts_in_item=2, item_type=1,
                             branch=5, library=123)
    data = rfid501.encode(tag)
    assert data[:4] == bytes([0x04, 0x12, 0x00, 0x01])
    assert data[4:20] == b"1301234567".ljust(16, b"\x00")
    assert int.from_bytes(data[20:24], "little") == (5 << 20) | 123
    assert rfid501.decode(data) == tag


def test_blank_3m_tag_is_blank_not_an_item():
    with pytest.raises(BlankTag, match="blank"):
        decode_tag(UID, rfid501.blank(112))
    with pytest.raises(BlankTag):
        rfid501.decode(rfid501.blank())


@pytest.mark.parametrize("model", ["iso28560-3", "iso28560-2", "3m-rfid501"])
def test_each_model_is_detected(model):
    data, dsfid = encode_tag(model, "30234000517861", parts=2, part=1,
                             isil="" if model == "3m-rfid501" else "DK-710100")
    tag = decode_tag(UID, data + bytes(112 - len(data)), dsfid, secured=True)
    assert (tag.data_model, tag.item_id, tag.parts_in_item, tag.part_number, tag.secured) == (
        model, "30234000517861", 2, 1, True)


def test_iso28560_2_needs_its_dsfid():
    data, _ = encode_tag("iso28560-2", "12345")
    with pytest.raises(TagFormatError, match="unknown data format"):
        decode_tag(UID, data + bytes(40), dsfid=0x00)


def test_danish_tag_with_dsfid_06_still_decodes_by_crc():
    data, _ = encode_tag("iso28560-3", "777")
    assert decode_tag(UID, data, dsfid=0x06).data_model == "iso28560-3"


def test_bad_danish_crc_is_never_an_item():
    data = bytearray(iso28560_3.encode(iso28560_3.DanishTag(item_id="11223344")))
    data[4] = ord("9")
    with pytest.raises(TagFormatError):
        decode_tag(UID, bytes(data))


@pytest.mark.parametrize("memory", [bytes(64), b"\xff" * 64])
def test_unwritten_memory_is_blank(memory):
    with pytest.raises(BlankTag):
        decode_tag(UID, memory)


def test_random_memory_is_an_unknown_format():
    memory = bytes([0x7E]) + os.urandom(63)
    with pytest.raises(TagFormatError):
        decode_tag(UID, memory, dsfid=0x00)


def test_rfid501_with_garbage_barcode_is_rejected():
    data = bytearray(rfid501.encode(rfid501.Rfid501Tag(item_id="123")))
    data[10] = 0x41  # a byte after the NUL padding
    with pytest.raises(TagFormatError, match="after its NUL"):
        decode_tag(UID, bytes(data))


def test_encode_rejects_bad_requests():
    with pytest.raises(ValueError):
        encode_tag("iso28560-9", "1")
    with pytest.raises(ValueError):
        encode_tag("iso28560-3", "1", parts=2, part=3)
    with pytest.raises(ValueError):
        encode_tag("3m-rfid501", "1", isil="DK-1")


def test_partial_iso28560_2_memory_without_its_end_is_not_decoded():
    data, dsfid = encode_tag("iso28560-2", "12345", parts=2, part=1)
    with pytest.raises(TagFormatError, match="terminating"):
        decode_tag(UID, data.rstrip(b"\x00"), dsfid, partial=True)
    assert decode_tag(UID, data, dsfid, partial=True).parts_in_item == 2
