"""A screenshot of every screen at 800x480 (the Raspberry Pi 7" touchscreen) and 1920x1080, each
checked to be not blank and with no label overflowing its box. The folder is printed at the end
of the run (set KIOSK_SCREENSHOTS to choose it)."""

from __future__ import annotations

import os

from kivy.core.window import Window

from sip2.emulator.demo_data import DEMO

from kiosk.devices.emulators.tag_store import make_tag

from tests.app.screens_check import distinct_colours, overflowing_labels, small_touch_targets

SIZES = ((800, 480), (1920, 1080))


class Camera:
    """Takes and checks the screenshots of one run."""

    def __init__(self, driver, folder) -> None:
        self.driver = driver
        self.folder = folder
        self.taken: list[str] = []
        self.problems: list[str] = []

    def shoot(self, name: str) -> None:
        self.driver.settle()
        for width, height in SIZES:
            Window.size = (width, height)
            self.driver.pump(0.15)
            label = f"{name}-{width}x{height}"
            target = self.folder / f"{label}.png"
            os.replace(Window.screenshot(str(self.folder / f"{label}-.png")), target)
            self.taken.append(target)
            if distinct_colours() < 3:
                self.problems.append(f"{label}: blank")
            self.problems.extend(f"{label}: {p}" for p in overflowing_labels(self.driver))
            self.problems.extend(f"{label}: {p}" for p in small_touch_targets(self.driver))
        Window.size = SIZES[0]
        self.driver.pump(0.1)


def test_every_screen_at_both_sizes(kiosk_app, screenshot_dir, receipt_devices):
    app = kiosk_app(**receipt_devices[0])
    camera = Camera(app, screenshot_dir)
    camera.shoot("idle")
    app.press("Larger text")
    app.press("High contrast")
    camera.shoot("idle-large-contrast")
    app.press("Larger text")
    app.press("High contrast")
    app.scan(DEMO.good_patron)
    app.wait_for(lambda: app.screen_name == "login")
    app.type_on_pad("12")
    camera.shoot("login-pin")
    app.type_on_pad("34")
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "checkout")
    for item in (DEMO.available_items[0], DEMO.item_on_hold_for_other, DEMO.available_items[1]):
        app.scan(item)
    app.wait_for(lambda: len(app.screen.outcomes) == 3)
    camera.shoot("checkout")
    app.press("Larger text") if app.shows("Larger text") else None
    app.app.large_text = True
    camera.shoot("checkout-large")
    app.app.large_text = False
    app.press("Renew")
    app.wait_for(lambda: app.screen_name == "renew")
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
    app.scan(DEMO.item_to_staff)
    app.scan(DEMO.loaned_item_with_hold)
    app.wait_for(lambda: len(app.screen.outcomes) == 2)
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
    app.press("No receipt")
    app.wait_for(lambda: app.screen_name == "idle")
    app.runtime.pad.tag_store.place(make_tag("iso28560-3", DEMO.available_items[12]))
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
    print(f"\nscreenshots: {screenshot_dir}")
    assert len(camera.taken) == 2 * 14
    assert not camera.problems, "\n".join(camera.problems)


def test_the_checks_see_overflowing_text_and_small_buttons(kiosk_app):
    from kivy.uix.button import Button
    from kivy.uix.label import Label

    app = kiosk_app()
    cramped = Label(text="A title far too long for its little box", size_hint=(None, None), size=(60, 20))
    tiny = Button(text="x", size_hint=(None, None), size=(30, 30))
    app.screen.add_widget(cramped)
    app.screen.add_widget(tiny)
    app.pump(0.1)
    assert any("far too long" in p for p in overflowing_labels(app))
    assert any("'x' is 30x30" in p for p in small_touch_targets(app))
    app.screen.remove_widget(cramped)
    app.screen.remove_widget(tiny)


def test_german_and_french_screens_fit_too(kiosk_app, screenshot_dir):
    app = kiosk_app()
    camera = Camera(app, screenshot_dir)
    for language, done in (("Deutsch", "Fertig"), ("Français", "Terminé")):
        app.press(language)
        app.app.large_text = True
        camera.shoot(f"idle-{language}-large")
        app.app.large_text = False
        app.scan(DEMO.good_patron)
        app.wait_for(lambda: app.screen_name == "login")
        camera.shoot(f"login-{language}")
        app.type_on_pad(DEMO.good_pin)
        app.touch(app.button("OK"))
        app.wait_for(lambda: app.screen_name == "checkout")
        app.scan(DEMO.item_on_hold_for_other)
        app.wait_for(lambda: len(app.screen.outcomes) == 1)
        camera.shoot(f"checkout-{language}")
        app.press(done)
        app.wait_for(lambda: app.screen_name == "idle")  # nothing checked out: no receipt
    assert not camera.problems, "\n".join(camera.problems)
