"""Every screen of the kiosk in every language, theme and size: checked, and saved as PNGs.

    .venv/bin/python -m tests.app.screenshots OUTDIR [--only SCREEN ...]

walks a patron (and a technician) through the app on the ACS emulator, and at each screen renders it
once per combination of language (en, de, fr), theme (normal, high contrast, large text) and size
(800x480, the Raspberry Pi 7" touchscreen, and 1920x1080). Each rendering is checked from the widget
tree (text cut or overflowing, a word cut in two, widgets over each other, a list that scrolls with
no cue) and saved as OUTDIR/<screen>-<language>-<theme>-<width>x<height>.png. The problems are printed; the exit status
is 1 when there are any. The test suite runs the same walk without saving.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from sip2.emulator import ACSEmulator
from sip2.emulator.demo_data import DEMO

from kiosk.core.runtime import KioskRuntime
from kiosk.demo import demo_config
from kiosk.devices.emulators.tag_store import make_tag

# Window from the harness: it sizes the offscreen surface for 1920x1080 before Kivy makes the window.
from tests.app.harness import Driver, Window
from tests.app.screens_check import (
    broken_words,
    clipped_text,
    distinct_colours,
    lists_without_cue,
    overflowing_labels,
    overlapping_widgets,
    small_touch_targets,
)

SIZES = ((800, 480), (1920, 1080))
LANGUAGES = ("en", "de", "fr")
THEMES = {"normal": (False, False), "contrast": (True, False), "large": (False, True)}
SHOTS = ("idle", "idle-refused", "login-card", "login-pin", "checkout-start", "checkout", "renew", "renew-results",
         "account", "returns-start", "returns", "timeout-warning", "receipt", "receipt-printed", "idle-offline",
         "checkout-offline", "returns-offline", "technician-login", "technician", "out-of-service")  # what `tour` renders, in order


class Camera:
    """Renders the screen on show in every combination, checks each, and saves it when given a folder."""

    def __init__(self, driver: Driver, folder: Path | None = None, only: set[str] | None = None) -> None:
        """`only`: the names of the screens to render (all when None); the walk goes through every one."""
        self.driver = driver
        self.folder = folder
        self.only = only
        self.shots = 0
        self.problems: list[str] = []

    def shoot(self, name: str) -> None:
        """Check (and save) the screen on show in every language, theme and size."""
        if name not in SHOTS:
            raise ValueError(f"{name!r} is not in SHOTS: add it there, in the walk's order")
        if self.only is not None and name not in self.only:
            return
        driver, app = self.driver, self.driver.app
        driver.settle()
        language = app.language
        for width, height in SIZES:
            Window.size = (width, height)
            for theme, (contrast, large) in THEMES.items():
                app.high_contrast, app.large_text = contrast, large
                for code in LANGUAGES:
                    app.language = code
                    self._steady()
                    self._check(f"{name}-{code}-{theme}-{width}x{height}")
        app.high_contrast, app.large_text, app.language = False, False, language
        Window.size = SIZES[0]
        driver.pump(0.08)

    def _steady(self, most: float = 3.0) -> None:
        """Run the UI loop until the layout stops moving (two looks alike in a row)."""
        def layout():
            return [(round(w.x), round(w.y), round(w.width), round(w.height), getattr(w, "text", None))
                    for w in self.driver.widgets()]
        seen, waited = layout(), 0.0
        while waited < most:
            self.driver.pump(0.05)
            waited += 0.05
            now = layout()
            if now == seen:
                return
            seen = now

    def _check(self, label: str) -> None:
        self.shots += 1
        if self.folder is not None:
            target = self.folder / f"{label}.png"
            os.replace(Window.screenshot(str(self.folder / f"{label}-.png")), target)
        if label.endswith("-en-normal-800x480") and distinct_colours() < 3:
            self.problems.append(f"{label}: blank")
        for check in (overflowing_labels, clipped_text, broken_words, overlapping_widgets, lists_without_cue,
                      small_touch_targets):
            self.problems.extend(f"{label}: {p}" for p in check(self.driver))


def log_in(app: Driver) -> None:
    """The good demo patron, with the PIN on the pad."""
    app.scan(DEMO.good_patron)
    app.wait_for(lambda: app.screen_name == "login")
    app.type_on_pad(DEMO.good_pin)
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "checkout")


def tour(app: Driver, camera: Camera, acs: ACSEmulator) -> None:
    """Every screen once, with lists long enough to scroll; `acs` is stopped near the end (offline)."""
    camera.shoot("idle")
    flow = app.app.patron_flow
    flow.refusal_shown_for = flow.receipt_read_for = 600.0  # the walk takes longer than a patron reads
    app.scan(DEMO.blocked_patron)
    app.wait_for(lambda: app.screen_name == "login")
    app.type_on_pad(DEMO.good_pin)
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "idle" and app.screen.message, what="the refusal on the idle screen")
    camera.shoot("idle-refused")
    app.press("Type my card number")
    app.wait_for(lambda: app.screen_name == "login")
    app.type_on_pad("2100")
    camera.shoot("login-card")
    app.press("Cancel")
    app.scan(DEMO.good_patron)
    app.wait_for(lambda: app.screen_name == "login")
    app.type_on_pad("12")
    camera.shoot("login-pin")
    app.type_on_pad("34")
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "checkout")
    camera.shoot("checkout-start")
    items = (*DEMO.available_items[:4], DEMO.item_on_hold_for_other, DEMO.available_items[4])
    for item in items:
        app.scan(item)
    app.wait_for(lambda: len(app.screen.outcomes) == len(items))
    camera.shoot("checkout")
    app.press("Renew")
    app.wait_for(lambda: app.screen_name == "renew")
    app.wait_for(lambda: app.screen.ids.loans.box.children, what="the loans to renew")
    camera.shoot("renew")
    app.press("Renew all")
    app.wait_shows("Renewed: ")
    camera.shoot("renew-results")
    app.press("Back")
    app.press("My account")
    app.wait_for(lambda: app.screen_name == "account")
    app.wait_shows("Loans: ")
    camera.shoot("account")
    app.press("Back")
    app.press("Return items")
    app.wait_for(lambda: app.screen_name == "returns")
    camera.shoot("returns-start")
    for item in (DEMO.item_to_staff, DEMO.loaned_item_with_hold, DEMO.available_items[10], DEMO.available_items[0]):
        app.scan(item)
    app.wait_for(lambda: len(app.screen.outcomes) == 4)
    camera.shoot("returns")
    app.press("Done")
    app.wait_for(lambda: app.screen_name == "checkout")
    app.clock.now += 105
    app.wait_shows("Are you still there?")
    camera.shoot("timeout-warning")
    app.press("I am still here")
    app.wait_for(lambda: "print" in app.runtime.receipts.choices(), what="the printer's first status")
    app.press("Done")
    app.wait_for(lambda: app.screen_name == "receipt")
    camera.shoot("receipt")
    app.press("Print a receipt")
    app.wait_shows("Please take your receipt.")
    camera.shoot("receipt-printed")
    app.press("Finish")
    app.wait_for(lambda: app.screen_name == "idle")
    acs.stop()
    app.runtime.link.probe()
    app.wait_for(lambda: app.app.offline, what="offline")
    camera.shoot("idle-offline")
    log_in(app)
    known = DEMO.available_items[0]  # its title is in the journal from the online checkout
    for item in (known, *DEMO.available_items[12:15]):
        app.scan(item)
    app.wait_for(lambda: len(app.screen.outcomes) == 4)
    camera.shoot("checkout-offline")
    app.press("Return items")
    app.wait_for(lambda: app.screen_name == "returns")
    app.scan(known)
    app.wait_for(lambda: len(app.screen.outcomes) == 1)
    camera.shoot("returns-offline")
    app.press("Done")
    app.wait_for(lambda: app.screen_name == "checkout")
    app.press(app.app.tr("Done"))
    app.wait_for(lambda: app.screen_name == "receipt")
    app.press("No receipt")
    app.wait_for(lambda: app.screen_name == "idle")
    app.runtime.pad.tag_store.place(make_tag("iso28560-3", DEMO.available_items[17]))
    app.scan("TECH-0001")
    app.wait_for(lambda: app.screen_name == "technician_login")
    camera.shoot("technician-login")
    app.type_on_pad("0000")
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "technician")
    app.wait_shows("Library system")
    app.press("Read the tags on the pad")
    camera.shoot("technician")
    app.press("Out of service on/off")
    app.press("Leave technician mode")
    app.wait_for(lambda: app.screen_name == "out_of_service")
    camera.shoot("out-of-service")


def receipt_tables(printer_address: tuple[str, int], smtp_port: int) -> dict:
    """The [printer] and [email] tables for a printer emulator and a mail server on loopback."""
    host, port = printer_address
    return {"printer": {"driver": "network", "host": host, "port": port, "timeout": 1.0},
            "email": {"host": "127.0.0.1", "port": smtp_port, "security": "none",
                      "sender": "kiosk@library.example", "timeout": 5.0}}


def kiosk_sections(**tables) -> dict:
    """The configuration the tour runs with: long session timeout, offline mode on."""
    return {"session": {"timeout": 120.0, "warning": 20.0},
            "offline": {"mode": "all", "probe_interval": 1.0, "cache_patrons": False}, **tables}


def main(argv: list[str]) -> int:
    """Save the screenshot set into the folder given, print the problems found."""
    from kiosk.receipts.printer_emulator import PrinterEmulator

    from tests.deploy.smtp_server import SMTPServer

    parser = argparse.ArgumentParser(prog="python -m tests.app.screenshots",
                                     description=__doc__.strip().splitlines()[0])
    parser.add_argument("outdir", type=Path, help="the folder for the PNGs and problems.txt")
    parser.add_argument("--only", metavar="SCREEN", nargs="+", choices=SHOTS,
                        help="render only these screens (the walk still goes through all): " + ", ".join(SHOTS))
    args = parser.parse_args(argv)
    folder = args.outdir
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kiosk-screenshots-") as work:
        acs = ACSEmulator(db=str(Path(work) / "library.db"), institution_id="DEMO")
        acs.start()
        printer, smtp = PrinterEmulator().start(), SMTPServer().start()
        runtime = KioskRuntime(demo_config(*acs.address, work,
                                           **kiosk_sections(**receipt_tables(printer.address, smtp.port))))
        driver = Driver(runtime)
        camera = Camera(driver, folder, set(args.only) if args.only else None)
        try:
            tour(driver, camera, acs)
        finally:
            driver.close()
            acs.stop()
            smtp.stop()
            printer.stop()
    (folder / "problems.txt").write_text("".join(f"{p}\n" for p in camera.problems), encoding="utf-8")
    print("\n".join(camera.problems), flush=True)
    print(f"{camera.shots} screenshots in {folder}, {len(camera.problems)} problems (problems.txt)", flush=True)
    return 1 if camera.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
