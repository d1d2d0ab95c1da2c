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
