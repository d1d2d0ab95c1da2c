"""Drive the kiosk app headless like a person: a real window (SDL offscreen, Mesa), real touch
events, scans through the keyboard scanner and the simulated pad, and the ACS emulator."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator

os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.demo import demo_config  # noqa: E402
from kiosk.window_setup import configure_window  # noqa: E402

# SDL's offscreen surface keeps the size it was created with: create it at the largest size
# the tests need (1920x1080), then shrink the window to the Raspberry Pi touchscreen's 800x480.
configure_window(demo_config("127.0.0.1", 1, tempfile.gettempdir()), size=(1920, 1080))

from kivy.app import App  # noqa: E402
from kivy.base import EventLoop  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.lang.parser import global_idmap  # noqa: E402

Window.size = (800, 480)
from kivy.tests.common import UnitTestTouch  # noqa: E402
from kivy.uix.button import Button  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

from kiosk.app import KioskApp  # noqa: E402


class FakeClock:
    """Monotonic time for the session timer that a test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Driver:
    """One running app in the test process's one window."""

    def __init__(self, runtime, demo_panel=None, config=None) -> None:
        """`runtime` is a KioskRuntime, or a function building one (with `config`), as `kiosk run` does."""
        self.clock = FakeClock()
        if EventLoop.status != "started":
            EventLoop.ensure_window()
            EventLoop.start()
        self._events_before = set(Clock.get_events())  # whatever is scheduled now is not this app's
        self._closed = False
        self.app = KioskApp(runtime, config=config, demo_panel=demo_panel)
        self.app._run_prepare()
        self.wait_for(lambda: self.app.manager.current in ("idle", "out_of_service"))
        self.idle_before_runtime = self.app.runtime is None
        self.wait_for(lambda: self.app.runtime is not None, what="the runtime")
        self.runtime = self.app.runtime
        self.runtime.circulation.clock = self.clock

    # --- time ---------------------------------------------------------------------------

    def pump(self, seconds: float = 0.05) -> None:
        """Let the UI loop run (frames, clock events) for a while."""
        end = time.monotonic() + seconds
        while True:
            EventLoop.idle()
            if time.monotonic() >= end:
                return

    def wait_for(self, condition: Callable[[], object], timeout: float = 15.0, what: str = "") -> None:
        """Run the UI loop until `condition()` holds; fail with what the screen shows if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            EventLoop.idle()
            if condition():
                return
        raise AssertionError(f"timed out waiting for {what or condition}; screen {self.screen_name}: "
                             f"{self.texts()}")

    def settle(self) -> None:
        """Wait until no operation is in progress and a few frames have been drawn."""
        self.wait_for(lambda: self.app._busy_jobs == 0, what="workers to finish")
        self.pump(0.1)

    # --- looking ------------------------------------------------------------------------

    @property
    def screen_name(self) -> str:
        return self.app.manager.current

    @property
    def screen(self):
        return self.app.screen

    def widgets(self, root: Widget | None = None) -> Iterator[Widget]:
        """Every widget on show (the window's children, modal views included)."""
        roots = [root] if root is not None else list(Window.children)
        for top in roots:
            yield from top.walk(restrict=True)

    def visible(self, widget: Widget) -> bool:
        node = widget
        while node is not None:
            if node.opacity == 0 or node.width <= 0 or node.height <= 0:
                return False
            if node.parent is node:
                break
            node = node.parent
        return True

    def texts(self) -> list[str]:
        """The text of every visible label and button, in tree order."""
        return [w.text for w in self.widgets() if isinstance(w, Label) and w.text and self.visible(w)]

    def shows(self, fragment: str) -> bool:
        """True when some visible text contains `fragment`."""
        return any(fragment in text for text in self.texts())

    def wait_shows(self, fragment: str, timeout: float = 15.0) -> None:
        self.wait_for(lambda: self.shows(fragment), timeout, what=repr(fragment))

    def button(self, text: str) -> Button:
        """The visible button whose text contains `text` (exactly one)."""
        found = [w for w in self.widgets() if isinstance(w, Button) and text in w.text and self.visible(w)]
        assert len(found) == 1, f"buttons matching {text!r}: {[b.text for b in found]}"
        return found[0]

    # --- doing --------------------------------------------------------------------------

    def touch(self, widget: Widget, *, quick: bool = False) -> None:
        """A finger on the widget's centre and off again: real touch events through the window.

        `quick`: one turn of the UI loop before, between and after, no more (a day of patrons
        cannot wait as long as a screenshot does).
        """
        settle, hold = (0, 0) if quick else (0.05, 0.02)
        self.pump(settle)  # let the layout settle so the widget is where a person would see it
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(hold)
        touch.touch_up()
        self.pump(settle)

    def press(self, text: str) -> None:
        """Touch the button labelled `text`."""
        self.touch(self.button(text))

    def type_on_pad(self, digits: str, *, quick: bool = False) -> None:
        """Touch each digit on the screen's PIN pad (`quick`: as `touch`)."""
        pad = self.app.screen.ids.pad
        for digit in digits:
            button = next(b for b in pad.children if isinstance(b, Button) and b.text == digit)
            self.touch(button, quick=quick)

    def scan(self, text: str) -> None:
        """A barcode through the keyboard scanner, as a wedge scanner types it."""
        for ch in text:
            Window.dispatch("on_textinput", ch)
        Window.dispatch("on_keyboard", 13, 40, None, [])
        self.pump(0.05)

    def close(self) -> None:
        """Stop the app and the runtime; leave the window, the clock and kv's `app` as they were
        before it, so that nothing of it runs on into the next test."""
        if self._closed:
            return
        self._closed = True
        app = self.app
        app.close_warning()
        for child in list(Window.children):
            if hasattr(child, "dismiss"):
                child.dismiss(animation=False)
        app.dispatch("on_stop")
        for child in list(Window.children):
            Window.remove_widget(child)
        Window.unbind(on_request_close=app._refuse_close, on_keyboard=app._on_keyboard,
                      on_textinput=app._on_text, on_touch_down=app._on_any_touch, size=app._apply_theme)
        for event in set(Clock.get_events()) - self._events_before:
            event.cancel()  # timers of its screens, animations, results still on their way
        App._running_app = None
        # kv rules reach the app through one proxy that keeps the first app it saw; unbind it,
        # or the next app's buttons call this stopped one.
        object.__setattr__(global_idmap["app"], "_obj", None)
        self.pump(0.05)
