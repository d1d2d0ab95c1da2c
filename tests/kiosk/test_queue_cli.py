"""`kiosk queue list|replay|export|purge|resolve` on a real database and a loopback ACS."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest

from kiosk.cli import main
from kiosk.storage import EntryState, OfflineQueue, Settlement, open_database

from tests.kiosk.queue_canned_acs import INSTITUTION, CannedACS

WHEN = datetime(2026, 3, 2, 10, 0, 0)
DUE = datetime(2026, 3, 23, 23, 59, 59)


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "kiosk.sqlite"
    db = open_database(path)
    queue = OfflineQueue(db)
    queue.enqueue("checkout", item_id="I1", patron_id="P1", transaction_date=WHEN, due_date=DUE)
    queue.enqueue("checkout", item_id="I2", patron_id="P1", transaction_date=WHEN, due_date=DUE,
                  title="=cmd")
    queue.enqueue("checkin", item_id="I3", transaction_date=WHEN)
    db.close()
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_as_text_and_json(capsys, database):
    code, out, _ = run(capsys, "queue", "list", "--database", database)
    assert code == 0 and "waiting 3 (pending 3, sending 0)" in out and "item I2 patron P1" in out
    code, out, _ = run(capsys, "queue", "list", "--database", database, "--json", "--state", "all")
    data = json.loads(out)
    assert data["counts"]["pending"] == 3 and data["oldest_waiting_seconds"] >= 0
    assert [e["item_id"] for e in data["entries"]] == ["I1", "I2", "I3"]
    assert data["entries"][0]["transaction_date"] == WHEN.isoformat()


def test_list_pages_and_filters(capsys, database):
    code, out, _ = run(capsys, "queue", "list", "--database", database, "--limit", "2")
    assert code == 0 and "item I2" in out and "item I3" not in out and "--limit 2 reached" in out
    code, out, _ = run(capsys, "queue", "list", "--database", database, "--json", "--limit", "1")
    data = json.loads(out)
    assert sorted(data) == ["counts", "entries", "oldest_waiting_seconds"]
    assert [e["item_id"] for e in data["entries"]] == ["I1"] and data["counts"]["pending"] == 3
    code, out, _ = run(capsys, "queue", "list", "--database", database, "--json", "--limit", "0")
    assert [e["item_id"] for e in json.loads(out)["entries"]] == ["I1", "I2", "I3"]
    code, out, _ = run(capsys, "queue", "list", "--database", database, "--json", "--state", "done")
    assert code == 0 and json.loads(out)["entries"] == []
    code, out, _ = run(capsys, "queue", "list", "--database", database, "--json", "--since", "2999-01-01")
    assert code == 0 and json.loads(out)["entries"] == []
    code, out, _ = run(capsys, "queue", "list", "--database", database, "--json", "--since", "2000-01-01T08:30")
    assert code == 0 and len(json.loads(out)["entries"]) == 3


@pytest.mark.parametrize("argv, message", [
    (("--since", "last tuesday"), "not a date or time: 'last tuesday'"),
    (("--limit", "-1"), "cannot be negative"),
    (("--limit", "ten"), "not a number of entries"),
    (("--state", "lost"), "invalid choice: 'lost'"),
])
def test_list_explains_bad_options(capsys, database, argv, message):
    with pytest.raises(SystemExit) as exit_status:
        main(["queue", "list", "--database", database, *argv])
    assert exit_status.value.code == 2 and message in capsys.readouterr().err


def test_replay_against_a_loopback_acs(capsys, database):
    with CannedACS(["I1", "I3"]) as acs:
        acs.loans["I3"] = ("P9", DUE)
        host, port = acs.address
        code, out, _ = run(capsys, "queue", "replay", "--database", database, "--host", host,
                           "--port", str(port), "--user", "kiosk", "--password", "kiosk",
                           "--institution", INSTITUTION, "--json")
    report = json.loads(out)
    assert code == 0 and report["completed"] and (report["done"], report["refused"]) == (2, 1)
    assert [a.item_id for a in acs.applied()] == ["I1", "I2", "I3"]

    code, out, _ = run(capsys, "queue", "export", "--database", database)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [(r["item_id"], r["title"], r["reason"]) for r in rows] == [
        ("I2", "Title of I2", "Unknown item.")]  # the ACS's title wins

    code, out, _ = run(capsys, "queue", "resolve", "--database", database, str(rows[0]["id"]),
                       "--note", "wrong barcode label")
    assert code == 0 and "marked resolved" in out
    code, out, _ = run(capsys, "queue", "export", "--database", database)
    assert code == 0 and len(out.strip().splitlines()) == 1  # header only


def test_replay_with_the_acs_down_says_why_and_fails(capsys, database):
    with CannedACS([]) as gone:
        host, port = gone.address
    code, out, _ = run(capsys, "queue", "replay", "--database", database, "--host", host,
                       "--port", str(port))
    assert code == 1 and "stopped: cannot connect" in out and "3 still waiting" in out


def test_export_to_a_file_and_purge(capsys, database, tmp_path):
    queue = OfflineQueue(database)
    entry = queue.advance()
    entry = queue.advance(Settlement(entry.id, EntryState.DONE))
    queue.advance(Settlement(entry.id, EntryState.REFUSED, reason="blocked"), take_next=False)
    target = tmp_path / "refused.csv"
    code, out, _ = run(capsys, "queue", "export", "--database", database, "--output", str(target))
    assert code == 0 and "1 refused entries written" in out
    assert list(csv.DictReader(target.open()))[0]["reason"] == "blocked"

    code, out, _ = run(capsys, "queue", "purge", "--database", database, "--days", "30", "--json")
    assert code == 0 and json.loads(out) == {"purged": 0}
    code, out, _ = run(capsys, "queue", "purge", "--database", database, "--days", "0")
    assert code == 0 and "1 done entries" in out
    assert [e.state for e in queue.entries()] == [EntryState.REFUSED, EntryState.PENDING]


def test_errors_are_one_clear_line(capsys, database, tmp_path):
    code, _, err = run(capsys, "queue", "list", "--database", str(tmp_path / "missing.sqlite"))
    assert code == 2 and "there is no kiosk database" in err
    code, _, err = run(capsys, "queue", "resolve", "--database", database, "1")
    assert code == 2 and "only an unresolved refused entry" in err
    with pytest.raises(SystemExit):
        main(["queue", "purge", "--database", database, "--days", "-3"])
    assert "cannot be negative" in capsys.readouterr().err


def test_the_database_comes_from_the_environment(capsys, database, monkeypatch):
    monkeypatch.setenv("KIOSK_DATABASE", database)
    code, out, _ = run(capsys, "queue", "list")
    assert code == 0 and "waiting 3" in out


def test_replay_with_the_kiosk_configuration(capsys, database, tmp_path):
    with CannedACS(["I1", "I2", "I3"]) as acs:
        acs.loans["I3"] = ("P9", DUE)
        host, port = acs.address
        config = tmp_path / "kiosk.toml"
        config.write_text(f'[sip2]\nhost = "{host}"\nport = {port}\nusername = "kiosk"\n'
                          f'password = "kiosk"\ninstitution = "{INSTITUTION}"\n'
                          f'[storage]\ndatabase = "{database}"\n')
        code, out, _ = run(capsys, "queue", "list", "--config", str(config))
        assert code == 0 and "waiting 3" in out
        code, out, _ = run(capsys, "queue", "replay", "--config", str(config))
    assert code == 0 and "3 done, 0 refused" in out and len(acs.applied()) == 3


def test_replay_needs_an_address_and_a_valid_configuration(capsys, database, tmp_path):
    code, _, err = run(capsys, "queue", "replay", "--database", database)
    assert code == 2 and "--host and --port, or --config" in err
    config = tmp_path / "kiosk.toml"
    config.write_text('[sip2]\nhost = "127.0.0.1"\nprot = 6001\n')
    code, _, err = run(capsys, "queue", "replay", "--config", str(config))
    assert code == 2 and "prot" in err and "kiosk.toml" in err


@pytest.mark.parametrize("variable, warned", [("SIP2_PASSWORD", False), ("KIOSK_SIP2_PASSWORD", True)])
def test_replay_takes_the_password_from_the_same_variable_as_sip2_client(capsys, database, monkeypatch,
                                                                         variable, warned):
    monkeypatch.delenv("SIP2_PASSWORD", raising=False)
    monkeypatch.delenv("KIOSK_SIP2_PASSWORD", raising=False)
    monkeypatch.setenv(variable, "kiosk")  # the old name still works, with a warning
    with CannedACS(["I1", "I2", "I3"]) as acs:
        host, port = acs.address
        code, out, err = run(capsys, "queue", "replay", "--database", database, "--host", host,
                             "--port", str(port), "--user", "kiosk", "--institution", INSTITUTION, "--json")
    assert code == 0 and json.loads(out)["completed"], err
    assert ("KIOSK_SIP2_PASSWORD is deprecated; set $SIP2_PASSWORD" in err) == warned


@pytest.mark.parametrize("timeout", ["nan", "inf", "0", "-1"])
def test_replay_refuses_a_timeout_that_is_not_a_positive_number(capsys, database, timeout):
    with pytest.raises(SystemExit):
        main(["queue", "replay", "--database", database, "--host", "127.0.0.1", "--port", "1",
              "--timeout", timeout])
    assert "seconds above 0" in capsys.readouterr().err
