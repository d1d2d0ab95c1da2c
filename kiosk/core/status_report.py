"""What the technician screen shows, gathered from the runtime as plain lines (no Kivy here)."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kiosk import __version__


@dataclass(frozen=True)
class StatusReport:
    """One snapshot of the kiosk's health, section by section."""

    library_system: tuple[str, ...]
    devices: tuple[str, ...]
    queue: tuple[str, ...]
    kiosk: tuple[str, ...]


def gather(runtime, last_events: Mapping[str, str] | None = None) -> StatusReport:
    """Read the runtime's state (touches the database: call it from a worker thread);
    `last_events` maps a device's name to its last event, as the app saw it."""
    return StatusReport(_library_system(runtime), _devices(runtime, last_events or {}), _queue(runtime),
                        _kiosk(runtime))


def _library_system(runtime) -> tuple[str, ...]:
    link = runtime.link
    settings = runtime.config.sip2
    lines = [f"{settings.host}:{settings.port} ({settings.dialect}{', TLS' if settings.tls else ''})",
             "connected" if link.online else "NOT connected"]
    if link.last_error:
        lines.append(f"last error: {link.last_error}")
    status = getattr(link, "last_status", None)
    if status is not None:
        flags = {"online": status.online, "checkin": status.checkin_ok, "checkout": status.checkout_ok,
                 "renewal": status.renewal_policy, "offline ok": status.offline_ok}
        lines.append("ACS flags: " + ", ".join(f"{k} {'Y' if v else 'N'}" for k, v in flags.items()))
        lines.append(f"ACS protocol {status.protocol_version}, institution {status.institution_id}")
        if status.date_time_sync is not None:
            lines.append(f"clock difference: {clock_difference(status.date_time_sync, datetime.now())}")
    return tuple(lines)


def clock_difference(acs_time: datetime, local: datetime) -> str:
    """How far the ACS's clock is from the kiosk's, e.g. "ACS 3 s ahead"."""
    if acs_time.tzinfo is not None:
        acs_time = acs_time.astimezone().replace(tzinfo=None)
    seconds = round((acs_time - local).total_seconds())
    if abs(seconds) <= 1:
        return "none"
    return f"ACS {abs(seconds)} s {'ahead' if seconds > 0 else 'behind'}"


def _devices(runtime, last_events: Mapping[str, str]) -> tuple[str, ...]:
    lines = []
    for s in runtime.devices.summaries():
        line = f"{s.name} ({s.role}, {s.driver}): {s.state.value}"
        if s.detail:
            line += f" - {s.detail}"
        if s.last_problem:
            line += f"; last discarded: {s.last_problem}"
        lines.append(line)
        if s.name in last_events:
            lines.append(f"    last event: {last_events[s.name]}")
    return tuple(lines) or ("no devices configured",)


def _queue(runtime) -> tuple[str, ...]:
    counts = runtime.queue.counts()
    age = runtime.queue.oldest_pending_age()
    refused = runtime.queue.refused()
    lines = [f"waiting: {counts.waiting}", f"refused (for staff): {len(refused)}"]
    lines.append(f"oldest waiting: {_age(age.total_seconds())}" if age is not None else "oldest waiting: none")
    return tuple(lines)


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _kiosk(runtime) -> tuple[str, ...]:
    state = runtime.service.state()
    return (f"{runtime.config.kiosk.id}, version {__version__}", f"IP address: {ip_address()}",
            "in service" if state.in_service else f"OUT OF SERVICE: {state.reason}",
            f"configuration: {runtime.config.source}")


def ip_address() -> str:
    """The kiosk's IPv4 addresses on its network interfaces (not loopback), or "none"."""
    import fcntl  # the interface ioctl is Linux's; the rest of the report works anywhere
    import struct

    found = []
    for _, name in socket.if_nameindex():
        if name == "lo":
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                packed = fcntl.ioctl(sock.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))  # SIOCGIFADDR
            except OSError:
                continue  # the interface has no IPv4 address
        found.append(f"{socket.inet_ntoa(packed[20:24])} ({name})")
    return ", ".join(found) or "none"
