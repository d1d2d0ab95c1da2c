"""Scanner decoding and delivery figures, each beside a baseline measured in the same run.

The machine is shared, so compare the ratios, not the absolute numbers:

- wedge decoding (WedgeDecoder) vs a bare key-code -> character dict loop over the same events;
- serial framing (LineFramer) vs `bytes.split` on the same bytes;
- scan latency over a pty (write -> Scan in the sink, through SerialScanner and its thread) vs
  a plain pyserial `read_until` loop in a thread reading the same kind of pty.

Run: `python -m bench.bench_scanners [--barcodes N] [--latency-rounds N]`.
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import threading
import time
import tty

import serial
from evdev import ecodes as E

from kiosk.backoff import Backoff
from kiosk.devices.emulators.scanner import frame_barcode, wedge_events
from kiosk.devices.events import DeviceStatus, Scan
from kiosk.devices.keymaps import keymap
from kiosk.devices.serial_framing import LineFramer
from kiosk.devices.serial_scanner import SerialScanner
from kiosk.devices.wedge_decoder import WedgeDecoder

BARCODE = "30234000517861"


def _best_of(runs: int, work) -> float:
    """Fastest of `runs` timings: the least disturbed by other load on the machine."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def bench_wedge(barcodes: int) -> tuple[float, float]:
    """Seconds to decode `barcodes` scans: (WedgeDecoder, bare dict baseline)."""
    events = wedge_events(BARCODE, "us", start=1.0) * barcodes
    plain = keymap("us").plain

    def decoder() -> None:
        outcomes = WedgeDecoder("us").feed_all(events)
        assert len(outcomes) == barcodes

    def baseline() -> None:
        scans, chars = [], []
        for event in events:
            if event.type == E.EV_KEY and event.value == 1:
                if event.code == E.KEY_ENTER:
                    scans.append("".join(chars))
                    chars = []
                else:
                    chars.append(plain[event.code])
        assert len(scans) == barcodes

    return _best_of(5, decoder), _best_of(5, baseline)


def bench_framing(barcodes: int) -> tuple[float, float]:
    """Seconds to frame `barcodes` lines in 64-byte reads: (LineFramer, bytes.split baseline)."""
    data = frame_barcode(BARCODE, "crlf", aim="]F0") * barcodes
    chunks = [data[i:i + 64] for i in range(0, len(data), 64)]

    def framer() -> None:
        framer_ = LineFramer()
        count = sum(len(framer_.feed(chunk)) for chunk in chunks)
        assert count == barcodes

    def baseline() -> None:
        pending, count = b"", 0
        for chunk in chunks:
            *lines, pending = (pending + chunk).split(b"\r\n")
            count += sum(1 for line in lines if line)
        assert count == barcodes

    return _best_of(5, framer), _best_of(5, baseline)


def _raw_pty() -> tuple[int, int, str]:
    master, slave = os.openpty()
    tty.setraw(slave)
    return master, slave, os.ttyname(slave)


def bench_latency(rounds: int) -> tuple[list[float], list[float]]:
    """Per-scan latency in seconds over a pty: (SerialScanner, plain pyserial thread)."""
    master, slave, path = _raw_pty()
    events: queue.Queue = queue.Queue()
    scanner = SerialScanner("bench", events.put, path, backoff=Backoff(0.01, 2, 0.1),
                            poll_interval=0.05)
    scanner.start()
    while not (isinstance(e := events.get(timeout=5), DeviceStatus) and e.detail == "connected"):
        pass
    ours = []
    for _ in range(rounds):
        start = time.perf_counter()
        os.write(master, frame_barcode(BARCODE, "cr"))
        while not isinstance(events.get(timeout=5), Scan):
            pass
        ours.append(time.perf_counter() - start)
    scanner.stop()
    os.close(master)
    os.close(slave)

    master, slave, path = _raw_pty()
    lines: queue.Queue = queue.Queue()
    stop = threading.Event()
    port = serial.serial_for_url(path, timeout=0.05)

    def reader() -> None:
        while not stop.is_set():
            line = port.read_until(b"\r")
            if line.endswith(b"\r"):
                lines.put(line[:-1].decode())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    baseline = []
    for _ in range(rounds):
        start = time.perf_counter()
        os.write(master, frame_barcode(BARCODE, "cr"))
        lines.get(timeout=5)
        baseline.append(time.perf_counter() - start)
    stop.set()
    thread.join(5)
    port.close()
    os.close(master)
    os.close(slave)
    return ours, baseline


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--barcodes", type=int, default=5000, help="scans per throughput run")
    parser.add_argument("--latency-rounds", type=int, default=200, help="scans per latency run")
    args = parser.parse_args(argv)

    ours, base = bench_wedge(args.barcodes)
    events = len(wedge_events(BARCODE, "us")) * args.barcodes
    print(f"wedge decoding  : {events / ours:12,.0f} events/s  baseline {events / base:12,.0f} "
          f"events/s  ratio {ours / base:5.2f}x  ({args.barcodes / ours:,.0f} scans/s)")
    ours, base = bench_framing(args.barcodes)
    print(f"serial framing  : {args.barcodes / ours:12,.0f} lines/s   baseline {args.barcodes / base:12,.0f} "
          f"lines/s   ratio {ours / base:5.2f}x")
    ours_lat, base_lat = bench_latency(args.latency_rounds)
    for label, values in (("serial scanner", ours_lat), ("plain pyserial", base_lat)):
        ms = sorted(v * 1000 for v in values)
        print(f"pty scan latency: {label}  median {statistics.median(ms):6.3f} ms  "
              f"p95 {ms[int(len(ms) * 0.95) - 1]:6.3f} ms  max {ms[-1]:6.3f} ms")
    print(f"pty scan latency ratio (median, ours / baseline): "
          f"{statistics.median(ours_lat) / statistics.median(base_lat):5.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
