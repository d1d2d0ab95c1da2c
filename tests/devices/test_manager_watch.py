"""The technician's device check (`kiosk devices`): events printed with their classification."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from kiosk.config import classifier_from_tables
from kiosk.devices.classify import Classifier
from kiosk.devices.events import DeviceState, DeviceStatus, Scan
from kiosk.devices.watch import describe, watch

from tests.devices.test_scan_support import WAIT

ROOT = Path(__file__).resolve().parents[2]


def test_describe_scans_with_their_meaning():
    classifier = Classifier()
    item = describe(Scan("30234000517861", "desk", "Codabar"), classifier)
    assert item.endswith("desk         scan         '30234000517861' [Codabar] -> item")
    short = describe(Scan("301900051", "desk"), classifier)
    assert short.endswith("-> unknown: 14 digits expected, got 9 (looks like item)")
    status = describe(DeviceStatus("desk", DeviceState.LOST, "lost: read failed"), classifier)
    assert status.endswith("desk         lost         lost: read failed")


def test_technician_table_adds_a_rule_before_the_defaults():
    rules = classifier_from_tables({"technician": {"pattern": "TECH-[0-9]{4}"}})
    assert [r.kind.value for r in rules.rules] == ["technician", "patron", "item"]
    assert [r.kind.value for r in classifier_from_tables({}).rules] == ["patron", "item"]


def test_typed_lines_go_through_the_keyboard_scanner():
    out = io.StringIO()
    tables = {"scanner": [{"driver": "keyboard", "name": "keys"}],
              "item": {"pattern": "3[0-9]*", "check_digit": "luhn"},
              "technician": {"pattern": "TECH-[0-9]{4}"}}
    typed = io.StringIO("30234000517861\n301900051\nTECH-0042\n\n")
    assert watch(tables, out, typed, seconds=WAIT) == 0
    lines = out.getvalue().splitlines()
    assert "keys         connected    keyboard scanner ready" in lines[0]
    assert [line.split("-> ")[1] for line in lines if " scan " in line] == [
        "item", "unknown: 14 digits expected, got 9 (looks like item)", "technician"]
    assert "stopped" in lines[-1]


def test_stdin_needs_an_injectable_scanner():
    assert watch({"scanner": []}, io.StringIO(), io.StringIO("1\n")) == 2


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "devices", *args], input=stdin,
                          capture_output=True, text=True, cwd=str(ROOT), timeout=30)


def test_command_line_device_check_with_the_example_configuration():
    result = run_cli(str(ROOT / "config" / "devices.example.toml"), "--stdin",
                     stdin="TECH-0042\n33191000105864\n")
    assert result.returncode == 0, result.stderr
    assert "'TECH-0042' -> technician" in result.stdout
    assert "'33191000105864' -> item" in result.stdout
    # The wedge and serial scanners of the example are not plugged in here: reported, not fatal.
    assert "wedge        lost" in result.stdout and "desk         lost" in result.stdout


def test_command_line_reports_configuration_problems(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[[scanner]]\ndriver = "serial"\nport = "/dev/ttyACM0"\nbaudrate = "fast"\n')
    result = run_cli(str(config))
    assert result.returncode == 2
    assert 'scanner[0].baudrate: expected an integer, got "fast"' in result.stderr
    config.write_text("[[scanner]\n")
    assert "cannot read" in run_cli(str(config)).stderr
