"""scripts/check-arm64.sh (run by hand, not by the suite: it takes half an hour) stays shellcheck-clean
and does what an administrator does: the installer's own install command, the unit's own command
line, user and environment, and `kiosk` sub-commands and options that exist."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECK = REPO / "scripts" / "check-arm64.sh"
UNIT = REPO / "systemd" / "library-kiosk.service"


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck is not installed")
def test_check_script_is_shellcheck_clean():
    done = subprocess.run(["shellcheck", str(CHECK)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout


def test_it_installs_with_the_installer_and_nothing_else():
    script = CHECK.read_text()
    assert 'in_root bash "$IN_ROOT_CHECKOUT/scripts/kiosk-install.sh" install\n' in script
    assert "step install run_installer" in script
    # The Debian packages the kiosk needs come from the installer alone: the check must not hide a
    # package the installer forgot by installing it itself.
    installs = [line for line in script.splitlines() if re.search(r"apt-get install|apt install|dpkg -i", line)]
    assert installs and all(line.rstrip().endswith('"${missing[@]}"') for line in installs), installs
    assert set(re.findall(r"missing\+=\(([^)]*)\)", script)) == {"debootstrap", "qemu-user-static"}
    # The root the installer meets is a minimal Bookworm copied anew, not one prepared by hand.
    assert "debootstrap --arch=arm64 --variant=minbase" in script and 'cp -a "$BASE" "$CHROOT"' in script


def test_it_starts_the_kiosk_as_the_unit_does():
    script = CHECK.read_text()
    unit_keys = {line.split("=", 1)[0] for line in UNIT.read_text().splitlines() if "=" in line}
    asked = set(re.findall(r'values\("(\w+)"\)', script))
    assert {"ExecStart", "User", "Group", "SupplementaryGroups", "Environment", "WatchdogSec"} <= asked
    assert asked <= unit_keys, asked - unit_keys
    assert 'UNIT_FILE="/etc/systemd/system/library-kiosk.service"' in script  # the installed unit


def test_the_kiosk_commands_it_runs_exist():
    script = CHECK.read_text()
    kiosk = Path(sys.executable).parent / "kiosk"
    runs = re.findall(r'"\$VENV/bin/kiosk" ([a-z][a-z ]*?) ((?:--[a-z-]+ ?)+)', script)
    assert {command.strip() for command, _ in runs} == {"config check", "doctor"}
    for command, options in runs:
        done = subprocess.run([str(kiosk), *command.split(), "--help"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        for option in options.split():
            assert option in done.stdout, (command, option)
