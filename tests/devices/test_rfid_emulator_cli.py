"""The emulators as bench-test programs: start, print where they listen, take commands on stdin."""

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.devices.rfid.errors import Unsupported
from kiosk.devices.rfid.reader import open_serial
from kiosk.devices.rfid.reader_3m810 import M3M810Reader
from kiosk.devices.rfid.reader_feig import FeigReader


@contextlib.contextmanager
def emulator_program(module: str, *options: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """Run an emulator program with one tag on it; yield it and the port its banner names."""
    process = subprocess.Popen(
        [sys.executable, "-m", f"kiosk.devices.emulators.{module}", "--no-pace", *options,
         "--tag", "iso28560-3:30234000517861:DK-710100"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])

    try:
        banner = process.stdout.readline()
        process.stdout.readline()  # the list of commands
        yield process, banner
        process.stdin.write("quit\n")
        process.stdin.flush()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)


def port_of(banner: str) -> str:
    """The port or URL in an emulator's first line."""
    return banner.split(" on ")[1].split(" at ")[0]


@pytest.mark.parametrize("module,reader_class", [("rfid_3m810", M3M810Reader), ("rfid_feig", FeigReader)])
def test_emulator_program_on_a_pty(module, reader_class):
    with emulator_program(module) as (process, banner):
        process.stdin.write("place iso28560-2 0042 DE-Heu1\n")
        process.stdin.flush()
        assert process.stdout.readline().startswith("placed E004")
        reader = reader_class(open_serial(port_of(banner), 19200), timeout=1.0)
        try:
            assert len(reader.inventory()) == 2
        finally:
            reader.close()


def test_strict_switch_on_the_command_line_refuses_tag_info():
    with emulator_program("rfid_3m810", "--tcp", "0", "--strict") as (_, banner):
        assert banner.rstrip().endswith("known commands only")
        reader = M3M810Reader(open_serial(port_of(banner), 19200), timeout=1.0)
        try:
            (entry,) = reader.inventory()
            with pytest.raises(Unsupported):
                reader.system_info(entry.uid)
            assert reader.get_afi(entry.uid) == 0x07
        finally:
            reader.close()


@pytest.mark.parametrize("module,reader_class", [("rfid_3m810", M3M810Reader), ("rfid_feig", FeigReader)])
def test_emulator_program_serves_on_when_standard_input_is_closed(module, reader_class):
    process = subprocess.Popen(
        [sys.executable, "-m", f"kiosk.devices.emulators.{module}", "--no-pace",
         "--tag", "iso28560-3:30234000517861:DK-710100"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        path = port_of(process.stdout.readline())
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
