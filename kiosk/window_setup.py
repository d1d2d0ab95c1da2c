"""Kivy's window settings for the kiosk, decided before Kivy creates its window.

Import and call `configure_window` before anything imports `kivy.core.window` (kiosk.app does).
"""

from __future__ import annotations

import os

from kiosk.config import KioskConfig

os.environ.setdefault("KIVY_NO_ARGS", "1")  # the kiosk's own arguments are not Kivy's
# SDL would turn SIGTERM into a window-close request, which the kiosk refuses (Alt-F4): the app
# handles SIGTERM itself so that `systemctl stop` stops it cleanly.
os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")


def configure_window(config: KioskConfig, *, demo: bool = False, size: tuple[int, int] | None = None) -> None:
    """Fullscreen without decorations or cursor, no way out by keyboard; a window for demos and tests."""
    from kivy.config import Config  # imported as late as possible: importing Kivy starts it

    Config.set("kivy", "exit_on_escape", "0")
    # Kivy's clock as usual, except that results from the workers (scheduled "free") are shown
    # as soon as they arrive rather than at the next frame: up to 1/60 s sooner per scan.
    Config.set("kivy", "kivy_clock", "free_all")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    kiosk_mode = config.app.fullscreen and not demo and size is None
    Config.set("graphics", "fullscreen", "auto" if kiosk_mode else "0")
    Config.set("graphics", "borderless", "1" if kiosk_mode else "0")
    Config.set("graphics", "show_cursor", "1" if (config.app.show_cursor or demo) else "0")
    if size is not None or not kiosk_mode:
        width, height = size or (1024, 600)
        Config.set("graphics", "width", str(width))
        Config.set("graphics", "height", str(height))
