"""Kivy screens of the patron app and the technician mode.

One `Screen` subclass per module, each with its own `.kv` next to it; screens show the state
the app hands them and forward touches to the app, which asks the kiosk core.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.uix.screenmanager import NoTransition, ScreenManager

KV_DIR = Path(__file__).resolve().parent
SCREEN_MODULES = ("idle", "login", "checkout", "returns", "renew", "account", "receipt",
                  "out_of_service", "technician_login", "technician")
_loaded = False


def load_kv() -> None:
    """Load the shared widgets' rules and every screen's `.kv` (once per process)."""
    global _loaded
    if _loaded:
        return
    from kiosk.screens import widgets  # noqa: F401  (the classes the rules name)

    Builder.load_file(str(KV_DIR / "widgets.kv"))
    for name in SCREEN_MODULES:
        __import__(f"kiosk.screens.{name}")
        Builder.load_file(str(KV_DIR / f"{name}.kv"))
    _loaded = True


def build_screen_manager() -> ScreenManager:
    """A screen manager holding one of each screen; the idle screen is shown first."""
    import importlib

    load_kv()
    manager = ScreenManager(transition=NoTransition())
    for name in SCREEN_MODULES:
        module = importlib.import_module(f"kiosk.screens.{name}")
        manager.add_widget(module.SCREEN(name=name))
    manager.current = "idle"
    return manager
