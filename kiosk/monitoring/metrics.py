"""Prometheus metrics in the text exposition format: rendered from a status snapshot (pure),
served on a small HTTP endpoint bound to localhost, or written for node_exporter's textfile
collector (atomically, so a scrape never reads half a file)."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterable

from kiosk.monitoring.status import KioskStatus

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PRINTER_STATES = ("ready", "paper low", "paper out", "offline", "unreachable", "not configured")


def render_metrics(status: KioskStatus, active_alerts: Iterable[str] = ()) -> str:
    """The snapshot as Prometheus metrics, every series labelled with the kiosk's id."""
    kiosk = {"kiosk": status.kiosk_id}
    out: list[str] = []

    def metric(name: str, kind: str, text: str, samples: list[tuple[dict[str, str], float]]) -> None:
        out.append(f"# HELP library_kiosk_{name} {text}")
        out.append(f"# TYPE library_kiosk_{name} {kind}")
        out.extend(f"library_kiosk_{name}{_labels({**kiosk, **labels})} {_number(value)}"
                   for labels, value in samples)

    metric("info", "gauge", "Version of the kiosk software.", [({"version": status.version}, 1)])
    metric("acs_online", "gauge", "1 when the library system answers.", [({}, status.online)])
    metric("in_service", "gauge", "1 when patrons may use the kiosk, 0 when it shows out of service.",
           [({}, status.in_service)])
    metric("queue_waiting", "gauge", "Offline transactions not yet sent to the library system.",
           [({}, status.queue_waiting)])
    metric("queue_refused", "gauge", "Replayed transactions the library system refused, not yet dealt with.",
           [({}, status.queue_refused)])
    metric("queue_oldest_age_seconds", "gauge", "Age of the oldest waiting offline transaction (0: none).",
           [({}, status.queue_oldest_seconds or 0.0)])
    metric("device_up", "gauge", "1 when the device is connected.",
           [({"device": d.name, "role": d.role, "driver": d.driver}, d.up) for d in status.devices])
    metric("printer_state", "gauge", "The receipt printer's state (1 for the current one).",
           [({"state": state}, status.printer == state) for state in PRINTER_STATES])
    metric("email_outbox", "gauge", "E-mails waiting to be sent (pending) or given up (failed).",
           [({"state": "pending"}, status.outbox_pending), ({"state": "failed"}, status.outbox_failed)])
    metric("transactions_total", "counter", "Transactions recorded in the kiosk's journal, by kind.",
           [({"kind": kind}, count) for kind, count in status.transactions])
    if status.last_transaction_at is not None:
        metric("last_transaction_timestamp_seconds", "gauge", "When the last transaction was recorded.",
               [({}, status.last_transaction_at.timestamp())])
    metric("alert_active", "gauge", "Staff alerts currently raised.",
           [({"alert": name}, 1) for name in sorted(active_alerts)])
    return "\n".join(out) + "\n"


def _labels(labels: dict[str, str]) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    return "{" + ",".join(f'{key}="{escape(str(value))}"' for key, value in labels.items()) + "}"


def _number(value: float | bool) -> str:
    return repr(float(value)) if not isinstance(value, (bool, int)) else str(int(value))


def write_textfile(path: str | os.PathLike[str], text: str) -> None:
    """Replace the file atomically (node_exporter's textfile collector reads *.prom files)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".library_kiosk.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # node_exporter runs as another user
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class MetricsServer:
    """GET /metrics on `address:port` (port 0: any free port, see `.port`)."""

    def __init__(self, address: str, port: int, render: Callable[[], str]) -> None:
        render_now = render

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404, "only /metrics here")
                    return
                try:
                    body = render_now().encode("utf-8")
                except Exception:  # a failing snapshot is a 500, not a dead endpoint
                    log.exception("metrics could not be rendered")
                    self.send_error(500, "metrics unavailable")
                    return
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                log.debug("metrics: " + format, *args)

        self._server = ThreadingHTTPServer((address, port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics-http", daemon=True)

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()
