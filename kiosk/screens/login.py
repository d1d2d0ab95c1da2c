"""Log in: type the card number, then the PIN, on a big number pad."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.screens.pin_entry import PinEntryScreen

MAX_CARD = 24
MAX_PIN = 12


class LoginScreen(PinEntryScreen):
    """`stage` is "card" (typing the card number) or "pin"; `entry` is what was typed so far."""

    stage = StringProperty("card")
    intro = "LoginIntro"

    def longest(self) -> int:
        """A PIN is shorter than a card number."""
        return MAX_PIN if self.stage == "pin" else MAX_CARD

    def submit(self, text: str) -> None:
        """Send the card number or the PIN."""
        App.get_running_app().patron_flow.login_entered(self.stage, text)


SCREEN = LoginScreen
