"""The pad loop: items placed and removed, stacks, sets, unreadable tags, faults, reopening."""

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from kiosk.backoff import Backoff
from kiosk.devices.emulators.rfid_3m810 import M3M810Emulator
from kiosk.devices.emulators.rfid_feig import FeigEmulator
from kiosk.devices.emulators.serving import EmulatorServer
from kiosk.devices.emulators.tag_store import blank_tag, make_tag, raw_tag
from kiosk.devices.events import DeviceState, DeviceStatus, IncompleteSet, ItemPlaced, ItemRemoved, UnreadableTag
from kiosk.devices.rfid import open_pad, reader_sim
from kiosk.devices.rfid.config import parse_settings
from kiosk.devices.rfid.pad import PadLoop
from kiosk.devices.rfid.reader_3m810 import reader_factory

from tests.devices.rfid_support import Collector, served, wait_for


def started_sim_pad(poll_interval: float) -> Iterator[tuple[PadLoop, Collector]]:
    """A started "sim" pad (3M framing, in-memory) polling every `poll_interval` s, with its
    tag store and faults at hand, and its event collector; stopped when resumed."""
    events = Collector()
    settings = parse_settings({"driver": "sim", "poll_interval": poll_interval, "missing_rounds": 2,
                               "reply_timeout": 0.1})
    simulator = reader_sim.reader_factory(settings)
    pad = PadLoop(settings, simulator, events, Backoff(first=0.02, maximum=0.05))
    pad.tag_store = simulator.store
    pad.faults = simulator.faults
    pad.start()
    assert wait_for(lambda: pad.state == DeviceState.CONNECTED)
    yield pad, events
    pad.stop()


@pytest.fixture
def sim():
    """A started "sim" pad and its event collector."""
    yield from started_sim_pad(poll_interval=0.01)


def test_item_placed_without_its_security_state_which_technicians_read_on_request(sim):
    pad, events = sim
    tag = make_tag("iso28560-3", "30234000517861", isil="DK-710100")
    pad.tag_store.place(tag)
    (placed,) = events.wait(ItemPlaced)
    assert placed.source == "rfid"
    assert (placed.tag.uid, placed.tag.item_id, placed.tag.owner_library, placed.tag.secured) == (
        tag.uid, "30234000517861", "DK-710100", None)  # not read: a checkout writes it and reads it back
    assert pad.read_tags()[tag.uid] == replace(placed.tag, secured=True)
    tag.afi = 0xC2
    blank = blank_tag()
    pad.tag_store.place(blank)
    events.wait(UnreadableTag)
    tags = pad.read_tags()
    assert tags[tag.uid].secured is False and isinstance(tags[blank.uid], UnreadableTag)
    tag.afi = 0x42  # neither configured value
    assert pad.read_tags()[tag.uid].secured is None


def test_read_tags_without_a_reader_gives_what_was_reported():
    pad = open_pad({"driver": "sim"}, Collector())
    assert pad.read_tags() == {}


def test_a_stack_placed_costs_one_read_per_tag_and_nothing_else():
    emulator = M3M810Emulator()
    asked = []
    handle = emulator.handle

    def counting(frame):
        if frame.command != 0xFE:  # inventories: as many as the poll interval makes
            asked.append(frame.command)
        return handle(frame)

    emulator.handle = counting
    with served(emulator, "tcp") as (url, _):
        events = Collector()
        pad = open_pad({"driver": "3m810", "port": url, "reply_timeout": 0.5}, events)
        pad.start()
        try:
            emulator.store.place(*(make_tag("iso28560-3", f"{n}", isil="DK-710100") for n in range(5)))
            assert len(events.wait(ItemPlaced, 5)) == 5
        finally:
            pad.stop()
    assert asked == [0x02] * 5  # 02 read, the first 8 blocks


def test_removal_is_debounced_and_reported_once(sim):
    pad, events = sim
    tag = make_tag("iso28560-3", "1")
    pad.tag_store.place(tag)
    events.wait(ItemPlaced)
    pad.tag_store.remove(tag.uid)
    start = pad.rounds
    (removed,) = events.wait(ItemRemoved)
    assert removed.uid == tag.uid and removed.tag.item_id == "1"
    assert pad.rounds - start >= pad.settings.missing_rounds
    assert wait_for(lambda: pad.rounds > start + 5)
    assert len(events.of(ItemRemoved)) == 1


def test_a_tag_missing_from_fewer_rounds_than_configured_stays_placed():
    events = Collector()
    pad = open_pad({"driver": "sim", "poll_interval": 0.01, "missing_rounds": 50}, events)
    pad.start()
    try:
        tag = make_tag("iso28560-3", "1")
        pad.tag_store.place(tag)
        events.wait(ItemPlaced)
        pad.tag_store.remove(tag.uid)
        start = pad.rounds
        assert wait_for(lambda: pad.rounds >= start + 3)
        pad.tag_store.place(tag)  # back before 50 rounds passed: the same item, not a new one
        assert wait_for(lambda: pad.rounds >= start + 60, timeout=10)
        assert events.of(ItemRemoved) == [] and len(events.of(ItemPlaced)) == 1
    finally:
        pad.stop()


def test_stack_of_twelve_tags(sim):
    pad, events = sim
    tags = [make_tag(model, f"3023400051{n:04d}", isil="" if model == "3m-rfid501" else "DK-1")
            for n, model in enumerate(["iso28560-3", "iso28560-2", "3m-rfid501"] * 4)]
    pad.tag_store.place(*tags)
    placed = events.wait(ItemPlaced, 12)
    assert sorted(e.tag.item_id for e in placed) == sorted(f"3023400051{n:04d}" for n in range(12))
    assert events.of(UnreadableTag) == []


def test_incomplete_set_names_the_missing_parts(sim):
    pad, events = sim
    part1 = make_tag("iso28560-3", "777", parts=3, part=1, isil="DK-1")
    part3 = make_tag("iso28560-3", "777", parts=3, part=3, isil="DK-1")
    pad.tag_store.place(part1, part3)
    incomplete = events.wait(IncompleteSet)
    assert incomplete[-1].item_id == "777" and incomplete[-1].missing == (2,)
    assert incomplete[-1].present == (1, 3)
    pad.tag_store.place(make_tag("iso28560-3", "777", parts=3, part=2, isil="DK-1"))
    events.wait(ItemPlaced, 3)
    rounds = pad.rounds
    assert wait_for(lambda: pad.rounds > rounds + 3)
    assert all(e.present == (1, 3) for e in events.of(IncompleteSet))


@pytest.mark.parametrize("tag,reason", [
    (blank_tag(), "blank"),
    (raw_tag(bytes.fromhex("11010131313232333334340000000000000000000000513F44453730350000"), dsfid=0), "unknown data format"),
    (raw_tag(bytes(range(7, 71)), dsfid=0x06), "unknown data format"),  # a 3M pad does not tell the DSFID
])
def test_unreadable_tags_are_reported_with_raw_bytes_never_as_items(sim, tag, reason):
    pad, events = sim
    pad.tag_store.place(tag)
    (unreadable,) = events.wait(UnreadableTag)
    assert unreadable.uid == tag.uid and reason in unreadable.reason
    assert unreadable.raw and bytes(tag.memory).startswith(unreadable.raw)  # a blank tag: 8 blocks do
    assert events.of(ItemPlaced) == []


def test_read_failures_are_retried(sim):
    pad, events = sim
    pad.tag_store.place(make_tag("iso28560-3", "1"))
    pad.faults.bad_crc = 2  # the next two replies are damaged
    (placed,) = events.wait(ItemPlaced)
    assert placed.tag.item_id == "1"


def test_a_reader_that_stops_answering_is_reopened(sim):
    pad, events = sim
    faults = pad.faults
    faults.silent = 1000
    assert wait_for(lambda: any(e.state == DeviceState.LOST for e in events.of(DeviceStatus)))
    faults.silent = 0
    assert wait_for(lambda: events.of(DeviceStatus)[-1].state == DeviceState.CONNECTED)
    pad.tag_store.place(make_tag("iso28560-3", "1"))
    assert events.wait(ItemPlaced)[0].tag.item_id == "1"


def test_set_security_from_another_thread_is_verified(sim):
    pad, events = sim
    tag = make_tag("iso28560-3", "1")
    pad.tag_store.place(tag)
    events.wait(ItemPlaced)
    results = []
    threads = [threading.Thread(target=lambda: results.append(pad.set_security(tag.uid, False)))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert [r.held for r in results] == [True] * 3 and tag.afi == 0xC2
    result = pad.set_security(tag.uid, True)
    assert result.held and tag.afi == 0x07 and "0x07" in result.detail


def test_a_tag_refusing_the_write_is_reported_as_not_held(sim):
    pad, _ = sim
    locked = make_tag("iso28560-3", "1")
    locked.afi_locked = True
    stubborn = make_tag("iso28560-3", "2")
    stubborn.ignores_writes = True
    pad.tag_store.place(locked, stubborn)
    refused = pad.set_security(locked.uid, False)
    ignored = pad.set_security(stubborn.uid, False)
    gone = pad.set_security("E004010000000099", False)
    assert not refused.held and "status" in refused.detail
    assert not ignored.held and "reads back 0x07" in ignored.detail
    assert not gone.held and "no transponder" in gone.detail


def test_set_security_without_a_reader_answers_at_once():
    pad = open_pad({"driver": "sim"}, Collector())
    result = pad.set_security("E004010000000001", True)
    assert not result.held and result.detail == "reader not connected"


def test_3m_pad_over_tcp_reopens_after_the_port_vanishes():
    emulator = M3M810Emulator()
    server = EmulatorServer(emulator, pace=False)
    port = server.serve_tcp(0)
    settings = parse_settings({"driver": "3m810", "port": f"socket://127.0.0.1:{port}",
                               "poll_interval": 0.01, "reply_timeout": 0.2})
    events = Collector()
    pad = PadLoop(settings, reader_factory(settings), events, Backoff(first=0.05, maximum=0.1))
    pad.start()
    try:
        emulator.store.place(make_tag("iso28560-3", "1"))
        assert events.wait(ItemPlaced)[0].tag.item_id == "1"
        server.stop()
        assert wait_for(lambda: any(e.state in (DeviceState.LOST, DeviceState.RECONNECTING)
                                    for e in events.of(DeviceStatus)))
        server = EmulatorServer(emulator, pace=False)
        server.serve_tcp(port)
        emulator.store.place(make_tag("iso28560-3", "2"))
        assert wait_for(lambda: "2" in [e.tag.item_id for e in events.of(ItemPlaced)], timeout=10)
        assert events.of(DeviceStatus)[-1].state == DeviceState.CONNECTED
    finally:
        pad.stop()
        server.stop()


@pytest.mark.parametrize("driver,emulator_class", [("3m810", M3M810Emulator), ("feig", FeigEmulator)])
def test_pad_over_a_pty_with_each_driver(driver, emulator_class):
    emulator = emulator_class()
    with served(emulator, "pty") as (path, _):
        events = Collector()
        table = {"driver": driver, "port": path, "poll_interval": 0.01, "reply_timeout": 0.2}
        pad = open_pad(table, events)
        pad.start()
        try:
            tags = [make_tag("iso28560-2", f"9{n:03d}", isil="DE-Heu1") for n in range(10)]
            emulator.store.place(*tags)
            placed = events.wait(ItemPlaced, 10)
            assert sorted(e.tag.item_id for e in placed) == [f"9{n:03d}" for n in range(10)]
            emulator.store.remove(tags[0].uid, tags[1].uid)
            removed = events.wait(ItemRemoved, 2)
            assert {e.uid for e in removed} == {tags[0].uid, tags[1].uid}
        finally:
            pad.stop()


def test_data_beyond_the_first_read_is_fetched_before_deciding(sim):
    pad, events = sim
    title = b"A long title that pushes the set information past the first blocks"
    memory = (bytes([0x61, 0x03]) + b"A12"  # OID 1, octet: item "A12"
              + bytes([0x6F, 0x02, len(title)]) + title  # OID 17 (title), octet
              + bytes([0x14, 0x02, 0x00, 0xC9])  # OID 4, integer 201: part 1 of 2
              + b"\x00")
    assert len(memory) > 36
    pad.tag_store.place(raw_tag(memory, dsfid=0x06))
    (placed,) = events.wait(ItemPlaced)
    assert (placed.tag.item_id, placed.tag.parts_in_item, placed.tag.part_number) == ("A12", 2, 1)
    assert events.wait(IncompleteSet)[0].missing == (2,)


def test_a_security_request_that_times_out_before_starting_is_never_carried_out(sim, monkeypatch):
    from kiosk.devices.rfid import pad as pad_module

    pad, events = sim
    tag = make_tag("iso28560-3", "1")
    pad.tag_store.place(tag)
    events.wait(ItemPlaced)
    monkeypatch.setattr(pad_module, "SECURITY_WAIT", 0.05)
    pad.faults.delay = 0.2  # every exchange now outlasts the caller's patience
    result = pad.set_security(tag.uid, False)
    pad.faults.delay = 0.0
    rounds = pad.rounds
    assert wait_for(lambda: pad.rounds > rounds + 3)
    assert not result.held
    if "nothing written" in result.detail:
        assert tag.afi == 0x07
    elif "no valid reply" in result.detail:  # on a busy machine the exchange failed before the caller gave up
        assert "0.10 s" in result.detail
    else:  # it had already started when the caller gave up: the outcome is not claimed
        assert "unknown" in result.detail


@pytest.mark.parametrize("uid", ["", "E0040100", "not-a-uid-at-all", None, "E00401001234567G"])
def test_set_security_with_a_malformed_uid_is_refused_and_the_pad_keeps_going(sim, uid):
    pad, events = sim
    result = pad.set_security(uid, True)
    assert not result.held and "UID" in result.detail
    pad.tag_store.place(make_tag("iso28560-3", "1"))
    assert events.wait(ItemPlaced)[0].tag.item_id == "1"
    assert pad.state == DeviceState.CONNECTED


@pytest.fixture
def slow_poll():
    """A started "sim" pad that waits 60 s between inventories of a pad with items on it."""
    yield from started_sim_pad(poll_interval=60)


def test_an_empty_pad_sees_a_stack_without_waiting_its_poll_interval(slow_poll):
    pad, events = slow_poll
    pad.tag_store.place(make_tag("iso28560-3", "1"), make_tag("iso28560-3", "2"))
    assert sorted(e.tag.item_id for e in events.wait(ItemPlaced, count=2)) == ["1", "2"]


def test_a_security_request_wakes_the_pad_from_its_poll_interval(slow_poll):
    pad, events = slow_poll
    tag = make_tag("iso28560-3", "1")
    pad.tag_store.place(tag)
    events.wait(ItemPlaced)
    rounds = pad.rounds
    result = pad.set_security(tag.uid, False)  # gives up after 5 s, long before the next round
    assert result.held and tag.afi == 0xC2
    again = pad.set_security(tag.uid, True)  # the next item's request finds the reader as free
    assert again.held and tag.afi == 0x07
    assert pad.rounds == rounds  # no inventory before either: they ran in the pause
    stopping = threading.Thread(target=pad.stop)
    stopping.start()
    stopping.join(10)
    assert not stopping.is_alive()  # the stop ends the 60 s pause too
