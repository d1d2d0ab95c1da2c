"""Log in: type the card number, then the PIN, on a big number pad."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.screens.widgets import KioskScreen

MAX_CARD = 24
MAX_PIN = 12


class LoginScreen(KioskScreen):
    """`stage` is "card" (typing the card number) or "pin"; `entry` is what was typed so far."""

    stage = StringProperty("card")
    entry = StringProperty("")
    takes_typing = True

    def digit(self, digit: str) -> None:
        """A digit from the pad."""
        limit = MAX_PIN if self.stage == "pin" else MAX_CARD
        if len(self.entry) < limit:
            self.entry += digit

    def clear(self) -> None:
        """Clear what was typed."""
        self.entry = ""

    def backspace(self) -> None:
        """Take back the last digit typed."""
        self.entry = self.entry[:-1]

    def enter(self) -> None:
        """OK: send the card number or the PIN."""
        if self.entry:
            App.get_running_app().login_entered(self.stage, self.entry)

    def typed(self, text: str) -> None:
        """Text typed on a real keyboard (or a wedge scanner) and ended with Enter."""
        App.get_running_app().login_entered(self.stage, text.strip())


SCREEN = LoginScreen
