"""What the flow controllers need from the app around them: the `Shell` protocol.

The patron and technician flows only decide what happens next; the shell (the Kivy app, or a
plain recording object in tests) shows screens, runs work off the UI thread, plays sounds and
keeps time. No Kivy here, so the flows can be driven without a window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from kiosk.config import KioskConfig
    from kiosk.core.runtime import KioskRuntime
    from kiosk.i18n import Words


class Shell(Protocol):
    """The app as the flow controllers see it."""

    runtime: KioskRuntime | None  # None while it is still being built behind the idle screen
    config_settings: KioskConfig
    language: str  # the session's language code
    patron_name: str
    offline: bool
    out_of_service_reason: str

    @property
    def current(self) -> str:
        """The name of the screen on show."""

    @property
    def words(self) -> Words:
        """The session's language, in the kiosk's locale."""

    def show(self, name: str, **state: Any) -> Any:
        """Switch to a screen, handing it the state it shows; returns the screen."""

    def show_message(self, text: str, *, bad: bool = False) -> None:
        """A message on the screen on show."""

    def screen_call(self, method: str, *args: Any) -> None:
        """Tell the screen on show something, if it has `method`."""

    def in_worker(self, call: Callable[[], Any], then: Callable[[Any], None], *, busy: str = "",
                  technician: bool = False) -> Any:
        """Run `call` off the UI thread; `then(result)` runs back on it."""

    def in_background(self, call: Callable[..., Any], *args: Any) -> None:
        """Run `call(*args)` off the UI thread; nothing waits for it."""

    def later(self, seconds: float, call: Callable[[], None]) -> None:
        """Run `call()` on the UI thread after `seconds`."""

    def now(self) -> float:
        """Monotonic seconds: the clock of touches, taps and timeouts."""

    def play(self, name: str) -> None:
        """Play the "success" or "error" sound."""

    def tr(self, text: str) -> str:
        """`text` in the session's language."""

    def say(self, text: str) -> str:
        """A sentence from the core or the library system in the kiosk's words."""

    def go_idle(self) -> None:
        """Back to the idle screen (or out of service), ready for the next patron."""

    def reset_for_next_patron(self) -> None:
        """Language, theme, text size and greeting back to the kiosk's defaults; dialogs closed."""

    def open_warning(self, seconds_left: float) -> bool:
        """Show (or update) the "are you still there?" countdown; True when it just appeared."""

    def close_warning(self) -> None:
        """Take the countdown away."""

    def close_dialogs(self) -> None:
        """Close every dialog on show (the session ended under it)."""

    def shut_down(self, exit_code: int = 0) -> None:
        """Leave the app on purpose; systemd starts it again."""


def built_runtime(shell: Shell) -> KioskRuntime:
    """The shell's runtime, for the steps that only run once it is built (the app pumps no scans
    and shows no session screen before)."""
    if shell.runtime is None:
        raise RuntimeError("the kiosk's runtime is not built yet")
    return shell.runtime
