"""Fixtures for the app tests: an ACS emulator, a kiosk runtime on it, and the app driven headless."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.app.harness import Driver  # first: sets Kivy's environment and window size

from sip2.emulator import ACSEmulator

from kiosk.core.runtime import KioskRuntime
from kiosk.demo import demo_config, demo_panel_factory


@dataclass(frozen=True)
class Delivery:
    ok: bool
    message: str


@dataclass
class RecordingReceipts:
    """A receipt service with the API of `kiosk.receipts.ReceiptService` (which lives on another
    branch until it is merged): offers the configured choices and records each delivery."""

    offered: tuple[str, ...] = ("print", "email", "none")
    delivered: list[tuple] = field(default_factory=list)

    def choices(self) -> tuple[str, ...]:
        return self.offered

    def deliver(self, choice, session_results, *, patron_name, patron_email, offline) -> Delivery:
        self.delivered.append((choice, list(session_results), patron_name, patron_email, offline))
        if choice == "email":
            return Delivery(True, f"Your receipt is on its way to {patron_email}.")
        return Delivery(True, "Please take your receipt.")


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where screenshots go: $KIOSK_SCREENSHOTS, else a folder of this test run (printed at the end)."""
    chosen = os.environ.get("KIOSK_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def acs(tmp_path):
    emulator = ACSEmulator(db=str(tmp_path / "library.db"), institution_id="DEMO")
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def kiosk_app(tmp_path, acs):
    """Start the app on a runtime talking to the emulator; `kiosk_app(**sections)` overrides config."""
    drivers: list[Driver] = []

    def start(receipts: RecordingReceipts | None = None, demo: bool = False, **sections) -> Driver:
        sections.setdefault("session", {"timeout": 120.0, "warning": 20.0})
        sections.setdefault("offline", {"mode": "all", "probe_interval": 1.0, "cache_patrons": False})
        runtime = KioskRuntime(demo_config(*acs.address, str(tmp_path), **sections))
        if receipts is not None:
            runtime.receipts = receipts
        driver = Driver(runtime, demo_panel_factory(runtime) if demo else None)
        drivers.append(driver)
        return driver

    yield start
    for driver in drivers:
        driver.close()
