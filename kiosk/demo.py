"""`kiosk demo`: the whole kiosk on a laptop, in one command.

Starts the ACS emulator with its demo library on 127.0.0.1 (an ephemeral port), a runtime with
a "keyboard" scanner (type a barcode and press Enter) and a "sim" RFID pad, and the app with a
demo panel beside it that places and removes emulated RFID items on the pad.
"""

from __future__ import annotations

import signal
import tempfile
from pathlib import Path
from typing import Any

from sip2.emulator import DEMO, ACSEmulator

from kiosk.config import KioskConfig, parse_config
from kiosk.core.runtime import KioskRuntime
from kiosk.core.technician_pin import hash_pin
from kiosk.devices.emulators.tag_store import make_tag
from kiosk.window_setup import configure_window


def demo_items() -> tuple[tuple[str, str, int], ...]:
    """What the demo panel offers: (label, item id, parts). A set of three discs left one short
    shows how an incomplete set is flagged."""
    return (("Book", DEMO.available_items[0], 1), ("Book", DEMO.available_items[1], 1),
            ("Book", DEMO.available_items[2], 1), ("Held for another", DEMO.item_on_hold_for_other, 1),
            ("Give to staff", DEMO.item_to_staff, 1), ("3-disc set", DEMO.multipart_item, 3))


def demo_config(host: str, port: int, folder: str, *, technician_pin_hash: str | None = None,
                **overrides: Any) -> KioskConfig:
    """The demo kiosk's configuration: the emulator, a keyboard scanner and a simulated pad;
    the technician PIN is 0000 unless another hash is given."""
    data: dict[str, Any] = {
        "kiosk": {"id": "demo", "library_name": "Springfield Public Library"},
        "sip2": {"host": host, "port": port, "username": "kiosk", "password": "kiosk",
                 "institution": "DEMO", "location": "kiosk-1", "timeout": 5.0, "connect_timeout": 2.0},
        "offline": {"mode": "all", "probe_interval": 5.0, "cache_patrons": False},
        "storage": {"database": str(Path(folder) / "kiosk.db")},
        "technician": {"pattern": "TECH-[0-9]{4}", "check_digit": "none", "pin_hash": technician_pin_hash or hash_pin("0000")},
        "scanner": [{"driver": "keyboard", "name": "keyboard"}],
        "rfid": {"driver": "sim", "name": "pad", "poll_interval": 0.1},
        "app": {"fullscreen": False},
    }
    for section, values in overrides.items():
        if isinstance(values, dict):
            data.setdefault(section, {}).update(values)
        else:
            data[section] = values
    return parse_config(data, source="<demo>")


def demo_panel_factory(runtime):
    """A function wrapping the screens with a panel of demo RFID items (for `KioskApp(demo_panel=)`)."""

    def wrap(manager):
        # Kivy reads its window settings when first imported: only once run_demo has set them.
        from kivy.graphics import Color, Rectangle
        from kivy.metrics import dp
        from kivy.uix.boxlayout import BoxLayout
        from kivy.uix.button import Button
        from kivy.uix.label import Label

        pad = runtime.pad
        root = BoxLayout(orientation="horizontal")
        root.add_widget(manager)
        panel = BoxLayout(orientation="vertical", size_hint_x=None, width=dp(190), spacing=dp(4),
                          padding=dp(6))
        with panel.canvas.before:  # dark under its white labels: the window is cleared to the kiosk's theme
            Color(0.12, 0.12, 0.12, 1)
            backdrop = Rectangle()
        panel.bind(pos=lambda w, v: setattr(backdrop, "pos", v), size=lambda w, v: setattr(backdrop, "size", v))
        panel.add_widget(Label(text="Demo RFID pad", size_hint_y=None, height=dp(32), bold=True))
        placed: dict[str, list[str]] = {}

        def place(item_id: str, parts: int) -> None:
            tags = [make_tag("iso28560-3", item_id, parts=parts, part=n) for n in range(1, parts + 1)]
            if parts > 1:
                tags = tags[:-1]  # leave the last disc out: the kiosk flags the set as incomplete
            placed.setdefault(item_id, []).extend(t.uid for t in tags)
            pad.tag_store.place(*tags)

        def clear() -> None:
            pad.tag_store.clear()
            placed.clear()

        if pad is not None and getattr(pad, "tag_store", None) is not None:
            for label, item_id, parts in demo_items():
                button = Button(text=f"Place: {label}\n{item_id}", halign="center", font_size="13sp")
                button.bind(on_release=lambda b, i=item_id, p=parts: place(i, p))
                panel.add_widget(button)
            button = Button(text="Take all off the pad", font_size="13sp")
            button.bind(on_release=lambda b: clear())
            panel.add_widget(button)
        hint = (f"Type and press Enter:\ncard {DEMO.good_patron}\nPIN {DEMO.good_pin}\n"
                f"item {DEMO.available_items[3]}\ntechnician TECH-0001\n(PIN 0000)")
        hint_label = Label(text=hint, font_size="12sp", halign="center", size_hint_y=None)
        hint_label.bind(texture_size=lambda w, v: setattr(w, "height", v[1] + dp(8)))  # all of it, never cut
        panel.add_widget(hint_label)
        root.add_widget(panel)
        return root

    return wrap


def run_demo(port: int = 0, size: tuple[int, int] = (1200, 640)) -> int:
    """Run the emulator (on `port`, 0 for any free one), the runtime and the app in a window of
    `size` until the window is closed or Ctrl-C.

    (Ctrl-C before the app is up interrupts like any `kiosk` command: one line, status 130.)"""
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as folder, \
            ACSEmulator(db=str(Path(folder) / "library.db"), host="127.0.0.1", port=port,
                        institution_id="DEMO") as emulator:
        config = demo_config(*emulator.address, folder)
        configure_window(config, demo=True, size=size)
        from kivy.clock import Clock  # Kivy: after configure_window, as below

        from kiosk.app import KioskApp  # imports Kivy: after configure_window, see wrap()

        runtime = KioskRuntime(config)
        app = KioskApp(runtime, demo_panel=demo_panel_factory(runtime))
        app._ending = True  # the demo's window may be closed
        # Ctrl-C stops the demo as closing its window does: at the next frame, cleanly.
        signal.signal(signal.SIGINT, lambda signum, frame: Clock.schedule_once(lambda dt: app.shut_down(0), 0))
        print(f"ACS emulator on {emulator.address[0]}:{emulator.address[1]}; card {DEMO.good_patron}, "
              f"PIN {DEMO.good_pin}; technician card TECH-0001, PIN 0000")
        app.run()
        return app.exit_code
