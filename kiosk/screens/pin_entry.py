"""Screens that take digits on the big number pad: the patron's log-in and the technician's PIN.

One layout (pin_entry.kv) and one way of typing serve both: the form (what was typed, the
message, Cancel) beside the keypad and OK. What stands above the typed digits (a heading,
hints) is each screen's own: a `PinIntro` rule in the screen's `.kv`, named by `intro`.
"""

from __future__ import annotations

from pathlib import Path

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.widgets import KioskScreen


class PinIntro(BoxLayout):
    """The top of a PIN entry screen's form; `screen` is that screen, for its rule to read."""

    screen = ObjectProperty(None, rebind=True)


class PinEntryScreen(KioskScreen):
    """`entry` is what was typed so far; `stage` is "pin" while it is a PIN (shown as dots).

    A subclass names its `intro` rule, says how long an entry may grow (`longest`) and what
    to do with it on OK or when typed on a real keyboard (`submit`).
    """

    stage = StringProperty("pin")
    entry = StringProperty("")
    takes_typing = True
    intro = ""  # the name of the screen's PinIntro rule

    def on_kv_post(self, base_widget) -> None:
        form = self.ids.form
        form.add_widget(Factory.get(self.intro)(screen=self), index=len(form.children))  # on top

    def longest(self) -> int:
        """How many digits the entry may hold."""
        raise NotImplementedError

    def submit(self, text: str) -> None:
        """Hand what was typed to the flow behind the screen."""
        raise NotImplementedError

    def digit(self, digit: str) -> None:
        """A digit from the pad."""
        if len(self.entry) < self.longest():
            self.entry += digit

    def clear(self) -> None:
        """Clear what was typed."""
        self.entry = ""

    def backspace(self) -> None:
        """Take back the last digit typed."""
        self.entry = self.entry[:-1]

    def enter(self) -> None:
        """OK: send what was typed, if anything."""
        if self.entry:
            self.submit(self.entry)

    def typed(self, text: str) -> None:
        """Text typed on a real keyboard (or a wedge scanner) and ended with Enter."""
        self.submit(text.strip())


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
