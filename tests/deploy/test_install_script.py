"""scripts/kiosk-install.sh run for real into a DESTDIR: real useradd --root, real file modes, the
real `kiosk` command for the config check and the schema upgrade. Faked, because this machine
is not a kiosk: `systemctl` (a recorder) and the virtualenv's pip (the test's own interpreter
stands in for the installed venv)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from kiosk.storage.migrations import LATEST_VERSION

from tests.deploy.install_support import old_database_with_a_waiting_return

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "kiosk-install.sh"

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"),
                                reason="useradd --root needs root")


def run(command: str, root: Path, tools, *extra: str, systemd_running: str = "auto") -> subprocess.CompletedProcess:
    bin_dir, _ = tools
    env = {**os.environ, "DESTDIR": str(root), "SYSTEMCTL": str(bin_dir / "systemctl"),
           "PYTHON": str(bin_dir / "python"), "SYSTEMD_RUNNING": systemd_running}
    return subprocess.run(["bash", str(SCRIPT), command, *extra], env=env, capture_output=True, text=True,
                          timeout=120)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_install_is_complete_and_idempotent(root, tools):
    done = run("install", root, tools)
    assert done.returncode == 0, done.stderr
    [user] = [line.split(":") for line in (root / "etc" / "passwd").read_text().splitlines()
              if line.startswith("library-kiosk:")]
    assert user[5] == "/var/lib/library-kiosk" and user[6] == "/usr/sbin/nologin"
    group = (root / "etc" / "group").read_text()
    for device_group in ("dialout", "lp", "video"):
        line = next(g for g in group.splitlines() if g.startswith(device_group + ":"))
        assert "library-kiosk" in line.split(":")[3]
    etc = root / "etc" / "library-kiosk"
    assert mode(etc) == 0o750 and mode(etc / "kiosk.toml") == 0o640 and mode(etc / "secrets.toml") == 0o600
    assert (etc / "kiosk.toml.d").is_dir()
    assert (root / "etc/systemd/system/library-kiosk.service").read_text() == \
        (REPO / "systemd/library-kiosk.service").read_text()
    assert (root / "etc/udev/rules.d/70-library-kiosk.rules").exists()
    assert (root / "var/lib/library-kiosk/kivy/config.ini").exists() and mode(root / "var/lib/library-kiosk") == 0o700
    assert (root / "boot/firmware/cmdline.txt").read_text().strip().endswith("rootwait consoleblank=0")
    calls = tools[1].read_text().splitlines()
    assert f"pip install --quiet --upgrade {REPO}" in calls
    # An image being built has no running systemd: units are enabled in it, nothing is started.
    assert [c for c in calls if c.startswith("systemctl")] == [
        f"systemctl --root {root} disable getty@tty1.service", f"systemctl --root {root} enable library-kiosk.service"]
    assert "it starts at the next boot" in done.stderr

    (etc / "kiosk.toml").write_text((etc / "kiosk.toml").read_text().replace('id = "kiosk-1"', 'id = "branch-7"'))
    again = run("install", root, tools, "--no-start", systemd_running="yes")
    assert again.returncode == 0, again.stderr
    assert 'id = "branch-7"' in (etc / "kiosk.toml").read_text()  # an administrator's edit is kept
    assert sum(line.startswith("library-kiosk:") for line in (root / "etc" / "passwd").read_text().splitlines()) == 1
    assert (root / "boot/firmware/cmdline.txt").read_text().count("consoleblank=0") == 1
    calls = tools[1].read_text().splitlines()
    assert "systemctl daemon-reload" in calls and calls[-1] == f"systemctl --root {root} enable library-kiosk.service"


def test_upgrade_keeps_the_offline_queue_and_upgrades_its_schema(root, tools):
    assert run("install", root, tools, "--no-start").returncode == 0
    state = root / "var/lib/library-kiosk"
    config = root / "etc/library-kiosk/kiosk.toml"
    config.write_text(config.read_text().replace('database = "/var/lib/library-kiosk/kiosk.db"',
                                                 f'database = "{state}/kiosk.db"'))
    old_database_with_a_waiting_return(state / "kiosk.db")
    tools[1].write_text("")

    done = run("upgrade", root, tools, systemd_running="yes")
    assert done.returncode == 0, done.stderr
    calls = tools[1].read_text().splitlines()
    assert calls[0] == "systemctl stop library-kiosk.service"  # stopped before anything changes
    assert calls[-1] == "systemctl restart library-kiosk.service"
    assert any(p.name.startswith("kiosk.db.pre-upgrade-") for p in state.iterdir())
    raw = sqlite3.connect(state / "kiosk.db")
    assert raw.execute("SELECT max(version) FROM schema_version").fetchone()[0] == LATEST_VERSION
    assert raw.execute("SELECT item_id, state FROM queue_entries").fetchall() == [("31234567890126", "pending")]
    raw.close()
    assert "1 waiting" in done.stdout or "31234567890126" in done.stdout


def test_upgrade_of_a_kiosk_that_never_started(root, tools):
    assert run("install", root, tools, "--no-start").returncode == 0
    done = run("upgrade", root, tools)
    assert done.returncode == 0, done.stderr
    assert "no database yet" in done.stderr


def test_upgrade_before_install_is_refused(root, tools):
    done = run("upgrade", root, tools)
    assert done.returncode == 1 and "not installed yet" in done.stderr


def test_uninstall_keeps_the_queue_unless_purged(root, tools):
    assert run("install", root, tools, "--no-start").returncode == 0
    done = run("uninstall", root, tools)
    assert done.returncode == 0, done.stderr
    assert not (root / "opt/library-kiosk").exists()
    assert not (root / "etc/systemd/system/library-kiosk.service").exists()
    assert (root / "etc/library-kiosk/kiosk.toml").exists() and (root / "var/lib/library-kiosk").exists()
    assert f"systemctl --root {root} enable getty@tty1.service" in tools[1].read_text()
    assert run("uninstall", root, tools, "--purge").returncode == 0
    assert not (root / "etc/library-kiosk").exists() and not (root / "var/lib/library-kiosk").exists()
    assert not any(line.startswith("library-kiosk:") for line in (root / "etc/passwd").read_text().splitlines())


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck is not installed")
def test_install_script_is_shellcheck_clean():
    done = subprocess.run(["shellcheck", str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout


def test_install_without_systemctl_enables_by_links(root, tools):
    """A minimal chroot or an image build has no systemctl at all: the installer links the unit
    into its target's .wants (what `systemctl enable` does), takes tty1 from the getty, starts nothing."""
    lib = root / "lib/systemd/system"
    lib.mkdir(parents=True)
    (lib / "getty@.service").write_text("[Service]\nExecStart=-/sbin/agetty %I\n[Install]\nWantedBy=getty.target\n")
    getty_wants = root / "etc/systemd/system/getty.target.wants"
    getty_wants.mkdir(parents=True)
    (getty_wants / "getty@tty1.service").symlink_to("/lib/systemd/system/getty@.service")
    bin_dir, calls = tools
    env = {**os.environ, "DESTDIR": str(root), "SYSTEMCTL": str(bin_dir / "no-such-systemctl"),
           "PYTHON": str(bin_dir / "python"), "SYSTEMD_RUNNING": "no"}
    done = subprocess.run(["bash", str(SCRIPT), "install"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    link = root / "etc/systemd/system/multi-user.target.wants/library-kiosk.service"
    assert os.readlink(link) == "/etc/systemd/system/library-kiosk.service"
    assert not (getty_wants / "getty@tty1.service").is_symlink()
    assert "systemd is not running here" in done.stderr and "enabled, not started" in done.stderr
    assert "no systemctl here: enabled library-kiosk.service" in done.stderr
    assert not any(c.startswith("systemctl") for c in calls.read_text().splitlines())

    done = subprocess.run(["bash", str(SCRIPT), "uninstall"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not link.is_symlink()
    assert os.readlink(getty_wants / "getty@tty1.service") == "/lib/systemd/system/getty@.service"


def test_install_creates_the_device_groups_the_unit_names(root, tools):
    """A minimal Bookworm has no input or render group until udev is installed."""
    group_file = root / "etc" / "group"
    kept = [line for line in group_file.read_text().splitlines() if not line.startswith(("input:", "render:"))]
    group_file.write_text("\n".join(kept) + "\n")
    gshadow = root / "etc" / "gshadow"
    if gshadow.exists():
        gshadow.write_text("".join(line + "\n" for line in gshadow.read_text().splitlines()
                                   if not line.startswith(("input:", "render:"))))
    done = run("install", root, tools, "--no-start")
    assert done.returncode == 0, done.stderr
    unit = (REPO / "systemd/library-kiosk.service").read_text()
    [named] = [line.split("=", 1)[1].split() for line in unit.splitlines() if line.startswith("SupplementaryGroups=")]
    groups = {line.split(":")[0]: line.split(":")[3].split(",") for line in group_file.read_text().splitlines()}
    for group in named:
        assert "library-kiosk" in groups[group], group
    assert "creating system group input" in done.stderr and "creating system group render" in done.stderr
