"""Benchmark of the offline queue, each figure against a baseline measured in the same run on
the same machine (the machine is shared: read the ratios).

    python -m bench.bench_queue [--enqueues 1000] [--replays 400] [--rounds 5] [--items 20]
                                [--sizes 100 10000 100000] [--only enqueue waiting list replay]

1. Enqueue: `OfflineQueue.enqueue` (SQLAlchemy, WAL, synchronous=FULL, one transaction each)
   against a bare `sqlite3` INSERT + COMMIT with the same settings and columns. Target: median
   and p99 within 1.5x of the bare insert.
2. Waiting check: `OfflineQueue.has_waiting(item)`, asked on every scan, with 100, 10,000 and
   100,000 entries waiting, for an item that waits (the newest entry) and one that does not,
   against a bare `sqlite3` primary-key lookup in the same file. Target: < 0.5 ms at any size.
3. Listing: `kiosk queue list` (text, and `--json`) with the largest size waiting, against a
   bare `sqlite3` listing of every waiting row as text. Target: < 0.5 s for the first page.
4. Replay: entries per second replayed (each committed "sending" before it goes out, its
   outcome committed after, in groups by a helper thread) against the SIP2 client sending
   the same checkouts and returns straight to the same ACS. The ACS runs in its own process
   and answers at once from replies encoded before it starts, so the figure is the replay's
   own cost; entries are queued and replayed with the journal's record, as the kiosk does.
   The commits (disk syncs) per replay are counted. Target: at least 0.9x the bare request
   rate. The same replay through a client answering in-process at once (no ACS, no socket)
   gives the replay's own cost per entry: steadier than the ratio on a shared machine, where
   the bare client's rate alone swings fourfold between rounds.

Candidates alternate their order from round to round; each round gives a ratio, and the
median and spread (lowest-highest) of the ratios are printed. Each candidate runs once
before the rounds, uncounted (warm-up).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from multiprocessing.connection import Connection as Pipe
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's packages

from sip2.client import Meanwhile, SIP2Client  # noqa: E402
from sip2.codec import encode  # noqa: E402
from sip2.message import Message  # noqa: E402
from sip2.messages import CheckinResponse, CheckoutResponse, ItemInformationResponse, LoginResponse  # noqa: E402

from kiosk.cli import main as kiosk_main  # noqa: E402
from kiosk.storage import Journal, OfflineQueue, Replayer, open_database  # noqa: E402
from kiosk.storage.migrations import MIGRATIONS  # noqa: E402
from kiosk.storage.timestamps import stamp  # noqa: E402

from bench.bench_roundtrip import serve_lines, served  # noqa: E402
from bench.timing import percentile  # noqa: E402

WHEN = datetime(2026, 3, 2, 10, 0, 0)
INSTITUTION, PATRON = "BENCH", "P1"
ITEMS = [f"3900000000{n:03d}" for n in range(20)]
SECTIONS = ("enqueue", "waiting", "list", "replay")


def spread(ratios: list[float]) -> str:
    """Median and range of per-round ratios, as printed under every comparison."""
    return (f"median {statistics.median(ratios):.2f}x (rounds {min(ratios):.2f}-{max(ratios):.2f}; "
            + ", ".join(f"{r:.2f}" for r in ratios) + ")")


def interleaved(candidates: dict[str, Callable[[], object]], rounds: int,
                repeat: int) -> dict[str, list[float]]:
    """Seconds per call of each candidate, one figure per round (the mean of `repeat` calls);
    the order of the candidates alternates between rounds."""
    names = list(candidates)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_no in range(rounds):
        for name in names if round_no % 2 == 0 else reversed(names):
            call = candidates[name]
            start = time.perf_counter()
            for _ in range(repeat):
                call()
            times[name].append((time.perf_counter() - start) / repeat)
    return times


# --- 1. enqueue --------------------------------------------------------------------------------

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


def bench_enqueue(folder: str, count: int) -> None:
    bare, ours = enqueue_latencies(folder, count)
    print(f"durable enqueue ({len(ours)} each, WAL + synchronous=FULL, alternating write by write):")
    for name, samples in (("bare sqlite3 insert+commit", bare), ("OfflineQueue.enqueue", ours)):
        print(f"  {name:<28} median {statistics.median(samples) * 1e3:7.3f} ms   "
              f"p99 {percentile(samples, 0.99) * 1e3:7.3f} ms")
    median_ratio = statistics.median(ours) / statistics.median(bare)
    p99_ratio = percentile(ours, 0.99) / percentile(bare, 0.99)
    print(f"  ratio enqueue/bare: median {median_ratio:.2f}x, p99 {p99_ratio:.2f}x (target <= 1.5x)")


# --- 2. waiting check, 3. listing --------------------------------------------------------------

def filled_queue(folder: str, size: int) -> str:
    """A kiosk database with `size` checkouts waiting (written in one transaction); its path."""
    path = os.path.join(folder, f"waiting{size}.sqlite")
    open_database(path).close()  # the current schema
    raw = sqlite3.connect(path, isolation_level=None)
    now = stamp()
    raw.execute("BEGIN")
    raw.executemany(
        "INSERT INTO queue_entries (kind, item_id, patron_id, transaction_date, due_date, state, "
        "attempts, created_at, updated_at) VALUES ('checkout', ?, ?, ?, ?, 'pending', 0, ?, ?)",
        ((f"31{n:012d}", f"2{n % 5000:08d}", (WHEN + timedelta(seconds=n)).isoformat(),
          (WHEN + timedelta(days=21)).isoformat(), now, now) for n in range(size)))
    raw.execute("COMMIT")
    raw.close()
    return path


def bench_waiting(folder: str, sizes: list[int], rounds: int) -> None:
    print(f"waiting check per scan (OfflineQueue.has_waiting), {rounds} interleaved rounds; "
          "baseline: bare sqlite3 primary-key lookup in the same file (target < 0.5 ms at any size):")
    for size in sizes:
        path = filled_queue(folder, size)
        queue = OfflineQueue(open_database(path))
        raw = sqlite3.connect(path, isolation_level=None)
        waiting_item, absent_item = f"31{size - 1:012d}", "39999999999999"
        if not queue.has_waiting(waiting_item) or queue.has_waiting(absent_item):
            raise SystemExit("has_waiting gave a wrong answer")
        times = interleaved({
            "bare pk lookup": lambda: raw.execute("SELECT 1 FROM queue_entries WHERE id = ?",
                                                  (size,)).fetchone(),
            "waiting item": lambda: queue.has_waiting(waiting_item),
            "item not queued": lambda: queue.has_waiting(absent_item),
        }, rounds, repeat=max(5, min(200, 2_000_000 // (size * 10) or 5)))
        base = times["bare pk lookup"]
        print(f"  {size:>7,} waiting: bare {statistics.median(base) * 1e3:.3f} ms", end="")
        for name in ("waiting item", "item not queued"):
            ours = times[name]
            print(f" | {name} {statistics.median(ours) * 1e3:.3f} ms "
                  f"(max {max(ours) * 1e3:.3f})", end="")
        print()
        ratios = [o / b for o, b in zip(times["item not queued"], base)]
        print(f"  {'':>7}  item not queued / bare: {spread(ratios)}")
        raw.close()
        queue.db.close()


def bare_listing(path: str) -> int:
    """Every waiting row as one line of text, straight from sqlite3; returns the lines."""
    raw = sqlite3.connect(path)
    out = io.StringIO()
    for row in raw.execute("SELECT id, state, kind, item_id, patron_id, transaction_date, attempts "
                           "FROM queue_entries WHERE state IN ('pending', 'sending') ORDER BY id"):
        out.write(f"{row[0]:>6}  {row[1]:<8} {row[2]:<8} item {row[3]} patron {row[4]}  {row[5]}  "
                  f"attempts {row[6]}\n")
    raw.close()
    return out.tell()


def kiosk_queue_list(*argv: str) -> int:
    """`kiosk queue list ARGV` in this process, its output kept from the terminal; its length."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        if kiosk_main(["queue", "list", *argv]) != 0:
            raise SystemExit(f"kiosk queue list {' '.join(argv)} failed")
    return out.tell()


def bench_list(folder: str, size: int, rounds: int) -> None:
    path = os.path.join(folder, f"waiting{size}.sqlite")
    if not os.path.exists(path):
        filled_queue(folder, size)
    times = interleaved({
        "bare sqlite3 listing (all)": lambda: bare_listing(path),
        "kiosk queue list": lambda: kiosk_queue_list("--database", path),
        "kiosk queue list --json": lambda: kiosk_queue_list("--database", path, "--json"),
    }, rounds, repeat=1)
    print(f"kiosk queue list with {size:,} waiting, in-process, {rounds} interleaved rounds "
          "(target < 0.5 s for the first page):")
    base = times["bare sqlite3 listing (all)"]
    for name, samples in times.items():
        line = f"  {name:<28} median {statistics.median(samples):7.3f} s  max {max(samples):7.3f} s"
        if samples is not base:
            line += "   /bare " + spread([o / b for o, b in zip(samples, base)])
        print(line)


# --- 4. replay ---------------------------------------------------------------------------------

def prompt_messages() -> dict[bytes, Message]:
    """The prompt ACS's reply to 93, 11, 09 and 17, by request code."""
    when = datetime(2026, 3, 2, 10, 0)
    return {
        b"93": LoginResponse(ok=True),
        b"11": CheckoutResponse(ok=True, renewal_ok=False, magnetic_media=False, desensitize=True,
                                transaction_date=when, institution_id=INSTITUTION, patron_id=PATRON,
                                item_id=ITEMS[0], title="A title", due_date="2026-03-23 23:59:59",
                                screen_messages=("Checked out.",)),
        b"09": CheckinResponse(ok=True, resensitize=True, magnetic_media=False, alert=False,
                               transaction_date=when, institution_id=INSTITUTION, item_id=ITEMS[0],
                               permanent_location="Main", title="A title",
                               screen_messages=("Returned. Thank you.",)),
        b"17": ItemInformationResponse(circulation_status="03", security_marker="02", fee_type="01",
                                       transaction_date=when, item_id=ITEMS[0], title="A title"),
    }


def prompt_replies() -> dict[bytes, list[bytes]]:
    """`prompt_messages` encoded once for each sequence number."""
    return {code: [encode(reply, sequence=n, error_detection=True) for n in range(10)]
            for code, reply in prompt_messages().items()}


def serve_prompt_acs(ready: Pipe) -> None:
    """An ACS that answers each request at once with a ready-made reply (runs in a child process)."""
    replies = prompt_replies()
    serve_lines(ready, lambda line: replies[line[:2]])


def plan(count: int, items: int = len(ITEMS)) -> list[tuple[str, str]]:
    """Checkouts of `items` items, then their returns, and again: with the default 20 items
    every item comes back every 20 entries, the hardest case for the replay (an entry waits
    until the outcome of the item's previous entry is on disk); with `items` >= `count`
    every entry is about its own item, as in most offline spells."""
    names = ITEMS if items == len(ITEMS) else [f"39{n:012d}" for n in range(items)]
    steps: list[tuple[str, str]] = []
    while len(steps) < count:
        steps += [("checkout", item) for item in names] + [("checkin", item) for item in names]
    return steps[:count]


def client(port: int) -> SIP2Client:
    """A connected client logged in to the ACS on `port`."""
    connection = SIP2Client("127.0.0.1", port, username="kiosk", password="kiosk",
                            institution_id=INSTITUTION)
    connection.connect()
    return connection


class InstantClient(SIP2Client):
    """A client whose ACS answers checkouts and returns at once, in this process, with the prompt
    ACS's replies: a replay through it costs only the replay's own work and its syncs."""

    def __init__(self) -> None:
        super().__init__("in-process", 0)
        replies = prompt_messages()
        self.checked_out, self.returned = replies[b"11"], replies[b"09"]

    def checkout(self, *args: object, meanwhile: Meanwhile | None = None, **kwargs: object) -> CheckoutResponse:
        if meanwhile is not None:
            meanwhile()
        return self.checked_out  # type: ignore[return-value]

    def checkin(self, *args: object, meanwhile: Meanwhile | None = None, **kwargs: object) -> CheckinResponse:
        if meanwhile is not None:
            meanwhile()
        return self.returned  # type: ignore[return-value]


def bare_requests(port: int, steps: list[tuple[str, str]], offset: int) -> tuple[float, float]:
    """Requests per second, and this process's CPU seconds per request: the client sending
    the steps straight to the ACS, no block."""
    with client(port) as sip:
        start, cpu = time.perf_counter(), time.process_time()
        for n, (kind, item) in enumerate(steps):
            when = WHEN + timedelta(seconds=offset + n)
            if kind == "checkout":
                sip.checkout(PATRON, item, no_block=True, transaction_date=when,
                             nb_due_date=when + timedelta(days=21))
            else:
                sip.checkin(item, no_block=True, transaction_date=when, return_date=when)
        return len(steps) / (time.perf_counter() - start), (time.process_time() - cpu) / len(steps)


def replayed(folder: str, connect: Callable[[], SIP2Client], steps: list[tuple[str, str]], offset: int,
             name: str) -> tuple[float, float, int]:
    """Entries per second replayed from a queue holding the same steps, CPU seconds per entry
    (of every thread of this process: the commits run in a helper thread), and the commits
    (disk syncs) the replay made; the client (`connect()`) is connected and logged in before
    the clock starts, as the bare one is."""
    queue = OfflineQueue(open_database(os.path.join(folder, f"{name}.sqlite")))
    journal = Journal(queue.db)  # as the kiosk queues and replays: with the journal's record
    for n, (kind, item) in enumerate(steps):
        when = WHEN + timedelta(seconds=offset + n)
        queue.enqueue(kind, item_id=item, patron_id=PATRON if kind == "checkout" else None,
                      transaction_date=when, due_date=when + timedelta(days=21) if kind == "checkout" else None,
                      journal=journal)
    commits = counted(queue, "advance_rows")  # the replay's one writer: a commit per call
    connected = connect()
    start, cpu = time.perf_counter(), time.process_time()
    report = Replayer(queue, lambda: connected, journal=journal).replay_once()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if not report.completed or report.sent != len(steps) or report.done != len(steps):
        raise SystemExit(f"replay did not complete: {report}")
    queue.db.close()
    return len(steps) / elapsed, cpu / len(steps), commits[0]


def commit_seconds(folder: str, count: int = 20) -> float:
    """Median seconds of one durable commit (WAL, synchronous=FULL) of a one-row update in
    `folder`: what each disk sync the replay waits for costs on this disk now."""
    raw = sqlite3.connect(os.path.join(folder, "sync.sqlite"), isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    raw.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
    times = []
    for n in range(count):
        start = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO probe VALUES (?)", (n,))
        raw.execute("COMMIT")
        times.append(time.perf_counter() - start)
    raw.close()
    return statistics.median(times)


def syncs_in_a_row(steps: list[tuple[str, str]]) -> int:
    """Disk syncs the replay of `steps` must wait for one after the other, whatever it does:
    the marking before the first request, then the outcome of each entry of the most
    frequent item before its next entry goes out, and the last one before the replay ends."""
    return 1 + max(Counter(item for _, item in steps).values())


def counted(owner: object, method: str) -> list[int]:
    """Count the calls of `owner.method` from now on, in the list returned (one element)."""
    calls = [0]
    original = getattr(owner, method)

    def counting(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        return original(*args, **kwargs)

    setattr(owner, method, counting)
    return calls


def bench_replay(folder: str, count: int, rounds: int, items: int = len(ITEMS)) -> None:
    with served(serve_prompt_acs, "prompt ACS") as port:
        results: dict[str, list[tuple[float, float]]] = {"bare": [], "replay": []}
        commits: list[int] = []
        offset = 0
        steps = plan(count, items)
        syncs: list[float] = []
        # Both warm up: the replay's first run in a process also starts its commit thread.
        bare_requests(port, steps, offset)
        replayed(folder, lambda: client(port), steps, offset, "warm-up")
        alone: list[tuple[float, float]] = []  # the replay through InstantClient
        for round_no in range(rounds):
            runs = (("bare", lambda o: bare_requests(port, steps, o)),
                    ("replay", lambda o: replayed(folder, lambda: client(port), steps, o, f"replay{round_no}")))
            for name, run in runs if round_no % 2 == 0 else reversed(runs):
                offset += len(steps)
                rate, cpu, *synced = run(offset)
                results[name].append((rate, cpu))
                commits += synced
            alone.append(replayed(folder, InstantClient, steps, offset, f"alone{round_no}")[:2])
            syncs.append(commit_seconds(folder))
    print(f"replay against an ACS in its own process answering at once, 127.0.0.1:{port} "
          f"({len(steps)} checkouts and returns of {len(set(i for _, i in steps))} items per round, "
          f"{rounds} interleaved rounds):")
    for name, label in (("bare", "bare client requests"), ("replay", "replayed entries")):
        rates = [rate for rate, _ in results[name]]
        cpu = statistics.median(c for _, c in results[name]) * 1e6
        print(f"  {label:<26}{statistics.median(rates):9.1f} /s   CPU {cpu:6.1f} us each   rounds: "
              + ", ".join(f"{r:.0f}" for r in rates))
    (bare, replay) = ([r for r, _ in results[n]] for n in ("bare", "replay"))
    print("  ratio replay/bare: " + spread([r / b for r, b in zip(replay, bare)]) + " (target >= 0.9x)")
    print("  CPU replay/bare:   " + spread([r / b for (_, r), (_, b) in zip(results["replay"], results["bare"])])
          + " (this process's CPU per entry, every thread: the replay's own work and the kernel's for "
          "its syncs, without the waits)")
    print(f"  commits (disk syncs) per replay of {len(steps)}: median {statistics.median(commits):.0f} "
          f"(rounds {min(commits)}-{max(commits)})")
    # Steadier than the ratio on a shared machine: no ACS, no socket, only the replay's own cost.
    own, own_cpu = (statistics.median(1e6 / r for r, _ in alone), statistics.median(c for _, c in alone) * 1e6)
    print(f"  the replay alone (a client answering in-process at once): {own:.1f} us per entry, CPU "
          f"{own_cpu:.1f} us; a bare request takes {1e6 / statistics.median(bare):.1f} us")
    # Exactly-once makes some syncs wait for each other; the first and the last overlap no request.
    in_a_row, sync = syncs_in_a_row(steps), statistics.median(syncs)
    bare_seconds = len(steps) / statistics.median(bare)
    floor = max(bare_seconds + 2 * sync, in_a_row * sync)
    print(f"  floor: {in_a_row} syncs in a row of {sync * 1e3:.2f} ms each (a durable commit on this disk, "
          f"median), the first and last around the {bare_seconds * 1e3:.1f} ms of the bare requests: at "
          f"least {floor * 1e3:.1f} ms, so at most {bare_seconds / floor:.2f}x here")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enqueues", type=int, default=1000)
    parser.add_argument("--replays", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--items", type=int, default=len(ITEMS),
                        help="distinct items in the replayed queue (default 20: each comes back every 20 entries)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000])
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-queue-", dir=os.environ.get("BENCH_DIR")) as folder:
        print(f"databases in {folder}")
        if "enqueue" in args.only:
            bench_enqueue(folder, args.enqueues)
        if "waiting" in args.only:
            bench_waiting(folder, args.sizes, args.rounds)
        if "list" in args.only:
            bench_list(folder, max(args.sizes), args.rounds)
        if "replay" in args.only:
            bench_replay(folder, args.replays, args.rounds, args.items)
    return 0


if __name__ == "__main__":
    sys.exit(main())
