"""Benchmark of what a receipt costs the patron, each against a baseline in the same run
(the machine is shared: read the ratios).

    python -m bench.bench_receipts [--samples 300]

1. E-mail: `ReceiptService.deliver("email")` (render the receipt, store it in the outbox with
   one durable SQLite transaction; the SMTP send happens later in the background) against
   `OfflineQueue.enqueue`, the durable write every offline transaction already costs.
2. Print: `deliver("print")` to the network printer emulator on 127.0.0.1 (status questions,
   then the ESC/POS receipt) against sending the same receipt's bytes on a raw socket.
3. Metrics: one scrape (`Monitoring.metrics()`: snapshot + render) against `queue.counts()` alone.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from escpos.printer import Dummy

from kiosk.config import parse_config
from kiosk.core.outcomes import Action, ItemOutcome
from kiosk.core.runtime import KioskRuntime
from kiosk.monitoring import Monitoring
from kiosk.receipts.content import build_receipt
from kiosk.receipts.printer import write_receipt
from kiosk.receipts.printer_emulator import PrinterEmulator

from bench.timing import percentile, print_table

RESULTS = [ItemOutcome(Action.CHECKOUT, f"3123456789{n:04d}", True, title=f"Book number {n}",
                       due=datetime(2026, 12, 14)) for n in range(6)]


def timed(samples: int, candidates: dict[str, Callable[[], object]]) -> dict[str, list[float]]:
    """Milliseconds per call of each candidate, calls interleaved."""
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for i in range(samples):
        for name in (list(candidates) if i % 2 == 0 else reversed(list(candidates))):
            start = time.perf_counter()
            candidates[name]()
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def report(title: str, times: dict[str, list[float]], baseline: str) -> None:
    """Print median and p99 of each candidate and its ratio to the baseline."""
    base = statistics.median(times[baseline])
    print(f"\n{title}")
    print_table(["", "median ms", "p99 ms", "x baseline"],
                [[name, round(statistics.median(t), 3), round(percentile(t, 0.99), 3),
                  round(statistics.median(t) / base, 2)] for name, t in times.items()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    printer = PrinterEmulator().start()
    with tempfile.TemporaryDirectory() as folder:
        config = parse_config({
            "sip2": {"host": "127.0.0.1", "port": 9},
            "storage": {"database": str(Path(folder) / "kiosk.db")},
            "printer": {"driver": "network", "host": printer.address[0], "port": printer.address[1]},
            "email": {"host": "127.0.0.1", "port": 9, "sender": "kiosk@library.example"}})
        runtime = KioskRuntime(config, with_devices=False)
        receipts = runtime.receipts  # not started: the e-mail stays queued, nothing is sent
        try:
            report("e-mail receipt on the patron's path", timed(args.samples, {
                "queue.enqueue (baseline)": lambda: runtime.queue.enqueue(
                    "checkin", item_id="31234567890126", transaction_date=datetime.now()),
                "deliver('email')": lambda: receipts.deliver("email", RESULTS, patron_name="Jane Doe",
                                                             patron_email="jane@example.org", offline=False),
            }), "queue.enqueue (baseline)")

            dummy = Dummy()
            write_receipt(dummy, build_receipt(RESULTS, library_name="Library"))
            raw = socket.create_connection(printer.address)
            receipts.printer.refresh()
            report("printed receipt (network printer emulator on 127.0.0.1)", timed(args.samples // 3, {
                "raw socket sendall (baseline)": lambda: raw.sendall(dummy.output),
                "deliver('print')": lambda: receipts.deliver("print", RESULTS, patron_name="Jane Doe",
                                                             patron_email="", offline=False),
            }), "raw socket sendall (baseline)")
            raw.close()

            report("one metrics scrape", timed(args.samples, {
                "queue.counts (baseline)": runtime.queue.counts,
                "monitoring.metrics()": Monitoring(runtime).metrics,
            }), "queue.counts (baseline)")
        finally:
            runtime.stop()
            printer.stop()


if __name__ == "__main__":
    main()
