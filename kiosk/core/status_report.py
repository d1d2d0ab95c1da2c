"""What the technician screen shows, gathered from the runtime as `Phrase`s to word (no Kivy here)."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from kiosk import __version__
from kiosk.core import wording
from kiosk.core.wording import Phrase


class Line(NamedTuple):
    """One line of a section: what it says, and how far it is indented (1: a fact; 2: a detail of
    the fact above it, such as a device's last event)."""

    phrase: Phrase
    depth: int = 1


@dataclass(frozen=True)
class StatusReport:
    """One snapshot of the kiosk's health, section by section; the screen words the lines."""

    library_system: tuple[Line, ...]
    devices: tuple[Line, ...]
    queue: tuple[Line, ...]
    kiosk: tuple[Line, ...]


def gather(runtime, last_events: Mapping[str, Phrase] | None = None) -> StatusReport:
    """Read the runtime's state (touches the database: call it from a worker thread);
    `last_events` maps a device's name to its last event, as the app saw it."""
    return StatusReport(_library_system(runtime), _devices(runtime, last_events or {}), _queue(runtime),
                        _kiosk(runtime))


def _library_system(runtime) -> tuple[Line, ...]:
    link = runtime.link
    settings = runtime.config.sip2
    lines = [Line(Phrase.of("{host}:{port} ({dialect}{tls})", host=settings.host, port=str(settings.port),
                            dialect=settings.dialect, tls=", TLS" if settings.tls else "")),
             Line(_link_state(link))]
    if link.last_error:
        lines.append(Line(Phrase.of(wording.TECH_LAST_ERROR, error=link.last_error)))
    status = getattr(link, "last_status", None)
    if status is not None:
        flags = {"online": status.online, "checkout": status.checkout_ok, "checkin": status.checkin_ok,
                 "renewal": status.renewal_policy, "offline": status.offline_ok}
        lines.append(Line(Phrase.of(wording.TECH_ACS_FLAGS, **{
            name: Phrase(wording.TECH_YES if on else wording.TECH_NO) for name, on in flags.items()})))
        lines.append(Line(Phrase.of(wording.TECH_ACS_PROTOCOL, version=status.protocol_version,
                                    institution=status.institution_id)))
        if status.date_time_sync is not None:
            lines.append(Line(clock_difference(status.date_time_sync, datetime.now())))
    return tuple(lines)


def _link_state(link) -> Phrase:
    """Connected, or not and why (the error itself is on the next line, as the link has it)."""
    if link.online:
        return Phrase(wording.TECH_CONNECTED)
    if link.problem is None:
        return Phrase(wording.TECH_NOT_CONNECTED)
    return Phrase.of(wording.TECH_NOT_CONNECTED_WHY, why=Phrase(wording.LINK_PROBLEMS[link.problem.value]))


def clock_difference(acs_time: datetime, local: datetime) -> Phrase:
    """How far the ACS's clock is from the kiosk's, e.g. "the ACS is 3 s ahead"."""
    if acs_time.tzinfo is not None:
        acs_time = acs_time.astimezone().replace(tzinfo=None)
    seconds = round((acs_time - local).total_seconds())
    if abs(seconds) <= 1:
        return Phrase(wording.TECH_CLOCK_NONE)
    return Phrase.of(wording.TECH_CLOCK_AHEAD if seconds > 0 else wording.TECH_CLOCK_BEHIND,
                     seconds=str(abs(seconds)))


# The state says it all while a device works or is stopped; otherwise its detail says what went wrong.
QUIET_STATES = ("connected", "stopped")


def _devices(runtime, last_events: Mapping[str, Phrase]) -> tuple[Line, ...]:
    lines = []
    for s in runtime.devices.summaries():
        state = s.state.value
        role = Phrase(wording.DEVICE_ROLES[s.role]) if s.role in wording.DEVICE_ROLES else s.role
        facts = {"name": s.name, "role": role, "driver": s.driver, "state": Phrase(wording.DEVICE_STATES[state])}
        if s.detail and state not in QUIET_STATES:
            lines.append(Line(Phrase.of(wording.TECH_DEVICE_DETAIL, **facts, detail=s.detail)))
        else:
            lines.append(Line(Phrase.of(wording.TECH_DEVICE, **facts)))
        if s.last_problem:
            lines.append(Line(Phrase.of(wording.TECH_LAST_DISCARDED, problem=s.last_problem), 2))
        if s.name in last_events:
            lines.append(Line(Phrase.of(wording.TECH_LAST_EVENT, event=last_events[s.name]), 2))
    return tuple(lines) or (Line(Phrase(wording.TECH_NO_DEVICES)),)


def _queue(runtime) -> tuple[Line, ...]:
    counts = runtime.queue.counts()
    age = runtime.queue.oldest_pending_age()
    refused = runtime.queue.refused()
    return (Line(Phrase.of(wording.TECH_WAITING, count=str(counts.waiting))),
            Line(Phrase.of(wording.TECH_REFUSED, count=str(len(refused)))),
            Line(Phrase.of(wording.TECH_OLDEST, age=_age(age.total_seconds())) if age is not None
                 else Phrase(wording.TECH_OLDEST_NONE)))


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _kiosk(runtime) -> tuple[Line, ...]:
    state = runtime.service.state()
    addresses = ip_address()
    return (Line(Phrase.of(wording.TECH_VERSION, kiosk=runtime.config.kiosk.id, version=__version__)),
            Line(Phrase.of(wording.TECH_IP, addresses=addresses) if addresses else Phrase(wording.TECH_IP_NONE)),
            Line(Phrase(wording.TECH_IN_SERVICE) if state.in_service
                 else Phrase.of(wording.TECH_OUT_OF_SERVICE, reason=Phrase(state.reason))),
            Line(Phrase.of(wording.TECH_CONFIGURATION, path=str(runtime.config.source))))


def ip_address() -> str:
    """The kiosk's IPv4 addresses on its network interfaces (not loopback), or "" when it has none."""
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
    return ", ".join(found)
