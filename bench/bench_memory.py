"""Where the kiosk's idle memory goes, against a bare Kivy app in the same run.

The two apps start as in `bench_app` (each a fresh process, alternating order, the kiosk as
`kiosk run` starts it). Each reports its memory by kind: shared libraries (file-backed pages)
and anonymous pages, of which Python's small objects (pymalloc's 1 MiB arenas) and the C heap
(glibc malloc: large Python objects and every C library's allocations; what it holds from the
system, resident or not). The bare app at idle; the kiosk at every step of its start: before
Kivy, first frame, the runtime's modules imported, the runtime built, the runtime started,
idle. Then the packages the kiosk has loaded at idle that the bare app has not. Medians over
the rounds, in MB. `--redraws N` then has each app draw its unchanged screen N times more and
measures again: what drawing keeps (Mesa's llvmpipe keeps memory per frame drawn).

    .venv/bin/python -m bench.bench_memory [--rounds 3] [--idle 3] [--redraws 40]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_app import _MEASURING, BARE_APP, KIOSK_APP, kiosk_config_file, start_once  # noqa: E402
from bench.timing import median, print_table  # noqa: E402

# Reports one line per moment, "MEM_<moment> rss libraries python malloc" in kB, and the
# modules loaded at idle; the kiosk's steps are hooked where `kiosk run` and the app take them.
REDRAW_EVERY = 0.05  # seconds between two redraws of the idle screen (--redraws)
_MEMORY = f"REDRAW_EVERY = {REDRAW_EVERY}" + """
def memory(moment):
    import ctypes, re, sys, tempfile
    rss = libraries = 0
    mapping_is_file = False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            if re.match(r"[0-9a-f]+-[0-9a-f]+ ", line):
                fields = line.split(None, 5)
                mapping_is_file = len(fields) > 5 and fields[5].startswith("/")
            elif line.startswith("Rss:"):
                kb = int(line.split()[1])
                rss += kb
                libraries += kb if mapping_is_file else 0
    with tempfile.TemporaryFile() as captured:  # sys._debugmallocstats writes to the C stderr
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        stats = captured.read().decode(errors="replace")
    arenas = int(re.search(r"# arenas allocated current\\s*=\\s*([\\d,]+)", stats).group(1).replace(",", ""))
    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in
                    "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    print(f"MEM_{moment}", rss, libraries, arenas * 1024, (info.arena + info.hblkhd) // 1024, flush=True)

_ready_as_measured = ready
def ready():
    from kivy.clock import Clock
    from kivy.core.window import Window
    _ready_as_measured()
    redraws = int(os.environ["BENCH_REDRAWS"])
    def at_idle(dt):
        memory("idle")
        print("MODULES", *sorted(sys.modules), flush=True)
        for n in range(redraws):  # the same screen drawn again, as every session and animation draws it
            Clock.schedule_once(lambda dt: Window.canvas.ask_update(), REDRAW_EVERY * (n + 1))
        if redraws:
            Clock.schedule_once(lambda dt: memory("redrawn"), REDRAW_EVERY * (redraws + 2))
    # just before the RSS line of bench_app, or before the redraws
    Clock.schedule_once(at_idle, IDLE_SECONDS - 0.2 - (REDRAW_EVERY * (redraws + 4) if redraws else 0))

def watch_kiosk_start():
    import functools
    import kiosk.commands.run as run_command
    configure_window = run_command.configure_window
    def configured(config, *args, **kwargs):
        configure_window(config, *args, **kwargs)
        memory("before_kivy")
        from kiosk.app import KioskApp
        def around(name, before=None, after=None):
            step = getattr(KioskApp, name)
            @functools.wraps(step)  # Kivy binds methods by name
            def measured(self, *args):
                if before:
                    memory(before)
                result = step(self, *args)
                if after:
                    memory(after)
                return result
            setattr(KioskApp, name, measured)
        around("_first_frame", "first_frame", "runtime_imported")
        around("_build_runtime", after="runtime_built")
        around("_runtime_ready", after="runtime_started")
    run_command.configure_window = configured
"""

KIOSK_MOMENTS = (("before_kivy", "before Kivy (configuration read)"), ("first_frame", "first frame"),
                 ("runtime_imported", "runtime's modules imported"), ("runtime_built", "runtime built"),
                 ("runtime_started", "runtime started, sounds loaded"), ("idle", "idle"))
KINDS = ("RSS", "libraries", "anonymous", "of it Python objects", "malloc held")


def with_memory(app_source: str, *, kiosk: bool) -> str:
    """An app of bench_app with the memory reports added after its measuring helpers."""
    body = app_source[len(_MEASURING):]
    return _MEASURING + _MEMORY + ("watch_kiosk_start()\n" if kiosk else "") + body


def kinds(line: list[str]) -> list[float]:
    """RSS, libraries, anonymous pages, Python objects, malloc held (MB) from one MEM_ line."""
    rss, libraries, python, malloc = (int(v) / 1024 for v in line)
    return [rss, libraries, rss - libraries, python, malloc]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="cold starts of each app (default 3)")
    parser.add_argument("--idle", type=int, default=3, help="seconds after ready-to-serve until idle (default 3)")
    parser.add_argument("--redraws", type=int, default=0,
                        help="then draw the idle screen this many times more and measure again (default 0)")
    args = parser.parse_args()
    redraw_seconds = math.ceil(REDRAW_EVERY * (args.redraws + 4)) if args.redraws else 0
    from sip2.emulator import ACSEmulator

    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    with ACSEmulator(db=str(folder / "library.db"), institution_id="DEMO") as emulator:
        config_file = kiosk_config_file(folder, emulator.address[1])
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=str(folder / "bytecode"), BENCH_IDLE_SECONDS=str(max(1, args.idle) + redraw_seconds),
                   BENCH_REDRAWS=str(args.redraws))
        env.pop("DISPLAY", None)
        apps = {"bare": (with_memory(BARE_APP, kiosk=False), []),
                "kiosk": (with_memory(KIOSK_APP, kiosk=True), [str(config_file)])}
        for source, app_args in apps.values():  # bytecode written, as an installed kiosk has it
            start_once(folder, source, app_args, env)
        reports: dict[str, list[dict[str, list[str]]]] = {"bare": [], "kiosk": []}
        for round_number in range(args.rounds):
            for name in list(apps) if round_number % 2 == 0 else list(reversed(apps)):
                reports[name].append(start_once(folder, *apps[name], env).reports)

    def row(label: str, app: str, moment: str) -> list[object]:
        per_round = [kinds(r[f"MEM_{moment}"]) for r in reports[app]]
        return [label, *(round(median([k[i] for k in per_round]), 1) for i in range(len(KINDS)))]

    print(f"\nMemory by kind, median of {args.rounds} rounds (MB); anonymous pages hold Python's objects, "
          "malloc's heap, GL buffers and thread stacks")
    bare_idle = row("bare Kivy label: idle", "bare", "idle")
    kiosk_rows = [row(f"kiosk: {label}", "kiosk", moment) for moment, label in KIOSK_MOMENTS]
    difference = ["kiosk - bare, idle", *(round(k - b, 1) for k, b in zip(kiosk_rows[-1][1:], bare_idle[1:]))]
    rows = [bare_idle, *kiosk_rows, difference]
    if args.redraws:
        redrawn = [row(f"{app}: idle, then {args.redraws} redraws", app, "redrawn") for app in ("bare", "kiosk")]
        rows += [*redrawn, ["kiosk - bare, redrawn", *(round(k - b, 1) for k, b in zip(redrawn[1][1:], redrawn[0][1:]))]]
    print_table(("moment", *KINDS), rows)
    bare_modules = set().union(*(r["MODULES"] for r in reports["bare"]))
    extra = Counter(name.split(".")[0] for name in set(reports["kiosk"][-1]["MODULES"]) - bare_modules)
    print("\nPackages the kiosk has loaded at idle and the bare app has not (modules of each)")
    print(", ".join(f"{package} {count}" for package, count in extra.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
