"""The technician's `sip2` command: decode logs, talk to an ACS."""

from __future__ import annotations

import json

import pytest

from sip2.cli import main
from sip2.emulator import ACSEmulator
from sip2.emulator.demo_data import DEMO

from tests.sip2.vectors import VALID


def test_decode_prints_one_json_object_per_line_and_survives_garbage(tmp_path, capsys):
    log = tmp_path / "sip2.log"
    log.write_bytes(VALID[7] + b"\r\n" + b"garbage\n\n" + VALID[4] + b"\n" + b"12X\n" + VALID[9] + b"\n")
    assert main(["decode", "--mask", str(log)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 5
    checkout, garbage, login, broken, checkin = records
    assert checkout["code"] == "11" and checkout["name"] == "checkout" and checkout["checksum"] == "ok"
    assert checkout["sequence"] == 3 and checkout["error"] is None
    assert checkout["fields"]["item_id"] == "000000000005792"
    assert checkout["fields"]["transaction_date"] == "1996-02-12T10:05:14"
    assert garbage["error"] and garbage["code"] is None
    assert login["fields"]["login_password"] == "***"
    assert broken["code"] == "12" and "fixed fields" in broken["error"]
    assert checkin["fields"]["screen_messages"] == ["Screen Message for CheckInBook"]


def test_decode_reads_standard_input(monkeypatch, capsys):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(VALID[2] + b"\n")))
    assert main(["decode"]) == 0
    assert json.loads(capsys.readouterr().out)["fields"] == {"ok": True}


@pytest.fixture
def acs():
    with ACSEmulator(institution_id="DEMO") as emulator:
        yield emulator


def client_args(acs: ACSEmulator) -> list[str]:
    host, port = acs.address
    return ["client", "--host", host, "--port", str(port), "--user", "kiosk", "--password", "kiosk",
            "--institution", "DEMO", "--timeout", "5"]


def test_client_runs_login_status_and_one_command(acs, capsys):
    assert main(client_args(acs) + ["checkout", DEMO.good_patron, DEMO.available_items[0], "--pin", "1234"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["login"] == {"ok": True} and out["status"]["online"] is True
    assert out["reply"]["code"] == "12" and out["reply"]["fields"]["ok"] is True
    assert out["reply"]["fields"]["item_id"] == DEMO.available_items[0]


def test_client_reports_a_refused_login_clearly(acs, capsys):
    args = client_args(acs)
    args[args.index("--password") + 1] = "wrong"
    assert main(args + ["status"]) == 2
    captured = capsys.readouterr()
    assert "refused the SIP2 login" in json.loads(captured.out)["error"]
    assert "refused the SIP2 login" in captured.err


def test_client_password_from_the_environment(acs, capsys, monkeypatch):
    monkeypatch.setenv("SIP2_PASSWORD", "kiosk")
    args = client_args(acs)
    del args[args.index("--password"):args.index("--password") + 2]
    assert main(args + ["item-info", DEMO.available_items[1]]) == 0
    assert json.loads(capsys.readouterr().out)["reply"]["fields"]["circulation_status"] == "03"


def test_decode_splits_lines_on_cr_as_a_real_acs_capture_ends_them(tmp_path, capsys):
    capture = tmp_path / "acs.log"
    capture.write_bytes(VALID[4] + b"\r" + VALID[2] + b"\r\n" + VALID[7] + b"\n" + VALID[9])
    assert main(["decode", str(capture)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["code"] for r in records] == ["93", "94", "11", "10"]
    assert all(r["checksum"] == "ok" and r["error"] is None for r in records)


def test_client_trace_shows_every_message_on_stderr_with_secrets_masked(acs, capsys):
    assert main(client_args(acs) + ["--trace", "patron-status", DEMO.good_patron, "--pin", DEMO.good_pin]) == 0
    err = capsys.readouterr().err.splitlines()
    sent = [line for line in err if line.startswith("SC -> ACS ")]
    received = [line for line in err if line.startswith("ACS -> SC ")]
    assert [line[10:12] for line in sent] == ["93", "99", "23"]
    assert [line[10:12] for line in received] == ["94", "98", "24"]
    assert "COkiosk" not in "\n".join(err) and "CO***" in sent[0]
    assert f"AD{DEMO.good_pin}" not in "\n".join(err) and "AD***" in sent[2]
    assert main(client_args(acs) + ["status"]) == 0
    assert "SC -> ACS" not in capsys.readouterr().err  # tracing ends with the command


@pytest.mark.timeout(120)
@pytest.mark.parametrize("due_date_format, due", [("sip2", r"\d{8} {4}\d{6}"),
                                                  ("text", r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")])
def test_emulator_command_verbose_with_a_due_date_format(tmp_path, due_date_format, due):
    import re
    import signal
    import subprocess
    import sys

    from sip2.client import SIP2Client

    command = [sys.executable, "-m", "sip2.emulator", "--port", "0", "--db", str(tmp_path / "lib.db"),
               "-v", "--due-date-format", due_date_format]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        host, port = re.search(r"listening on ([\d.]+):(\d+)", process.stdout.readline()).groups()
        with SIP2Client(host, int(port), username="kiosk", password="kiosk", institution_id="DEMO") as sc:
            out = sc.checkout(DEMO.good_patron, DEMO.available_items[0], patron_password=DEMO.good_pin)
        assert out.ok and re.fullmatch(due, out.due_date)
    finally:
        process.send_signal(signal.SIGTERM)
        _, log = process.communicate(timeout=60)
    assert process.returncode == 0
    assert re.search(r"-> 11.*AD\*\*\*", log) and "CO***" in log and f"AD{DEMO.good_pin}" not in log


def test_client_trace_shows_what_could_not_be_read_too(capsys):
    from tests.sip2.scripted_acs import ScriptedACS

    with ScriptedACS(lambda received: [b"HTTP/1.1 400 Bad Request\r"]) as acs:
        host, port = acs.address
        assert main(["client", "--host", host, "--port", str(port), "--timeout", "5", "--trace", "status"]) == 2
    err = capsys.readouterr().err
    assert "SC -> ACS 99" in err and "ACS -> SC HTTP/1.1 400 Bad Request" in err
