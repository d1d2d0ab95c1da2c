"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from sip2.emulator import ACSEmulator

# A busy machine must not fail a property test: no per-example deadline, anywhere in the suite.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


@pytest.fixture
def acs(tmp_path):
    """The ACS emulator on 127.0.0.1 (ephemeral port) with its library in a file of the test's,
    so a test can stop it and start another on the same data."""
    emulator = ACSEmulator(db=str(tmp_path / "library.db"), institution_id="DEMO")
    emulator.start()
    yield emulator
    emulator.stop()
