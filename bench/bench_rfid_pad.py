"""Time from a stack of tags placed on an emulated 3M 810 pad to the pad loop's ItemPlaced events.

The emulator runs on a pseudo-terminal at 19200 baud and paces its bytes itself (a pty has no
baud rate): it waits the request's wire time before answering and sends the reply no faster
than 10 bits a byte at 19200 baud. Tag radio time inside a real reader is not emulated.

The pad runs with the kiosk's default settings (poll interval, removal debounce, first read).
Printed side by side for each trial: the measured time to the last ItemPlaced, the wire time
of the bytes exchanged in that interval (requests + replies, 10 bits a byte), the ideal wire
time (one inventory that sees the stack plus one read per tag) and the ratios. The stack's
checkout (security writes included) is timed by bench_stack.py.

Run: python bench/bench_rfid_pad.py [--tags 5] [--trials 10] [--poll SECONDS]
"""

from __future__ import annotations

import argparse
import queue
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.devices.emulators.rfid_3m810 import M3M810Emulator  # noqa: E402
from kiosk.devices.emulators.serving import EmulatorServer  # noqa: E402
from kiosk.devices.emulators.tag_store import make_tag  # noqa: E402
from kiosk.devices.events import ItemPlaced, ItemRemoved  # noqa: E402
from kiosk.devices.rfid import open_pad, protocol_3m810 as p  # noqa: E402
from kiosk.devices.rfid.config import PadSettings  # noqa: E402

BAUD = 19200
DEFAULTS = PadSettings(driver="3m810")  # the kiosk's defaults


def ideal_bytes(tags: int, blocks: int = DEFAULTS.first_read_blocks) -> int:
    """One inventory seeing the stack, then one read of the first blocks per tag."""
    uid = "E004010000000001"
    inventory = len(p.inventory_request()) + len(p.encode_frame(p.INVENTORY, bytes(4 + 8 * tags)))
    read = len(p.read_request(uid, 0, blocks)) + len(p.encode_frame(p.READ, bytes(1 + 8 + 1 + 6 * blocks)))
    return inventory + tags * read


def wait_events(events: queue.Queue, kind: type, count: int, timeout: float = 10.0) -> list:
    """The next `count` events of `kind` (others are dropped); exits if they do not come."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        try:
            event = events.get(timeout=0.05)
        except queue.Empty:
            continue
        if isinstance(event, kind):
            got.append(event)
    if len(got) < count:
        raise SystemExit(f"only {len(got)} of {count} {kind.__name__} events arrived")
    return got


def main() -> int:
    """Run the trials and print the table and the summary ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tags", type=int, default=5)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--poll", type=float, default=DEFAULTS.poll_interval,
                        help=f"pad poll interval in seconds (default {DEFAULTS.poll_interval}, the kiosk's)")
    args = parser.parse_args()

    emulator = M3M810Emulator()
    server = EmulatorServer(emulator, BAUD, pace=True)
    path = server.serve_pty()
    events: queue.Queue = queue.Queue()
    pad = open_pad({"driver": "3m810", "port": path, "baudrate": BAUD, "poll_interval": args.poll}, events.put)
    pad.start()
    char = 10.0 / BAUD
    ideal = ideal_bytes(args.tags) * char
    print(f"3M 810 emulator on a pty, paced at {BAUD} baud; stack of {args.tags} tags; poll {args.poll} s")
    print(f"ideal wire time (1 inventory + an {DEFAULTS.first_read_blocks}-block read per tag): {ideal * 1000:.1f} ms")
    print(f"{'trial':>5} {'first ms':>9} {'last ms':>8} {'wire ms':>8} {'last/wire':>9} {'last/ideal':>10}")
    ratios, ideal_ratios = [], []
    try:
        for trial in range(1, args.trials + 1):
            tags = [make_tag("iso28560-3", f"3023400{trial:03d}{n:04d}", isil="DK-710100") for n in range(args.tags)]
            time.sleep(random.uniform(0.0, 0.05))  # place at a random point of the inventory cycle
            bytes_before = emulator.bytes_in + emulator.bytes_out
            start, wall_start = time.monotonic(), time.time()
            emulator.store.place(*tags)
            placed = wait_events(events, ItemPlaced, args.tags)
            last = time.monotonic() - start
            first = placed[0].timestamp - wall_start
            wire = (emulator.bytes_in + emulator.bytes_out - bytes_before) * char
            ratios.append(last / wire)
            ideal_ratios.append(last / ideal)
            print(f"{trial:5d} {first * 1000:9.1f} {last * 1000:8.1f} {wire * 1000:8.1f} "
                  f"{last / wire:9.2f} {last / ideal:10.2f}")
            emulator.store.clear()
            wait_events(events, ItemRemoved, args.tags)
    finally:
        pad.stop()
        server.stop()
    print(f"median last/wire {statistics.median(ratios):.2f} (max {max(ratios):.2f}); "
          f"median last/ideal {statistics.median(ideal_ratios):.2f} (max {max(ideal_ratios):.2f}); "
          f"target: within 1.5x of the wire time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
