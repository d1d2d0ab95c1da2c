"""The service unit passes `systemd-analyze verify` and rates 4.0 or better in `systemd-analyze
security` (where systemd-analyze exists); the Kivy settings and udev rules are well formed."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "systemd" / "library-kiosk.service"

needs_analyze = pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")


@pytest.fixture
def unit_copy(tmp_path):
    """The unit with ExecStart pointing at a program that exists here (verify checks that it does)."""
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text().replace("/opt/library-kiosk/venv/bin/kiosk", shutil.which("true") or "/bin/true"))
    return copy


@needs_analyze
def test_unit_verifies_clean(unit_copy):
    done = subprocess.run(["systemd-analyze", "verify", str(unit_copy)], capture_output=True, text=True,
                          timeout=60, cwd=unit_copy.parent)
    own = [line for line in (done.stdout + done.stderr).splitlines() if unit_copy.name in line]
    assert done.returncode == 0 and own == [], done.stdout + done.stderr


@needs_analyze
def test_unit_exposure_is_4_or_better(unit_copy):
    done = subprocess.run(["systemd-analyze", "security", "--offline=true", str(unit_copy)],
                          capture_output=True, text=True, timeout=60, cwd=unit_copy.parent)
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+)", done.stdout)
    assert match, done.stdout + done.stderr
    assert float(match[1]) <= 4.0, done.stdout


def test_unit_has_the_watchdog_and_the_getty_fallback():
    text = UNIT.read_text()
    for line in ("Type=notify", "WatchdogSec=30", "Restart=always", "Conflicts=getty@tty1.service",
                 "OnFailure=getty@tty1.service", "DevicePolicy=closed", "StateDirectory=library-kiosk",
                 "ExecStart=/opt/library-kiosk/venv/bin/kiosk run --config /etc/library-kiosk/kiosk.toml"):
        assert line in text.splitlines(), line


def test_kivy_settings_read_the_touchscreen_once():
    config = configparser.ConfigParser(inline_comment_prefixes=(";",))
    config.read(REPO / "systemd" / "kivy-config.ini")
    assert config["input"]["touchscreen"].startswith("probesysfs,provider=mtdev")
    assert "mouse" not in config["input"]  # a touch would also arrive as a click
    assert config["graphics"]["show_cursor"] == "0" and config["graphics"]["allow_screensaver"] == "0"


def test_udev_rules_give_stable_names_to_the_service_user():
    rules = [line for line in (REPO / "systemd" / "70-library-kiosk.rules").read_text().splitlines()
             if line and not line.startswith("#")]
    assert len(rules) >= 4
    for rule in rules:
        assert 'GROUP="library-kiosk"' in rule and 'MODE="0660"' in rule and "SYMLINK+=" in rule
