"""The patron touchscreen app: wires the kiosk runtime to the screens.

Every call that may touch the network, the database or a device runs on a worker thread;
results come back to the UI thread with `Clock.schedule_once`. Circulation calls go through one
worker, in the order the patron made them; technician checks use another. A Clock tick keeps
the session timer, the out-of-service state and the systemd watchdog.
"""

from __future__ import annotations

import logging
import queue as queues
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
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
from kiosk.config import ConfigError, load_config
from kiosk.core import wording
from kiosk.core.outcomes import Action, ItemOutcome, LoginResult, LoginStatus, Mode, NotUnderstood, TechnicianCard
from kiosk.core.session import SessionState
from kiosk.core.status_report import gather
from kiosk.core.technician_pin import verify_pin
from kiosk.devices.classify import ScanKind
from kiosk.devices.events import DeviceStatus, IncompleteSet, ItemPlaced, ItemRemoved, Scan, UnreadableTag
from kiosk.i18n import LANGUAGE_NAMES, Words, translator
from kiosk.i18n.formats import warm_up
from kiosk.screens import build_screen_manager, screen as screen_named
from kiosk.screens.widgets import BusyIndicator, TimeoutWarning

if TYPE_CHECKING:
    from kiosk.config import KioskConfig
    from kiosk.core.runtime import KioskRuntime
    from kiosk.devices.classify import Classified

log = logging.getLogger(__name__)

BUSY_AFTER = 0.3  # seconds before an operation shows progress
SOUNDS_DIR = Path(__file__).resolve().parent / "sounds"
PATRON_SCREENS = ("login", "checkout", "returns", "renew", "account", "receipt")
TECHNICIAN_SCREENS = ("technician_login", "technician")
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


def describe_event(event: Any) -> str:
    """A device event in one line for technicians: what arrived, raw, and what it decoded to."""
    if isinstance(event, Scan):
        return f"scan {event.text!r}" + (f" ({event.symbology})" if event.symbology else "")
    if isinstance(event, ItemPlaced):
        tag = event.tag
        return f"placed {tag.uid}: item {tag.item_id} ({tag.data_model}, part {tag.part_number}/{tag.parts_in_item})"
    if isinstance(event, ItemRemoved):
        return f"removed {event.uid}"
    if isinstance(event, UnreadableTag):
        return f"unreadable {event.uid}: {event.reason}; raw {event.raw[:16].hex() or '-'}"
    if isinstance(event, IncompleteSet):
        return f"incomplete set {event.item_id}: parts {list(event.present)} of {event.parts_in_item}"
    if isinstance(event, DeviceStatus):
        return f"{event.state.value}: {event.detail}"
    return type(event).__name__


class KioskApp(App):
    """The kiosk's touchscreen app around one `KioskRuntime`."""

    language = StringProperty("en")
    languages = ListProperty(["en"])
    high_contrast = BooleanProperty(False)
    large_text = BooleanProperty(False)
    font_scale = NumericProperty(1.0)
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
        self.has_pad = str(config.devices.get("rfid", {}).get("driver", "none")) != "none"
        self.demo_panel = demo_panel
        self.exit_code = 0
        self.circulation_worker = ThreadPoolExecutor(1, thread_name_prefix="circulation")
        self.side_worker = ThreadPoolExecutor(2, thread_name_prefix="technician")
        self.sounds: dict[str, Any] = {}
        self.last_sound = ""
        self.warning: TimeoutWarning | None = None
        self.tags_on_pad: dict[str, Any] = {}  # uid -> TagData or UnreadableTag, for technicians
        self.last_device_events: dict[str, str] = {}  # device name -> its last event, for technicians
        self.pending_login = ""  # the card waiting for its PIN
        self.receipt_job: dict[str, Any] | None = None
        self._busy_jobs = 0
        self._busy_event = None
        self._watchdog_event = None
        self._ui_activity = time.monotonic()
        self._keys = ""
        self._last_key = 0.0
        self._ending = False
        self._stopped = False
        self._hidden_taps: list[float] = []
        self.bind(high_contrast=self._apply_theme, large_text=self._apply_theme)
        Window.bind(size=self._apply_theme)
        self._apply_theme()

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
        self.go_idle()
        Window.bind(on_flip=self._first_frame)
        if self.runtime is not None:
            self._runtime_ready(self.runtime)

    def _first_frame(self, *args: Any) -> None:
        """The idle screen is on show: systemd may consider the kiosk started."""
        Window.unbind(on_flip=self._first_frame)
        systemd_notify.ready("idle screen up")
        if self.runtime is None and self._runtime_factory is not None:
            # The runtime's modules (SQLAlchemy, the SIP2 client, the drivers, `kiosk run`'s
            # monitoring) load here, on this thread: imported on the worker they leave the
            # kiosk 10-60 MB larger for good (malloc keeps a worker's arena).
            import kiosk.core.runtime  # noqa: F401
            import kiosk.monitoring  # noqa: F401
            # First in the circulation worker's queue: every patron action waits behind it.
            self.in_worker(self._build_runtime, self._runtime_ready)

    def _build_runtime(self) -> Any:
        try:
            return self._runtime_factory()
        except Exception as exc:  # shown on the out-of-service screen instead of crashing
            log.exception("the kiosk could not start")
            return exc

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
        # Text grows with big screens (a 1080-line screen stands further away than a 7" one).
        screen_scale = min(1.6, max(1.0, Window.height / 720))
        self.font_scale = screen_scale * (1.3 if self.large_text else 1.0)

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
            # a "free" event wakes the UI loop at once instead of at its next frame (see window_setup)
            schedule = getattr(Clock, "schedule_once_free", Clock.schedule_once)
            schedule(lambda dt: self._finish(future, then), 0)

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

    def go_idle(self, *args: Any) -> None:
        """Back to the idle screen: language, theme and text size reset for the next patron."""
        self.close_warning()
        self.patron_name = ""
        self.pending_login = ""
        self.receipt_job = None
        self.language = self.languages[0]
        self.high_contrast = False
        self.large_text = False
        state = self.runtime.service.state() if self.runtime is not None else None
        if state is not None and not state.in_service:
            self.out_of_service_reason = state.reason
            self.show("out_of_service")
            return
        self.show("idle", message="")

    def activity(self) -> None:
        """The patron touched or scanned: the session timeout starts again."""
        self._ui_activity = time.monotonic()
        if self.runtime is None:
            return
        session = self.runtime.circulation.session
        if session is not None:
            session.touch(self.runtime.circulation.clock())  # a plain assignment: never waits

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
            self.on_scan(text)

    def _pump_events(self, dt: float) -> None:
        """Take device events off the runtime's queue (never waits)."""
        for _ in range(50):
            try:
                event = self.runtime.events.get_nowait()
            except queues.Empty:
                return
            self.on_device_event(event)

    def on_device_event(self, event: Any) -> None:
        """One device event, on the UI thread."""
        self.last_device_events[event.source] = describe_event(event)
        if isinstance(event, Scan):
            self.on_scan(event.text, event.classified)
        elif isinstance(event, DeviceStatus):
            self.screen_call("device_status", event)
        elif isinstance(event, (ItemPlaced, ItemRemoved, UnreadableTag, IncompleteSet)):
            self._track_pad(event)
            self.on_pad_event(event)

    def screen_call(self, method: str, *args: Any) -> None:
        """Tell the current screen something, if it cares."""
        handler = getattr(self.screen, method, None)
        if handler is not None:
            handler(*args)

    def _track_pad(self, event: Any) -> None:
        if isinstance(event, ItemPlaced):
            self.tags_on_pad[event.tag.uid] = event.tag
        elif isinstance(event, UnreadableTag):
            self.tags_on_pad[event.uid] = event
        elif isinstance(event, ItemRemoved):
            self.tags_on_pad.pop(event.uid, None)
        self.screen_call("pad_changed")

    def on_scan(self, text: str, classified: Classified | None = None) -> None:
        """A barcode from any scanner (or the keyboard): what it means depends on the screen.
        `classified` is what the scan was found to be where it entered the kiosk."""
        self.activity()
        classified = classified or self.runtime.classifier.classify(text)
        name = self.manager.current
        if name == "technician":
            self.screen.show_scan(text, classified)
            return
        if name in ("technician_login", "out_of_service"):
            # Only a technician card does anything here: patrons cannot log in meanwhile.
            if classified.kind is ScanKind.TECHNICIAN:
                self.open_technician_login()
            return
        if name == "receipt":
            return  # the session is over; a new card waits until the receipt is chosen
        mode = Mode.RETURN if name == "returns" else Mode.CHECKOUT
        self.in_worker(lambda: self.runtime.handle_scan(classified, mode), self._on_scan_result,
                       busy=self.tr("Checking..."))

    def on_pad_event(self, event: Any) -> None:
        """An RFID item placed or removed: checked out or returned like a scan."""
        name = self.manager.current
        if name not in ("checkout", "returns", "idle") or isinstance(event, IncompleteSet):
            return
        if isinstance(event, UnreadableTag):
            if name != "idle":
                self.play("error")
                self.show_message(self.tr(
                    "An item on the pad could not be read. Please move it a little, or give it to staff."), bad=True)
            return
        if name == "idle":
            if isinstance(event, ItemPlaced):
                self.show_message(self.tr('Please scan your library card first, or touch "Return items".'),
                                  bad=True)
            return
        mode = Mode.RETURN if name == "returns" else Mode.CHECKOUT
        self.activity()
        self.in_worker(lambda: self.runtime.handle_device_event(event, mode), self._on_scan_result,
                       busy=self.tr("Checking..."))

    def open_technician_login(self) -> None:
        """The technician PIN pad, empty."""
        self.show("technician_login", entry="", message="")

    def _on_scan_result(self, result: Any) -> None:
        if result is None:
            return
        if isinstance(result, LoginResult):
            self.on_login_result(result)
        elif isinstance(result, ItemOutcome):
            self.on_item_outcome(result)
        elif isinstance(result, TechnicianCard):
            if self.manager.current in PATRON_SCREENS:
                return  # not during a patron's session
            self.open_technician_login()
        elif isinstance(result, NotUnderstood):
            self.play("error")
            self.show_message(self.tr("This barcode was not recognised. Please try again or see staff."), bad=True)

    # --- patron flow -------------------------------------------------------------------------

    def type_card(self) -> None:
        """The patron wants to type the card number."""
        self.pending_login = ""
        self.show("login", stage="card", entry="", message="")

    def submit_card(self, card: str) -> None:
        """A typed card number: log in (or ask for the PIN)."""
        self.in_worker(lambda: self.runtime.circulation.log_in(card), self.on_login_result,
                       busy=self.tr("Checking your card..."))

    def submit_pin(self, pin: str) -> None:
        """The PIN for the card waiting on the log-in screen."""
        card = self.pending_login
        if not card:
            self.type_card()
            return
        self.in_worker(lambda: self.runtime.circulation.log_in(card, pin), self.on_login_result,
                       busy=self.tr("Checking your card..."))

    def on_login_result(self, result: LoginResult) -> None:
        """Show the log-in outcome: PIN pad, the checkout screen, or a friendly refusal."""
        if result.status is LoginStatus.NEED_PIN:
            self.pending_login = result.patron_id
            self.patron_name = ""
            self.show("login", stage="pin", entry="", message="")
            return
        if result.status is LoginStatus.REFUSED:
            self.play("error")
            reason = self.say(result.reason or wording.CARD_DENIED)
            if self.manager.current == "login":
                self.screen.stage = "pin" if self.pending_login and self.screen.stage == "pin" else "card"
                self.screen.entry = ""
            elif self.manager.current not in ("idle",):
                self.show("idle")
            self.show_message(reason, bad=True)
            return
        self.play("success")
        # Babel and the locale's data (~10 MB, ~60 ms) load when a patron first needs a due date,
        # on a worker: not at start-up, where the idle kiosk's memory and start time count.
        self.side_worker.submit(warm_up, self.words.locale)
        self.pending_login = ""
        self.patron_name = result.name
        self.offline = result.offline or not self.runtime.link.online
        screen = self.show("checkout", message="")
        screen.start_session(result)

    def on_item_outcome(self, outcome: ItemOutcome) -> None:
        """An item was checked out or returned: it appears in the list on screen."""
        self.play("success" if outcome.ok else "error")
        name = self.manager.current
        if name in ("checkout", "returns"):
            self.screen.add_outcome(outcome)
        else:
            self.show_message(self.say(outcome.reason), bad=not outcome.ok)

    def start_returns(self) -> None:
        """The patron wants to return items (with or without a session)."""
        self.activity()
        screen = self.show("returns", message="")
        screen.clear()

    def returns_done(self) -> None:
        """Back from returns: to the session if there is one, else idle."""
        if self.runtime.circulation.session is not None:
            self.show("checkout")
        else:
            self.go_idle()

    def open_renew(self) -> None:
        """The renew screen, with the patron's loans fetched from the library system."""
        screen = self.show("renew", message="")
        screen.loading()
        self.in_worker(self.runtime.circulation.account, screen.show_account,
                       busy=self.tr("Fetching your loans..."))

    def renew(self, item_ids: list[str]) -> None:
        """Renew the chosen loans; results per item."""
        circulation = self.runtime.circulation
        self.in_worker(lambda: [circulation.renew(i) for i in item_ids], self._renewed,
                       busy=self.tr("Renewing..."))

    def renew_all(self) -> None:
        """Renew every loan."""
        self.in_worker(self.runtime.circulation.renew_all, self._renewed, busy=self.tr("Renewing..."))

    def _renewed(self, outcomes: list[ItemOutcome]) -> None:
        self.play("success" if outcomes and all(o.ok for o in outcomes) else "error")
        if self.manager.current == "renew":
            self.screen.show_results(outcomes)

    def open_account(self) -> None:
        """The account screen: loans, holds and fines."""
        screen = self.show("account", message="")
        screen.loading()
        self.in_worker(self.runtime.circulation.account, screen.show_account,
                       busy=self.tr("Fetching your account..."))

    def back_to_session(self) -> None:
        """Back to the checkout screen (or idle if the session ended meanwhile)."""
        if self.runtime.circulation.session is None:
            self.go_idle()
        else:
            self.show("checkout")

    def finish_session(self) -> None:
        """"Done": end the session; offer a receipt when something was done and receipts exist."""
        session = self.runtime.circulation.session
        name = session.name if session else self.patron_name
        email = session.email if session else ""
        offline = bool(session and session.offline) or self.offline
        self.in_worker(lambda: self.runtime.circulation.end_session("done"),
                       lambda results: self._session_ended(results, name, email, offline),
                       busy=self.tr("Finishing..."))

    def _session_ended(self, results: list[ItemOutcome], name: str, email: str, offline: bool) -> None:
        receipts = self.runtime.receipts
        choices = tuple(c for c in receipts.choices(email) if c != "none")
        if not results or not choices:
            self.go_idle()
            return
        self.receipt_job = {"results": results, "name": name, "email": email, "offline": offline}
        done = [r for r in results if r.ok]
        self.show("receipt", choices=list(choices) + ["none"], email=email, offline=offline, message="",
                  delivered=False, checked_out=sum(1 for r in done if r.action is Action.CHECKOUT),
                  returned=sum(1 for r in done if r.action is Action.CHECKIN))

    def choose_receipt(self, choice: str) -> None:
        """Print, e-mail or no receipt; then back to idle after the patron has read the answer."""
        job, receipts = self.receipt_job, self.runtime.receipts
        if choice == "none" or job is None:
            self.go_idle()
            return
        language = self.language
        self.in_worker(lambda: receipts.deliver(choice, job["results"], patron_name=job["name"],
                                                patron_email=job["email"], offline=job["offline"],
                                                language=language),
                       self._receipt_delivered, busy=self.tr("Preparing your receipt..."))

    def _receipt_delivered(self, delivery: Any) -> None:
        self.play("success" if delivery.ok else "error")
        if self.manager.current == "receipt":
            self.screen.delivered = True
            self.show_message(delivery.message, bad=not delivery.ok)
        Clock.schedule_once(lambda dt: self.go_idle() if self.manager.current == "receipt" else None, 4)

    # --- timers ------------------------------------------------------------------------------

    def _tick(self, dt: float) -> None:
        """Session timeout, warning countdown, out-of-service, technician timeout."""
        name = self.manager.current
        self.offline = not self.runtime.link.online or bool(
            self.runtime.circulation.session and self.runtime.circulation.session.offline)
        if name in TECHNICIAN_SCREENS:
            if time.monotonic() - self._ui_activity > self.config_settings.technician_access.timeout:
                self.go_idle()
            return
        state = self.runtime.service.state()
        if name in ("idle", "out_of_service"):
            if not state.in_service and name == "idle":
                self.out_of_service_reason = state.reason
                self.show("out_of_service")
            elif state.in_service and name == "out_of_service":
                self.show("idle", message="")
            elif not state.in_service:
                self.out_of_service_reason = state.reason
            return
        left, session_state = self._time_left()
        if session_state is SessionState.EXPIRED:
            self.time_out()
        elif session_state is SessionState.WARNING:
            self.open_warning(left)
        else:
            self.close_warning()

    def _time_left(self) -> tuple[float, SessionState]:
        session = self.runtime.circulation.session
        settings = self.config_settings.session
        if session is not None:
            now = self.runtime.circulation.clock()
            return session.seconds_left(now), session.state(now)
        idle = time.monotonic() - self._ui_activity
        left = max(0.0, settings.timeout - idle)
        if left <= 0:
            return 0.0, SessionState.EXPIRED
        return left, SessionState.WARNING if left <= settings.warning else SessionState.ACTIVE

    def open_warning(self, seconds_left: float) -> None:
        """The countdown over whatever is on screen."""
        if self.warning is None:
            self.warning = TimeoutWarning()
            self.warning.bind(on_still_here=lambda *a: self.still_here())
            self.warning.open(animation=False)
            self.play("error")
        self.warning.seconds = int(seconds_left + 0.99)

    def close_warning(self) -> None:
        """Take the countdown away."""
        if self.warning is not None:
            warning, self.warning = self.warning, None
            warning.dismiss(animation=False)

    def still_here(self) -> None:
        """The patron answered the countdown."""
        self.activity()
        self.close_warning()

    def time_out(self) -> None:
        """The session ran out: end it and go back to idle, whatever dialog was open."""
        for child in list(Window.children):
            if hasattr(child, "dismiss"):
                child.dismiss(animation=False)
        self.warning = None
        self._ui_activity = time.monotonic()
        self.go_idle()
        self.in_worker(lambda: self.runtime.circulation.end_session("timeout"), lambda results: None)

    # --- technician ----------------------------------------------------------------------------

    def hidden_tap(self) -> None:
        """Five taps in the idle screen's corner within three seconds open technician mode."""
        now = time.monotonic()
        self._hidden_taps = [t for t in self._hidden_taps if now - t < 3.0] + [now]
        if len(self._hidden_taps) >= 5:
            self._hidden_taps = []
            self.open_technician_login()

    def check_technician_pin(self, pin: str) -> None:
        """Verify the technician PIN (scrypt, on a worker)."""
        stored = self.config_settings.technician_access.pin_hash
        if not stored:
            self.show_message(self.tr("No technician PIN is set in the configuration."), bad=True)
            return
        self.in_worker(lambda: verify_pin(pin, stored), self._technician_pin_checked, technician=True)

    def _technician_pin_checked(self, ok: bool) -> None:
        if ok:
            self.show("technician", message="")
            self.refresh_status()
        else:
            self.play("error")
            self.show_message(self.tr("Wrong PIN."), bad=True)
            if self.manager.current == "technician_login":
                self.screen.entry = ""

    def refresh_status(self) -> None:
        """Gather the technician status on a worker and show it."""
        last_events = dict(self.last_device_events)
        self.in_worker(lambda: gather(self.runtime, last_events),
                       lambda report: self.screen_call("show_report", report), technician=True)

    def technician_sip2_test(self) -> None:
        """Ask the library system for its status (99/98) and show how it went and how long it took."""
        def probe() -> str:
            started = time.monotonic()
            ok = self.runtime.link.probe()
            took = (time.monotonic() - started) * 1000
            if ok:
                return f"OK: the library system answered in {took:.0f} ms"
            return f"FAILED after {took:.0f} ms: {self.runtime.link.last_error}"

        self.in_worker(probe, lambda text: self.screen_call("show_result", "Library system test", text),
                       technician=True)
        self.refresh_status()

    def technician_toggle_service(self) -> None:
        """Switch the kiosk out of service, or back in."""
        service = self.runtime.service
        if service.state().by_technician:
            service.switch_on()
            text = "back in service"
        else:
            service.switch_off()
            text = "out of service until switched on again"
        self.screen_call("show_result", "Out of service", text)
        self.refresh_status()

    def technician_replay(self) -> None:
        """Replay the offline queue now, on a worker."""
        def replay() -> str:
            report = self.runtime.replayer.replay_once()
            text = f"sent {report.sent}, done {report.done}, refused {report.refused}"
            return text + (f"; stopped: {report.stopped_by}" if report.stopped_by else "")

        self.in_worker(replay, lambda text: self.screen_call("show_result", "Replay", text), technician=True)

    def technician_export_refused(self) -> None:
        """Write the refused entries as CSV next to the database, and say where."""
        def export() -> str:
            folder = Path(self.config_settings.storage.database).resolve().parent
            path = folder / f"refused-{time.strftime('%Y%m%d-%H%M%S')}.csv"
            with path.open("w", encoding="utf-8", newline="") as stream:
                rows = self.runtime.queue.export_refused_csv(stream)
            return f"{rows} entries written to {path}"

        self.in_worker(export, lambda text: self.screen_call("show_result", "Export", text), technician=True)

    def technician_reload_config(self) -> None:
        """Check the configuration file; when it is valid, restart to use it."""
        def check() -> str:
            try:
                load_config(self.config_settings.source)
            except ConfigError as exc:
                return f"NOT reloaded: {exc}"
            return ""

        def then(problem: str) -> None:
            if problem:
                self.screen_call("show_result", "Reload", problem)
            else:
                self.shut_down(0)  # systemd (Restart=always) starts the kiosk on the new file

        self.in_worker(check, then, technician=True)

    def login_entered(self, stage: str, text: str) -> None:
        """The log-in screen's OK (or Enter): a card number, a PIN, or a card scanned into the PIN field."""
        self.activity()
        if stage == "pin":
            classified = self.runtime.classifier.classify(text)
            if classified.kind is not ScanKind.UNKNOWN:
                self.show_message(self.tr("That was a card, not a PIN: starting again with that card."))
                self.on_scan(text, classified)
                return
            self.submit_pin(text)
        else:
            self.submit_card(text)
