"""`kiosk run` as systemd runs it: READY=1 once the idle screen is drawn, and SIGTERM stops it
cleanly (STOPPING=1, exit status 0) although the window refuses to be closed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ready_then_clean_stop_on_sigterm(tmp_path, acs):
    config = tmp_path / "kiosk.toml"
    config.write_text(f"""
[kiosk]
library_name = "Test Library"
[sip2]
host = "127.0.0.1"
port = {acs.address[1]}
username = "kiosk"
password = "kiosk"
institution = "DEMO"
[storage]
database = "{tmp_path / 'kiosk.db'}"
[[scanner]]
driver = "keyboard"
name = "keyboard"
""", encoding="utf-8")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp_path / "notify"))
    notify.settimeout(30)
    env = {**os.environ, "NOTIFY_SOCKET": str(tmp_path / "notify"), "KIVY_HOME": str(tmp_path / "kivy"),
           "SDL_AUDIODRIVER": "dummy"}
    env.pop("DISPLAY", None)
    kiosk = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "run", "--config", str(config)], cwd=ROOT,
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        messages = [notify.recv(4096).decode()]
        assert messages[0].startswith("READY=1")
        kiosk.send_signal(signal.SIGTERM)
        assert kiosk.wait(timeout=30) == 0, kiosk.stderr.read().decode()[-2000:]
        while True:
            try:
                notify.settimeout(0.5)
                messages.append(notify.recv(4096).decode())
            except OSError:
                break
        assert "STOPPING=1" in messages
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait()
        notify.close()


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a shell running us in the background ignores it


def test_ctrl_c_stops_the_demo_cleanly(tmp_path):
    env = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy"), "SDL_AUDIODRIVER": "dummy"}
    env.pop("DISPLAY", None)
    demo = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "demo"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_sigint_default)
    try:
        assert demo.stdout.readline().startswith(b"ACS emulator on")  # the app is about to run
        demo.send_signal(signal.SIGINT)
        _, err = demo.communicate(timeout=60)
        assert demo.returncode == 0 and b"Traceback" not in err, err.decode()[-2000:]
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()


def test_ctrl_c_while_a_command_starts_is_one_line(monkeypatch, capsys):
    from kiosk.cli import main

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("kiosk.demo.run_demo", interrupted)
    assert main(["demo"]) == 130
    assert capsys.readouterr().err == "kiosk demo: interrupted\n"


def test_hash_pin_with_standard_input_closed_says_what_to_do():
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "hash-pin"], cwd=ROOT, stdin=subprocess.DEVNULL,
                          capture_output=True, start_new_session=True, timeout=60)  # no terminal to ask on
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert b"no PIN was typed" in done.stderr and b"--pin" in done.stderr
