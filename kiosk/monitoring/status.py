"""One snapshot of how a kiosk is doing, read from its runtime: what metrics, the heartbeat,
alerts and `kiosk doctor` all report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from sqlalchemy import func, select

import kiosk
from kiosk.config import KioskConfig
from kiosk.devices.manager import DeviceManager
from kiosk.receipts import ReceiptService
from kiosk.storage.db import Database
from kiosk.storage.queue import OfflineQueue
from kiosk.storage.tables import journal
from kiosk.storage.timestamps import from_stamp, utc_now


class LinkState(Protocol):
    """Whether the library system answers, as the line to it last found."""

    @property
    def online(self) -> bool:
        """True while the library system answers."""

    @property
    def last_error(self) -> str:
        """Why it did not, the last time."""


class ServiceState(Protocol):
    """Whether patrons may use the kiosk now."""

    @property
    def in_service(self) -> bool:
        """False while the kiosk shows out of service."""


class Service(Protocol):
    """The kiosk's service status, as the core keeps it."""

    def state(self) -> ServiceState:
        """The status now."""


class Observed(Protocol):
    """What monitoring reads of a running kiosk (a `KioskRuntime` offers all of it)."""

    @property
    def config(self) -> KioskConfig:
        """The kiosk's settings."""

    @property
    def link(self) -> LinkState:
        """The line to the library system."""

    @property
    def queue(self) -> OfflineQueue:
        """The offline queue."""

    @property
    def devices(self) -> DeviceManager:
        """The scanners and the RFID pad."""

    @property
    def receipts(self) -> ReceiptService:
        """The receipt printer and the e-mail outbox."""

    @property
    def database(self) -> Database:
        """The kiosk's database (for the journal)."""

    @property
    def service(self) -> Service:
        """In or out of service."""


@dataclass(frozen=True)
class DeviceHealth:
    """One device as monitoring sees it."""

    name: str
    role: str
    driver: str
    state: str  # a kiosk.devices.events.DeviceState value: connected, lost, ...
    detail: str

    @property
    def up(self) -> bool:
        """True when the device is connected."""
        return self.state == "connected"


@dataclass(frozen=True)
class KioskStatus:
    """How one kiosk is doing at `taken_at`."""

    kiosk_id: str
    version: str
    taken_at: datetime
    online: bool  # the library system (ACS) answers
    acs_error: str
    queue_waiting: int
    queue_refused: int  # refusals staff have not dealt with
    queue_oldest_seconds: float | None
    devices: tuple[DeviceHealth, ...]
    printer: str  # a PrinterState value, "not configured" when there is none
    outbox_pending: int
    outbox_failed: int
    last_transaction_at: datetime | None
    in_service: bool = True  # patrons may use the kiosk (not switched off, not lacking what it needs)
    transactions: tuple[tuple[str, int], ...] = ()  # (kind, how many the journal has recorded)

    def to_json(self) -> dict[str, Any]:
        """The snapshot as JSON-ready values (times in ISO 8601 UTC)."""
        data = asdict(self)
        for key in ("taken_at", "last_transaction_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def take_status(runtime: Observed, now: datetime | None = None) -> KioskStatus:
    """Read the runtime's link, queue, devices, printer, outbox and journal (a few quick queries)."""
    now = now or utc_now()
    counts = runtime.queue.counts()
    oldest = runtime.queue.oldest_pending_age(now)
    outbox = runtime.receipts.outbox.counts()
    devices = tuple(DeviceHealth(s.name, s.role, s.driver, s.state.value, s.detail)
                    for s in runtime.devices.summaries())
    return KioskStatus(
        kiosk_id=runtime.config.kiosk.id, version=kiosk.__version__, taken_at=now,
        online=runtime.link.online, acs_error=runtime.link.last_error, queue_waiting=counts.waiting,
        queue_refused=counts.unresolved, queue_oldest_seconds=oldest.total_seconds() if oldest else None,
        devices=devices, printer=runtime.receipts.printer.state.value, outbox_pending=outbox.pending,
        outbox_failed=outbox.failed, last_transaction_at=last_transaction(runtime),
        in_service=runtime.service.state().in_service, transactions=transaction_counts(runtime))


def last_transaction(runtime: Observed) -> datetime | None:
    """When the journal last recorded a transaction (UTC), None when it never has."""
    with runtime.database.reading() as conn:
        value = conn.execute(select(func.max(journal.c.recorded_at))).scalar()
    moment = from_stamp(value)
    return moment.astimezone(timezone.utc) if moment else None


def transaction_counts(runtime: Observed) -> tuple[tuple[str, int], ...]:
    """How many transactions of each kind the journal holds (a counter for transactions per hour)."""
    with runtime.database.reading() as conn:
        rows = conn.execute(select(journal.c.kind, func.count()).group_by(journal.c.kind).order_by(journal.c.kind))
        return tuple((kind, count) for kind, count in rows)
