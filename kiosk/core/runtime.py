"""The running kiosk without its screens: configuration in, everything wired and started.

`KioskRuntime` owns the line to the library system, the offline queue and its replay, the
journal, the devices, and the circulation core; the app (or a test) calls `handle_scan` and
`handle_device_event` and shows what comes back.
"""

from __future__ import annotations

import logging
import queue as queues
import threading
from datetime import timedelta
from functools import partial
from typing import Protocol

from kiosk.config import KioskConfig
from kiosk.core.acs_link import ACSLink, client_for, connected_client
from kiosk.core.circulation import Circulation, SecurityPad
from kiosk.core.outcomes import ItemOutcome, Mode, NotUnderstood, ScanResult, TechnicianCard
from kiosk.core.service import ServiceStatus
from kiosk.devices.classify import Classified, ScanKind
from kiosk.devices.events import DeviceEvent, ItemPlaced, ItemRemoved
from kiosk.devices.manager import DeviceManager
from kiosk.receipts import ReceiptService
from kiosk.storage.db import open_database
from kiosk.storage.journal import Journal
from kiosk.storage.patron_cache import PatronCache
from kiosk.storage.queue import OfflineQueue
from kiosk.storage.replay import QueueAlert, Replayer, ReplayWorker

log = logging.getLogger(__name__)

_MAINTENANCE_INTERVAL = 6 * 3600.0  # seconds


class Companion(Protocol):
    """Something that runs beside the runtime, started after it and stopped before it."""

    def start(self) -> None:
        """Start working (in background threads)."""

    def stop(self) -> None:
        """Stop working."""


class KioskRuntime:
    """Everything behind the screens of one kiosk."""

    def __init__(self, config: KioskConfig, *, with_devices: bool = True) -> None:
        self.config = config
        self.classifier = config.classifier()
        self.events: queues.Queue[DeviceEvent] = queues.Queue()
        for warning in config.warnings:
            log.warning("configuration: %s", warning)
        self.database = open_database(config.storage.database)
        self.queue = OfflineQueue(self.database)
        self.journal = Journal(self.database)
        self.patron_cache = PatronCache(self.database, keep=timedelta(days=config.offline.cache_days))
        self.link = ACSLink(client_for(config.sip2), probe_interval=config.offline.probe_interval)
        self.replayer = Replayer(self.queue, partial(connected_client, config.sip2), journal=self.journal)
        self.replay_worker = ReplayWorker(
            self.replayer, interval=config.offline.probe_interval,
            alert_after=timedelta(hours=config.offline.alert_after_hours), on_alert=self._on_queue_alert)
        self.devices = DeviceManager.from_config(config.devices if with_devices else {}, self.events.put,
                                                 self.classifier)
        pad = next((d for d in self.devices.devices if isinstance(d, SecurityPad)), None)
        self.circulation = Circulation(config, self.link, self.queue, self.journal,
                                       classifier=self.classifier, pad=pad,
                                       patron_cache=self.patron_cache if config.offline.cache_patrons else None)
        self.link.listeners.append(self._on_link_change)
        self.service = ServiceStatus(
            offline_mode=config.offline.mode, link_online=lambda: self.link.online,
            device_states=lambda: [(s.name, s.state) for s in self.devices.summaries()],
            required_devices=config.app.required_devices, storage_problem=self.database.problem)
        self.alerts: list[QueueAlert] = []
        self.receipts = ReceiptService(config, self.database)
        self.companions: list[Companion] = []
        self._sets_on_pad: dict[str, dict[int, str]] = {}  # item id -> part number -> tag uid
        self._stopping = threading.Event()
        self._maintenance: threading.Thread | None = None

    def attach(self, companion: Companion) -> None:
        """Start and stop `companion` with the runtime (an observer such as monitoring: the
        runtime itself needs nothing of it)."""
        self.companions.append(companion)

    @property
    def pad(self):
        """The RFID pad, or None when the kiosk has none."""
        return self.circulation.pad

    def start(self) -> None:
        """Start the devices, the probing of the library system and the replay worker."""
        self.devices.start()
        self.link.start_probing()
        self.replay_worker.start()
        self.receipts.start()
        for companion in self.companions:
            companion.start()
        self._stopping.clear()
        self._maintenance = threading.Thread(target=self._maintain_regularly, name="maintenance", daemon=True)
        self._maintenance.start()

    def stop(self) -> None:
        """Stop everything (queued transactions stay on disk for the next start)."""
        self.circulation.end_session("kiosk stopping")
        self._stopping.set()
        if self._maintenance is not None:
            self._maintenance.join(10)
        self.replay_worker.stop()
        for companion in reversed(self.companions):
            companion.stop()
        self.receipts.stop()
        self.link.stop()
        self.devices.stop()
        self.database.close()

    def maintain(self) -> None:
        """Forget what must not be kept: card numbers in the journal after the retention period,
        patrons not seen lately, replayed queue entries older than the retention period."""
        keep = timedelta(days=self.config.storage.retention_days)
        try:
            forgotten = self.journal.forget_patrons(keep)
            expired = self.patron_cache.expire()
            purged = self.queue.purge(keep)
        except Exception:  # disk trouble: try again next time, the kiosk keeps serving
            log.exception("maintenance failed")
            return
        if forgotten or expired or purged:
            log.info("maintenance: %d journal entries anonymised, %d cached patrons forgotten, "
                     "%d replayed entries purged", forgotten, expired, purged)

    def _maintain_regularly(self) -> None:
        while not self._stopping.is_set():
            self.maintain()
            self._stopping.wait(_MAINTENANCE_INTERVAL)

    def _on_link_change(self, online: bool) -> None:
        if online:
            self.replay_worker.acs_is_back()

    def _on_queue_alert(self, alert: QueueAlert) -> None:
        self.alerts.append(alert)
        log.warning("offline queue %s: %d waiting, oldest %s", "alert" if alert.raised else "drained",
                    alert.waiting, alert.oldest_age)

    # --- what the patron does -------------------------------------------------------------

    def handle_scan(self, scan: str | Classified, mode: Mode = Mode.CHECKOUT, *,
                    pin: str | None = None) -> ScanResult:
        """A barcode arrived: log in, check out or return, by what it is. A scanner's barcode
        comes classified where it entered the kiosk; typed text is classified here."""
        classified = scan if isinstance(scan, Classified) else self.classifier.classify(scan)
        if classified.kind is ScanKind.PATRON:
            return self.circulation.log_in(classified, pin)
        if classified.kind is ScanKind.TECHNICIAN:
            return TechnicianCard(classified.text)
        if classified.kind is ScanKind.ITEM:
            return self._item(classified.text, mode)
        hint = " It looks like a library card." if classified.candidate is ScanKind.PATRON else ""
        return NotUnderstood(classified.text, f"This barcode was not recognised ({classified.reason}).{hint}")

    def handle_device_event(self, event: DeviceEvent, mode: Mode = Mode.CHECKOUT) -> ScanResult | None:
        """An RFID event: an item placed on the pad is checked out or returned like a scan; the
        parts of a set are collected until every part is there (or reported missing)."""
        if isinstance(event, ItemRemoved) and event.tag is not None:
            parts = self._sets_on_pad.get(event.tag.item_id)
            if parts is not None:
                parts.pop(event.tag.part_number, None)
            return None
        if not isinstance(event, ItemPlaced):
            return None
        tag = event.tag  # an item by its data model: never matched against the barcode patterns
        if tag.parts_in_item <= 1:
            return self._item(tag.item_id, mode, uids=(tag.uid,))
        parts = self._sets_on_pad.setdefault(tag.item_id, {})
        parts[tag.part_number] = tag.uid
        missing = tuple(n for n in range(1, tag.parts_in_item + 1) if n not in parts)
        uids = tuple(parts[n] for n in sorted(parts))
        return self._item(tag.item_id, mode, uids=uids, missing_parts=missing)

    def _item(self, item_id: str, mode: Mode, *, uids: tuple[str, ...] = (),
              missing_parts: tuple[int, ...] = ()) -> ItemOutcome:
        if mode is Mode.RETURN:
            return self.circulation.checkin(item_id, uids=uids, missing_parts=missing_parts)
        return self.circulation.checkout(item_id, uids=uids, missing_parts=missing_parts)

