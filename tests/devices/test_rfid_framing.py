"""3M 810 and Feig frames: published example frames byte for byte, resynchronisation, fuzzing."""

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.devices.rfid import protocol_3m810 as m3, protocol_feig as feig
from kiosk.devices.rfid.errors import FrameError, NoTag, ReaderError, RfidError

UID = "E004010012345678"


# ---- 3M 810 ----------------------------------------------------------------------------

def test_3m_spec_example_frame():
    frame = bytes.fromhex("D6 00 09 03 00 02 00 00 00 03 12 E6")
    assert m3.encode_frame(0x03, bytes.fromhex("00 02 00 00 00 03")) == frame
    assert m3.decode_frame(frame) == m3.Frame(0x03, bytes.fromhex("00 02 00 00 00 03"))


def test_3m_inventory_request_and_no_tag_reply():
    assert m3.inventory_request() == bytes.fromhex("D6 00 05 FE 00 05 FA 40")
    reply = m3.decode_frame(bytes.fromhex("D6 00 07 FE 00 00 05 00 C9 7B"))
    assert m3.parse_inventory(reply) == []


def test_3m_inventory_with_tags_and_dsfids():
    uids = [UID, "E0040100AABBCCDD"]
    plain = m3.Frame(m3.INVENTORY, bytes([0, 0, 0x05, 2]) + b"".join(bytes.fromhex(u) for u in uids))
    assert m3.parse_inventory(plain) == [(UID, None), ("E0040100AABBCCDD", None)]
    with_dsfid = m3.Frame(m3.INVENTORY, bytes([0, 0, 0x03, 1, 0x06]) + bytes.fromhex(UID))
    assert m3.parse_inventory(with_dsfid) == [(UID, 0x06)]


def test_3m_read_request_and_reply():
    assert m3.read_request(UID, 0, 2) == m3.encode_frame(0x02, bytes.fromhex(UID) + b"\x00\x02")
    reply = m3.Frame(0x02, b"\x00" + bytes.fromhex(UID) + b"\x02" + b"\x00\x00ABCD" + b"\x01\x00EFGH")
    assert m3.parse_read(reply, UID, 0, 2) == b"ABCDEFGH"


def test_3m_write_request_layout():
    frame = m3.decode_frame(m3.write_request(UID, 1, b"ABCDEFGH"))
    assert frame.data == bytes.fromhex(UID) + b"\x01\x02\x00ABCDEFGH"
    with pytest.raises(ValueError):
        m3.write_request(UID, 0, b"ABC")


def test_3m_status_06_is_no_tag_and_others_reader_errors():
    with pytest.raises(NoTag):
        m3.parse_value(m3.Frame(0x0A, b"\x06" + bytes.fromhex(UID)), UID, "get AFI")
    with pytest.raises(ReaderError) as info:
        m3.parse_value(m3.Frame(0x0A, b"\x11" + bytes.fromhex(UID)), UID, "get AFI")
    assert info.value.status == 0x11


def test_3m_reply_about_another_tag_is_refused():
    with pytest.raises(FrameError, match="about tag"):
        m3.parse_value(m3.Frame(0x0A, b"\x00" + bytes.fromhex("E004010000000000") + b"\x07"), UID, "get AFI")


def test_3m_tag_info():
    info = m3.parse_tag_info(m3.Frame(0x0D, b"\x00" + bytes.fromhex(UID) + bytes([0x07, 0x06, 0xC2, 3, 27])), UID)
    assert info == m3.TagInfo(dsfid=6, afi=0xC2, block_size=4, block_count=28)


@pytest.mark.parametrize("damage", ["bcc", "length", "start"])
def test_3m_decode_frame_errors(damage):
    frame = bytearray(m3.inventory_request())
    if damage == "bcc":
        frame[-1] ^= 1
    elif damage == "length":
        frame[2] += 1
    else:
        frame[0] = 0xD4
    with pytest.raises(FrameError):
        m3.decode_frame(bytes(frame))


def test_3m_probe_matches_the_captured_exchange():
    assert m3.probe_request() == bytes.fromhex("D5 00 05 04 00 11 8C 66")
    reply = m3.decode_frame(bytes.fromhex("D5 00 09 04 00 11 0A 05 00 02 72 50"))
    assert (reply.start, reply.command, reply.data) == (0xD5, 0x04, bytes.fromhex("00 11 0A 05 00 02"))


def test_3m_read_reply_numbers_blocks_with_two_bytes_little_endian():
    uid = bytes.fromhex(UID)
    blocks = (bytes([0x00, 0x01]) + b"WXYZ") + (bytes([0x01, 0x01]) + b"ABCD")  # blocks 256 and 257
    reply = m3.Frame(0x02, b"\x00" + uid + b"\x02" + blocks)
    assert m3.parse_read(reply, UID, 256, 2) == b"WXYZABCD"
    with pytest.raises(FrameError, match="block 256 where block 0"):
        m3.parse_read(reply, UID, 0, 2)


def test_3m_deframer_skips_noise_bad_frames_and_split_reads():
    good = m3.encode_frame(0xFE, bytes([0, 0, 5, 0]))
    bad = bytearray(good)
    bad[-1] ^= 0xFF
    stream = b"\x00\xd6\x00\xff\x13" + bytes(bad) + good[:4]
    deframer = m3.deframer()
    assert deframer.feed(stream) == []
    assert deframer.feed(good[4:] + b"\xd6") == [m3.decode_frame(good)]
    assert deframer.skipped > 0 and deframer.bad_frames >= 1


def test_3m_deframer_finds_a_frame_after_a_truncated_one():
    good = m3.encode_frame(0x0A, b"\x00" + bytes.fromhex(UID) + b"\x07")
    truncated = good[:7]  # declares more bytes than ever arrive
    assert m3.deframer().feed(truncated + good) == [m3.decode_frame(good)]


# ---- Feig ------------------------------------------------------------------------------

def test_feig_published_examples():
    assert feig.inventory_request() == bytes.fromhex("07 FF B0 01 00 1C 56")
    reply = feig.decode_frame(bytes.fromhex("06 00 B0 01 5C 63"))
    assert reply == feig.Frame(0x00, 0xB0, b"\x01")
    assert feig.parse_inventory(reply) == ([], False)


def test_feig_inventory_reply_and_more_data():
    entry = bytes([0x03, 0x06]) + bytes.fromhex(UID)
    tags, more = feig.parse_inventory(feig.Frame(0, 0xB0, b"\x94\x01" + entry))
    assert tags == [(UID, 0x06)] and more
    assert feig.inventory_request(more=True)[4] == 0x80


def test_feig_read_reply_reverses_each_block():
    reply = feig.Frame(0, 0xB0, b"\x00\x02\x04" + b"\x00DCBA" + b"\x00HGFE")
    assert feig.parse_read(reply, UID, 2) == b"ABCDEFGH"
    request = feig.decode_frame(feig.write_request(0xFF, UID, 3, b"ABCD", 4))
    assert request.data == b"\x24\x01" + bytes.fromhex(UID) + b"\x03\x01\x04DCBA"


def test_feig_system_info():
    data = b"\x00\x06" + bytes.fromhex(UID) + bytes([0x07, 0x03, 0x1B, 0x01])
    info = feig.parse_system_info(feig.Frame(0, 0xB0, data), UID)
    assert (info.dsfid, info.afi, info.block_size, info.block_count) == (6, 7, 4, 28)


def test_feig_nxp_eas_request_layout():
    frame = feig.decode_frame(feig.nxp_request(0xFF, UID, feig.NXP_SET_EAS))
    assert frame.command == 0xB1 and frame.data == bytes([0x04, 0xA2, 0x01]) + bytes.fromhex(UID)


@pytest.mark.parametrize("status,kind", [(0x01, NoTag), (0x83, ReaderError), (0x95, ReaderError)])
def test_feig_statuses(status, kind):
    with pytest.raises(kind) as info:
        feig.check_status(feig.Frame(0, 0xB0, bytes([status, 0x0F])), UID)
    assert info.value.status == status
    if status == 0x95:
        assert "0x0F" in str(info.value)


def test_feig_deframer_resynchronises():
    good = bytes.fromhex("06 00 B0 01 5C 63")
    bad = bytearray(good)
    bad[-2] ^= 1
    deframer = feig.deframer()
    assert deframer.feed(b"\xff\x07\x00" + bytes(bad) + good) == [feig.decode_frame(good)]


# ---- fuzzing: only the protocol's own errors ------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_frame_decoders_and_deframers_never_crash(data):
    for decode in (m3.decode_frame, feig.decode_frame):
        try:
            decode(data)
        except FrameError:
            pass
    m3.deframer().feed(data)
    feig.deframer().feed(data)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 255), st.binary(max_size=200))
def test_reply_parsers_raise_only_rfid_errors(command, data):
    frame3, framef = m3.Frame(command, data), feig.Frame(0, command, data)
    calls = [
        lambda: m3.parse_inventory(frame3), lambda: m3.parse_read(frame3, UID, 0, 3),
        lambda: m3.parse_value(frame3, UID, "x"), lambda: m3.parse_tag_info(frame3, UID),
        lambda: feig.parse_inventory(framef), lambda: feig.parse_read(framef, UID, 2),
        lambda: feig.parse_system_info(framef, UID), lambda: feig.check_status(framef, UID),
    ]
    for call in calls:
        try:
            call()
        except RfidError:
            pass
