"""All the kiosk's devices, built from configuration, started and stopped together.

`DeviceManager.from_config(tables, sink)` takes the parsed configuration (the dict `tomllib`
returns) and reads its `[[scanner]]` tables and its `[rfid]` table. Every problem in them is
reported at once, each naming the table and key. At run time a device that is missing is
retried with back-off by its own thread while the others keep working; `summaries()` gives
the technician screen each device's state and the last thing it said.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from kiosk.config.table import ConfigError, ConfigTable, describe
from kiosk.devices.classify import Classifier
from kiosk.devices.events import DeviceEvent, DeviceState, DeviceStatus, EventSink, Scan
from kiosk.devices.scanner_drivers import SCANNER_DRIVERS, load

log = logging.getLogger(__name__)

RFID_HOOK: str | Callable[..., Any] = "kiosk.devices.rfid:open_pad"
"""Builds the RFID pad: `open_pad(table, sink)`; imported only when `[rfid]` names a driver."""


class Device(Protocol):
    """What the manager needs from any device."""

    name: str
    state: DeviceState

    def start(self) -> None:
        """Start serving; must return at once."""

    def stop(self) -> None:
        """Stop serving and release the hardware."""


@dataclass(frozen=True)
class DeviceSummary:
    """One line of the technician screen's device list."""

    name: str
    role: str  # "scanner" or "rfid"
    driver: str
    state: DeviceState
    detail: str  # the last status message, e.g. "cannot open: ...; retrying in 2.0 s"
    last_problem: str  # the last input the device discarded and why, "" if none


@dataclass(frozen=True)
class _Entry:
    device: Device
    role: str
    driver: str


class DeviceManager:
    """Owns the devices; forwards their events to one sink and remembers their status.

    With a classifier, every barcode scan is classified here, where it enters the kiosk, and
    travels on as a `Scan` that says what it is; tags on the pad arrive decoded and are not.
    """

    def __init__(self, sink: EventSink, classifier: Classifier | None = None) -> None:
        self._sink = sink
        self._classifier = classifier
        self._entries: dict[str, _Entry] = {}
        self._details: dict[str, str] = {}

    def sink(self, event: DeviceEvent) -> None:
        """The sink given to every device: note status details, classify scans, pass the event on."""
        if isinstance(event, DeviceStatus):
            self._details[event.source] = event.detail
        if isinstance(event, Scan) and event.classified is None and self._classifier is not None:
            event = replace(event, classified=self._classifier.classify(event.text))
        self._sink(event)

    def add(self, device: Device, role: str, driver: str) -> None:
        """Add a device built elsewhere; names must be unique (they are event sources)."""
        if device.name in self._entries:
            raise ConfigError(f"two devices are named {device.name!r}; give each a unique 'name'")
        self._entries[device.name] = _Entry(device, role, driver)

    @classmethod
    def from_config(cls, tables: Mapping[str, Any], sink: EventSink,
                    classifier: Classifier | None = None) -> DeviceManager:
        """Build every device in the configuration; raise ConfigError listing every problem."""
        manager = cls(sink, classifier)
        errors: list[str] = []
        for device, role, driver in manager._build_scanners(tables.get("scanner", []), errors):
            manager._add_checked(device, role, driver, errors)
        pad = manager._build_pad(tables.get("rfid"), errors)
        if pad is not None:
            manager._add_checked(pad[0], "rfid", pad[1], errors)
        if errors:
            raise ConfigError("\n".join(errors))
        return manager

    def _add_checked(self, device: Device, role: str, driver: str, errors: list[str]) -> None:
        try:
            self.add(device, role, driver)
        except ConfigError as exc:
            errors.append(str(exc))

    def _build_scanners(self, data: Any, errors: list[str]) -> list[tuple[Device, str, str]]:
        if isinstance(data, Mapping):  # written as [scanner] instead of [[scanner]]: one scanner
            labelled = [("scanner", data)]
        elif isinstance(data, Sequence) and not isinstance(data, str):
            labelled = [(f"scanner[{i}]", item) for i, item in enumerate(data)]
        else:
            errors.append(f"scanner: expected [[scanner]] tables, got {describe(data)}")
            return []
        built = []
        for index, (label, item) in enumerate(labelled):
            try:
                table = ConfigTable(label, item)
                driver = table.choice("driver", tuple(SCANNER_DRIVERS))
                name = table.text("name", f"scanner{index}")
                device = load(SCANNER_DRIVERS[driver])(table, name, self.sink)
                table.check_all_read()
            except ConfigError as exc:
                errors.append(str(exc))
                continue
            except ValueError as exc:  # a driver's own validation
                errors.append(f"{label}: {exc}")
                continue
            built.append((device, "scanner", driver))
        return built

    def _build_pad(self, data: Any, errors: list[str]) -> tuple[Device, str] | None:
        if data is None:
            return None
        try:
            driver = ConfigTable("rfid", data).text("driver")
        except ConfigError as exc:
            errors.append(str(exc))
            return None
        if driver == "none":
            return None
        try:
            open_pad = load(RFID_HOOK)
        except (ImportError, AttributeError) as exc:
            errors.append(f"rfid.driver: {describe(driver)} needs the RFID pad drivers, which "
                          f"cannot be loaded here ({exc})")
            return None
        try:
            return open_pad(data, self.sink), driver
        except (ValueError, TypeError, KeyError) as exc:
            message = str(exc)
            errors.append(message if message.startswith("rfid") else f"rfid: {message}")
            return None

    @property
    def devices(self) -> tuple[Device, ...]:
        """Every device, in configuration order (scanners first, then the pad)."""
        return tuple(entry.device for entry in self._entries.values())

    def device(self, name: str) -> Device:
        """The device called `name` (KeyError if there is none)."""
        return self._entries[name].device

    def start(self) -> None:
        """Start every device; one that fails to start is reported and the others still start."""
        for name, entry in self._entries.items():
            try:
                entry.device.start()
            except Exception as exc:  # one broken driver must not keep the others from starting
                log.exception("device %s did not start", name)
                self.sink(DeviceStatus(source=name, state=DeviceState.ERROR,
                                       detail=f"did not start: {exc!r}"))

    def stop(self) -> None:
        """Stop every device (each is asked even if another one fails to stop)."""
        for name, entry in self._entries.items():
            try:
                entry.device.stop()
            except Exception:  # stopping is best effort; the process may be exiting
                log.exception("device %s did not stop cleanly", name)

    def summaries(self) -> list[DeviceSummary]:
        """Each device's current state and last messages, for the technician screen."""
        return [DeviceSummary(name, entry.role, entry.driver, entry.device.state,
                              self._details.get(name, ""),
                              getattr(entry.device, "last_problem", ""))
                for name, entry in self._entries.items()]

    def __enter__(self) -> DeviceManager:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
