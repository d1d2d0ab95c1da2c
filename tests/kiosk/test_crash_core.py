"""Crash safety of the whole kiosk core: a kiosk working offline is killed again and again.

A child process (`python -m tests.kiosk.test_crash_core ...`) runs a `KioskRuntime` whose
library system cannot be reached, and makes 1,000 checkouts and returns through
`handle_scan`, as a patron at the kiosk would; it prints `told N` each time the patron is told
a transaction is done. The test kills it with SIGKILL at seeded random moments and starts it
again (it carries on after the last transaction on disk) until it finishes. Then every
transaction the patron was told about is in the queue, in order, exactly once; and after the
queue is replayed to the ACS emulator, the ACS has applied each exactly once, in order.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sip2.emulator.demo_data import item_barcode

from kiosk.storage import EntryState, OfflineQueue, Replayer, connect_with

from tests.loopback import closed_port

SEED = 30112026
TRANSACTIONS = 1000
MAX_KILLS = 12
ROOT = Path(__file__).resolve().parents[2]
PATRON = "20001000000012"


def make_plan(seed: int) -> list[tuple[str, str]]:
    """Checkouts of 500 items and the return of each, interleaved, every return after its checkout."""
    rng = random.Random(seed)
    new = [item_barcode(n) for n in range(1, TRANSACTIONS // 2 + 1)]
    out: list[str] = []
    plan = []
    while new or out:
        if new and (not out or rng.random() < 0.55):
            item = new.pop(0)
            out.append(item)
            plan.append(("checkout", item))
        else:
            plan.append(("checkin", out.pop(rng.randrange(len(out)))))
    return plan


def child_main(database: str, dead_port: str) -> int:
    """The kiosk: offline, carrying on after the last transaction it stored."""
    from kiosk.config import parse_config
    from kiosk.core.outcomes import Mode
    from kiosk.core.runtime import KioskRuntime

    config = parse_config({
        "sip2": {"host": "127.0.0.1", "port": int(dead_port), "connect_timeout": 1.0},
        "patron": {"require_pin": False},
        "offline": {"mode": "all", "max_items": TRANSACTIONS, "cache_patrons": False},
        "session": {"double_scan_seconds": 0.0},
        "storage": {"database": database},
    })
    runtime = KioskRuntime(config, with_devices=False)
    plan = make_plan(SEED)
    done = len(runtime.queue.entries())
    login = runtime.handle_scan(PATRON, pin="")
    assert login.offline, login
    print("ready", flush=True)
    for index in range(done, len(plan)):
        kind, item = plan[index]
        outcome = runtime.handle_scan(item, Mode.CHECKOUT if kind == "checkout" else Mode.RETURN)
        print(f"told {index} {'ok' if outcome.ok else 'refused: ' + outcome.reason}", flush=True)
    return 0


@pytest.mark.timeout(300)
def test_killed_kiosk_loses_nothing_and_nothing_is_applied_twice(tmp_path, acs):
    database = str(tmp_path / "kiosk.db")
    command = [sys.executable, "-m", "tests.kiosk.test_crash_core", database, str(closed_port())]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(SEED)
    told: dict[int, str] = {}
    kills = 0
    while True:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([child.stdout], [], [], 60)
        assert ready and child.stdout.readline() == "ready\n", child.stderr.read()
        try:
            out, err = child.communicate(timeout=rng.uniform(0.0, 0.15) if kills < MAX_KILLS else 240)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            out, err = child.communicate()
            kills += 1
        for line in out.splitlines():
            _, index, verdict = line.split(" ", 2)
            told[int(index)] = verdict
        if child.returncode == 0:
            break
        assert child.returncode == -signal.SIGKILL, err

    plan = make_plan(SEED)
    assert kills >= 3
    assert all(verdict == "ok" for verdict in told.values()), [v for v in told.values() if v != "ok"][:3]
    entries = OfflineQueue(database).entries()
    # Nothing lost, nothing stored twice: the queue is the plan, in order.
    assert [(e.kind.value, e.item_id) for e in entries] == plan
    assert set(told) <= set(range(len(plan)))

    host, port = acs.address
    queue = OfflineQueue(database)
    replayer = Replayer(queue, connect_with(host=host, port=port, username="kiosk", password="kiosk",
                                            institution_id="DEMO", timeout=5.0))
    for _ in range(20):
        if queue.counts().waiting == 0:
            break
        replayer.replay_once()
    assert {e.state for e in queue.entries()} == {EntryState.DONE}
    applied = [("checkout" if t.code == "11" else "checkin", t.item_id)
               for t in acs.library.transactions() if t.no_block and t.code in ("11", "09")]
    assert applied == plan  # each applied once, in the order the patrons made them
    print(f"{kills} kills, {len(told)} transactions told to the patron, {len(plan)} stored and replayed")


if __name__ == "__main__":
    sys.exit(child_main(*sys.argv[1:]))
