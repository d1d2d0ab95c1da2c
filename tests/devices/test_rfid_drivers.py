"""Both drivers end to end against their emulators, through pyserial on a pty and on TCP."""

import pytest

from kiosk.devices.emulators.rfid_3m810 import M3M810Emulator
from kiosk.devices.emulators.rfid_feig import FeigEmulator
from kiosk.devices.emulators.tag_store import make_tag
from kiosk.devices.rfid.errors import FrameError, NoTag, ReaderError
from kiosk.devices.tags import decode_tag

from tests.devices.rfid_support import TRANSPORTS, open_reader, served

EMULATORS = {"3m810": M3M810Emulator, "feig": FeigEmulator}


@pytest.fixture(params=[(kind, transport) for kind in EMULATORS for transport in TRANSPORTS],
                ids=lambda p: f"{p[0]}-{p[1]}")
def rig(request):
    kind, transport = request.param
    emulator = EMULATORS[kind]()
    with served(emulator, transport) as (url, _server):
        reader = open_reader(kind, url)
        try:
            yield emulator, reader
        finally:
            reader.close()


def test_empty_pad(rig):
    _, reader = rig
    assert reader.inventory() == []


def test_inventory_read_and_decode(rig):
    emulator, reader = rig
    tags = [make_tag("iso28560-3", "30234000517861", isil="DK-710100"),
            make_tag("iso28560-2", "0012345", isil="DE-Heu1"),
            make_tag("3m-rfid501", "1301234567")]
    emulator.store.place(*tags)
    assert sorted(e.uid for e in reader.inventory()) == sorted(t.uid for t in tags)
    decoded = []
    for tag in tags:
        info = reader.system_info(tag.uid)
        assert (info.block_size, info.block_count, info.dsfid) == (4, 28, tag.dsfid)
        decoded.append(decode_tag(tag.uid, reader.read_memory(tag.uid, info, blocks_per_read=5), info.dsfid))
    assert [d.item_id for d in decoded] == ["30234000517861", "0012345", "1301234567"]
    assert [d.data_model for d in decoded] == ["iso28560-3", "iso28560-2", "3m-rfid501"]


def test_write_blocks_afi_dsfid_and_eas(rig):
    emulator, reader = rig
    tag = make_tag("iso28560-3", "1")
    emulator.store.place(tag)
    reader.write_blocks(tag.uid, 2, b"ABCDEFGH")
    assert reader.read_blocks(tag.uid, 2, 2) == b"ABCDEFGH" == bytes(tag.memory[8:16])
    reader.write_afi(tag.uid, 0xC2)
    assert reader.get_afi(tag.uid) == 0xC2
    reader.write_dsfid(tag.uid, 0x06)
    assert reader.system_info(tag.uid).dsfid == 0x06
    reader.eas_reset(tag.uid)
    assert reader.eas_check(tag.uid) is False and tag.eas is False
    reader.eas_set(tag.uid)
    assert reader.eas_check(tag.uid) is True


def test_absent_tag_is_no_tag(rig):
    _, reader = rig
    for call in (lambda: reader.read_blocks("E004010000000099", 0, 1),
                 lambda: reader.get_afi("E004010000000099"),
                 lambda: reader.eas_check("E004010000000099")):
        with pytest.raises(NoTag):
            call()


def test_read_beyond_memory_is_a_reader_error(rig):
    emulator, reader = rig
    tag = make_tag("iso28560-3", "1")
    emulator.store.place(tag)
    with pytest.raises(ReaderError) as info:
        reader.read_blocks(tag.uid, 27, 4)
    assert not isinstance(info.value, NoTag)


def test_noise_before_replies_is_skipped(rig):
    emulator, reader = rig
    emulator.store.place(make_tag("iso28560-3", "5"))
    emulator.faults.noise = 3
    for _ in range(3):
        assert len(reader.inventory()) == 1


@pytest.mark.parametrize("fault", ["bad_crc", "drop", "silent", "truncate"])
def test_damaged_reply_times_out_cleanly_then_the_link_recovers(rig, fault):
    emulator, reader = rig
    tag = make_tag("iso28560-3", "5")
    emulator.store.place(tag)
    setattr(emulator.faults, fault, 1)
    with pytest.raises(FrameError, match="no valid reply"):
        reader.get_afi(tag.uid)
    assert reader.get_afi(tag.uid) == 0x07


def test_slow_reply_is_not_taken_for_the_next_answer(rig):
    emulator, reader = rig
    tag = make_tag("iso28560-3", "5")
    emulator.store.place(tag)
    emulator.faults.delay = 0.2  # longer than the 0.15 s reply timeout
    with pytest.raises(FrameError):
        reader.system_info(tag.uid)
    emulator.faults.delay = 0.0
    info = reader.system_info(tag.uid)
    assert info.block_count == 28
    assert decode_tag(tag.uid, reader.read_memory(tag.uid, info), info.dsfid).item_id == "5"


def test_feig_collects_more_data_rounds():
    emulator = FeigEmulator()
    tags = [make_tag("iso28560-3", str(n)) for n in range(30)]
    emulator.store.place(*tags)
    with served(emulator, "tcp") as (url, _):
        reader = open_reader("feig", url)
        try:
            assert [e.uid for e in reader.inventory()] == [t.uid for t in tags]
        finally:
            reader.close()


def test_paced_emulator_takes_at_least_the_wire_time():
    emulator = M3M810Emulator()
    emulator.store.place(make_tag("iso28560-3", "5"))
    with served(emulator, "pty", pace=True) as (url, server):
        reader = open_reader("3m810", url)
        try:
            import time
            start = time.monotonic()
            reader.inventory()
            elapsed = time.monotonic() - start
        finally:
            reader.close()
    wire = (8 + 17) * server.char_time  # request 8 bytes, reply with one UID 17 bytes
    assert elapsed >= wire * 0.95
