"""Monitoring wired to a running kiosk: snapshots on a timer feed the metrics file and the staff
alerts; the HTTP metrics endpoint and the heartbeat take their own snapshot when asked.

prometheus_client (with its HTTP server) loads only when metrics are on or asked for: a kiosk
without them does not carry it (1-2 MB) all day."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING

from kiosk.monitoring.alerts import AlertChange, AlertRules
from kiosk.monitoring.heartbeat import Heartbeat
from kiosk.monitoring.status import KioskStatus, Observed, take_status

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from kiosk.monitoring.metrics import MetricsServer

log = logging.getLogger(__name__)


class Monitoring:
    """Metrics, heartbeat and alerts of one kiosk, as its `[monitoring]` and `[alerts]` say;
    `runtime.attach(Monitoring(runtime))` starts and stops them with the kiosk."""

    def __init__(self, runtime: Observed) -> None:
        self.runtime = runtime
        self.settings = runtime.config.monitoring
        self.rules = AlertRules(runtime.config.alerts)
        self.latest: KioskStatus | None = None
        self.metrics_server: MetricsServer | None = None
        self.heartbeat: Heartbeat | None = None
        if self.settings.heartbeat_url:
            self.heartbeat = Heartbeat(self.settings.heartbeat_url, self.settings.heartbeat_interval,
                                       lambda: take_status(self.runtime).to_json(),
                                       token=self.settings.heartbeat_token)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def _snapshot(self) -> tuple[KioskStatus, Iterable[str]]:
        return take_status(self.runtime), self.rules.active

    @cached_property
    def registry(self) -> CollectorRegistry:
        """The kiosk's metrics registry (made, with prometheus_client, when first needed)."""
        from kiosk.monitoring.metrics import registry_for

        return registry_for(self._snapshot)

    def metrics(self) -> str:
        """The metrics as of now, in the Prometheus text format."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry).decode("utf-8")

    def check(self) -> list[AlertChange]:
        """Take a snapshot, write the metrics file, and raise or clear alerts; returns the changes."""
        status = take_status(self.runtime)
        self.latest = status
        changes = self.rules.evaluate(status)
        if self.settings.metrics == "textfile":
            from kiosk.monitoring.metrics import render_metrics, write_textfile

            try:
                write_textfile(self.settings.textfile, render_metrics(status, self.rules.active))
            except OSError as exc:
                log.warning("cannot write the metrics file %s: %s", self.settings.textfile, exc)
        for change in changes:
            log.log(logging.WARNING if change.raised else logging.INFO, "alert %s: %s",
                    "raised" if change.raised else "cleared", change.subject)
            self._mail(change)
        return changes

    def _mail(self, change: AlertChange) -> None:
        receipts = self.runtime.receipts
        for address in self.runtime.config.alerts.to:
            receipts.outbox.add(address, change.subject, change.text)
        if self.runtime.config.alerts.to:
            receipts.sender.wake()

    def start(self) -> None:
        """Start the snapshot timer, the metrics endpoint and the heartbeat, as configured."""
        if self.settings.metrics == "http" and self.metrics_server is None:
            from kiosk.monitoring.metrics import MetricsServer

            try:
                self.metrics_server = MetricsServer(self.settings.metrics_address, self.settings.metrics_port,
                                                    self.registry)
            except OSError as exc:  # port taken: the kiosk still serves patrons
                log.error("metrics endpoint %s:%d not started: %s", self.settings.metrics_address,
                          self.settings.metrics_port, exc)
                self.metrics_server = None
        if self.heartbeat is not None:
            self.heartbeat.start()
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="monitoring", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop everything monitoring started."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        if self.heartbeat is not None:
            self.heartbeat.stop()
        if self.metrics_server is not None:
            self.metrics_server.stop()
            self.metrics_server = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.check()
            except Exception:  # a failed snapshot must not end monitoring
                log.exception("monitoring snapshot failed")
            self._stopping.wait(self.settings.interval)
