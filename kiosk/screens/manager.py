"""The screen manager: the idle screen at start, every other screen built with its `.kv` the
first time it is shown."""

from __future__ import annotations

import importlib
from pathlib import Path

from kivy.lang import Builder
from kivy.uix.screenmanager import NoTransition, ScreenManager

KV_DIR = Path(__file__).resolve().parent
SCREEN_NAMES = ("idle", "login", "checkout", "returns", "renew", "account", "receipt",
                "out_of_service", "technician_login", "technician")
_loaded: set[str] = set()


def _load_kv(name: str) -> None:
    """Load one `.kv` file (once per process)."""
    if name not in _loaded:
        Builder.load_file(str(KV_DIR / f"{name}.kv"))
        _loaded.add(name)


def screen(manager: ScreenManager, name: str):
    """The screen called `name`, built (with its `.kv`) the first time it is asked for.

    Building screens on first use keeps the start to the idle screen short and its memory low.
    """
    if manager.has_screen(name):
        return manager.get_screen(name)
    if name not in SCREEN_NAMES:
        raise ValueError(f"no screen called {name!r}")
    _load_kv("widgets")
    module = importlib.import_module(f"kiosk.screens.{name}")
    _load_kv(name)
    built = module.SCREEN(name=name)
    manager.add_widget(built)
    return built


def build_screen_manager() -> ScreenManager:
    """A screen manager showing the idle screen; the others are built when first shown."""
    manager = ScreenManager(transition=NoTransition())
    screen(manager, "idle")
    manager.current = "idle"
    return manager
