"""The patron app's speed, headless (SDL offscreen + Mesa), against a bare Kivy app in the same run.

1. Start-up, round after round, the two apps in alternating order, each a fresh Python process:
   the kiosk app as `kiosk run` starts it (idle screen first, runtime built behind it) against a
   bare Kivy app showing one label. Per round: time to the first frame, time to ready-to-serve
   (the kiosk's runtime built and started; the bare app is ready at its first frame), redraws
   per second over the idle seconds that follow, and resident memory at their end. Ratios per
   round, then their median and spread.
2. Scan to row on screen: a barcode through the keyboard scanner until the frame that draws its
   row in the checkout list, with the ACS emulator on loopback answering at once; median, p90,
   worst, and for the slowest scans what the time went on (garbage collection, the UI thread,
   Mesa's drawing threads, waiting).
3. The longest frame while the ACS is slow (emulator delay 2 s per reply): the UI loop must
   keep drawing while a checkout waits; compared with the longest frame while idle.
4. A long account: "My account" and "Renew" showing 200 loans, from the account in hand to the
   frame that draws it, against the same screens showing 10 loans, rounds interleaved.

    .venv/bin/python -m bench.bench_app [--rounds 5] [--idle 5] [--scans 30]   # --scans 0: 1. only
"""

from __future__ import annotations

import argparse
import gc
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.timing import median, percentile, print_table  # noqa: E402

# Both apps report through these lines on stdout: FRAME and READY carry time.monotonic() (one
# clock for every process on the machine), IDLE the redraws in each idle second, then the RSS.
_MEASURING = """
import os, sys, tempfile, time
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-bench-"))
os.environ["KIVY_NO_ARGS"] = "1"; os.environ["KIVY_NO_CONSOLELOG"] = "1"; os.environ["KIVY_NO_FILELOG"] = "1"
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, ROOT_DIR)
IDLE_SECONDS = int(os.environ["BENCH_IDLE_SECONDS"])

def watch_first_frame(then=None):
    from kivy.core.window import Window
    def flipped(*a):
        Window.unbind(on_flip=flipped)
        print("FRAME", time.monotonic(), flush=True)
        if then is not None:
            then()
    Window.bind(on_flip=flipped)

def ready():
    # from here on nothing changes on screen: every flip is a redraw nobody needed
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window
    print("READY", time.monotonic(), flush=True)
    since, flips = time.monotonic(), []
    count = lambda *a: flips.append(time.monotonic() - since)
    Window.bind(on_flip=count)
    def finish(dt):
        Window.unbind(on_flip=count)
        per_second = [sum(1 for f in flips if s <= f < s + 1) for s in range(IDLE_SECONDS)]
        print("IDLE", *per_second, flush=True)
        rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
        print("RSS", rss, flush=True)
        app = App.get_running_app()
        getattr(app, "shut_down", app.stop)()  # the kiosk app refuses a plain stop
    Clock.schedule_once(finish, IDLE_SECONDS)
"""

BARE_APP = _MEASURING + """
from kivy.config import Config
Config.set("graphics", "width", "1024"); Config.set("graphics", "height", "600")  # as the kiosk's window
from kivy.app import App
from kivy.uix.label import Label
class Bare(App):
    def build(self):
        return Label(text="Welcome! Scan your library card to begin.")
    def on_start(self):
        watch_first_frame(then=ready)
Bare().run()
"""

# `kiosk run --config FILE` itself: its first frame is the READY=1 it sends systemd (read by the
# bench on a socket of its own); ready-to-serve is reported once the runtime has started.
KIOSK_APP = _MEASURING + """
import kiosk.commands.run as run_command
from kiosk.cli import main
built = run_command.build_runtime
def measured(config):
    runtime = built(config)
    start = runtime.start
    def started():
        start()
        from kivy.clock import Clock
        Clock.schedule_once(lambda dt: ready(), 0)  # after the app has taken the runtime
    runtime.start = started
    return runtime
run_command.build_runtime = measured
sys.exit(main(["run", "--config", sys.argv[1]]))
"""

BARE, KIOSK = "bare Kivy label", "kiosk app"


class Start:
    """One cold start: seconds to the first frame and to ready-to-serve, redraws per idle second,
    RSS (kB), and every line the app reported (by its first word)."""

    def __init__(self, frame: float, ready: float, idle_flips: list[int], rss: int,
                 reports: dict[str, list[str]] | None = None) -> None:
        self.frame, self.ready, self.idle_flips, self.rss = frame, ready, idle_flips, rss
        self.reports = reports or {}

    @property
    def redraws_per_second(self) -> float:
        return sum(self.idle_flips) / len(self.idle_flips)


def start_once(folder: Path, source: str, args: list[str], env: dict[str, str]) -> Start:
    """Run one app in a fresh process and read its reports (and its READY=1 to systemd)."""
    # A real script file: Kivy's App looks up the file its class was defined in.
    script = folder / "app_main.py"
    script.write_text(f"ROOT_DIR = {str(ROOT)!r}\n" + source, encoding="utf-8")
    notify_path = folder / "notify"
    notify_path.unlink(missing_ok=True)
    notified: list[float] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify, tempfile.TemporaryFile() as errors:
        notify.bind(str(notify_path))
        notify.settimeout(60)

        def listen() -> None:
            try:
                while not notify.recv(4096).startswith(b"READY=1"):
                    pass
                notified.append(time.monotonic())
            except OSError:
                pass  # the app ended without saying it was ready

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        spawned = time.monotonic()
        proc = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE, stderr=errors,
                                text=True, cwd=str(ROOT), env={**env, "NOTIFY_SOCKET": str(notify_path)})
        reports = {line.split()[0]: line.split()[1:] for line in proc.stdout if line.strip()}
        proc.wait(timeout=60)
        if "FRAME" not in reports:
            listener.join(5)
            if notified:
                reports["FRAME"] = [str(notified[0])]
        if "RSS" not in reports or "FRAME" not in reports:
            errors.seek(0)
            raise RuntimeError(f"the app did not start: {errors.read().decode(errors='replace')[-2000:]}")
    return Start(float(reports["FRAME"][0]) - spawned, float(reports["READY"][0]) - spawned,
                 [int(n) for n in reports["IDLE"]], int(reports["RSS"][0]), reports)


def kiosk_config_file(folder: Path, port: int) -> Path:
    """A configuration like a real kiosk's: the emulator, a keyboard scanner, a simulated pad."""
    from kiosk.core.technician_pin import hash_pin

    path = folder / "kiosk.toml"
    path.write_text(f"""
[kiosk]
library_name = "Springfield Public Library"
[sip2]
host = "127.0.0.1"
port = {port}
username = "kiosk"
password = "kiosk"
institution = "DEMO"
[offline]
mode = "all"
[storage]
database = "{folder / 'kiosk.db'}"
[technician]
pattern = "TECH-[0-9]{{4}}"
check_digit = "none"
pin_hash = "{hash_pin('0000')}"
[[scanner]]
driver = "keyboard"
name = "keyboard"
[rfid]
driver = "sim"
name = "pad"
[app]
fullscreen = false
""", encoding="utf-8")
    return path


def spread(values: list[float]) -> str:
    """Median and range of per-round figures."""
    return f"{median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def cold_start(rounds: int, idle_seconds: int, port: int) -> None:
    """Section 1."""
    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    config_file = kiosk_config_file(folder, port)
    # Bytecode as an installed kiosk has it (pip compiles it): kept in the bench's own folder,
    # written by one unmeasured start of each app, whatever PYTHONDONTWRITEBYTECODE says here.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPYCACHEPREFIX=str(folder / "bytecode"), BENCH_IDLE_SECONDS=str(idle_seconds))
    env.pop("DISPLAY", None)
    apps = {BARE: (BARE_APP, []), KIOSK: (KIOSK_APP, [str(config_file)])}
    for source, args in apps.values():
        start_once(folder, source, args, env)
    starts: dict[str, list[Start]] = {BARE: [], KIOSK: []}
    for round_number in range(rounds):
        for name in list(apps) if round_number % 2 == 0 else list(reversed(apps)):
            starts[name].append(start_once(folder, *apps[name], env))
    rows, frame_ratios, ready_ratios, rss_ratios = [], [], [], []
    for n, (bare, kiosk) in enumerate(zip(starts[BARE], starts[KIOSK]), 1):
        frame_ratios.append(kiosk.frame / bare.frame)
        ready_ratios.append(kiosk.ready / bare.frame)
        rss_ratios.append(kiosk.rss / bare.rss)
        rows.append((n, round(bare.frame * 1000), round(kiosk.frame * 1000), round(frame_ratios[-1], 2),
                     round(kiosk.ready * 1000), round(ready_ratios[-1], 2), round(bare.rss / 1024),
                     round(kiosk.rss / 1024), round(rss_ratios[-1], 2),
                     " ".join(map(str, bare.idle_flips)), " ".join(map(str, kiosk.idle_flips))))
    print(f"\nCold start, {rounds} rounds, alternating order; idle redraws counted per second over "
          f"{idle_seconds} s after ready-to-serve, RSS at their end")
    print_table(("round", "bare frame ms", "kiosk frame ms", "x bare", "kiosk ready ms", "x bare frame",
                 "bare RSS MB", "kiosk RSS MB", "x bare", "bare redraws/s", "kiosk redraws/s"), rows)
    redraws = [k.redraws_per_second for k in starts[KIOSK]]
    print("\nRatios per round, median (range); goals: first frame <= 1.3x, idle RSS <= 1.2x, 0 redraws while idle")
    print_table(("figure", "kiosk / bare"), [
        ("cold start to first frame", spread(frame_ratios)),
        ("cold start to ready-to-serve (vs bare first frame)", spread(ready_ratios)),
        ("idle RSS", spread(rss_ratios)),
        ("kiosk redraws per idle second", spread(redraws)),
        ("bare redraws per idle second", spread([b.redraws_per_second for b in starts[BARE]]))])


def _thread_cpu() -> dict[str, float]:
    """CPU seconds so far of this process's threads, grouped: the UI thread, Mesa's llvmpipe
    drawing threads, and the rest (workers, the ACS emulator, device threads)."""
    groups = {"ui": 0.0, "mesa": 0.0, "other": 0.0}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/comm") as comm, open(f"/proc/self/task/{tid}/schedstat") as stat:
                name, ns = comm.read().strip(), int(stat.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # the thread ended meanwhile
        group = "ui" if int(tid) == os.getpid() else "mesa" if name.startswith("llvmpipe") else "other"
        groups[group] += ns / 1e9
    return groups


class GCWatch:
    """Every garbage collection (any thread) as (generation, seconds), through gc.callbacks."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0
        gc.callbacks.append(self._seen)

    def _seen(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    def close(self) -> None:
        gc.callbacks.remove(self._seen)


def cause(scan: dict, typical: float) -> str:
    """What made one scan slower than the typical one, by what its extra time went on."""
    extra = scan["wall"] - typical
    if extra < 0.005:
        return "-"
    collected = sum(s for _, s in scan["gc"])
    if collected >= extra / 2:
        full = [s for g, s in scan["gc"] if g == 2]
        named = f"garbage collection ({len(scan['gc'])}x" + (f", a full one {sum(full) * 1000:.0f} ms" if full else "") + ")"
    elif scan["mesa"] > scan["ui"]:
        named = f"Mesa's drawing threads ({scan['mesa'] * 1000:.0f} ms CPU in {scan['frames']} frames)"
    elif scan["ui"] >= (scan["wall"] - scan["ui"]):
        named = f"the UI thread's own work ({scan['ui'] * 1000:.0f} ms CPU)"
    else:
        named = "waiting (the worker, the ACS, CPU taken by other processes)"
    return named + ("; the list overflowed here" if scan["overflow"] else "")


def in_process(scans: int, port: int, emulator) -> None:
    """Sections 2 and 3, on one app in this process."""
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-bench-"))
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kiosk.demo import demo_config
    from kiosk.window_setup import configure_window

    config = demo_config("127.0.0.1", port, tempfile.mkdtemp(prefix="kiosk-bench-"),
                         session={"double_scan_seconds": 0.0})
    configure_window(config, size=(800, 480))
    from kivy.base import EventLoop
    from kivy.core.window import Window

    from sip2.emulator.demo_data import DEMO, item_barcode

    from kiosk.app import KioskApp
    from kiosk.core.runtime import KioskRuntime

    app = KioskApp(KioskRuntime(config))
    app._run_prepare()
    EventLoop.start()

    def pump_until(condition, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError("the screen did not change in time")
            EventLoop.idle()

    def type_scan(text: str) -> None:
        for ch in text:
            Window.dispatch("on_textinput", ch)
        Window.dispatch("on_keyboard", 13, 40, None, [])

    from kivy.graphics.opengl import glFinish

    flips: list[float] = []

    def flipped(*args) -> None:
        # A screen's swap makes Mesa draw the frame; the offscreen surface's does not, and llvmpipe
        # would keep every frame until some later one updates a texture, then draw them all at once.
        glFinish()
        flips.append(time.perf_counter())

    Window.bind(on_flip=flipped)
    pump_until(lambda: app.manager.current == "idle")
    type_scan(DEMO.good_patron)
    pump_until(lambda: app.manager.current == "login")
    app.patron_flow.login_entered("pin", DEMO.good_pin)
    pump_until(lambda: app.manager.current == "checkout")
    for _ in range(30):  # the checkout screen's first frames, before the first scan
        EventLoop.idle()
    items = [item_barcode(n) for n in range(36, 36 + scans + 1) if item_barcode(n) not in DEMO.good_patron_loans]
    screen = app.screen
    rows = screen.ids.rows
    measured = []
    watch = GCWatch()
    core_time: list[float] = []  # the worker's part: the core and the ACS round trip
    handle_scan = app.runtime.handle_scan

    def timed_scan(*args, **kwargs):
        began = time.perf_counter()
        try:
            return handle_scan(*args, **kwargs)
        finally:
            core_time.append(time.perf_counter() - began)

    app.runtime.handle_scan = timed_scan
    for item in items[:scans]:
        settle_until = time.perf_counter() + 0.2  # what the last scan left to do (a patron scans seconds apart)
        while time.perf_counter() < settle_until:
            EventLoop.idle()
        before, pauses_before, overflowing = _thread_cpu(), len(watch.pauses), rows.box.height > rows.height
        core_time.clear()
        flips.clear()
        started = time.perf_counter()
        type_scan(item)
        drawn = None
        while drawn is None:  # the end of the first frame drawn with the row in the list
            turn = time.perf_counter()
            EventLoop.idle()
            if any(r.item_id == item for r in rows.box.children) and flips and flips[-1] > turn:  # noqa: B023
                drawn = flips[-1]
            elif turn - started > 20:
                raise RuntimeError(f"the row of {item} was not drawn in time")
        after = _thread_cpu()
        measured.append({"item": item, "wall": drawn - started, "ui": after["ui"] - before["ui"],
                         "mesa": after["mesa"] - before["mesa"], "gc": watch.pauses[pauses_before:],
                         "overflow": rows.box.height > rows.height and not overflowing, "frames": len(flips),
                         "core": sum(core_time)})
    watch.close()
    latencies = [m["wall"] for m in measured]
    typical = median(latencies)
    print(f"\nScan to row on screen, ACS emulator on loopback ({len(latencies)} checkouts; "
          "goal: median < 30 ms, worst < 100 ms)")
    print_table(("median ms", "p90 ms", "worst ms", "core+ACS median ms", "frames median",
                 "GC runs (gen 0/1/2) during the scans"),
                [(round(typical * 1000, 1), round(percentile(latencies, 0.9) * 1000, 1),
                  round(max(latencies) * 1000, 1), round(median([m["core"] for m in measured]) * 1000, 1),
                  median([m["frames"] for m in measured]),
                  "/".join(str(sum(1 for m in measured for g, _ in m["gc"] if g == gen)) for gen in (0, 1, 2)))])
    slowest = sorted(range(len(measured)), key=lambda i: -measured[i]["wall"])[:3]
    print("\nThe slowest scans and what their time went on")
    print_table(("scan #", "ms", "core+ACS ms", "frames", "UI CPU ms", "Mesa CPU ms", "GC ms", "cause"), [
        (i + 1, round(measured[i]["wall"] * 1000, 1), round(measured[i]["core"] * 1000, 1), measured[i]["frames"],
         round(measured[i]["ui"] * 1000, 1),
         round(measured[i]["mesa"] * 1000, 1), round(sum(s for _, s in measured[i]["gc"]) * 1000, 1),
         cause(measured[i], typical)) for i in slowest])

    def longest_frame(seconds: float) -> tuple[float, float, float, float]:
        """The longest turn of the UI loop (input, clock, layout, drawing) over `seconds`, and per
        second: frames drawn, the UI thread's CPU and Mesa's drawing threads' CPU."""
        flips.clear()
        before = _thread_cpu()
        worst, end = 0.0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            started = time.perf_counter()
            EventLoop.idle()
            worst = max(worst, time.perf_counter() - started)
        after = _thread_cpu()
        return (worst, len(flips) / seconds, (after["ui"] - before["ui"]) / seconds,
                (after["mesa"] - before["mesa"]) / seconds)

    idle_worst = longest_frame(2.5)
    emulator.faults.delay = 2.0
    slow_item = items[scans] if len(items) > scans else item_barcode(200)
    busy_seen = [False]
    app.bind(busy=lambda obj, value: busy_seen.__setitem__(0, busy_seen[0] or value))
    type_scan(slow_item)
    slow_worst = longest_frame(2.5)
    pump_until(lambda: slow_item in screen.outcomes, timeout=15)
    emulator.faults.delay = 0.0
    print("\nLongest UI loop turn (one frame), 2.5 s each (goal: none over 100 ms while the ACS is slow), "
          "and what drawing costs per second")
    print_table(("while", "longest frame ms", "frames/s", "UI CPU ms/s", "Mesa CPU ms/s"), [
        (what, round(worst * 1000, 1), round(frames, 1), round(ui * 1000), round(mesa * 1000))
        for what, (worst, frames, ui, mesa) in (("idle", idle_worst),
                                                ("a checkout waits 2 s for the ACS (progress shown)", slow_worst))])
    print(f"(progress indicator shown during the slow checkout: {busy_seen[0]})")
    long_accounts(app, flips, pump_until)
    app.dispatch("on_stop")


LONG_ACCOUNT, SHORT_ACCOUNT, ACCOUNT_ROUNDS = 200, 10, 7


def long_accounts(app, flips: list[float], pump_until) -> None:
    """Section 4, on the app of sections 2 and 3 (the patron still logged in)."""
    from kiosk.core.outcomes import Account, LoanLine
    from kiosk.screens.manager import screen as screen_named

    def account(loans: int) -> Account:
        return Account("P1", "Jane", loans=tuple(
            LoanLine(f"LOAN{n:04d}", title=f"A book with a title of some length, number {n}", due_text="24/12/2026")
            for n in range(loans)))

    accounts = {SHORT_ACCOUNT: account(SHORT_ACCOUNT), LONG_ACCOUNT: account(LONG_ACCOUNT)}
    figures: dict[tuple[str, int], list[float]] = {}
    for name in ("account", "renew"):
        screen = screen_named(app.manager, name)
        app.manager.current = name
        for round_number in range(ACCOUNT_ROUNDS):
            sizes = (SHORT_ACCOUNT, LONG_ACCOUNT) if round_number % 2 == 0 else (LONG_ACCOUNT, SHORT_ACCOUNT)
            for loans in sizes:
                screen.loading()
                emptied = time.perf_counter()
                pump_until(lambda: bool(flips) and flips[-1] > emptied)  # noqa: B023  (the empty list drawn first)
                started = time.perf_counter()
                screen.show_account(accounts[loans])
                pump_until(lambda: bool(flips) and flips[-1] > started)  # noqa: B023
                figures.setdefault((name, loans), []).append(flips[-1] - started)
    print(f"\nA long account: {LONG_ACCOUNT} loans against {SHORT_ACCOUNT}, from the account in hand to the frame "
          f"that draws it ({ACCOUNT_ROUNDS} interleaved rounds)")
    print_table(("screen", f"{SHORT_ACCOUNT} loans ms", f"{LONG_ACCOUNT} loans ms", "x short (median, range)"), [
        (name, round(median(figures[name, SHORT_ACCOUNT]) * 1000, 1), round(median(figures[name, LONG_ACCOUNT]) * 1000, 1),
         spread([long / short for long, short in zip(figures[name, LONG_ACCOUNT], figures[name, SHORT_ACCOUNT])]))
        for name in ("account", "renew")])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="cold starts of each app (default 5)")
    parser.add_argument("--idle", type=int, default=5, help="idle seconds counted for redraws (default 5)")
    parser.add_argument("--scans", type=int, default=30, help="checkouts timed (default 30; 0: the cold starts only)")
    args = parser.parse_args()
    from sip2.emulator import ACSEmulator

    with tempfile.TemporaryDirectory() as folder, \
            ACSEmulator(db=str(Path(folder) / "library.db"), institution_id="DEMO") as emulator:
        cold_start(args.rounds, args.idle, emulator.address[1])
        if args.scans > 0:
            in_process(args.scans, emulator.address[1], emulator)
    return 0


if __name__ == "__main__":
    sys.exit(main())
