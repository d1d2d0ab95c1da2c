"""Fixtures for the app tests: a kiosk runtime on the ACS emulator (tests/conftest.py), the app
driven headless, and a receipt printer and mail server on loopback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.core.runtime import KioskRuntime
from kiosk.demo import demo_config, demo_panel_factory
from kiosk.receipts.printer_emulator import PrinterEmulator

from tests.app.harness import Driver  # first: sets Kivy's environment and window size
from tests.app.screenshots import receipt_tables
from tests.deploy.smtp_server import SMTPServer


@pytest.fixture
def receipt_devices():
    """A network receipt printer emulator and an SMTP server, both on 127.0.0.1; yields the
    [printer] and [email] tables that point the kiosk at them, and the two servers."""
    printer = PrinterEmulator().start()
    smtp = SMTPServer().start()
    yield receipt_tables(printer.address, smtp.port), printer, smtp
    smtp.stop()
    printer.stop()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where screenshots go: $KIOSK_SCREENSHOTS, else a folder of this test run (printed at the end)."""
    chosen = os.environ.get("KIOSK_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def kiosk_app(tmp_path, acs):
    """Start the app on a runtime talking to the emulator; `kiosk_app(**sections)` overrides config."""
    drivers: list[Driver] = []

    def start(demo: bool = False, **sections) -> Driver:
        sections.setdefault("session", {"timeout": 120.0, "warning": 20.0})
        sections.setdefault("offline", {"mode": "all", "probe_interval": 1.0, "cache_patrons": False})
        runtime = KioskRuntime(demo_config(*acs.address, str(tmp_path), **sections))
        driver = Driver(runtime, demo_panel_factory(runtime) if demo else None)
        drivers.append(driver)
        return driver

    yield start
    for driver in drivers:
        driver.close()
