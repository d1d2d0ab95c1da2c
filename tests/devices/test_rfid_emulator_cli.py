"""The emulators as bench-test programs: start, print where they listen, take commands on stdin."""

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.devices.rfid.reader import open_serial
from kiosk.devices.rfid.reader_3m810 import M3M810Reader
from kiosk.devices.rfid.reader_feig import FeigReader


def start(module: str, stdin: int) -> subprocess.Popen:
    """The emulator program with one tag on its pad."""
    return subprocess.Popen(
        [sys.executable, "-m", f"kiosk.devices.emulators.{module}", "--no-pace",
         "--tag", "iso28560-3:30234000517861:DK-710100"],
        stdin=stdin, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])


@pytest.mark.parametrize("module,reader_class", [("rfid_3m810", M3M810Reader), ("rfid_feig", FeigReader)])
def test_emulator_program_on_a_pty(module, reader_class):
    process = start(module, subprocess.PIPE)
    try:
        banner = process.stdout.readline()
        path = banner.split(" on ")[1].split(" at ")[0]
        process.stdout.readline()  # the list of commands
        process.stdin.write("place iso28560-2 0042 DE-Heu1\n")
        process.stdin.flush()
        assert process.stdout.readline().startswith("placed E004")
        reader = reader_class(open_serial(path, 19200), timeout=1.0)
        try:
            assert len(reader.inventory()) == 2
        finally:
            reader.close()
        process.stdin.write("quit\n")
        process.stdin.flush()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)


@pytest.mark.parametrize("module,reader_class", [("rfid_3m810", M3M810Reader), ("rfid_feig", FeigReader)])
def test_emulator_program_serves_on_when_standard_input_is_closed(module, reader_class):
    process = start(module, subprocess.DEVNULL)
    try:
        path = process.stdout.readline().split(" on ")[1].split(" at ")[0]
        assert "on standard input" in process.stdout.readline()
        assert "standard input is closed" in process.stdout.readline()
        assert process.poll() is None
        reader = reader_class(open_serial(path, 19200), timeout=1.0)
        try:
            assert len(reader.inventory()) == 1
        finally:
            reader.close()
        process.terminate()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
