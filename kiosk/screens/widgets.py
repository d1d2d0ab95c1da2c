"""Widgets every screen uses: text that wraps, big buttons, item rows, the PIN pad, the countdown."""

from __future__ import annotations

from kivy.animation import Animation
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen
from kivy.uix.togglebutton import ToggleButton


class KioskScreen(Screen):
    """A screen with a message line (refusals, hints) shared by all screens."""

    message = StringProperty("")
    message_bad = BooleanProperty(False)


class Body(Label):
    """Text that wraps to its width and is as tall as it needs."""


class Heading(Body):
    """A screen's title."""


class Banner(Body):
    """A coloured strip (offline, out of service) shown only when `shown`."""

    shown = BooleanProperty(False)


class BigButton(Button):
    """A button at least 64 dp tall (touch targets: 48 dp or more), its text wrapped inside."""


class BigToggle(ToggleButton):
    """A toggle button of the same size, for choosing loans to renew."""

    item_id = StringProperty("")


class ButtonRow(BoxLayout):
    """A row of buttons, all as tall as the one whose text needs the most room."""

    natural = NumericProperty(0)  # the height the tallest text needs

    def on_kv_post(self, base_widget) -> None:
        self.bind(children=self._track)
        self._track()

    def _track(self, *args) -> None:
        for child in self.children:
            child.size_hint_y = 1  # every button in the row takes the row's height
            watched = "natural" if isinstance(child, ButtonRow) else "texture_size"
            child.unbind(**{watched: self._fit})
            child.bind(**{watched: self._fit})
        self._fit()

    def _fit(self, *args) -> None:
        needed = [c.natural if isinstance(c, ButtonRow) else c.texture_size[1] + dp(24) for c in self.children]
        self.natural = max([dp(64), *needed])
        self.height = self.natural


class ItemRow(BoxLayout):
    """One item in a list: title, how it went, and the details under it."""

    title = StringProperty("")
    status = StringProperty("")
    detail = StringProperty("")
    ok = BooleanProperty(True)
    warn = BooleanProperty(False)
    item_id = StringProperty("")


class PinPad(GridLayout):
    """Digits, Clear and OK, each a big button; fires on_digit, on_clear, on_enter."""

    __events__ = ("on_digit", "on_clear", "on_enter")

    def on_digit(self, digit: str) -> None:
        """A digit was touched."""

    def on_clear(self) -> None:
        """Clear was touched."""

    def on_enter(self) -> None:
        """OK was touched."""


class BusyIndicator(Label):
    """"Checking..." with a moving bar, over the top of any screen while an operation takes long."""

    phase = NumericProperty(0.0)  # 0..1: where the moving bar is

    def on_kv_post(self, base_widget) -> None:
        self._animation = Animation(phase=1.0, duration=0.9) + Animation(phase=0.0, duration=0.9)
        self._animation.repeat = True
        self.bind(opacity=self._animate)

    def _animate(self, *args) -> None:
        if self.opacity:
            self._animation.start(self)
        else:
            self._animation.cancel(self)


class TimeoutWarning(ModalView):
    """"Are you still there?" with the seconds left; fires on_still_here."""

    __events__ = ("on_still_here",)
    seconds = NumericProperty(0)

    def on_still_here(self) -> None:
        """The patron touched "I am still here"."""
