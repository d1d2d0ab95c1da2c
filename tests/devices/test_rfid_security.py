"""Security set/clear with read-back, by AFI and by EAS, over both drivers."""

import pytest

from kiosk.devices.emulators.rfid_3m810 import M3M810Emulator
from kiosk.devices.emulators.rfid_feig import FeigEmulator
from kiosk.devices.emulators.tag_store import make_tag
from kiosk.devices.rfid.security import SecurityPolicy, read_security, set_security

from tests.devices.rfid_support import open_reader, served

RIGS = [("3m810", M3M810Emulator), ("feig", FeigEmulator)]


@pytest.fixture(params=RIGS, ids=[r[0] for r in RIGS])
def rig(request):
    kind, emulator_class = request.param
    emulator = emulator_class()
    with served(emulator, "pty") as (url, _):
        reader = open_reader(kind, url)
        try:
            yield emulator, reader
        finally:
            reader.close()


@pytest.mark.parametrize("policy", [SecurityPolicy("afi"), SecurityPolicy("afi", 0xDA, 0xD7), SecurityPolicy("eas")],
                         ids=["afi-iso", "afi-3m", "eas"])
def test_clear_and_set_are_verified(rig, policy):
    emulator, reader = rig
    tag = make_tag("iso28560-3", "1", afi=policy.afi_secured)
    emulator.store.place(tag)
    released = set_security(reader, tag.uid, False, policy)
    assert released.held and released.method == policy.method
    assert read_security(reader, tag.uid, policy) is False
    secured = set_security(reader, tag.uid, True, policy)
    assert secured.held and read_security(reader, tag.uid, policy) is True


def test_locked_afi_is_not_held_with_the_reader_status(rig):
    emulator, reader = rig
    tag = make_tag("iso28560-3", "1")
    tag.afi_locked = True
    emulator.store.place(tag)
    result = set_security(reader, tag.uid, False, SecurityPolicy("afi"))
    assert not result.held and "status" in result.detail


@pytest.mark.parametrize("method", ["afi", "eas"])
def test_a_write_that_silently_fails_is_caught_by_the_read_back(rig, method):
    emulator, reader = rig
    tag = make_tag("iso28560-3", "1")
    tag.ignores_writes = True
    emulator.store.place(tag)
    result = set_security(reader, tag.uid, False, SecurityPolicy(method))
    assert not result.held and "reads back" in result.detail


def test_unknown_afi_value_is_neither_state(rig):
    emulator, reader = rig
    tag = make_tag("iso28560-3", "1", afi=0x00)
    emulator.store.place(tag)
    assert read_security(reader, tag.uid, SecurityPolicy("afi")) is None
