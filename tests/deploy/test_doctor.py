"""`kiosk doctor` against real things on 127.0.0.1 and a pty: the ACS emulator, a serial scanner,
the network printer emulator, an SMTP server, and a real database."""

from __future__ import annotations

import json
import os
import sqlite3
import tty
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.cli import main
from kiosk.config import parse_config
from kiosk.core.runtime import KioskRuntime
from kiosk.doctor import checks_for_runtime, run_checks
from kiosk.doctor.checks import Verdict, clock
from kiosk.receipts.printer_emulator import PAPER_OUT, PrinterEmulator
from kiosk.storage.db import open_database
from kiosk.storage.migrations import MIGRATIONS
from kiosk.storage.queue import OfflineQueue

from tests.deploy.smtp_server import SMTPServer


@pytest.fixture
def scanner_port():
    master, slave = os.openpty()
    tty.setraw(slave)
    yield os.ttyname(slave)
    os.close(slave)
    os.close(master)


@pytest.fixture
def printer():
    emulator = PrinterEmulator().start()
    yield emulator
    emulator.stop()


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


def write_config(tmp_path, acs, scanner_port, printer, smtp, password="kiosk"):
    host, port = acs.address
    path = tmp_path / "kiosk.toml"
    path.write_text(f"""
[kiosk]
id = "branch-7"
[sip2]
host = "{host}"
port = {port}
username = "kiosk"
password = "{password}"
institution = "DEMO"
timeout = 2.0
connect_timeout = 1.0
[storage]
database = "{tmp_path / 'kiosk.db'}"
[[scanner]]
driver = "serial"
name = "desk"
port = "{scanner_port}"
[printer]
driver = "network"
host = "{printer.address[0]}"
port = {printer.address[1]}
timeout = 1.0
[email]
host = "127.0.0.1"
port = {smtp.port}
security = "none"
sender = "kiosk@library.example"
""")
    path.chmod(0o600)  # it holds the SIP2 password
    return path


def by_name(checks):
    return {c.name: c for c in checks}


def test_a_healthy_kiosk(tmp_path, acs, scanner_port, printer, smtp, capsys):
    path = write_config(tmp_path, acs, scanner_port, printer, smtp)
    database = open_database(tmp_path / "kiosk.db")
    OfflineQueue(database).enqueue("checkin", item_id="31234567890126", transaction_date=datetime.now())
    database.close()
    checks = by_name(run_checks(str(path)))
    assert checks["device:desk"].verdict is Verdict.OK
    assert checks["acs:connect"].verdict is Verdict.OK and "logged in as kiosk" in checks["acs:connect"].detail
    assert checks["acs:status"].verdict is Verdict.OK and "online yes" in checks["acs:status"].detail
    assert checks["acs:clock"].verdict is Verdict.OK
    assert checks["queue"].verdict is Verdict.OK and checks["queue"].detail.startswith("1 waiting")
    assert checks["printer"].verdict is Verdict.OK and checks["email"].verdict is Verdict.OK
    assert checks["disk"].verdict in (Verdict.OK, Verdict.WARN)

    assert main(["doctor", "--config", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == ["config", "device:desk", "acs:connect", "acs:status",
                                                     "acs:clock", "disk", "queue", "printer", "email"]


def test_failures_exit_1_with_hints(tmp_path, acs, printer, smtp, capsys):
    path = write_config(tmp_path, acs, "/dev/kiosk-no-such-scanner", printer, smtp, password="wrong")
    printer.paper_byte = PAPER_OUT
    assert main(["doctor", "--config", str(path), "--device-wait", "0.5"]) == 1
    out = capsys.readouterr().out
    lines = {line.split()[1]: line for line in out.splitlines()}
    assert lines["device:desk"].startswith("FAIL") and "->" in lines["device:desk"]
    assert lines["acs:login"].startswith("FAIL") and "username and password" in lines["acs:login"]
    assert lines["printer"].startswith("FAIL") and "paper out" in lines["printer"] and "paper roll" in lines["printer"]


def test_an_invalid_config_is_one_failing_line(tmp_path, capsys):
    path = tmp_path / "kiosk.toml"
    path.write_text('[sip2]\nhost = "x"\nprot = 1\n')
    assert main(["doctor", "--config", str(path)]) == 1
    assert "did you mean 'port'" in capsys.readouterr().out


def test_queue_check_reads_without_changing_an_old_database(tmp_path):
    db = tmp_path / "kiosk.db"
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for step in MIGRATIONS[:3]:
        for statement in step.statements:
            raw.execute(statement)
        raw.execute("INSERT INTO schema_version VALUES (?, 'x')", (step.version,))
    old = (datetime.now(timezone.utc) - timedelta(hours=30)).replace(tzinfo=None).isoformat()
    raw.execute("INSERT INTO queue_entries (kind, item_id, transaction_date, state, attempts, created_at, "
                "updated_at) VALUES ('checkin', 'I1', 'x', 'pending', 0, ?, ?)", (old, old))
    raw.commit()
    raw.close()
    from kiosk.doctor.checks import queue
    config = parse_config({"sip2": {"host": "h"}, "storage": {"database": str(db)}})
    checks = by_name(queue(config))
    assert checks["database"].verdict is Verdict.WARN and "schema 3" in checks["database"].detail
    assert checks["queue"].verdict is Verdict.WARN and "oldest 30.0 h" in checks["queue"].detail
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 3  # untouched
    raw.close()


def test_clock_difference():
    now = datetime(2026, 11, 30, 9, 0, 0)
    assert clock(now + timedelta(seconds=30), now).verdict is Verdict.OK
    late = clock(now - timedelta(minutes=10), now)
    assert late.verdict is Verdict.WARN and "600 s" in late.detail and "timedatectl" in late.hint
    assert clock(None, now).verdict is Verdict.WARN


def test_report_from_a_running_kiosk(tmp_path, acs):
    host, port = acs.address
    runtime = KioskRuntime(parse_config({"sip2": {"host": host, "port": port, "username": "kiosk",
                                                  "password": "kiosk", "institution": "DEMO"},
                                         "storage": {"database": str(tmp_path / "kiosk.db")}}), with_devices=False)
    try:
        checks = by_name(checks_for_runtime(runtime))
        assert checks["acs"].verdict is Verdict.OK and checks["queue"].detail.startswith("0 waiting")
        assert checks["printer"].detail == "receipt printer not configured"
    finally:
        runtime.stop()
