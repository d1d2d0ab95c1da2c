"""Whatever faults the line throws at a driver, it returns the tag's true bytes or an RfidError."""

from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk.devices.emulators.rfid_3m810 import M3M810Emulator
from kiosk.devices.emulators.rfid_feig import FeigEmulator
from kiosk.devices.emulators.serving import LoopbackPort
from kiosk.devices.emulators.tag_store import make_tag
from kiosk.devices.rfid.errors import RfidError
from kiosk.devices.rfid.reader_3m810 import M3M810Reader
from kiosk.devices.rfid.reader_feig import FeigReader

faults = st.fixed_dictionaries({
    "noise": st.integers(0, 3), "drop": st.integers(0, 2), "bad_crc": st.integers(0, 2),
    "truncate": st.integers(0, 2), "silent": st.integers(0, 1),
    "noise_bytes": st.binary(min_size=1, max_size=12),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(faults, st.sampled_from(["3m810", "feig"]), st.integers(0, 20), st.integers(1, 8))
def test_reads_under_faults_are_exact_or_an_error(fault_settings, kind, first, count):
    emulator = M3M810Emulator() if kind == "3m810" else FeigEmulator()
    tag = make_tag("iso28560-3", "30234000517861", isil="DK-710100")
    emulator.store.place(tag)
    for name, value in fault_settings.items():
        setattr(emulator.faults, name, value)
    port = LoopbackPort(emulator)
    port.timeout = 0.005
    reader = M3M810Reader(port, timeout=0.02) if kind == "3m810" else FeigReader(port, 0xFF, timeout=0.02)
    for _ in range(4):
        try:
            data = reader.read_blocks(tag.uid, first, count)
        except RfidError:
            continue
        assert data == bytes(tag.memory[first * 4:(first + count) * 4])
