"""A plain-Python `Shell` for the flow controllers: it records what the app would show and do,
runs "worker" calls at once, and keeps a clock the test moves. No Kivy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.i18n import Words, translator
from kiosk.screens.patron_flow import PatronFlow
from kiosk.screens.technician_flow import TechnicianFlow


@dataclass
class ScreenState:
    """What a screen was handed, and what was asked of it (method name and arguments)."""

    name: str
    state: dict[str, Any] = field(default_factory=dict)
    calls: list[tuple[str, tuple]] = field(default_factory=list)

    @property
    def message(self) -> str:
        return self.state.get("message", "")


class RecordingShell:
    """Every screen shown, message, sound, worker call and timer, in order."""

    def __init__(self, runtime: Any, config: Any = None) -> None:
        self.runtime = runtime
        self.config_settings = config or runtime.config
        self.language = self.config_settings.app.languages[0]
        self.patron_name = ""
        self.offline = False
        self.out_of_service_reason = ""
        self.clock = 1000.0
        self.screens: dict[str, ScreenState] = {}
        self.shown: list[str] = []  # screen names in the order shown
        self.sounds: list[str] = []
        self.timers: list[tuple[float, Callable[[], None]]] = []
        self.background: list[tuple[Callable[..., Any], tuple]] = []
        self.warning: int | None = None  # seconds on the countdown while it is open
        self.dialogs_closed = 0
        self.resets = 0
        self.exit_code: int | None = None
        self._current = "idle"
        self.screens["idle"] = ScreenState("idle")
        self.technician_flow = TechnicianFlow(self)
        self.patron_flow = PatronFlow(self, self.technician_flow)

    # --- the Shell protocol ------------------------------------------------------------------

    @property
    def current(self) -> str:
        return self._current

    @property
    def words(self) -> Words:
        return translator(self.language, self.config_settings.kiosk.locale)

    def show(self, name: str, **state: Any) -> ScreenState:
        screen = self.screens.setdefault(name, ScreenState(name))
        screen.state.update(state)
        self._current = name
        self.shown.append(name)
        return screen

    def show_message(self, text: str, *, bad: bool = False) -> None:
        self.screen.state.update(message=text, message_bad=bad)

    def screen_call(self, method: str, *args: Any) -> None:
        self.screen.calls.append((method, args))

    def in_worker(self, call: Callable[[], Any], then: Callable[[Any], None], *, busy: str = "",
                  technician: bool = False) -> None:
        then(call())  # at once: the flows' order of events is what is tested here

    def in_background(self, call: Callable[..., Any], *args: Any) -> None:
        self.background.append((call, args))

    def later(self, seconds: float, call: Callable[[], None]) -> None:
        self.timers.append((seconds, call))

    def now(self) -> float:
        return self.clock

    def play(self, name: str) -> None:
        self.sounds.append(name)

    def tr(self, text: str) -> str:
        return self.words(text)

    def say(self, text: str) -> str:
        return self.words.say(text)

    def go_idle(self) -> None:
        self.patron_flow.go_idle()

    def reset_for_next_patron(self) -> None:
        self.resets += 1
        self.close_warning()
        self.patron_name = ""
        self.language = self.config_settings.app.languages[0]

    def open_warning(self, seconds_left: float) -> bool:
        opened = self.warning is None
        self.warning = int(seconds_left + 0.99)
        return opened

    def close_warning(self) -> None:
        self.warning = None

    def close_dialogs(self) -> None:
        self.dialogs_closed += 1
        self.warning = None

    def shut_down(self, exit_code: int = 0) -> None:
        self.exit_code = exit_code

    # --- for the tests -----------------------------------------------------------------------

    @property
    def screen(self) -> ScreenState:
        return self.screens.setdefault(self._current, ScreenState(self._current))

    def calls(self, method: str, screen: str | None = None) -> list[tuple]:
        """The arguments of every `method` asked of `screen` (the current one when None)."""
        return [args for name, args in self.screens[screen or self._current].calls if name == method]

    def run_timers(self) -> None:
        """Let every timer set so far run out."""
        timers, self.timers = self.timers, []
        for _, call in timers:
            call()
