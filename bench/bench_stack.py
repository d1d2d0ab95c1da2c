"""A stack of tags placed on the pad to their checkout outcomes, through the kiosk's runtime.

The kiosk's runtime (circulation core, offline queue, journal, the pad loop with the kiosk's
default settings) checks out a stack of tags placed at once on an emulated 3M 810 pad: each
`ItemPlaced` taken off the runtime's event queue goes to `handle_device_event` in checkout
mode, as the app's circulation worker does, until every item has its outcome (the ACS's
answer, then the tag's security released and read back). The pad emulator runs in its own
process, as a pad is its own hardware, on a pseudo-terminal paced at 19200 baud; the ACS
emulator runs in its own process too and answers at once (no delay configured).

For every run it prints a timeline: each pad frame with its command, bytes both ways and wire
time, every gap in which the pad's line was idle, each item placed, SIP2 request and security
write, and each outcome. Then the total (placed -> last outcome), the minimal wire time (the
frames of one inventory that sees the stack, one read per tag, and an AFI write with its
read-back per tag, sized by the driver's own encoders) and their ratio. Target: 1.2x.

Run: python -m bench.bench_stack [--tags 5] [--runs 3] [--strict] [--quiet]
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's packages

from sip2.emulator import ACSEmulator  # noqa: E402
from sip2.emulator.demo_data import DEMO  # noqa: E402

from kiosk.config import parse_config  # noqa: E402
from kiosk.core.outcomes import ItemOutcome, LoginResult, LoginStatus, Mode  # noqa: E402
from kiosk.core.runtime import KioskRuntime  # noqa: E402
from kiosk.devices.emulators.rfid_3m810 import M3M810Emulator  # noqa: E402
from kiosk.devices.emulators.serving import EmulatorServer  # noqa: E402
from kiosk.devices.emulators.tag_store import make_tag  # noqa: E402
from kiosk.devices.events import ItemPlaced, ItemRemoved  # noqa: E402
from kiosk.devices.rfid import protocol_3m810 as p  # noqa: E402
from kiosk.devices.rfid.config import PadSettings  # noqa: E402

from bench.bench_roundtrip import served  # noqa: E402

BAUD = 19200
CHAR = 10.0 / BAUD  # seconds one byte takes on the wire (8N1)
DEFAULTS = PadSettings(driver="3m810")  # the kiosk's defaults: poll interval, first read
COMMANDS = {p.INVENTORY: "inventory", p.READ: "read", p.WRITE: "write", p.GET_AFI: "get AFI",
            p.WRITE_AFI: "write AFI", p.TAG_INFO: "tag info", p.CHECK_EAS: "check EAS",
            p.EAS_CONTROL: "EAS control", p.GET_DSFID: "get DSFID"}
IDLE_SHOWN = 0.001  # seconds: shorter gaps on the pad's line are not printed
TIMEOUT = 10.0  # seconds a run may take before the bench gives up


def serve_acs(ready: Pipe) -> None:
    """The ACS emulator with its demo library in a temporary file; its port goes through `ready`."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))  # ended by the bench: remove the file
    with tempfile.TemporaryDirectory() as folder:
        emulator = ACSEmulator(db=str(Path(folder) / "library.db"), institution_id="DEMO").start()
        ready.send(emulator.address[1])
        threading.Event().wait()  # serve until the bench ends this process


Frame = tuple[float, str, int, int]  # when the emulator answered, command, bytes in, bytes out


def serve_pad(control: Pipe, strict: bool) -> None:
    """The 3M 810 emulator on a pty, paced at 19200 baud, told through `control` what to do:
    ("place", items) -> the tags' UIDs and when they were placed; ("clear", None) -> None;
    ("frames", None) -> the frames answered since the last time asked. Sends the pty's path first."""
    emulator = M3M810Emulator(strict=strict)
    frames: deque[Frame] = deque()  # appended by the emulator's thread, taken by this one
    respond = emulator.respond

    def logged(frame: p.Frame) -> bytes | None:
        reply = respond(frame)
        frames.append((time.monotonic(), COMMANDS.get(frame.command, f"0x{frame.command:02X}"),
                       emulator.frame_size(frame), len(reply or b"")))
        return reply

    emulator.respond = logged  # type: ignore[method-assign]
    server = EmulatorServer(emulator, BAUD, pace=True)
    control.send(server.serve_pty())
    try:
        while True:
            command, items = control.recv()
            if command == "place":
                tags = [make_tag("iso28560-3", item, isil="DK-710100") for item in items]
                emulator.store.place(*tags)
                control.send(([tag.uid for tag in tags], time.monotonic()))
            elif command == "clear":
                emulator.store.clear()
                control.send(None)
            else:
                control.send([frames.popleft() for _ in range(len(frames))])
    except EOFError:  # the bench has ended
        server.stop()


@contextmanager
def pad_process(strict: bool) -> Iterator[tuple[str, Pipe]]:
    """Run `serve_pad` in its own process until the block ends; yield its pty and its control pipe."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=serve_pad, args=(theirs, strict), daemon=True)
    process.start()
    try:
        if not ours.poll(30):
            raise SystemExit("the pad emulator did not start within 30 s")
        yield ours.recv(), ours
    finally:
        ours.close()
        process.join(5)
        if process.is_alive():
            process.terminate()


def minimal_wire_bytes(uids: list[str], blocks: int = DEFAULTS.first_read_blocks) -> int:
    """Bytes both ways of the least a checkout of the stack needs: one inventory that sees it,
    one read of the first blocks per tag, an AFI write and its read-back per tag."""
    total = len(p.inventory_request()) + len(p.encode_frame(p.INVENTORY, bytes(4 + 8 * len(uids))))
    for uid in uids:
        total += len(p.read_request(uid, 0, blocks)) + len(p.encode_frame(p.READ, bytes(10 + 6 * blocks)))
        total += len(p.tag_request(p.WRITE_AFI, uid, b"\x00")) + len(p.encode_frame(p.WRITE_AFI, bytes(9)))
        total += len(p.tag_request(p.GET_AFI, uid)) + len(p.encode_frame(p.GET_AFI, bytes(10)))
    return total


@dataclass
class Timeline:
    """What happened in one run, in monotonic seconds; pad frames kept apart for the wire sums."""

    start: float = 0.0
    lines: list[tuple[float, str]] = field(default_factory=list)
    frames: list[tuple[float, float, str, int, int]] = field(default_factory=list)  # on, off, name, in, out
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, when: float, text: str) -> None:
        """One line of the timeline."""
        with self._lock:
            self.lines.append((when, text))

    def add_frames(self, frames: list[Frame]) -> None:
        """Pad exchanges: each request ended on the wire when it was answered; the reply followed."""
        with self._lock:
            self.frames += [(answered - size_in * CHAR, answered + size_out * CHAR, name, size_in, size_out)
                            for answered, name, size_in, size_out in frames]

    def clear(self, start: float) -> None:
        """Forget the previous run."""
        with self._lock:
            self.start, self.lines, self.frames = start, [], []

    def print(self, end: float) -> None:
        """The run's lines and pad frames in time order, with the idle gaps on the pad's line."""
        rows = list(self.lines)
        busy_until = self.start
        for on, off, name, size_in, size_out in sorted(self.frames):
            if on > end:
                break
            if on - busy_until >= IDLE_SHOWN:
                rows.append((busy_until, f"  pad idle {1000 * (on - busy_until):.1f} ms"))
            rows.append((on, f"  pad {name:<10} >> {size_in:3d} B << {size_out:3d} B  "
                             f"wire {1000 * (size_in + size_out) * CHAR:5.1f} ms"))
            busy_until = max(busy_until, off)
        for when, text in sorted(rows, key=lambda row: row[0]):
            print(f"  {1000 * (when - self.start):7.1f} ms {text}")

    def wire_bytes(self, end: float) -> int:
        """Bytes both ways of the frames on the wire between the start and `end` (an inventory
        already under way when the stack was placed may be the one that sees it)."""
        return sum(size_in + size_out for on, off, _, size_in, size_out in self.frames
                   if off > self.start and on <= end)


def instrument(runtime: KioskRuntime, timeline: Timeline) -> None:
    """Log SIP2 requests at the client and security writes at the pad (pad frames: at the emulator)."""
    client = runtime.link.client
    for name in ("checkout", "patron_information", "end_patron_session", "checkin"):
        setattr(client, name, _timed(getattr(client, name), f"sip2 {name}", timeline))
    pad = runtime.pad
    pad.set_security = _timed(pad.set_security, "security", timeline)


def _timed(call: Callable[..., Any], label: str, timeline: Timeline) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.monotonic()
        result = call(*args, **kwargs)
        held = f", held: {result.held}" if hasattr(result, "held") else ""
        what = args[1] if label.endswith("checkout") and len(args) > 1 else (args[0] if args else "")
        timeline.note(began, f"{label} {what} ({1000 * (time.monotonic() - began):.1f} ms{held})")
        return result
    return timed


def log_in(runtime: KioskRuntime) -> None:
    """The demo's good patron, with the PIN."""
    result = runtime.handle_scan(DEMO.good_patron, pin=DEMO.good_pin)
    if not isinstance(result, LoginResult) or result.status is not LoginStatus.OK:
        raise SystemExit(f"the demo patron could not log in: {result}")


def events_until(runtime: KioskRuntime, done: Callable[[Any], bool]) -> Iterator[Any]:
    """Device events as they come, until `done(event)` is true for one; exits on a stall."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            event = runtime.events.get(timeout=0.05)
        except queue.Empty:
            continue
        yield event
        if done(event):
            return
    raise SystemExit(f"the run did not finish within {TIMEOUT:.0f} s")


def one_run(runtime: KioskRuntime, pad: Pipe, timeline: Timeline,
            items: list[str]) -> tuple[float, float, list[str], list[ItemOutcome]]:
    """Place the stack, check every item out; (seconds to the last outcome, to the last item
    placed, the tags' UIDs, the outcomes)."""
    log_in(runtime)
    pad.send(("frames", None))
    pad.recv()  # forget the empty pad's inventories
    pad.send(("place", items))
    uids, start = pad.recv()
    wall_start = time.time() - (time.monotonic() - start)
    timeline.clear(start)
    timeline.note(start, f"{len(uids)} tags placed on the pad")
    outcomes: list[ItemOutcome] = []
    last_placed = start
    for event in events_until(runtime, lambda event: len(outcomes) == len(uids)):
        if not isinstance(event, ItemPlaced):
            continue
        placed = start + event.timestamp - wall_start  # the pad loop stamps its events with the wall clock
        last_placed = max(last_placed, placed)
        timeline.note(placed, f"ItemPlaced {event.tag.item_id} sent by the pad loop")
        timeline.note(time.monotonic(), f"ItemPlaced {event.tag.item_id} handled (the previous item done)")
        outcome = runtime.handle_device_event(event, Mode.CHECKOUT)
        if not isinstance(outcome, ItemOutcome):
            raise SystemExit(f"no outcome for {event.tag.item_id}: {outcome}")
        outcomes.append(outcome)
        timeline.note(time.monotonic(), f"outcome {outcome.item_id}: "
                                        f"{'done' if outcome.ok and not outcome.alerts else outcome}")
    end = time.monotonic()
    pad.send(("frames", None))
    timeline.add_frames(pad.recv())
    return end - start, last_placed - start, uids, outcomes


def tidy_up(runtime: KioskRuntime, pad: Pipe, items: list[str]) -> None:
    """End the session, take the stack off, return the items (without the pad) for the next run."""
    runtime.circulation.end_session("run over")
    pad.send(("clear", None))
    pad.recv()
    removed: set[str] = set()
    for event in events_until(runtime, lambda event: len(removed) == len(items)):
        if isinstance(event, ItemRemoved):
            removed.add(event.uid)
    for item in items:
        runtime.circulation.checkin(item)


def runtime_for(folder: str, acs_port: int, pad_port: str) -> KioskRuntime:
    """The kiosk's runtime with its defaults, the ACS on 127.0.0.1 and the pad on `pad_port`."""
    return KioskRuntime(parse_config({
        "kiosk": {"library_name": "Bench Library"},
        "sip2": {"host": "127.0.0.1", "port": acs_port, "username": "kiosk", "password": "kiosk",
                 "institution": "DEMO", "location": "kiosk-1"},
        "storage": {"database": str(Path(folder) / "kiosk.db")},
        "rfid": {"driver": "3m810", "port": pad_port},
    }))


def main() -> int:
    """Run the stack `--runs` times; print each timeline, then the summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tags", type=int, default=5, help="tags in the stack (default 5, at most 20)")
    parser.add_argument("--runs", type=int, default=3, help="runs (default 3)")
    parser.add_argument("--strict", action="store_true",
                        help="the pad emulator answers only the commands a real 3M 810 is known to answer")
    parser.add_argument("--quiet", action="store_true", help="no timelines, only the summary")
    args = parser.parse_args()
    if not 1 <= args.tags <= len(DEMO.available_items):
        parser.error(f"--tags must be 1 to {len(DEMO.available_items)}, the demo library's available items")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    items = list(DEMO.available_items[:args.tags])
    timeline = Timeline()
    ratios: list[float] = []
    with ExitStack() as stack:
        acs_port = stack.enter_context(served(serve_acs, "ACS emulator"))
        pad_port, pad = stack.enter_context(pad_process(args.strict))
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        runtime = runtime_for(folder, acs_port, pad_port)
        runtime.start()
        stack.callback(runtime.stop)
        instrument(runtime, timeline)
        mode = "strict (captured commands only)" if args.strict else "full"
        print(f"3M 810 emulator ({mode}) on a pty paced at {BAUD} baud and the ACS emulator, each in its own process, "
              f"answering at once; pad poll interval {runtime.pad.settings.poll_interval} s; "
              f"{args.tags} tags, checkout")
        rows = []
        for run in range(1, args.runs + 1):
            time.sleep(random.uniform(0.0, 0.05))  # place at a random point of the pad's inventory cycle
            total, placed, uids, outcomes = one_run(runtime, pad, timeline, items)
            minimal = minimal_wire_bytes(uids) * CHAR
            wire = timeline.wire_bytes(timeline.start + total) * CHAR
            done = sum(1 for outcome in outcomes if outcome.ok and not outcome.alerts)
            if not args.quiet:
                print(f"\nrun {run}:")
                timeline.print(timeline.start + total)
            rows.append((run, total, placed, wire, minimal, done))
            ratios.append(total / minimal)
            tidy_up(runtime, pad, items)
    print(f"\n{'run':>3} {'outcomes ms':>11} {'placed ms':>9} {'pad wire ms':>11} {'minimal ms':>10} "
          f"{'ratio':>6} {'done':>5}")
    for run, total, placed, wire, minimal, done in rows:
        print(f"{run:3d} {1000 * total:11.1f} {1000 * placed:9.1f} {1000 * wire:11.1f} {1000 * minimal:10.1f} "
              f"{total / minimal:6.2f} {done:>2d}/{args.tags}")
    print(f"median {1000 * statistics.median(row[1] for row in rows):.1f} ms from {args.tags} tags placed to "
          f"{args.tags} outcomes; minimal wire time {1000 * rows[0][4]:.1f} ms; "
          f"ratio median {statistics.median(ratios):.2f} (spread {min(ratios):.2f}-{max(ratios):.2f}); target 1.2")
    return 0


if __name__ == "__main__":
    sys.exit(main())
