"""The patron touchscreen app: the Kivy shell around the kiosk runtime and the two flows.

What happens next after a touch, a scan or a timer tick is decided by `PatronFlow` and
`TechnicianFlow` (kiosk/screens/*_flow.py, no Kivy); this app is their `Shell`: it shows
screens, runs work off the UI thread, plays sounds and keeps the clocks. Every call that may
touch the network, the database or a device runs on a worker thread; results come back to the
UI thread with `Clock.schedule_once`. Circulation calls go through one worker, in the order the
patron made them; technician checks use another. A Clock tick drives the session timer, the
out-of-service state and the systemd watchdog.
"""

from __future__ import annotations

import logging
import queue as queues
import signal
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.metrics import sp
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.floatlayout import FloatLayout

from kiosk import startup_gc, systemd_notify
from kiosk.core import wording
from kiosk.i18n import LANGUAGE_NAMES, Words, translator
from kiosk.screens.manager import build_screen_manager, screen as screen_named
from kiosk.screens.widgets import BusyIndicator, TimeoutWarning

if TYPE_CHECKING:
    from kiosk.config import KioskConfig
    from kiosk.core.runtime import KioskRuntime
    from kiosk.screens.patron_flow import PatronFlow
    from kiosk.screens.technician_flow import TechnicianFlow

log = logging.getLogger(__name__)

BUSY_AFTER = 0.3  # seconds before an operation shows progress
SOUNDS_DIR = Path(__file__).resolve().parent / "sounds"
KEYBOARD_SCAN_PAUSE = 0.5  # seconds between keystrokes that end a half-typed scan

THEMES = {
    "normal": {"color_bg": "#f4f1ea", "color_fg": "#1d1d1b", "color_panel": "#ffffff",
               "color_button": "#1f5f8b", "color_button_text": "#ffffff", "color_ok": "#1e7b34",
               "color_bad": "#b3261e", "color_warn": "#8a5a00", "color_banner": "#8a5a00",
               "color_banner_text": "#ffffff"},
    "contrast": {"color_bg": "#000000", "color_fg": "#ffffff", "color_panel": "#000000",
                 "color_button": "#ffff00", "color_button_text": "#000000", "color_ok": "#00ff66",
                 "color_bad": "#ff6666", "color_warn": "#ffd000", "color_banner": "#ffffff",
                 "color_banner_text": "#000000"},
}


def soon_on_ui_thread(callback: Callable[[float], None]) -> None:
    """Run `callback(dt)` on the UI thread, from any thread, as soon as the UI loop is free."""
    # a "free" event wakes the UI loop at once instead of at its next frame (see window_setup)
    schedule = getattr(Clock, "schedule_once_free", Clock.schedule_once)
    schedule(callback, 0)


class KioskApp(App):
    """The kiosk's touchscreen app around one `KioskRuntime`."""

    language = StringProperty("en")
    languages = ListProperty(["en"])
    high_contrast = BooleanProperty(False)
    large_text = BooleanProperty(False)
    font_scale = NumericProperty(1.0)
    screen_scale = NumericProperty(1.0)  # 1 on the 7" panel, up to 1.6 on a large screen
    offline = BooleanProperty(False)
    busy = BooleanProperty(False)
    busy_text = StringProperty("")
    library_name = StringProperty("Library")
    logo = StringProperty("")
    has_pad = BooleanProperty(False)
    patron_name = StringProperty("")
    out_of_service_reason = StringProperty("")
    color_bg = ColorProperty("#f4f1ea")
    color_fg = ColorProperty("#1d1d1b")
    color_panel = ColorProperty("#ffffff")
    color_button = ColorProperty("#1f5f8b")
    color_button_text = ColorProperty("#ffffff")
    color_ok = ColorProperty("#1e7b34")
    color_bad = ColorProperty("#b3261e")
    color_warn = ColorProperty("#8a5a00")
    color_banner = ColorProperty("#8a5a00")
    color_banner_text = ColorProperty("#ffffff")
    manager = ObjectProperty(None, allownone=True)

    def __init__(self, runtime: KioskRuntime | Callable[[], KioskRuntime], *, config: KioskConfig | None = None,
                 demo_panel: Callable[[], Any] | None = None, **kwargs: Any) -> None:
        """`runtime` is a runtime, or a function that builds one (with `config`): then the idle
        screen comes up first and the runtime is built behind it, on the circulation worker."""
        super().__init__(**kwargs)
        built = hasattr(runtime, "circulation")
        self.runtime: KioskRuntime | None = runtime if built else None
        self._runtime_factory = None if built else runtime
        config = config or runtime.config
        self.config_settings = config
        self.title = config.kiosk.library_name
        self.library_name = config.kiosk.library_name
        self.logo = config.app.logo or ""
        self.languages = list(config.app.languages)
        self.language = self.languages[0]
        rfid = config.devices.get("rfid")  # not checked yet under `kiosk run`: the runtime checks it
        self.has_pad = isinstance(rfid, Mapping) and str(rfid.get("driver", "none")) != "none"
        self.demo_panel = demo_panel
        self.exit_code = 0
        self.circulation_worker = ThreadPoolExecutor(1, thread_name_prefix="circulation")
        self.side_worker = ThreadPoolExecutor(2, thread_name_prefix="technician")
        self.sounds: dict[str, Any] = {}
        self.last_sound = ""
        self.warning: TimeoutWarning | None = None
        self._busy_jobs = 0
        self._busy_event = None
        self._watchdog_event = None
        self._keys = ""
        self._last_key = 0.0
        self._ending = False
        self._stopped = False
        self.bind(high_contrast=self._apply_theme, large_text=self._apply_theme)
        Window.bind(size=self._apply_theme)
        self._apply_theme()

    # The flows, and the outcome and device-event classes they need, load after the first frame
    # (see `_first_frame`): until a patron acts, the idle screen needs none of them.
    @cached_property
    def technician_flow(self) -> TechnicianFlow:
        """What the technician's taps, scans and buttons lead to."""
        from kiosk.screens.technician_flow import TechnicianFlow
        return TechnicianFlow(self)

    @cached_property
    def patron_flow(self) -> PatronFlow:
        """What the patron's scans, taps and the library system's answers lead to."""
        from kiosk.screens.patron_flow import PatronFlow
        return PatronFlow(self, self.technician_flow)

    # --- building and lifecycle ------------------------------------------------------------

    def build(self):
        """The screen manager with every screen; the idle screen first."""
        self.manager = build_screen_manager()
        root = FloatLayout()
        root.add_widget(self.manager)
        root.add_widget(BusyIndicator())
        if self.demo_panel is not None:
            root = self.demo_panel(root)
        return root

    def on_start(self) -> None:
        """Show the idle screen, tell systemd it is up, then start the runtime and the timers."""
        Window.bind(on_request_close=self._refuse_close, on_keyboard=self._on_keyboard,
                    on_textinput=self._on_text, on_touch_down=self._on_any_touch)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_sigterm)
        interval = systemd_notify.watchdog_interval()
        if interval:
            self._watchdog_event = Clock.schedule_interval(lambda dt: systemd_notify.watchdog(), interval)
        # The screen manager starts on the idle screen, and the app with the kiosk's defaults:
        # what `go_idle` would set is already set, so the first frame waits for no flow.
        Window.bind(on_flip=self._first_frame)
        if self.runtime is not None:
            self._runtime_ready(self.runtime)

    def _first_frame(self, *args: Any) -> None:
        """The idle screen is on show: systemd may consider the kiosk started."""
        Window.unbind(on_flip=self._first_frame)
        systemd_notify.ready("idle screen up")
        self.patron_flow  # noqa: B018  (loaded now, not when the first patron touches the screen)
        if self.runtime is None and self._runtime_factory is not None and not self._stopped:
            # The runtime's modules (SQLAlchemy, the SIP2 client, the drivers, `kiosk run`'s
            # monitoring) load here, on this thread: imported on the worker they leave the
            # kiosk 10-60 MB larger for good (malloc keeps a worker's arena).
            import kiosk.core.runtime  # noqa: F401
            import kiosk.monitoring  # noqa: F401
            # First in the circulation worker's queue: every patron action waits behind it. No
            # progress indicator over the idle screen: the build takes longer than BUSY_AFTER, so
            # "Working..." flashed up and went at every start (two frames, a texture) for nobody.
            self.circulation_worker.submit(self._build_runtime).add_done_callback(self._runtime_built)

    def _build_runtime(self) -> Any:
        try:
            return self._runtime_factory()
        except Exception as exc:  # shown on the out-of-service screen instead of crashing
            log.exception("the kiosk could not start")
            return exc

    def _runtime_built(self, future: Future) -> None:
        """On the worker: hand the runtime (or why it could not be built) to the UI thread."""
        if not future.cancelled():  # cancelled: the app stopped first
            soon_on_ui_thread(lambda dt: self._runtime_ready(future.result()))

    def _runtime_ready(self, runtime: Any) -> None:
        """Start the runtime, the device event pump and the session timer."""
        startup_gc.settle()  # start-up is over, whether the runtime could be built or not
        if isinstance(runtime, Exception):
            self.out_of_service_reason = f"{wording.COULD_NOT_START}\n{runtime}"
            self.show("out_of_service")
            return
        self.runtime = runtime
        self.has_pad = runtime.pad is not None
        runtime.start()
        self._load_sounds()  # here, not before the first frame: Kivy's audio providers take ~50 ms to load
        Clock.schedule_interval(self._pump_events, 0)  # every frame
        Clock.schedule_interval(self._tick, 0.25)

    def on_stop(self) -> None:
        """Stop the workers and the runtime (queued transactions stay on disk)."""
        systemd_notify.stopping()
        self._stopped = True
        Clock.unschedule(self._pump_events)
        Clock.unschedule(self._tick)
        for event in (self._watchdog_event, self._busy_event):
            if event is not None:
                event.cancel()
        if self.manager.has_screen("technician"):  # screens are built when first shown
            self.manager.get_screen("technician").stop_refresh()  # its timer outlives the app otherwise
        self.circulation_worker.shutdown(wait=True, cancel_futures=True)
        self.side_worker.shutdown(wait=True, cancel_futures=True)
        if self.runtime is not None:
            self.runtime.stop()
        startup_gc.release()

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        """systemd (or anyone) asks the kiosk to stop: stop cleanly at the next frame."""
        Clock.schedule_once(lambda dt: self.shut_down(0), 0)

    def _refuse_close(self, *args: Any) -> bool:
        """Alt-F4 and the window manager's close do nothing; only `stop()` ends the app."""
        return not self._ending

    def shut_down(self, exit_code: int = 0) -> None:
        """Leave the app on purpose (technician restart); systemd starts it again."""
        self._ending = True
        self.exit_code = exit_code
        self.stop()

    # --- looks ----------------------------------------------------------------------------

    def _apply_theme(self, *args: Any) -> None:
        for key, value in THEMES["contrast" if self.high_contrast else "normal"].items():
            setattr(self, key, value)
        # The screens' background is the window's clear: a full-window rectangle on top of it
        # would fill every pixel twice per frame (about 5 of 23 ms in software GL at 800x480).
        Window.clearcolor = self.color_bg
        # Text grows with big screens (a 1080-line screen stands further away than a 7" one).
        self.screen_scale = min(1.6, max(1.0, Window.height / 720))
        self.font_scale = self.screen_scale * (1.3 if self.large_text else 1.0)

    @property
    def words(self) -> Words:
        """The session's language, in the kiosk's locale (dates, money, plurals)."""
        return self.words_in(self.language)

    def words_in(self, language: str | None) -> Words:
        """A language (the session's when None) in the kiosk's `[kiosk] locale`."""
        return translator(language or self.language, self.config_settings.kiosk.locale)

    def tr(self, text: str, language: str | None = None) -> str:
        """`text` in the session's language (kv rules pass app.language so they update)."""
        return self.words_in(language)(text)

    def trn(self, singular: str, plural: str, count: int, language: str | None = None) -> str:
        """The form of a message for `count`, with `{count}` filled in (kv rules pass app.language)."""
        return self.words_in(language).plural(singular, plural, count)

    def say(self, text: str, language: str | None = None) -> str:
        """A sentence from the core or the library system in the kiosk's words (see Words.say)."""
        return self.words_in(language).say(text)

    def language_name(self, code: str) -> str:
        """A language's name in itself, for its button."""
        return LANGUAGE_NAMES.get(code, code)

    def font(self, size: float, scale: float | None = None) -> float:
        """A font size in sp, scaled for the "larger text" choice."""
        return sp(size) * (self.font_scale if scale is None else scale)

    def set_language(self, code: str) -> None:
        """The patron picked a language (for this session only)."""
        self.activity()
        self.language = code

    # --- sounds ---------------------------------------------------------------------------

    def _load_sounds(self) -> None:
        if not self.config_settings.app.sounds:
            return
        from kivy.core.audio import SoundLoader  # Kivy's audio providers load only when sounds are on

        for name in ("success", "error"):
            try:
                self.sounds[name] = SoundLoader.load(str(SOUNDS_DIR / f"{name}.wav"))
            except Exception:  # no audio device: the kiosk works silently
                log.info("sound %s cannot be played here", name)

    def play(self, name: str) -> None:
        """Play the success or error sound (silently skipped when there is no audio)."""
        self.last_sound = name
        sound = self.sounds.get(name)
        if sound is not None:
            try:
                sound.stop()
                sound.play()
            except Exception:
                log.info("sound %s failed to play", name)

    # --- workers ---------------------------------------------------------------------------

    def in_worker(self, call: Callable[[], Any], then: Callable[[Any], None], *, busy: str = "",
                  technician: bool = False) -> Future | None:
        """Run `call` on a worker; `then(result)` runs on the UI thread. Progress shows after 0.3 s."""
        if self._stopped:
            return None  # the app is closing: nothing new starts
        worker = self.side_worker if technician else self.circulation_worker
        self._busy_jobs += 1
        if self._busy_event is None:
            self._busy_event = Clock.schedule_once(self._show_busy, BUSY_AFTER)
        self.busy_text = busy or self.tr("Working...")

        def done(future: Future) -> None:
            soon_on_ui_thread(lambda dt: self._finish(future, then))

        future = worker.submit(call)
        future.add_done_callback(done)
        return future

    def _finish(self, future: Future, then: Callable[[Any], None]) -> None:
        self._busy_jobs -= 1
        if self._busy_jobs <= 0:
            self._busy_jobs = 0
            if self._busy_event is not None:
                self._busy_event.cancel()
                self._busy_event = None
            self.busy = False
        if future.cancelled():
            return
        error = future.exception()
        if error is not None:
            log.error("operation failed", exc_info=error)
            self.play("error")
            self.show_message(self.tr("Something went wrong. Please try again or see staff."), bad=True)
            return
        try:
            then(future.result())
        except Exception:  # a screen failing to show a result must not take the kiosk down
            log.exception("showing a result failed")
            self.show_message(self.tr("Something went wrong. Please try again or see staff."), bad=True)

    def _show_busy(self, dt: float) -> None:
        self._busy_event = None
        if self._busy_jobs > 0:
            self.busy = True

    # --- screens ---------------------------------------------------------------------------

    @property
    def screen(self):
        """The screen on show."""
        return self.manager.current_screen

    @property
    def current(self) -> str:
        """The name of the screen on show."""
        return self.manager.current

    def show(self, name: str, **state: Any):
        """Switch to a screen, handing it the state it shows."""
        screen = screen_named(self.manager, name)
        for key, value in state.items():
            setattr(screen, key, value)
        self.manager.current = name
        return screen

    def show_message(self, text: str, *, bad: bool = False) -> None:
        """A message on the current screen (every screen has a message line)."""
        screen = self.screen
        if hasattr(screen, "message"):
            screen.message = text
            screen.message_bad = bad

    def screen_call(self, method: str, *args: Any) -> None:
        """Tell the current screen something, if it cares."""
        handler = getattr(self.screen, method, None)
        if handler is not None:
            handler(*args)

    def go_idle(self, *args: Any) -> None:
        """Back to the idle screen, ready for the next patron (see `PatronFlow.go_idle`)."""
        self.patron_flow.go_idle()

    def reset_for_next_patron(self) -> None:
        """Language, theme, text size and greeting back to the kiosk's defaults; no countdown."""
        self.close_warning()
        self.patron_name = ""
        self.language = self.languages[0]
        self.high_contrast = False
        self.large_text = False

    def activity(self) -> None:
        """The patron touched or scanned: the session timeout starts again."""
        self.patron_flow.activity()

    def _on_any_touch(self, window: Any, touch: Any) -> bool:
        self.activity()
        return False

    # --- input: scans, keys, pad -----------------------------------------------------------

    def _on_keyboard(self, window: Any, key: int, scancode: int, codepoint: str, modifiers: list) -> bool:
        """Swallow Escape, F-keys and Alt combinations; Enter ends a keyboard scan."""
        if key in (13, 271):  # Enter, keypad Enter
            self._keyboard_scan_done()
            return True
        if key == 8 and self._keys:
            self._keys = self._keys[:-1]
            return True
        return key == 27 or 282 <= key <= 293 or "alt" in modifiers or "ctrl" in modifiers

    def _on_text(self, window: Any, text: str) -> None:
        now = time.monotonic()
        if now - self._last_key > KEYBOARD_SCAN_PAUSE:
            self._keys = ""
        self._last_key = now
        self._keys += text

    def _keyboard_scan_done(self) -> None:
        text, self._keys = self._keys.strip(), ""
        if not text or self.runtime is None:
            return  # nothing typed, or the kiosk is still starting
        screen = self.screen
        if getattr(screen, "takes_typing", False):
            screen.typed(text)  # a PIN or a card number typed on a real keyboard
            return
        scanner = next((d for d in self.runtime.devices.devices if getattr(d, "driver", "") == "keyboard"), None)
        if scanner is not None:
            scanner.inject(text)
            self._pump_events(0)  # handle it now rather than at the next frame
        else:
            self.patron_flow.on_scan(text)

    def _pump_events(self, dt: float) -> None:
        """Take device events off the runtime's queue (never waits)."""
        for _ in range(50):
            try:
                event = self.runtime.events.get_nowait()
            except queues.Empty:
                return
            self.on_device_event(event)

    def on_device_event(self, event: Any) -> None:
        """One device event, on the UI thread (see `PatronFlow.on_device_event`)."""
        self.patron_flow.on_device_event(event)

    # --- time ------------------------------------------------------------------------------

    def now(self) -> float:
        """Monotonic seconds, the clock of touches and timeouts."""
        return time.monotonic()

    def later(self, seconds: float, call: Callable[[], None]) -> None:
        """Run `call()` on the UI thread after `seconds`."""
        Clock.schedule_once(lambda dt: call(), seconds)

    def in_background(self, call: Callable[..., Any], *args: Any) -> None:
        """Run `call(*args)` on the technician worker; nothing waits for it."""
        if not self._stopped:
            self.side_worker.submit(call, *args)

    def _tick(self, dt: float) -> None:
        """Session timeout, warning countdown, out-of-service, technician timeout."""
        self.patron_flow.tick()

    def open_warning(self, seconds_left: float) -> bool:
        """The countdown over whatever is on screen; True when it has just appeared."""
        opened = self.warning is None
        if opened:
            self.warning = TimeoutWarning()
            self.warning.bind(on_still_here=lambda *a: self.patron_flow.still_here())
            self.warning.open(animation=False)
        self.warning.seconds = int(seconds_left + 0.99)
        return opened

    def close_warning(self) -> None:
        """Take the countdown away."""
        if self.warning is not None:
            warning, self.warning = self.warning, None
            warning.dismiss(animation=False)

    def close_dialogs(self) -> None:
        """Close every dialog on the window, the countdown included."""
        for child in list(Window.children):
            if hasattr(child, "dismiss"):
                child.dismiss(animation=False)
        self.warning = None
