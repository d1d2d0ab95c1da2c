"""Whether the kiosk may serve patrons now, and if not, why (for the out-of-service screen).

Four things take a kiosk out of service: a technician switching it off, its database failing
(a full disk, a damaged file), the library system being unreachable while offline mode is off,
and a required device being lost. The answer is
computed from the current state each time it is asked, so it clears itself when the cause does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kiosk.core import wording
from kiosk.devices.events import DeviceState


@dataclass(frozen=True)
class ServiceState:
    """In service, or out of it with the reason shown on screen (the core's words: see wording)."""

    in_service: bool
    reason: str = ""
    by_technician: bool = False


IN_SERVICE = ServiceState(True)


class ServiceStatus:
    """Answers "may patrons use the kiosk now?" from the technician switch, the link and devices."""

    def __init__(self, *, offline_mode: str, link_online: Callable[[], bool],
                 device_states: Callable[[], Iterable[tuple[str, DeviceState]]],
                 required_devices: Iterable[str] = (),
                 storage_problem: Callable[[], str | None] = lambda: None) -> None:
        self.offline_mode = offline_mode
        self._link_online = link_online
        self._device_states = device_states
        self.required_devices = tuple(required_devices)
        self._storage_problem = storage_problem
        self._lock = threading.Lock()
        self._technician_reason: str | None = None

    def switch_off(self, reason: str = wording.OFF_BY_TECHNICIAN) -> None:
        """A technician takes the kiosk out of service until `switch_on()`."""
        with self._lock:
            self._technician_reason = reason or wording.OFF_BY_TECHNICIAN

    def switch_on(self) -> None:
        """A technician puts the kiosk back in service (other causes still apply)."""
        with self._lock:
            self._technician_reason = None

    def state(self) -> ServiceState:
        """The current answer; the technician's switch first, then the database, the library
        system, the devices."""
        with self._lock:
            by_hand = self._technician_reason
        if by_hand is not None:
            return ServiceState(False, by_hand, by_technician=True)
        storage = self._storage_problem()
        if storage:
            return ServiceState(False, storage)
        if self.offline_mode == "off" and not self._link_online():
            return ServiceState(False, wording.ACS_UNREACHABLE)
        states = dict(self._device_states())
        for name in self.required_devices:
            state = states.get(name)
            if state is None:
                return ServiceState(False, wording.DEVICE_NOT_CONFIGURED.format(device=name))
            if state is not DeviceState.CONNECTED:
                return ServiceState(False, wording.DEVICE_NOT_WORKING.format(device=name))
        return IN_SERVICE
