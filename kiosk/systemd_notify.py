"""Tell systemd how the kiosk is doing (sd_notify), without a dependency: one datagram each.

Outside systemd ($NOTIFY_SOCKET unset) every call does nothing, so the same code runs on a
laptop, in tests and under the service unit.
"""

from __future__ import annotations

import os
import socket


def _send(message: str) -> bool:
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # an abstract socket
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(message.encode("utf-8"))
        return True
    except OSError:
        return False


def ready(status: str = "") -> bool:
    """READY=1: the idle screen is up (Type=notify units wait for this)."""
    return _send("READY=1" + (f"\nSTATUS={status}" if status else ""))


def watchdog() -> bool:
    """WATCHDOG=1: the UI loop is alive. Call it from the UI loop every `watchdog_interval()`."""
    return _send("WATCHDOG=1")


def status(text: str) -> bool:
    """A one-line status shown by `systemctl status`."""
    return _send(f"STATUS={text}")


def stopping() -> bool:
    """STOPPING=1: a clean shutdown has begun."""
    return _send("STOPPING=1")


def watchdog_interval() -> float | None:
    """Seconds between watchdog pings (half of WatchdogSec), or None when no watchdog is set."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return int(usec) / 1_000_000 / 2
    except ValueError:
        return None
