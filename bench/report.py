"""Run every benchmark and rewrite the table of figures in bench/README.md.

    python -m bench.report [--only soak codec ...] [--use day saved-output.txt] [--dry-run]

Each benchmark runs in its own process, one after the other, with the command shown in the
table; its headline figure, the baseline measured in the same run and their ratio are read
from what it prints. With `--only`, just those rows are measured again and the others are
kept as they were; with `--use KEY FILE`, KEY's row is read from the saved output of a run of
its command (the day in the life takes most of an hour). `--dry-run` prints the table instead
of writing it.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "bench" / "README.md"
START, END = "<!-- figures: start -->", "<!-- figures: end -->"
NUMBER = r"([0-9][0-9,]*\.?[0-9]*)"

Row = tuple[str, str, str]  # figure, baseline, ratio


@dataclass(frozen=True)
class Bench:
    """One benchmark: its key, what it measures, its command, and how to read its output."""

    key: str
    what: str
    args: tuple[str, ...]
    read: Callable[[str], Row]

    @property
    def command(self) -> str:
        return " ".join((".venv/bin/python", "-m", *self.args))


def _find(pattern: str, text: str) -> tuple[str, ...]:
    match = re.search(pattern, text, re.MULTILINE)
    if match is None:
        raise ValueError(f"no line matching {pattern!r}")
    return match.groups()


def read_codec(out: str) -> Row:
    ratio, = _find(r"^ours / fastest peer \(.*?\): " + NUMBER + "x", out)  # the name may hold parentheses
    ours, = _find(r"^ours\s+" + NUMBER, out)
    return f"{ours} msg/s (SC side)", "fastest peer library", f"{ratio}x its rate"


def read_roundtrip(out: str) -> Row:
    bare, = _find(r"^bare socket\s+[0-9,]+\s+" + NUMBER, out)
    client, = _find(r"^SIP2Client\s+[0-9,]+\s+" + NUMBER, out)
    ratio = float(client.replace(",", "")) / float(bare.replace(",", ""))
    return f"{client} us median", f"{bare} us bare socket", f"{ratio:.2f}x its time"


def read_queue(out: str) -> Row:
    ours, = _find(r"OfflineQueue\.enqueue\s+median\s+" + NUMBER, out)
    bare, = _find(r"bare sqlite3 insert\+commit\s+median\s+" + NUMBER, out)
    ratio, = _find(r"ratio enqueue/bare: median " + NUMBER, out)
    return f"{ours} ms enqueue", f"{bare} ms bare insert", f"{ratio}x its time"


def read_receipts(out: str) -> Row:
    ours, ratio = _find(r"^deliver\('email'\)\s+" + NUMBER + r"\s+\S+\s+" + NUMBER, out)
    base, = _find(r"^queue\.enqueue \(baseline\)\s+" + NUMBER, out)
    return f"{ours} ms e-mail receipt", f"{base} ms enqueue", f"{ratio}x its time"


def read_app(out: str) -> Row:
    ratio, = _find(r"^cold start to first frame\s+" + NUMBER, out)
    memory, = _find(r"^idle RSS\s+" + NUMBER, out)
    redraws, = _find(r"^kiosk redraws per idle second\s+" + NUMBER, out)
    scan, = _find(r"^Scan to row on screen.*\n.*\n.*\n\s*" + NUMBER, out)  # the table's first cell
    return (f"first frame {ratio}x, idle RSS {memory}x, {redraws} redraws/idle s, scan to row {scan} ms",
            "bare Kivy app, same rounds", f"{ratio}x its time")


def read_pad(out: str) -> Row:
    ratio, = _find(r"^median last/wire " + NUMBER, out)
    return "stack read on a paced pty", "wire time", f"{ratio}x the wire time"


def read_stack(out: str) -> Row:
    total, minimal, ratio = _find(r"^median " + NUMBER + r" ms from \d+ tags placed to \d+ outcomes; minimal wire time "
                                  + NUMBER + r" ms; ratio median " + NUMBER, out)
    return f"{total} ms, 5 tags placed to 5 outcomes", f"{minimal} ms minimal wire time", f"{ratio}x its time"


def read_scanners(out: str) -> Row:
    ours, base, ratio = _find(r"^wedge decoding\s*:\s*" + NUMBER + r" events/s\s+baseline\s+" + NUMBER
                              + r" events/s\s+ratio\s+" + NUMBER, out)
    return f"{ours} events/s wedge decoding", f"{base} events/s bare dict lookup", f"{ratio}x its time"


def read_emulator(out: str) -> Row:
    # the first block of the output is one client's: its baseline, then the checkout+checkin line
    floor, = _find(r"^\s*baseline \(canned 98\)\s+" + NUMBER + r" req/s", out)
    rate, ratio = _find(r"^\s*11 checkout / 09 checkin\s+" + NUMBER + r" req/s.*?baseline/this " + NUMBER + "x", out)
    return f"{rate} req/s checkout+checkin", f"{floor} req/s canned ACS", f"{ratio}x slower"


def read_soak(out: str) -> Row:
    growth, = _find(r"growth ([+-]?[0-9.]+) MB", out)
    first, last, ratio = _find(r"first \d+ " + NUMBER + r" ms, last \d+ " + NUMBER + r" ms, ratio "
                               + NUMBER, out)
    return (f"{last} ms last 1000, RSS {growth} MB after warm-up", f"{first} ms first 1000", f"{ratio}x (last / first)")


def read_day(out: str) -> Row:
    sessions, = _find(r"^day in the life: (\d+) sessions", out)
    kills, = _find(r"^\s+kills\s+(\d+)", out)
    loans, = _find(r"^\s+loans compared\s+(\d+)", out)
    return f"{sessions} sessions, {kills} kills, {loans} loans = journal", "-", "-"


BENCHES = (
    Bench("codec", "SIP2 encode + decode, SC side", ("bench.bench_codec",), read_codec),
    Bench("roundtrip", "SIP2Client checkout round trip", ("bench.bench_roundtrip",), read_roundtrip),
    Bench("emulator", "ACS emulator throughput, 1 client", ("bench.emulator_throughput",), read_emulator),
    Bench("queue", "durable offline enqueue (median)", ("bench.bench_queue",), read_queue),
    Bench("receipts", "e-mail receipt on the patron's path", ("bench.bench_receipts",), read_receipts),
    Bench("scanners", "scanner wedge decoding", ("bench.bench_scanners",), read_scanners),
    Bench("rfid", "RFID pad: stack of tags read", ("bench.bench_rfid_pad",), read_pad),
    Bench("stack", "RFID stack checked out through the runtime", ("bench.bench_stack", "--quiet"), read_stack),
    Bench("app", "touchscreen app cold start", ("bench.bench_app",), read_app),
    Bench("soak", "soak: 10,000 transactions through the core", ("bench.soak",), read_soak),
    Bench("day", "day in the life: app, offline, SIGKILLs", ("bench.day_in_the_life",), read_day),
)


def measure(bench: Bench, saved: Path | None = None) -> Row:
    """Run one benchmark (or read what a run of it printed, from `saved`); its row, or why not."""
    if saved is not None:
        output = saved.read_text(encoding="utf-8")
    else:
        done = subprocess.run([sys.executable, "-m", *bench.args], cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            return f"failed (exit {done.returncode})", "-", "-"
        output = done.stdout
    try:
        return bench.read(output)
    except ValueError as exc:
        return f"output not understood ({exc})", "-", "-"


def table(rows: dict[str, Row]) -> str:
    """The Markdown table, one line per benchmark."""
    lines = ["| benchmark | figure | baseline (same run) | ratio | command |", "|---|---|---|---|---|"]
    for bench in BENCHES:
        figure, baseline, ratio = rows.get(bench.key, ("not measured yet", "-", "-"))
        lines.append(f"| {bench.what} | {figure} | {baseline} | {ratio} | `{bench.command}` |")
    return "\n".join(lines)


def kept_rows(text: str) -> dict[str, Row]:
    """The rows of the table now in the README, by benchmark."""
    rows: dict[str, Row] = {}
    for bench in BENCHES:
        match = re.search(r"^\| " + re.escape(bench.what) + r" \| (.*?) \| (.*?) \| (.*?) \|", text, re.MULTILINE)
        if match:
            rows[bench.key] = match.groups()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[b.key for b in BENCHES], help="measure just these")
    parser.add_argument("--use", nargs=2, action="append", default=[], metavar=("KEY", "FILE"),
                        help="take KEY's row from FILE, the saved output of its command (for the long ones)")
    parser.add_argument("--dry-run", action="store_true", help="print the table, leave the README alone")
    args = parser.parse_args(argv)
    saved = {key: Path(file) for key, file in args.use}
    text = README.read_text(encoding="utf-8")
    rows = kept_rows(text)
    for bench in BENCHES:
        if bench.key in saved:
            rows[bench.key] = measure(bench, saved[bench.key])
            continue
        if args.only and bench.key not in args.only:
            continue
        print(f"running {bench.command} ...", flush=True)
        rows[bench.key] = measure(bench)
        print("  " + " | ".join(rows[bench.key]), flush=True)
    new_table = table(rows)
    if args.dry_run:
        print(new_table)
        return 0
    if START not in text or END not in text:
        raise SystemExit(f"{README.relative_to(ROOT)} has no {START} ... {END} section to rewrite")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    README.write_text(f"{before}{START}\n{new_table}\n{END}{after}", encoding="utf-8")
    print(f"{README.relative_to(ROOT)} rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
