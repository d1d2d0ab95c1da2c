"""Soak: 10,000 transactions through the kiosk core against the ACS emulator, looking for leaks.

    python -m bench.soak [--transactions 10000] [--warmup 1000]

The kiosk core (`KioskRuntime` without devices, its database in a temporary folder) serves
patron after patron: log in, check out ten items, end the session, return the ten items. The
ACS emulator runs in its own process (its memory is not the kiosk's). Printed:

- resident memory of the kiosk process after the warm-up and at the end (target: growth < 10 MB);
- median transaction latency of the first and the last thousand after the warm-up
  (target: within 20 % of each other);
- open file descriptors and live threads before the start, after the warm-up, at the end and
  after the runtime stopped (target: after the stop exactly as many as before the start; while
  it runs, the database's connection pool may hold a connection or two more).

Every transaction must succeed; the run stops at the first one that does not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection as Pipe

from sip2.emulator.demo_data import DEMO

from kiosk.core.outcomes import Mode
from kiosk.core.runtime import KioskRuntime
from kiosk.demo import demo_config

from bench.bench_roundtrip import served

ITEMS_PER_SESSION = 10


def serve_emulator(ready: Pipe) -> None:
    """The ACS emulator with its demo library, until stopped (child process)."""
    from sip2.emulator import ACSEmulator

    with tempfile.TemporaryDirectory() as folder, \
            ACSEmulator(db=os.path.join(folder, "library.db"), port=0) as emulator:
        ready.send(emulator.address[1])
        threading.Event().wait()


def resident_mb() -> float:
    """This process's resident memory in MB (from /proc)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def open_fds() -> int:
    """How many file descriptors this process has open."""
    return len(os.listdir("/proc/self/fd"))


def soak(runtime: KioskRuntime, count: int, *, on_warm: int, warmed) -> list[float]:
    """Run `count` transactions; seconds per transaction. `warmed()` is called after `on_warm`."""
    latencies: list[float] = []
    items = DEMO.available_items[:ITEMS_PER_SESSION]
    while len(latencies) < count:
        login = runtime.handle_scan(DEMO.good_patron, pin=DEMO.good_pin)
        if getattr(login, "status", None) is None or login.status.value != "ok":
            raise SystemExit(f"log-in failed: {login}")
        for mode in (Mode.CHECKOUT, Mode.RETURN):
            for item in items:
                start = time.perf_counter()
                outcome = runtime.handle_scan(item, mode)
                latencies.append(time.perf_counter() - start)
                if not outcome.ok or outcome.offline:
                    raise SystemExit(f"transaction {len(latencies)} failed: {outcome}")
                if len(latencies) == on_warm:
                    warmed()
            if mode is Mode.CHECKOUT:
                runtime.circulation.end_session("soak")
    return latencies[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=10_000, help="how many (default 10000)")
    parser.add_argument("--warmup", type=int, default=1000, help="transactions before measuring (default 1000)")
    args = parser.parse_args(argv)
    window = 1000
    if args.transactions < args.warmup + 2 * window:
        parser.error(f"--transactions must be at least --warmup + {2 * window}")

    with served(serve_emulator, "ACS emulator") as port, tempfile.TemporaryDirectory() as folder:
        config = demo_config("127.0.0.1", port, folder,
                             offline={"mode": "all", "probe_interval": 30.0, "cache_patrons": False},
                             session={"double_scan_seconds": 0.0})
        before = snapshot()
        runtime = KioskRuntime(config, with_devices=False)
        runtime.start()
        seen: dict[str, dict[str, float]] = {}
        started = time.perf_counter()
        try:
            latencies = soak(runtime, args.transactions, on_warm=args.warmup,
                             warmed=lambda: seen.update(warm=snapshot()))
            elapsed = time.perf_counter() - started
            running = snapshot()
        finally:
            runtime.stop()
        stopped = snapshot()

    warm = seen["warm"]
    measured = latencies[args.warmup:]
    first = statistics.median(measured[:window]) * 1000
    last = statistics.median(measured[-window:]) * 1000
    growth = running["rss"] - warm["rss"]
    # While running, the database pool may open a connection or two more; after the stop, nothing may stay.
    leaked_fds = stopped["fds"] - before["fds"]
    leaked_threads = stopped["threads"] - before["threads"]
    print(f"{args.transactions} transactions in {elapsed:.1f} s "
          f"({args.transactions / elapsed:.0f}/s), warm-up {args.warmup}")
    print(f"memory (RSS)      after warm-up {warm['rss']:.1f} MB, at the end {running['rss']:.1f} MB, "
          f"growth {growth:+.1f} MB (target < 10 MB)")
    print(f"latency (median)  first {window} {first:.2f} ms, last {window} {last:.2f} ms, "
          f"ratio {last / first:.2f} (target 0.80-1.20)")
    print(f"file descriptors  before start {before['fds']:.0f}, after warm-up {warm['fds']:.0f}, "
          f"at the end {running['fds']:.0f}, after stop {stopped['fds']:.0f} (target: after stop = before start)")
    print(f"threads           before start {before['threads']:.0f}, after warm-up {warm['threads']:.0f}, "
          f"at the end {running['threads']:.0f}, after stop {stopped['threads']:.0f} (target: after stop = before start)")
    ok = growth < 10 and 0.8 <= last / first <= 1.2 and leaked_fds <= 0 and leaked_threads <= 0
    print("verdict: " + ("no leak seen" if ok else "OUT OF TARGET"))
    return 0 if ok else 1


def snapshot() -> dict[str, float]:
    """Resident memory (MB), open file descriptors and live threads of this process now."""
    return {"rss": resident_mb(), "fds": open_fds(), "threads": threading.active_count()}


if __name__ == "__main__":
    sys.exit(main())
