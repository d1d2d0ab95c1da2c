"""Staff alerts decided from status snapshots (pure): each problem is raised once when it has
lasted long enough and cleared once when it is fixed, so staff get two e-mails, not two hundred.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.config.deployment import AlertSettings
from kiosk.monitoring.status import KioskStatus

_PRINTER_TROUBLE = ("paper out", "offline", "unreachable")


@dataclass(frozen=True)
class AlertChange:
    """An alert raised or cleared, with the words for the e-mail."""

    key: str  # e.g. "library_down", "device_missing:scanner-1"
    raised: bool
    subject: str
    text: str


@dataclass(frozen=True)
class _Problem:
    key: str
    delay: timedelta
    what: str  # "the library system is unreachable: connection refused"
    fixed: str  # "the library system answers again"


class AlertRules:
    """Remembers which problems were seen since when, and which alerts are raised."""

    def __init__(self, settings: AlertSettings) -> None:
        self.settings = settings
        self._since: dict[str, datetime] = {}
        self._raised: dict[str, _Problem] = {}

    @property
    def active(self) -> tuple[str, ...]:
        """The keys of the alerts raised now."""
        return tuple(sorted(self._raised))

    def evaluate(self, status: KioskStatus) -> list[AlertChange]:
        """Compare a snapshot with what was seen before; return the alerts to send now."""
        now = status.taken_at
        problems = {p.key: p for p in self._problems(status)}
        changes: list[AlertChange] = []
        for key in list(self._since):
            if key not in problems:
                del self._since[key]
        for key, problem in problems.items():
            since = self._since.setdefault(key, now)
            if key not in self._raised and now - since >= problem.delay:
                self._raised[key] = problem
                changes.append(AlertChange(key, True, f"[{status.kiosk_id}] {problem.what.split(':')[0]}",
                                           _text(status, f"Problem: {problem.what}.", since)))
        for key in [k for k in self._raised if k not in problems]:
            problem = self._raised.pop(key)
            changes.append(AlertChange(key, False, f"[{status.kiosk_id}] resolved: {problem.fixed}",
                                       _text(status, f"Resolved: {problem.fixed}.", None)))
        return changes

    def _problems(self, status: KioskStatus) -> list[_Problem]:
        s = self.settings
        found = []
        if not status.online:
            found.append(_Problem("library_down", timedelta(minutes=s.library_down_minutes),
                                  f"the library system is unreachable: {status.acs_error or 'no answer'}",
                                  "the library system answers again"))
        if status.queue_oldest_seconds is not None and status.queue_oldest_seconds >= s.queue_older_hours * 3600:
            hours = status.queue_oldest_seconds / 3600
            found.append(_Problem("queue_old", timedelta(0),
                                  f"offline transactions are waiting: {status.queue_waiting}, the oldest "
                                  f"{hours:.1f} hours old", "the offline queue is sent"))
        for device in status.devices:
            if not device.up:
                found.append(_Problem(f"device_missing:{device.name}", timedelta(minutes=s.device_missing_minutes),
                                      f"{device.role} {device.name} is {device.state}: {device.detail or 'no detail'}",
                                      f"{device.role} {device.name} is connected again"))
        if s.printer and status.printer in _PRINTER_TROUBLE:
            delay = timedelta(0) if status.printer == "paper out" else timedelta(minutes=s.device_missing_minutes)
            found.append(_Problem("printer", delay, f"the receipt printer is {status.printer}: patrons cannot "
                                  "get printed receipts", "the receipt printer is ready again"))
        return found


def _text(status: KioskStatus, headline: str, since: datetime | None) -> str:
    lines = [f"Kiosk {status.kiosk_id} (version {status.version})", "", headline]
    if since is not None:
        lines.append(f"Since: {since.isoformat(timespec='seconds')}")
    lines += ["", f"Library system: {'online' if status.online else 'offline'}",
              f"Offline queue: {status.queue_waiting} waiting, {status.queue_refused} refused to deal with",
              f"Receipt printer: {status.printer}"]
    lines += [f"Device {d.name} ({d.role}, {d.driver}): {d.state}" for d in status.devices]
    lines += ["", "Run `kiosk doctor` on the kiosk for details and fixes."]
    return "\n".join(lines) + "\n"
