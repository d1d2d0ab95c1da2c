"""Prometheus metrics of a kiosk, through prometheus_client: a collector that turns a status
snapshot into metric families, served on an HTTP endpoint bound to localhost (with content
negotiation: the classic text format or OpenMetrics) or written for node_exporter's textfile
collector (atomically, so a scrape never reads half a file)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from kiosk.monitoring.status import KioskStatus

PRINTER_STATES = ("ready", "paper low", "paper out", "offline", "unreachable", "not configured")


class StatusCollector(Collector):
    """Every series of the kiosk from one snapshot per scrape, labelled with the kiosk's id."""

    def __init__(self, snapshot: Callable[[], tuple[KioskStatus, Iterable[str]]]) -> None:
        self.snapshot = snapshot  # the status now, and the staff alerts raised

    def collect(self) -> Iterator[Metric]:
        """The metric families of the current snapshot."""
        status, active_alerts = self.snapshot()
        kiosk = status.kiosk_id

        def gauge(name: str, text: str, labels: tuple[str, ...] = (),
                  samples: Iterable[tuple[tuple[str, ...], float]] = ()) -> GaugeMetricFamily:
            family = GaugeMetricFamily(f"library_kiosk_{name}", text, labels=("kiosk", *labels))
            for values, value in samples:
                family.add_metric([kiosk, *values], float(value))
            return family

        yield gauge("info", "Version of the kiosk software.", ("version",), [((status.version,), 1)])
        yield gauge("acs_online", "1 when the library system answers.", samples=[((), status.online)])
        yield gauge("in_service", "1 when patrons may use the kiosk, 0 when it shows out of service.",
                    samples=[((), status.in_service)])
        yield gauge("queue_waiting", "Offline transactions not yet sent to the library system.",
                    samples=[((), status.queue_waiting)])
        yield gauge("queue_refused", "Replayed transactions the library system refused, not yet dealt with.",
                    samples=[((), status.queue_refused)])
        yield gauge("queue_oldest_age_seconds", "Age of the oldest waiting offline transaction (0: none).",
                    samples=[((), status.queue_oldest_seconds or 0.0)])
        yield gauge("device_up", "1 when the device is connected.", ("device", "role", "driver"),
                    [((d.name, d.role, d.driver), d.up) for d in status.devices])
        yield gauge("printer_state", "The receipt printer's state (1 for the current one).", ("state",),
                    [((state,), status.printer == state) for state in PRINTER_STATES])
        yield gauge("email_outbox", "E-mails waiting to be sent (pending) or given up (failed).", ("state",),
                    [(("pending",), status.outbox_pending), (("failed",), status.outbox_failed)])
        transactions = CounterMetricFamily("library_kiosk_transactions", "Transactions recorded in the kiosk's "
                                           "journal, by kind.", labels=("kiosk", "kind"))
        for kind, count in status.transactions:
            transactions.add_metric([kiosk, kind], float(count))
        yield transactions
        if status.last_transaction_at is not None:
            yield gauge("last_transaction_timestamp_seconds", "When the last transaction was recorded.",
                        samples=[((), status.last_transaction_at.timestamp())])
        yield gauge("alert_active", "Staff alerts currently raised.", ("alert",),
                    [((name,), 1) for name in sorted(active_alerts)])


def registry_for(snapshot: Callable[[], tuple[KioskStatus, Iterable[str]]]) -> CollectorRegistry:
    """A registry of the kiosk's own series only (no process or Python metrics of the library's)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StatusCollector(snapshot))
    return registry


def render_metrics(status: KioskStatus, active_alerts: Iterable[str] = ()) -> str:
    """The snapshot in the Prometheus text format."""
    return generate_latest(registry_for(lambda: (status, active_alerts))).decode("utf-8")


def write_textfile(path: str | os.PathLike[str], text: str) -> None:
    """Replace the file atomically (node_exporter's textfile collector reads *.prom files).

    Not prometheus_client's write_to_textfile: that one leaves the file with the service's
    umask (0077 under systemd), and node_exporter, another user, could not read it."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".library_kiosk.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class MetricsServer:
    """prometheus_client's HTTP server for `registry` on `address:port` (port 0: any free port,
    see `.port`); started at once, in a daemon thread."""

    def __init__(self, address: str, port: int, registry: CollectorRegistry) -> None:
        self._server, self._thread = start_http_server(port, addr=address, registry=registry)
        self.port: int = self._server.server_address[1]

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._thread.join(5)
        self._server.server_close()
