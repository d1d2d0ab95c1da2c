"""sd_notify datagrams on a real Unix socket, as systemd receives them."""

import os
import socket

from kiosk import systemd_notify


def test_notifications_reach_the_socket(tmp_path, monkeypatch):
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        monkeypatch.setenv("NOTIFY_SOCKET", path)
        assert systemd_notify.ready("idle screen up")
        assert server.recv(256) == b"READY=1\nSTATUS=idle screen up"
        assert systemd_notify.watchdog()
        assert server.recv(256) == b"WATCHDOG=1"


def test_outside_systemd_nothing_happens(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not systemd_notify.ready()
    assert systemd_notify.watchdog_interval() is None or "WATCHDOG_USEC" in os.environ


def test_watchdog_interval_is_half_of_watchdog_sec(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "20000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert systemd_notify.watchdog_interval() == 10.0
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert systemd_notify.watchdog_interval() is None
