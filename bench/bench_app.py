"""The patron app's speed, headless (SDL offscreen + Mesa), against baselines in the same run.

1. Cold start to the idle screen and idle memory: the kiosk app (runtime, devices, database,
   ACS link, every screen) against a bare Kivy app showing one label; each is a fresh Python
   process, run in alternating order, round after round. Read the ratios.
2. Scan to result on screen: a barcode through the keyboard scanner until its row is drawn,
   with the ACS emulator on loopback answering at once (median and 90th percentile).
3. The longest frame while the ACS is slow (emulator delay 2 s per reply): the UI loop must
   keep drawing while a checkout waits; compared with the longest frame while idle.

    .venv/bin/python -m bench.bench_app [--rounds 5] [--scans 30]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.timing import median, percentile, print_table  # noqa: E402

_ENV_SETUP = """
import os, sys, tempfile, time
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-bench-"))
os.environ["KIVY_NO_ARGS"] = "1"; os.environ["KIVY_NO_CONSOLELOG"] = "1"; os.environ["KIVY_NO_FILELOG"] = "1"
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, ROOT_DIR)

def report_when_drawn(started_at=None):
    from kivy.core.window import Window
    from kivy.clock import Clock
    def flipped(*a):
        Window.unbind(on_flip=flipped)
        # idle memory: let the first frames and any lazy loading settle first
        Clock.schedule_once(lambda dt: finish(), 1.0)
    def finish():
        rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
        print("READY", rss, flush=True)
        from kivy.app import App
        App.get_running_app().stop()
    Window.bind(on_flip=flipped)
"""

BARE_APP = _ENV_SETUP + """
from kivy.config import Config
Config.set("graphics", "width", "800"); Config.set("graphics", "height", "480")
from kivy.app import App
from kivy.uix.label import Label
class Bare(App):
    def build(self):
        return Label(text="Welcome! Scan your library card to begin.")
    def on_start(self):
        report_when_drawn()
Bare().run()
"""

KIOSK_APP = _ENV_SETUP + """
from kiosk.config import load_config
from kiosk.window_setup import configure_window
config = load_config(sys.argv[1])  # as `kiosk run --config FILE` does
configure_window(config, size=(800, 480))
from kiosk.app import KioskApp
class Measured(KioskApp):
    def on_start(self):
        super().on_start()
        report_when_drawn()
def build_runtime():
    from kiosk.core.runtime import KioskRuntime
    return KioskRuntime(config)
app = Measured(build_runtime, config=config)  # as `kiosk run` does
app._ending = True
app.run()
"""


def start_once(source: str, *args: str) -> tuple[float, int]:
    """Seconds from process start to the first drawn frame, and resident memory (kB) at idle."""
    # A real script file: Kivy's App looks up the file its class was defined in.
    script = Path(tempfile.mkdtemp(prefix="bench-app-")) / "app_main.py"
    script.write_text(f"ROOT_DIR = {str(ROOT)!r}\n" + source, encoding="utf-8")
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=str(ROOT))
    for line in proc.stdout:
        if line.startswith("READY"):
            took = time.perf_counter() - started - 1.0  # minus the settling second before READY
            rss = int(line.split()[1])
            break
    else:
        raise RuntimeError(f"the app did not reach its first frame: {proc.stderr.read()[-2000:]}")
    proc.wait(timeout=30)
    return took, rss


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


def cold_start(rounds: int, port: int) -> None:
    """Section 1."""
    config_file = kiosk_config_file(Path(tempfile.mkdtemp(prefix="kiosk-bench-")), port)
    results: dict[str, tuple[list[float], list[int]]] = {"bare Kivy label": ([], []), "kiosk app": ([], [])}
    for round_number in range(rounds):
        order = list(results) if round_number % 2 == 0 else list(reversed(results))
        for name in order:
            took, rss = start_once(BARE_APP) if name == "bare Kivy label" else start_once(KIOSK_APP, str(config_file))
            results[name][0].append(took)
            results[name][1].append(rss)
    bare_t, bare_m = median(results["bare Kivy label"][0]), median(results["bare Kivy label"][1])
    rows = []
    for name, (times, memory) in results.items():
        t, m = median(times), median(memory)
        rows.append((name, round(t * 1000), round(t / bare_t, 2), round(m / 1024), round(m / bare_m, 2)))
    print(f"\nCold start to first frame and idle memory ({rounds} rounds each, medians; target <= 1.5x bare)")
    print_table(("app", "start ms", "x bare", "RSS MB", "x bare"), rows)


def in_process(scans: int, port: int, emulator) -> None:
    """Sections 2 and 3, on one app in this process."""
    import tempfile as tmp

    os.environ.setdefault("KIVY_HOME", tmp.mkdtemp(prefix="kivy-bench-"))
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kiosk.demo import demo_config
    from kiosk.window_setup import configure_window

    config = demo_config("127.0.0.1", port, tmp.mkdtemp(prefix="kiosk-bench-"),
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

    flips = []
    Window.bind(on_flip=lambda *a: flips.append(time.perf_counter()))
    pump_until(lambda: app.manager.current == "idle")
    type_scan(DEMO.good_patron)
    pump_until(lambda: app.manager.current == "login")
    app.login_entered("pin", DEMO.good_pin)
    pump_until(lambda: app.manager.current == "checkout")
    items = [item_barcode(n) for n in range(36, 36 + scans) if item_barcode(n) not in DEMO.good_patron_loans]
    latencies = []
    for item in items[:scans]:
        screen = app.screen
        started = time.perf_counter()
        flips.clear()
        type_scan(item)
        pump_until(lambda: item in screen.outcomes and flips and flips[-1] > started  # noqa: B023 (waited for here)
                   and any(getattr(r, "item_id", None) == item for r in screen.ids.rows.children))  # noqa: B023
        EventLoop.idle()  # the frame that draws the new row
        latencies.append(time.perf_counter() - started)
    print(f"\nScan to result on screen, ACS emulator on loopback ({len(latencies)} checkouts; target median < 50 ms)")
    print_table(("median ms", "p90 ms", "max ms"),
                [(round(median(latencies) * 1000, 1), round(percentile(latencies, 0.9) * 1000, 1),
                  round(max(latencies) * 1000, 1))])

    def longest_frame(seconds: float) -> float:
        """The longest turn of the UI loop (input, clock, layout, drawing) over `seconds`."""
        worst, end = 0.0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            started = time.perf_counter()
            EventLoop.idle()
            worst = max(worst, time.perf_counter() - started)
        return worst

    idle_worst = longest_frame(2.5)
    emulator.faults.delay = 2.0
    screen = app.screen
    slow_item = items[scans] if len(items) > scans else item_barcode(200)
    busy_seen = [False]
    app.bind(busy=lambda obj, value: busy_seen.__setitem__(0, busy_seen[0] or value))
    type_scan(slow_item)
    slow_worst = longest_frame(2.5)
    pump_until(lambda: slow_item in screen.outcomes, timeout=15)
    emulator.faults.delay = 0.0
    print("\nLongest UI loop turn (one frame), 2.5 s each (target: none over 100 ms while the ACS is slow)")
    print_table(("while", "longest frame ms"), [
        ("idle", round(idle_worst * 1000, 1)),
        ("a checkout waits 2 s for the ACS (progress shown)", round(slow_worst * 1000, 1))])
    print(f"(progress indicator shown during the slow checkout: {busy_seen[0]})")
    app.dispatch("on_stop")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="cold starts of each app (default 5)")
    parser.add_argument("--scans", type=int, default=30, help="checkouts timed (default 30)")
    args = parser.parse_args()
    from sip2.emulator import ACSEmulator

    with tempfile.TemporaryDirectory() as folder, \
            ACSEmulator(db=str(Path(folder) / "library.db"), institution_id="DEMO") as emulator:
        cold_start(args.rounds, emulator.address[1])
        in_process(args.scans, emulator.address[1], emulator)
    return 0


if __name__ == "__main__":
    sys.exit(main())
