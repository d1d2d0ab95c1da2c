"""What the technician screen shows, gathered from the runtime as plain lines (no Kivy here)."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kiosk import __version__
from kiosk.core import wording


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
             wording.TECH_CONNECTED if link.online else wording.TECH_NOT_CONNECTED]
    if link.last_error:
        lines.append(wording.TECH_LAST_ERROR.format(error=link.last_error))
    status = getattr(link, "last_status", None)
    if status is not None:
        flags = {"online": status.online, "checkin": status.checkin_ok, "checkout": status.checkout_ok,
                 "renewal": status.renewal_policy, "offline ok": status.offline_ok}
        lines.append(wording.TECH_ACS_FLAGS.format(
            flags=", ".join(f"{k} {'Y' if v else 'N'}" for k, v in flags.items())))
        lines.append(wording.TECH_ACS_PROTOCOL.format(version=status.protocol_version,
                                                      institution=status.institution_id))
        if status.date_time_sync is not None:
            difference = clock_difference(status.date_time_sync, datetime.now())
            lines.append(wording.TECH_CLOCK_NONE if difference == "none"
                         else wording.TECH_CLOCK.format(difference=difference))
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
            line = wording.TECH_LAST_DISCARDED.format(device=line, problem=s.last_problem)
        lines.append(line)
        if s.name in last_events:
            lines.append("    " + wording.TECH_LAST_EVENT.format(event=last_events[s.name]))
    return tuple(lines) or (wording.TECH_NO_DEVICES,)


def _queue(runtime) -> tuple[str, ...]:
    counts = runtime.queue.counts()
    age = runtime.queue.oldest_pending_age()
    refused = runtime.queue.refused()
    lines = [wording.TECH_WAITING.format(count=counts.waiting), wording.TECH_REFUSED.format(count=len(refused))]
    lines.append(wording.TECH_OLDEST.format(age=_age(age.total_seconds())) if age is not None
                 else wording.TECH_OLDEST_NONE)
    return tuple(lines)


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _kiosk(runtime) -> tuple[str, ...]:
    state = runtime.service.state()
    return (wording.TECH_VERSION.format(kiosk=runtime.config.kiosk.id, version=__version__),
            wording.TECH_IP.format(addresses=ip_address()),
            wording.TECH_IN_SERVICE if state.in_service else wording.TECH_OUT_OF_SERVICE.format(reason=state.reason),
            wording.TECH_CONFIGURATION.format(path=runtime.config.source))


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
