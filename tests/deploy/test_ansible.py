"""deploy/ansible: the playbook passes ansible-playbook --syntax-check and ansible-lint, and runs for
real with the role library_kiosk against this machine into a scratch root (connection: local):
installed from a git revision by the real installer, the example inventory's settings written as
drop-ins and checked by the real `kiosk config check`, secrets.toml 0600, a second run changing
nothing, a kiosk with a waiting offline queue left alone unless told, an invalid setting stopping
the run before any restart."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.deploy.install_support import old_database_with_a_waiting_return

REPO = Path(__file__).resolve().parents[2]
ANSIBLE = REPO / "deploy" / "ansible"
BIN = Path(sys.executable).parent


def tool(name: str) -> str | None:
    return shutil.which(name, path=str(BIN)) or shutil.which(name)


def ansible_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "ANSIBLE_CONFIG": str(ANSIBLE / "ansible.cfg"), "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible"),
            "ANSIBLE_REMOTE_TEMP": str(tmp_path / "ansible-remote"), "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_HOME": str(tmp_path / "ansible-home"), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.skipif(not tool("ansible-playbook"), reason="ansible-core is not installed")
def test_playbook_syntax(tmp_path):
    done = subprocess.run([tool("ansible-playbook"), "--syntax-check", "-i", "inventory.example.yml", "playbook.yml"],
                          cwd=ANSIBLE, env=ansible_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(not tool("ansible-lint"), reason="ansible-lint is not installed")
def test_ansible_lint(tmp_path):
    done = subprocess.run([tool("ansible-lint"), "--offline", "--nocolor"], cwd=ANSIBLE, env=ansible_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd") or not tool("ansible-playbook"),
                    reason="needs root (useradd --root) and ansible-core")
@pytest.mark.skipif(not (REPO / ".git").exists() or not shutil.which("git"), reason="needs this checkout's git history")
def test_playbook_installs_configures_and_guards_the_queue(tmp_path, root, tools):
    bin_dir, calls = tools
    revision = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    inventory = tmp_path / "inventory.yml"
    host_vars = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "ansible_become": False,
                 "kiosk_host_settings": {"kiosk": {"id": "branch7-test"}}}
    inventory.write_text(json.dumps({"kiosks": {"children": {"branch7": {
        "hosts": {"kiosk-under-test": host_vars},
        "vars": {"kiosk_branch_settings": {"kiosk": {"library_name": "Branch 7"},
                                           "sip2": {"institution": "MAIN", "location": "BR7"}}}}}}}))
    extra = {"library_kiosk_root": str(root), "library_kiosk_git_repo": str(REPO), "library_kiosk_version": revision,
             "library_kiosk_installer_environment": {"PYTHON": str(bin_dir / "python"),
                                                    "SYSTEMCTL": str(bin_dir / "systemctl")}}

    def play(**more) -> subprocess.CompletedProcess:
        extra_file = tmp_path / "extra.json"
        extra_file.write_text(json.dumps({**extra, **more}))
        return subprocess.run([tool("ansible-playbook"), "-i", str(inventory), "playbook.yml", "-e", f"@{extra_file}"],
                              cwd=ANSIBLE, env=ansible_env(tmp_path), capture_output=True, text=True, timeout=600)

    done = play()
    assert done.returncode == 0, done.stdout + done.stderr
    etc = root / "etc/library-kiosk"
    dropins = etc / "kiosk.toml.d"
    assert sorted(p.name for p in dropins.iterdir()) == ["10-library.toml", "50-branch.toml", "90-host.toml"]
    assert tomllib.loads((dropins / "90-host.toml").read_text())["kiosk"]["id"] == "branch7-test"
    library = tomllib.loads((dropins / "10-library.toml").read_text())  # the example group_vars, as written
    assert library["sip2"]["host"] == "sip2.library.example" and library["scanner"][0]["driver"] == "evdev"
    assert mode(dropins / "90-host.toml") == 0o640
    assert mode(etc / "secrets.toml") == 0o600
    assert tomllib.loads((etc / "secrets.toml").read_text())["sip2"]["password"] == "change-me"
    recorded = calls.read_text().splitlines()
    assert f"pip install --quiet --upgrade {root}/opt/library-kiosk/src" in recorded
    assert f"systemctl --root {root} enable library-kiosk.service" in recorded
    assert (root / "opt/library-kiosk/src/.git").exists()

    again = play()
    assert again.returncode == 0, again.stdout + again.stderr
    assert "changed=0" in again.stdout and "failed=0" in again.stdout

    # A kiosk holding offline transactions is not touched, unless the run says so.
    old_database_with_a_waiting_return(root / "var/lib/library-kiosk/kiosk.db")
    host_vars["kiosk_host_settings"] = {"kiosk": {"id": "branch7-renamed"}}
    inventory.write_text(inventory.read_text().replace("branch7-test", "branch7-renamed"))
    skipped = play()
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "1 offline transactions waiting" in skipped.stdout
    assert "branch7-test" in (dropins / "90-host.toml").read_text()
    forced = play(library_kiosk_deploy_with_waiting_queue=True)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "branch7-renamed" in (dropins / "90-host.toml").read_text()

    # An invalid setting fails the kiosk at the check, before the restart handler.
    inventory.write_text(inventory.read_text().replace('"id": "branch7-renamed"', '"id": "x", "colour": "red"'))
    broken = play(library_kiosk_deploy_with_waiting_queue=True)
    assert broken.returncode != 0
    assert "Check the merged configuration" in broken.stdout and "colour" in broken.stdout


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd") or not tool("ansible-playbook"),
                    reason="needs root (useradd --root) and ansible-core")
def test_playbook_installs_a_wheel_with_the_installer_beside_the_role(tmp_path, root, tools):
    bin_dir, calls = tools
    wheel = tmp_path / "library_kiosk-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"the pip stand-in records the path, it does not open the file")
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(json.dumps({"kiosks": {"hosts": {"kiosk-under-test": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable, "ansible_become": False}}}}))
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({
        "library_kiosk_root": str(root), "library_kiosk_git_repo": "", "library_kiosk_wheel": str(wheel),
        "library_kiosk_dropins": {"90-host": "[kiosk]\nid = \"from-toml-text\"\n"}, "library_kiosk_secrets": {},
        "library_kiosk_installer_environment": {"PYTHON": str(bin_dir / "python"), "SYSTEMCTL": str(bin_dir / "systemctl")}}))
    done = subprocess.run([tool("ansible-playbook"), "-i", str(inventory), "playbook.yml", "-e", f"@{extra}"],
                          cwd=ANSIBLE, env=ansible_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    release = root / "opt/library-kiosk/release"
    assert (release / "scripts/kiosk-install.sh").read_text() == (REPO / "scripts/kiosk-install.sh").read_text()
    assert (release / "systemd/library-kiosk.service").exists() and (release / "config/kiosk.example.toml").exists()
    assert f"pip install --quiet --upgrade {release}/wheels/{wheel.name}" in calls.read_text().splitlines()
    host = root / "etc/library-kiosk/kiosk.toml.d/90-host.toml"
    assert tomllib.loads(host.read_text())["kiosk"]["id"] == "from-toml-text"
    assert not (root / "etc/library-kiosk/kiosk.toml.d/10-library.toml").exists()
