"""Crash safety: a kiosk process queueing and replaying 1,000 transactions is killed again and again.

The test runs an ACS on loopback (the project's ACS emulator when it is available, else the
canned ACS) and starts this module as a child process (`python -m tests.kiosk.test_crash_replay
...`) that queues a seeded plan of mixed transactions and replays them. The test kills the
child with SIGKILL at seeded random moments and starts it again until it finishes by itself.
Then no transaction is lost (every one is done or refused) and none was applied twice (each
appears at most once in the ACS's transaction log; each done one exactly once).
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kiosk.storage import EntryState, Journal, OfflineQueue, Replayer, connect_with

if TYPE_CHECKING:  # either ACS is imported only when the test picks it
    from sip2.emulator import ACSEmulator

    from tests.kiosk.queue_canned_acs import CannedACS

SEED = 20261130
TRANSACTIONS = 1000
MAX_KILLS = 15
UNKNOWN_ITEM = "39999999999999"
CODES = {"checkout": "11", "checkin": "09", "renew": "29"}
ROOT = Path(__file__).resolve().parents[2]


def make_plan(seed: int, count: int, items: list[str], patrons: list[str]) -> list[dict]:
    """A day of mixed offline transactions that make sense in order (returns of loaned items,
    renewals by the borrower, each to a new due day), a few of an unknown item that the ACS
    must refuse.
    Every transaction date is distinct, so each can be found in the ACS's log."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 2, 9, 0, 0)
    on_loan: dict[str, tuple[str, datetime]] = {}  # item -> (patron, due date)
    plan = []
    for n in range(count):
        when = start + timedelta(minutes=n)
        item = rng.choice(items)
        if rng.random() < 0.02:
            plan.append(dict(kind="checkout", item_id=UNKNOWN_ITEM, patron_id=patrons[0],
                             transaction_date=when, due_date=when + timedelta(days=21)))
        elif item not in on_loan:
            on_loan[item] = (rng.choice(patrons), when + timedelta(days=21))
            plan.append(dict(kind="checkout", item_id=item, patron_id=on_loan[item][0],
                             transaction_date=when, due_date=on_loan[item][1]))
        elif rng.random() < 0.6:
            del on_loan[item]
            plan.append(dict(kind="checkin", item_id=item, transaction_date=when))
        else:  # a renewal moves the due date on by two weeks
            patron, due = on_loan[item]
            on_loan[item] = (patron, due + timedelta(days=14))
            plan.append(dict(kind="renew", item_id=item, patron_id=patron, transaction_date=when,
                             due_date=on_loan[item][1]))
    return plan


def child_main(db_path: str, host: str, port: int, institution: str, items: str, patrons: str) -> int:
    """The kiosk side: queue the plan's next transactions, replay, repeat until all are processed."""
    plan = make_plan(SEED, TRANSACTIONS, items.split(","), patrons.split(","))
    queue = OfflineQueue(db_path)
    journal = Journal(queue.db)
    replayer = Replayer(queue, connect_with(host=host, port=port, username="kiosk", password="kiosk",
                                            institution_id=institution, timeout=5.0), journal=journal)
    rng = random.Random()
    print("ready", flush=True)
    while True:
        counts = queue.counts()
        queued = counts.waiting + counts.done + counts.refused
        for step in plan[queued:queued + rng.randint(1, 40)]:
            queue.enqueue(journal=journal, **step)
        report = replayer.replay_once()
        if not report.completed:
            print(f"replay stopped: {report.stopped_by}", file=sys.stderr, flush=True)
        if queued == len(plan) and queue.counts().waiting == 0:
            return 0


class _ACSUnderTest:
    """An ACS on loopback seen the way this test needs it: `server` (started and stopped with the
    block), `institution`, `items`, `patrons`, and `log()` of the circulation it applied."""

    server: ACSEmulator | CannedACS

    def __enter__(self) -> _ACSUnderTest:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    @property
    def address(self) -> tuple[str, int]:
        return self.server.address


class EmulatorACS(_ACSUnderTest):
    """The project's ACS emulator."""

    def __init__(self) -> None:
        from sip2.emulator import ACSEmulator
        from sip2.emulator.demo_data import DEMO

        self.server = ACSEmulator(host="127.0.0.1", port=0, institution_id="DEMO")
        self.institution = "DEMO"
        self.items = list(DEMO.available_items)
        self.patrons = [DEMO.good_patron, DEMO.second_good_patron]

    def log(self) -> list[tuple[str, str, datetime, bool]]:
        return [(t.code, t.item_id, t.transaction_date, t.ok)
                for t in self.server.library.transactions() if t.code in ("09", "11", "29")]


class CannedACSForCrash(_ACSUnderTest):
    """The canned ACS of the replay tests."""

    def __init__(self) -> None:
        from tests.kiosk.queue_canned_acs import INSTITUTION, CannedACS

        self.items = [f"3900000000{n:03d}" for n in range(20)]
        self.patrons = ["21000000000001", "21000000000002"]
        self.institution = INSTITUTION
        self.server = CannedACS(self.items)

    def log(self) -> list[tuple[str, str, datetime, bool]]:
        return [(a.code, a.item_id, a.transaction_date, a.ok) for a in self.server.applied()]


def _acs():
    try:
        import sip2.emulator  # noqa: F401
    except ImportError:
        return CannedACSForCrash()
    return EmulatorACS()


@pytest.mark.timeout(120)
def test_killed_again_and_again_no_transaction_is_lost_or_applied_twice(tmp_path):
    db_path = tmp_path / "kiosk.sqlite"
    rng = random.Random(SEED)
    kills = 0
    with _acs() as acs:
        host, port = acs.address
        command = [sys.executable, "-m", "tests.kiosk.test_crash_replay", str(db_path), host, str(port),
                   acs.institution, ",".join(acs.items), ",".join(acs.patrons)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        while True:
            child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
            # Kill at a random moment of the work itself, not of the interpreter's start-up.
            started, _, _ = select.select([child.stdout], [], [], 60)
            assert started and child.stdout.readline() == "ready\n"
            try:
                _, err = child.communicate(timeout=rng.uniform(0.0, 0.12) if kills < MAX_KILLS else 60)
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
                child.communicate()
                kills += 1
                continue
            assert child.returncode == 0, err
            break
        log = acs.log()

    assert kills >= 3  # the child really was killed mid-work, several times
    queue = OfflineQueue(db_path)
    journal = Journal(queue.db)
    entries = queue.entries()
    assert len(entries) == TRANSACTIONS
    assert {e.state for e in entries} <= {EntryState.DONE, EntryState.REFUSED}  # nothing lost

    seen = Counter((code, item, when) for code, item, when, _ in log)
    outcome = {(code, item, when): ok for code, item, when, ok in log}
    for entry in entries:
        key = (CODES[entry.kind], entry.item_id, entry.transaction_date)
        assert seen[key] <= 1, f"entry {entry.id} ({entry.kind} {entry.item_id}) applied twice"
        if entry.state is EntryState.DONE:
            assert seen[key] == 1 and outcome[key] is True, f"entry {entry.id} done but not applied: " + \
                "; ".join(f"{e.id} {e.kind} {e.state} {e.attempts} {e.last_error}" for e in entries
                          if e.item_id == entry.item_id and abs(e.id - entry.id) < 60)
        elif not entry.reason.startswith(("outcome unknown", "not replayed after")):
            assert seen[key] == 1 and outcome[key] is False, f"entry {entry.id}: {entry.reason}"
        record = journal.for_queue_entry(entry.id)
        assert record is not None and record.ok is (entry.state is EntryState.DONE)
    refused_by_acs = [e for e in entries if e.state is EntryState.REFUSED and e.acs_messages]
    assert refused_by_acs and {e.item_id for e in refused_by_acs} == {UNKNOWN_ITEM}
    reconciled = sum("reconciled" in (e.last_error or "") for e in entries)
    print(f"{kills} kills; {sum(e.state is EntryState.DONE for e in entries)} done, "
          f"{sum(e.state is EntryState.REFUSED for e in entries)} refused, {reconciled} reconciled, "
          f"{sum(e.attempts > 1 for e in entries)} sent more than once after a check")


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:7]))
