"""Technician PIN entry, after a technician card or the hidden gesture."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.screens.widgets import KioskScreen

MAX_PIN = 16


class TechnicianLoginScreen(KioskScreen):
    """A PIN pad; the app checks the PIN against the configured hash."""

    stage = StringProperty("pin")
    entry = StringProperty("")
    takes_typing = True

    def digit(self, digit: str) -> None:
        """A digit from the pad."""
        if len(self.entry) < MAX_PIN:
            self.entry += digit

    def clear(self) -> None:
        """Clear what was typed."""
        self.entry = ""

    def backspace(self) -> None:
        """Take back the last digit typed."""
        self.entry = self.entry[:-1]

    def enter(self) -> None:
        """OK: check the PIN."""
        if self.entry:
            App.get_running_app().technician_flow.check_pin(self.entry)

    def typed(self, text: str) -> None:
        """A PIN typed on a real keyboard."""
        App.get_running_app().technician_flow.check_pin(text.strip())


SCREEN = TechnicianLoginScreen
