"""Technician PIN entry, after a technician card or the hidden gesture."""

from __future__ import annotations

from kivy.app import App

from kiosk.screens.pin_entry import PinEntryScreen

MAX_PIN = 16


class TechnicianLoginScreen(PinEntryScreen):
    """A PIN pad; the app checks the PIN against the configured hash."""

    intro = "TechnicianLoginIntro"

    def longest(self) -> int:
        """The longest technician PIN."""
        return MAX_PIN

    def submit(self, text: str) -> None:
        """Check the PIN."""
        App.get_running_app().technician_flow.check_pin(text)


SCREEN = TechnicianLoginScreen
