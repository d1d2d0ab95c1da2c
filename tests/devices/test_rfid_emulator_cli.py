"""The emulators as bench-test programs: start, print where they listen, take commands on stdin."""

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.devices.rfid.errors import Unsupported
from kiosk.devices.rfid.reader import open_serial
from kiosk.devices.rfid.reader_3m810 import M3M810Reader
from kiosk.devices.rfid.reader_feig import FeigReader


@pytest.mark.parametrize("module,reader_class", [("rfid_3m810", M3M810Reader), ("rfid_feig", FeigReader)])
def test_emulator_program_on_a_pty(module, reader_class):
    process = subprocess.Popen(
        [sys.executable, "-m", f"kiosk.devices.emulators.{module}", "--no-pace",
         "--tag", "iso28560-3:30234000517861:DK-710100"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
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


def test_strict_switch_on_the_command_line_refuses_tag_info():
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.devices.emulators.rfid_3m810", "--no-pace", "--tcp", "0", "--strict",
         "--tag", "iso28560-3:30234000517861:DK-710100"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        banner = process.stdout.readline()
        assert banner.rstrip().endswith("known commands only")
        url = banner.split(" on ")[1].split(" at ")[0]
        reader = M3M810Reader(open_serial(url, 19200), timeout=1.0)
        try:
            (entry,) = reader.inventory()
            with pytest.raises(Unsupported):
                reader.system_info(entry.uid)
            assert reader.get_afi(entry.uid) == 0x07
        finally:
            reader.close()
        process.stdin.write("quit\n")
        process.stdin.flush()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
