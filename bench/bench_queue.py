"""Benchmark of the offline queue: durable enqueue latency and replay throughput, each against a
baseline measured in the same run on the same machine (the machine is shared: read the ratios).

    python -m bench.bench_queue [--enqueues 1000] [--replays 400] [--rounds 3]

1. Enqueue: `OfflineQueue.enqueue` (SQLAlchemy, WAL, synchronous=FULL, one transaction each)
   against a bare `sqlite3` INSERT + COMMIT with the same settings and columns. Target: median
   and p99 within 1.5x of the bare insert.
2. Replay: entries per second replayed to the ACS on loopback (each committed "sending" before
   it goes out, its outcome committed after) against the SIP2 client sending the same checkouts
   and returns straight to the same ACS. Target: at least 0.8x the bare request rate.

The ACS is the project's emulator (`sip2.emulator`) when present, else the canned ACS of the
queue's tests.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sip2.client import SIP2Client

from kiosk.storage import OfflineQueue, Replayer, open_database
from kiosk.storage.migrations import MIGRATIONS
from kiosk.storage.timestamps import stamp

WHEN = datetime(2026, 3, 2, 10, 0, 0)


def percentile(samples: list[float], fraction: float) -> float:
    """The value below which `fraction` of the samples fall (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def enqueue_latencies(folder: str, count: int) -> tuple[list[float], list[float]]:
    """Seconds per durable write: (bare sqlite3 INSERT + COMMIT, `OfflineQueue.enqueue`).

    The two alternate write by write, so both meet the same disk and the same load.
    """
    raw = sqlite3.connect(os.path.join(folder, "bare.sqlite"), isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    raw.execute(MIGRATIONS[0].statements[0])  # the same queue_entries table
    queue = OfflineQueue(open_database(os.path.join(folder, "queue.sqlite")))
    bare, ours = [], []
    for n in range(count):
        due = WHEN + timedelta(days=21)
        start = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO queue_entries (kind, item_id, patron_id, transaction_date, due_date, "
                    "state, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
                    ("checkout", f"I{n}", "P1", WHEN.isoformat(), due.isoformat(), stamp(), stamp()))
        raw.execute("COMMIT")
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        queue.enqueue("checkout", item_id=f"I{n}", patron_id="P1", transaction_date=WHEN, due_date=due)
        ours.append(time.perf_counter() - start)
    raw.close()
    queue.db.close()
    return bare, ours


@contextmanager
def running_acs() -> Iterator[tuple[str, tuple[str, int], str, list[str], str]]:
    """(name, address, institution, items, patron) of an ACS on loopback."""
    try:
        from sip2.emulator import ACSEmulator
        from sip2.emulator.demo_data import DEMO
    except ImportError:
        from tests.kiosk.queue_canned_acs import INSTITUTION, CannedACS

        items = [f"3900000000{n:03d}" for n in range(20)]
        with CannedACS(items) as acs:
            yield "canned ACS of the tests (sip2.emulator not present)", acs.address, INSTITUTION, items, "P1"
        return
    with ACSEmulator(host="127.0.0.1", port=0, institution_id="DEMO") as emu:
        yield "sip2.emulator", emu.address, "DEMO", list(DEMO.available_items), DEMO.good_patron


def plan(count: int, items: list[str]) -> list[tuple[str, str]]:
    """Checkouts of every item, then their returns, and again: an offline spell in which
    patrons borrow and return different items (a replay batch holds no item twice)."""
    steps: list[tuple[str, str]] = []
    while len(steps) < count:
        steps += [("checkout", item) for item in items] + [("checkin", item) for item in items]
    return steps[:count]


def bare_requests(address: tuple[str, int], institution: str, patron: str, steps, offset: int) -> float:
    """Requests per second: the client sending the steps straight to the ACS, no block."""
    with SIP2Client(*address, username="kiosk", password="kiosk", institution_id=institution) as client:
        start = time.perf_counter()
        for n, (kind, item) in enumerate(steps):
            when = WHEN + timedelta(seconds=offset + n)
            if kind == "checkout":
                client.checkout(patron, item, no_block=True, transaction_date=when,
                                nb_due_date=when + timedelta(days=21))
            else:
                client.checkin(item, no_block=True, transaction_date=when, return_date=when)
        return len(steps) / (time.perf_counter() - start)


def replayed(folder: str, address: tuple[str, int], institution: str, patron: str, steps,
             offset: int, round_no: int) -> float:
    """Entries per second replayed from a queue holding the same steps."""
    queue = OfflineQueue(open_database(os.path.join(folder, f"replay{round_no}.sqlite")))
    for n, (kind, item) in enumerate(steps):
        when = WHEN + timedelta(seconds=offset + n)
        queue.enqueue(kind, item_id=item, patron_id=patron if kind == "checkout" else None,
                      transaction_date=when, due_date=when + timedelta(days=21) if kind == "checkout" else None)

    def connect() -> SIP2Client:
        client = SIP2Client(*address, username="kiosk", password="kiosk", institution_id=institution)
        client.connect()
        return client

    start = time.perf_counter()
    report = Replayer(queue, connect).replay_once()
    elapsed = time.perf_counter() - start
    if not report.completed or report.sent != len(steps):
        raise SystemExit(f"replay did not complete: {report}")
    queue.db.close()
    return len(steps) / elapsed


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enqueues", type=int, default=1000)
    parser.add_argument("--replays", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-queue-", dir=os.environ.get("BENCH_DIR")) as folder:
        bare, ours = enqueue_latencies(folder, args.enqueues)
        print(f"durable enqueue ({len(ours)} each, WAL + synchronous=FULL, folder {folder}):")
        for name, samples in (("bare sqlite3 insert+commit", bare), ("OfflineQueue.enqueue", ours)):
            print(f"  {name:<28} median {statistics.median(samples) * 1e3:7.3f} ms   "
                  f"p99 {percentile(samples, 0.99) * 1e3:7.3f} ms")
        median_ratio = statistics.median(ours) / statistics.median(bare)
        p99_ratio = percentile(ours, 0.99) / percentile(bare, 0.99)
        print(f"  ratio enqueue/bare: median {median_ratio:.2f}x, p99 {p99_ratio:.2f}x (target <= 1.5x)")

        with running_acs() as (name, address, institution, items, patron):
            bare_rates, replay_rates = [], []
            offset = 0
            for round_no in range(args.rounds):
                steps = plan(args.replays, items)
                bare_rates.append(bare_requests(address, institution, patron, steps, offset))
                offset += len(steps)
                replay_rates.append(replayed(folder, address, institution, patron, steps, offset, round_no))
                offset += len(steps)
            bare_rate, replay_rate = statistics.median(bare_rates), statistics.median(replay_rates)
            print(f"replay against {name} on {address[0]}:{address[1]} ({len(steps)} checkouts and "
                  f"returns per round, median of {args.rounds} rounds):")
            print(f"  bare client requests        {bare_rate:8.1f} /s   rounds: "
                  + ", ".join(f"{r:.0f}" for r in bare_rates))
            print(f"  replayed entries            {replay_rate:8.1f} /s   rounds: "
                  + ", ".join(f"{r:.0f}" for r in replay_rates))
            print(f"  ratio replay/bare: {replay_rate / bare_rate:.2f}x (target >= 0.8x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
