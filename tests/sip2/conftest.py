"""Fixtures of the SIP2 tests: the ACS emulator on a fresh copy of the demo library, and an SC
logged in to it."""

from __future__ import annotations

import pytest

from sip2.emulator import ACSEmulator

from tests.sip2.emulator_peer import SC, fresh_library


@pytest.fixture
def emu(tmp_path):
    """The ACS emulator, serving a fresh copy of the seeded demo library."""
    with ACSEmulator(db=fresh_library(tmp_path)) as emulator:
        yield emulator


@pytest.fixture
def sc(emu):
    """An SC connection to `emu`, logged in."""
    with SC(emu.address) as client:
        assert client.login()
        yield client
