"""Monitoring: metrics text (pure), alerts raised once and cleared once (pure), and the real
thing on 127.0.0.1: a runtime against the ACS emulator, the HTTP metrics endpoint, the textfile,
a heartbeat receiver, and alert e-mail through a real SMTP server."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.config import parse_config
from kiosk.config.deployment import AlertSettings
from kiosk.core.runtime import KioskRuntime
from kiosk.monitoring import Monitoring
from kiosk.monitoring.alerts import AlertRules
from kiosk.monitoring.heartbeat import Heartbeat
from kiosk.monitoring.metrics import render_metrics
from kiosk.monitoring.status import DeviceHealth, KioskStatus

from tests.deploy.smtp_server import SMTPServer
from tests.loopback import closed_port

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def status(at=T0, **changes) -> KioskStatus:
    values = dict(kiosk_id="branch-7", version="0.1.0", taken_at=at, online=True, acs_error="", queue_waiting=0,
                  queue_refused=0, queue_oldest_seconds=None,
                  devices=(DeviceHealth("scanner-1", "scanner", "evdev", "connected", ""),),
                  printer="ready", outbox_pending=0, outbox_failed=0, last_transaction_at=None)
    values.update(changes)
    return KioskStatus(**values)


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of a Prometheus text exposition, parsed by prometheus_client itself."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_metrics_text_has_every_series_labelled_and_escaped():
    text = render_metrics(status(kiosk_id='a"b\\c\nd', online=False, queue_waiting=3, queue_oldest_seconds=7200.5,
                                 last_transaction_at=T0), ["library_down"])
    kiosk = {"kiosk": 'a"b\\c\nd'}

    def value(name: str, **labels: str) -> float:
        return samples(text)[f"library_kiosk_{name}", frozenset({**kiosk, **labels}.items())]

    assert value("info", version="0.1.0") == 1
    assert value("acs_online") == 0
    assert value("queue_waiting") == 3
    assert value("queue_refused") == 0
    assert value("queue_oldest_age_seconds") == 7200.5
    assert value("device_up", device="scanner-1", role="scanner", driver="evdev") == 1
    assert value("printer_state", state="ready") == 1 and value("printer_state", state="paper out") == 0
    assert value("email_outbox", state="pending") == 0 and value("email_outbox", state="failed") == 0
    assert value("last_transaction_timestamp_seconds") == T0.timestamp()
    assert value("alert_active", alert="library_down") == 1
    types = {family.name: family.type for family in text_string_to_metric_families(text)}
    assert types.pop("library_kiosk_transactions") == "counter"
    assert set(types.values()) == {"gauge"} and len(types) == 11


def test_out_of_service_is_a_series_of_its_own():
    kiosk = frozenset({"kiosk": "branch-7"}.items())
    assert samples(render_metrics(status()))["library_kiosk_in_service", kiosk] == 1
    assert samples(render_metrics(status(in_service=False)))["library_kiosk_in_service", kiosk] == 0


def test_transactions_are_a_counter_by_kind():
    text = render_metrics(status(transactions=(("checkin", 4), ("checkout", 7))))
    assert "# TYPE library_kiosk_transactions_total counter" in text.splitlines()
    scraped = samples(text)
    assert scraped["library_kiosk_transactions_total", frozenset({"kiosk": "branch-7", "kind": "checkout"}.items())] == 7
    assert scraped["library_kiosk_transactions_total", frozenset({"kiosk": "branch-7", "kind": "checkin"}.items())] == 4


def test_an_alert_is_raised_once_after_its_delay_and_cleared_once():
    rules = AlertRules(AlertSettings(to=("staff@library.example",), library_down_minutes=15))
    down = dict(online=False, acs_error="connection refused")
    assert rules.evaluate(status(T0, **down)) == []
    assert rules.evaluate(status(T0 + timedelta(minutes=14), **down)) == []
    [raised] = rules.evaluate(status(T0 + timedelta(minutes=15), **down))
    assert raised.raised and raised.key == "library_down" and "connection refused" in raised.text
    assert raised.subject == "[branch-7] the library system is unreachable"
    assert rules.evaluate(status(T0 + timedelta(minutes=40), **down)) == []  # no repeat
    assert rules.active == ("library_down",)
    [cleared] = rules.evaluate(status(T0 + timedelta(minutes=41)))
    assert not cleared.raised and "answers again" in cleared.subject and rules.active == ()
    assert rules.evaluate(status(T0 + timedelta(minutes=42))) == []


def test_a_short_outage_raises_nothing():
    rules = AlertRules(AlertSettings(library_down_minutes=15))
    assert rules.evaluate(status(T0, online=False)) == []
    assert rules.evaluate(status(T0 + timedelta(minutes=10))) == []
    assert rules.evaluate(status(T0 + timedelta(minutes=20), online=False)) == []  # the clock starts again


def test_device_printer_and_queue_alerts():
    rules = AlertRules(AlertSettings(device_missing_minutes=5, queue_older_hours=4))
    lost = (DeviceHealth("scanner-1", "scanner", "evdev", "lost", "No such device"),)
    changes = rules.evaluate(status(T0, devices=lost, printer="paper out", queue_waiting=2,
                                    queue_oldest_seconds=5 * 3600))
    assert sorted(c.key for c in changes) == ["printer", "queue_old"]  # at once; the device waits 5 min
    [device] = rules.evaluate(status(T0 + timedelta(minutes=5), devices=lost, printer="paper out",
                                     queue_waiting=2, queue_oldest_seconds=5 * 3600))
    assert device.key == "device_missing:scanner-1" and "No such device" in device.text
    cleared = rules.evaluate(status(T0 + timedelta(minutes=6)))
    assert sorted(c.key for c in cleared) == ["device_missing:scanner-1", "printer", "queue_old"]
    assert not any(c.raised for c in cleared)


def test_printer_alerts_can_be_switched_off():
    rules = AlertRules(AlertSettings(printer=False))
    assert rules.evaluate(status(printer="paper out")) == []


# --- on a real runtime ----------------------------------------------------------------------

def runtime_for(tmp_path, host, port, **sections) -> KioskRuntime:
    data = {"kiosk": {"id": "branch-7", "library_name": "Springfield"},
            "sip2": {"host": host, "port": port, "username": "kiosk", "password": "kiosk", "institution": "DEMO",
                     "timeout": 2.0, "connect_timeout": 1.0},
            "offline": {"probe_interval": 60.0},
            "storage": {"database": str(tmp_path / "kiosk.db")}}
    data.update(sections)
    return KioskRuntime(parse_config(data), with_devices=False)


def test_metrics_endpoint_on_localhost_and_textfile(tmp_path, acs):
    textfile = tmp_path / "library_kiosk.prom"
    runtime = runtime_for(tmp_path, *acs.address,
                          monitoring={"metrics": "http", "metrics_port": 0, "interval": 3600.0})
    try:
        assert runtime.link.probe()
        monitoring = Monitoring(runtime)
        runtime.attach(monitoring)
        monitoring.start()
        port = monitoring.metrics_server.port
        assert monitoring.metrics_server._server.server_address[0] == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            body = response.read().decode()
            assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        scraped = samples(body)
        assert scraped["library_kiosk_acs_online", frozenset({"kiosk": "branch-7"}.items())] == 1
        assert scraped["library_kiosk_queue_waiting", frozenset({"kiosk": "branch-7"}.items())] == 0
        openmetrics = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                             headers={"Accept": "application/openmetrics-text; version=1.0.0"})
        with urllib.request.urlopen(openmetrics, timeout=5) as response:
            assert response.headers["Content-Type"].startswith("application/openmetrics-text")
            assert response.read().decode().endswith("# EOF\n")
        assert scraped["library_kiosk_in_service", frozenset({"kiosk": "branch-7"}.items())] == 1
        assert "# TYPE library_kiosk_transactions_total counter" in body  # the journal is asked, empty yet
    finally:
        runtime.stop()
    with pytest.raises(OSError):  # stopped with the runtime it was attached to
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5)
    runtime = runtime_for(tmp_path, *acs.address, monitoring={"metrics": "textfile", "textfile": str(textfile)})
    try:
        Monitoring(runtime).check()
        assert samples(textfile.read_text())["library_kiosk_acs_online", frozenset({"kiosk": "branch-7"}.items())] == 1
        assert textfile.stat().st_mode & 0o777 == 0o644  # node_exporter runs as another user
        assert [p.name for p in tmp_path.glob(".library_kiosk.*")] == []  # no temporary file left
    finally:
        runtime.stop()


class Receiver:
    """A heartbeat receiver on 127.0.0.1 that records what it gets and answers `status`."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict, str]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append((json.loads(body), self.headers.get("Authorization", "")))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/kiosk"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_heartbeat_posts_status_and_backs_off(tmp_path, acs):
    receiver = Receiver()
    runtime = runtime_for(tmp_path, *acs.address,
                          monitoring={"heartbeat_url": receiver.url, "heartbeat_interval": 30.0,
                                      "heartbeat_token": "t0ken"})
    try:
        beat = Monitoring(runtime).heartbeat
        assert beat.send_once()
        payload, auth = receiver.posts[0]
        assert payload["kiosk_id"] == "branch-7" and payload["online"] is True and payload["queue_waiting"] == 0
        assert payload["version"] and payload["taken_at"].endswith("+00:00") and auth == "Bearer t0ken"
        receiver.status = 503
        assert not beat.send_once() and "503" in beat.last_error
        assert [beat.next_wait(False) for _ in range(6)] == [30.0, 60.0, 120.0, 240.0, 480.0, 600.0]
        receiver.status = 200
        assert beat.send_once() and beat.next_wait(True) == 30.0 and beat.last_error == ""
    finally:
        runtime.stop()
        receiver.stop()
    unreachable = Heartbeat(f"http://127.0.0.1:{closed_port()}/", 10.0, lambda: {}, timeout=2.0)
    assert not unreachable.send_once() and unreachable.last_error


def test_library_down_alert_is_mailed_to_staff_once(tmp_path):
    smtp = SMTPServer().start()
    runtime = runtime_for(tmp_path, "127.0.0.1", closed_port(),
                          email={"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                 "sender": "kiosk@library.example"},
                          alerts={"to": ["staff@library.example"], "library_down_minutes": 0.0})
    try:
        assert not runtime.link.probe()
        monitoring = Monitoring(runtime)
        [change] = monitoring.check()
        assert change.raised and monitoring.check() == []
        assert runtime.receipts.sender.send_due() == 1
        _, recipients, content = smtp.received.messages[0]
        assert recipients == ["staff@library.example"]
        assert b"Subject: [branch-7] the library system is unreachable" in content
    finally:
        runtime.stop()
        smtp.stop()
