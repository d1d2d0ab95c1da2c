"""Pad round trips and wire time of one checkout of a stack of tags, per command.

The pad loop of each driver runs against its emulator (TCP on 127.0.0.1, unpaced); a stack of
tags is placed, every item read, then every item released (security written and read back)
as the circulation core does at checkout. Every request but the inventories is counted at the
emulator, with the bytes both ways and their time on the wire at the driver's default rate
(10 bits a byte). Inventories are left out: their number depends on the poll interval.

Run: python bench/bench_rfid_checkout.py [--tags 5] [--strict]
"""

from __future__ import annotations

import argparse
import queue
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.devices.emulators.rfid_3m810 import M3M810Emulator  # noqa: E402
from kiosk.devices.emulators.rfid_feig import FeigEmulator  # noqa: E402
from kiosk.devices.emulators.serving import EmulatorServer  # noqa: E402
from kiosk.devices.emulators.tag_store import make_tag  # noqa: E402
from kiosk.devices.events import ItemPlaced  # noqa: E402
from kiosk.devices.rfid import open_pad  # noqa: E402

from bench.bench_rfid_pad import wait_events  # noqa: E402

DRIVERS = {"3m810": (M3M810Emulator, 19200), "feig": (FeigEmulator, 38400)}


def command_name(driver: str, frame) -> str:
    """The request's command as a technician reads it in a trace."""
    if driver == "3m810":
        return f"{frame.start:02X} {frame.command:02X}" if getattr(frame, "start", 0xD6) != 0xD6 \
            else f"{frame.command:02X}"
    return f"{frame.command:02X} {frame.data[0]:02X}" if frame.data else f"{frame.command:02X}"


def checkout(driver: str, tags: int, strict: bool) -> tuple[Counter, Counter, int, int]:
    """(requests per command, bytes per command, items read, releases held) for one stack."""
    emulator_class, _ = DRIVERS[driver]
    emulator = emulator_class(strict=True) if strict else emulator_class()
    inventory = "FE" if driver == "3m810" else "B0 01"
    requests: Counter = Counter()
    wire: Counter = Counter()
    handle = emulator.handle

    def counting(frame):
        reply = handle(frame)
        name = command_name(driver, frame)
        if name != inventory:
            requests[name] += 1
            wire[name] += emulator.frame_size(frame) + len(reply)
        return reply

    emulator.handle = counting
    server = EmulatorServer(emulator, pace=False)
    events: queue.Queue = queue.Queue()
    pad = open_pad({"driver": driver, "port": f"socket://127.0.0.1:{server.serve_tcp(0)}",
                    "poll_interval": 0.02, "missing_rounds": 1}, events.put)
    pad.start()
    try:
        stack = [make_tag("iso28560-3", f"3023400051786{n % 10}", isil="DK-710100") for n in range(tags)]
        emulator.store.place(*stack)
        placed = wait_events(events, ItemPlaced, tags)  # exits saying how many came if not all
        held = sum(pad.set_security(event.tag.uid, False).held for event in placed)
    finally:
        pad.stop()
        server.stop()
    return requests, wire, len(placed), held


def main() -> int:
    """Print one table per driver."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tags", type=int, default=5)
    parser.add_argument("--strict", action="store_true", help="emulators answer only the known commands")
    args = parser.parse_args()
    for driver, (_, baud) in DRIVERS.items():
        requests, wire, read, held = checkout(driver, args.tags, args.strict)
        mode = "strict" if args.strict else "full"
        print(f"{driver} ({mode} emulator, {baud} baud): {args.tags} tags, {read} read, {held} released and verified")
        print(f"  {'command':>8} {'requests':>8} {'bytes':>6} {'wire ms':>8}")
        for name in sorted(requests):
            print(f"  {name:>8} {requests[name]:>8} {wire[name]:>6} {wire[name] * 10 / baud * 1000:>8.1f}")
        total = sum(wire.values())
        print(f"  {'total':>8} {sum(requests.values()):>8} {total:>6} {total * 10 / baud * 1000:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
