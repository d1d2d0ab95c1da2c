"""Both drivers against emulators answering only what a real reader is known to answer.

The 3M emulator in strict mode answers the captured conversation of a real 810 (D5 probe, FE,
02, 04, 0A, 09) and refuses everything else with status 02; the Feig emulator answers the ISO
host commands of Feig's manuals the driver needs and refuses the rest with status 80.
"""

from collections import Counter

import pytest

from kiosk.cli import main
from kiosk.devices.emulators.rfid_3m810 import M3M810Emulator
from kiosk.devices.emulators.rfid_feig import FeigEmulator
from kiosk.devices.emulators.tag_store import make_tag, raw_tag
from kiosk.devices.events import ItemPlaced, UnreadableTag
from kiosk.devices.rfid import protocol_3m810 as m3, protocol_feig as feig, reader_factory
from kiosk.devices.rfid.config import parse_settings
from kiosk.devices.rfid.errors import ReaderError, Unsupported
from kiosk.devices.rfid.pad import PadLoop
from kiosk.devices.rfid.reader import OptionalCommands, open_serial
from kiosk.devices.rfid.reader_3m810 import M3M810Reader
from kiosk.devices.rfid.reader_feig import FeigReader, pad_memory
from kiosk.devices.rfid.security import SecurityPolicy, set_security
from kiosk.devices.rfid.tag_reading import optional_info, read_item
from kiosk.devices.tags import TagFormatError

from tests.devices.rfid_support import TRANSPORTS, Collector, open_reader, served

EMULATORS = {"3m810": M3M810Emulator, "feig": FeigEmulator}
TITLE = b"A long title that pushes the set information past the first eight blocks"
LONG_2 = (bytes([0x61, 0x03]) + b"A12" + bytes([0x6F, 0x02, len(TITLE)]) + TITLE
          + bytes([0x14, 0x02, 0x00, 0xC9]) + b"\x00")  # ISO 28560-2: item A12, part 1 of 2


def library_tags():
    """One tag of every data model, and tags whose content goes past the first 8 blocks."""
    return [make_tag("iso28560-3", "30234000517861", isil="DK-710100"),
            make_tag("iso28560-3", "33191000105864", isil="DE-1234567890"),  # ISIL in bytes 32-33
            make_tag("iso28560-2", "0012345", isil="DE-Heu1"),
            make_tag("3m-rfid501", "1301234567"),
            raw_tag(LONG_2, dsfid=0x06)]


ITEMS = ["30234000517861", "33191000105864", "0012345", "1301234567", "A12"]


@pytest.fixture(params=[(kind, transport) for kind in EMULATORS for transport in TRANSPORTS],
                ids=lambda p: f"{p[0]}-{p[1]}")
def strict_rig(request):
    kind, transport = request.param
    emulator = EMULATORS[kind](strict=True)
    with served(emulator, transport) as (url, _server):
        reader = open_reader(kind, url)
        try:
            yield kind, emulator, reader
        finally:
            reader.close()


def test_strict_3m_answers_the_captured_probe_and_refuses_tag_info():
    emulator = M3M810Emulator(strict=True)
    tag = make_tag("iso28560-3", "1")
    emulator.store.place(tag)
    (probe,) = emulator.feed(bytes.fromhex("D5 00 05 04 00 11 8C 66"))
    assert probe == bytes.fromhex("D5 00 09 04 00 11 0A 05 00 02 72 50")
    for command in (m3.TAG_INFO, m3.GET_DSFID, m3.VERSION, m3.CHECK_EAS, m3.EAS_CONTROL):
        (reply,) = emulator.feed(m3.tag_request(command, tag.uid, b"\x07"))
        assert m3.decode_frame(reply).status == m3.STATUS_NOT_SUPPORTED
    (read,) = emulator.feed(m3.read_request(tag.uid, 0, 8))
    assert m3.parse_read(m3.decode_frame(read), tag.uid, 0, 8) == bytes(tag.memory[:32])


def test_strict_feig_refuses_what_its_manuals_do_not_list_for_the_driver():
    emulator = FeigEmulator(strict=True)
    tag = make_tag("iso28560-3", "1")
    emulator.store.place(tag)
    for request in (feig.write_dsfid_request(0xFF, tag.uid, 6), feig.nxp_request(0xFF, tag.uid, feig.NXP_SET_EAS)):
        (reply,) = emulator.feed(request)
        assert feig.decode_frame(reply).status == feig.UNKNOWN_COMMAND
    (reply,) = emulator.feed(feig.system_info_request(0xFF, tag.uid))
    assert feig.parse_system_info(feig.decode_frame(reply), tag.uid).afi == 0x07


def test_every_data_model_reads_with_the_required_commands_only(strict_rig):
    kind, emulator, reader = strict_rig
    if kind == "feig":
        emulator.documented = emulator.documented - {feig.SYSTEM_INFO}  # a reader without system info
    tags = library_tags()
    emulator.store.place(*tags)
    entries = reader.inventory()
    assert [e.uid for e in entries] == [t.uid for t in tags]
    items = []
    for entry in entries:
        info = optional_info(reader, entry.uid)
        assert info is None
        outcome, memory = read_item(reader, entry.uid, info=info, dsfid=entry.dsfid)
        assert not isinstance(outcome, TagFormatError), outcome
        items.append((outcome.item_id, outcome.data_model, outcome.parts_in_item))
    assert items == [("30234000517861", "iso28560-3", 1), ("33191000105864", "iso28560-3", 1),
                     ("0012345", "iso28560-2", 1), ("1301234567", "3m-rfid501", 1), ("A12", "iso28560-2", 2)]


def test_a_refused_optional_command_is_asked_once_per_pad_even_across_reopening():
    emulator = M3M810Emulator(strict=True)
    tag = make_tag("iso28560-3", "1")
    emulator.store.place(tag)
    with served(emulator, "tcp") as (url, _):
        opener = reader_factory(parse_settings({"driver": "3m810", "port": url, "reply_timeout": 0.5}))
        first = opener()
        try:
            with pytest.raises(Unsupported, match="tag info"):
                first.system_info(tag.uid)
            asked = emulator.requests
            with pytest.raises(Unsupported):
                first.system_info(tag.uid)
        finally:
            first.close()
        second = opener()
        try:
            with pytest.raises(Unsupported):
                second.system_info(tag.uid)
            assert emulator.requests == asked  # neither connection asked the pad again
            assert second.get_afi(tag.uid) == 0x07
        finally:
            second.close()


def test_a_feig_transponder_error_is_not_taken_for_the_readers_refusal():
    memory = pad_memory()

    def fails(status: int):
        raise ReaderError(status, feig.STATUS_TEXT[status])

    with pytest.raises(ReaderError) as tag_error:
        memory.ask("NXP EAS commands (B1)", lambda: fails(feig.ISO_ERROR))
    assert not isinstance(tag_error.value, Unsupported) and memory.refused == set()
    with pytest.raises(Unsupported):
        memory.ask("NXP EAS commands (B1)", lambda: fails(feig.UNKNOWN_COMMAND))
    with pytest.raises(Unsupported):
        memory.ask("NXP EAS commands (B1)", lambda: 1 / 0)  # not asked again


def test_security_is_written_and_read_back_on_a_strict_pad(strict_rig):
    _, emulator, reader = strict_rig
    tag = make_tag("iso28560-3", "1")
    emulator.store.place(tag)
    policy = SecurityPolicy()
    released = set_security(reader, tag.uid, False, policy)
    assert released.held and tag.afi == 0xC2, released
    secured = set_security(reader, tag.uid, True, policy)
    assert secured.held and tag.afi == 0x07, secured


def test_eas_on_a_strict_pad_is_reported_as_not_held_never_as_done(strict_rig):
    _, emulator, reader = strict_rig
    tag = make_tag("iso28560-3", "1")
    emulator.store.place(tag)
    result = set_security(reader, tag.uid, False, SecurityPolicy(method="eas"))
    assert not result.held and "does not offer" in result.detail
    assert tag.eas is True


@pytest.mark.parametrize("driver", EMULATORS)
def test_kiosk_tag_read_on_a_strict_pad_over_a_socket(driver, capsys):
    emulator = EMULATORS[driver](strict=True)
    emulator.store.place(*library_tags())
    with served(emulator, "tcp") as (url, _):
        assert main(["tag", "read", "--port", url, "--driver", driver]) == 0
    text = capsys.readouterr().out
    assert "UNREADABLE" not in text, text
    assert all(f"item {item} " in text for item in ITEMS), text


def test_kiosk_tag_write_on_a_strict_3m_pad(capsys):
    emulator = M3M810Emulator(strict=True)
    tag = make_tag("iso28560-3", "old")
    emulator.store.place(tag)
    with served(emulator, "tcp") as (url, _):
        assert main(["tag", "write", "--port", url, "--item", "33191000105864", "--isil", "DE-Heu1"]) == 0
        assert "wrote and verified" in capsys.readouterr().out
        assert main(["tag", "write", "--port", url, "--item", "1", "--model", "iso28560-2"]) == 1
        assert "cannot set the DSFID 0x06" in capsys.readouterr().out
    assert bytes(tag.memory[3:17]) == b"33191000105864"


@pytest.mark.parametrize("driver", EMULATORS)
def test_five_tags_placed_read_and_released_on_a_strict_pad(driver):
    """The pad loop sees five items and releases each, verified; no round trip is wasted."""
    emulator = EMULATORS[driver](strict=True)
    sent: Counter = Counter()
    with served(emulator, "tcp") as (url, _):
        settings = parse_settings({"driver": driver, "port": url, "poll_interval": 0.01, "reply_timeout": 0.5})
        optional = OptionalCommands() if driver == "3m810" else pad_memory()

        def opener():
            trace = lambda way, data: sent.update([_command(driver, data)] if way == ">>" else [])  # noqa: E731
            if driver == "3m810":
                return M3M810Reader(open_serial(url, 19200), 0.5, trace, optional)
            return FeigReader(open_serial(url, 38400, "E"), 0xFF, 0.5, trace, optional)

        events = Collector()
        pad = PadLoop(settings, opener, events)
        pad.start()
        try:
            tags = [make_tag("iso28560-3", f"3023400051786{n}", isil="DK-710100") for n in range(5)]
            emulator.store.place(*tags)
            placed = events.wait(ItemPlaced, 5)
            results = [pad.set_security(event.tag.uid, False) for event in placed]
        finally:
            pad.stop()
    assert events.of(UnreadableTag) == []
    assert sorted(e.tag.item_id for e in placed) == sorted(f"3023400051786{n}" for n in range(5))
    assert all(r.held for r in results), results
    assert [t.afi for t in tags] == [0xC2] * 5
    if driver == "3m810":  # per tag placed: one read; per release: write AFI, read it back
        assert {c: n for c, n in sent.items() if c != "FE"} == {"02": 5, "09": 5, "0A": 5}
    else:  # per tag placed: one read; per release: write AFI, system info to read it back
        assert {c: n for c, n in sent.items() if c != "B0 01"} == {"B0 2B": 5, "B0 23": 5, "B0 27": 5}


def _command(driver: str, request: bytes) -> str:
    return f"{request[3]:02X}" if driver == "3m810" else f"{request[2]:02X} {request[3]:02X}"
