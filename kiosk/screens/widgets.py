"""Widgets every screen uses: text that wraps, big buttons, item rows, the PIN pad, the countdown."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kivy.animation import Animation
from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.togglebutton import ToggleButton
from kivy.uix.widget import Widget

from kiosk.screens.pictures import OutcomeIcon  # noqa: F401  (registers the pictures the screens' kv rules name)

if TYPE_CHECKING:  # the row's text comes from present, which the idle screen need not load
    from kiosk.screens.present import ItemLine


class KioskScreen(Screen):
    """A screen with a message line (refusals, hints) shared by all screens; `roomy` when it is
    720 dp tall or more (a large screen, not the 7" panel)."""

    message = StringProperty("")
    message_bad = BooleanProperty(False)
    roomy = BooleanProperty(False)


class Column(BoxLayout):
    """A screen's parts from top to bottom, `spacing` apart; a part folded away (0 tall, no size hint:
    no message, no banner) takes no room, not even the spacing around it, so the list gets that room."""

    def __init__(self, **kwargs) -> None:
        super().__init__(orientation="vertical", **kwargs)

    def do_layout(self, *largs) -> None:
        shown = [c for c in self.children if c.height > 0 or c.size_hint_y is not None]
        left, top, right, _ = self.padding
        for child in self.children:
            if child not in shown and child.size_hint_x is not None:  # wraps its text at the width it will have
                child.pos, child.width = (self.x + left, self.top - top), self.width - left - right
        if not shown:
            return
        for i, x, y, w, h in self._iterate_layout(
                [(c.size, c.size_hint, c.pos_hint, c.size_hint_min, c.size_hint_max) for c in shown]):
            child = shown[i]
            child.pos = x, y
            if child.size_hint_x is not None:
                child.width = w
            if child.size_hint_y is not None:
                child.height = h


class Body(Label):
    """Text that wraps to its width and is as tall as it needs."""


class Heading(Body):
    """A screen's title."""


class Banner(Body):
    """A coloured strip (offline, out of service) shown only when `shown`."""

    shown = BooleanProperty(False)


class BigButton(Button):
    """A button at least `least_height` tall (64 dp; touch targets: 48 dp or more), its text wrapped inside
    at `base_font_size`, or smaller when a word would not fit on one line."""

    least_height = NumericProperty(dp(64))
    base_font_size = NumericProperty(0)  # the text's size before a long word makes it smaller


class BigToggle(ToggleButton):
    """A toggle button of the same size, for choosing loans to renew."""

    item_id = StringProperty("")


class SettingToggle(ToggleButton):
    """A setting (language, contrast, text size): filled when on, outlined when off."""

    item_id = StringProperty("")


class ButtonRow(BoxLayout):
    """A row of buttons, all as tall as the one whose text needs the most room (`text_room` more
    than its text), and at least `least_height` (by default 64 dp times the screen's scale). A
    child without text (a spacer) takes the row's height and asks for none."""

    natural = NumericProperty(0)  # the height the tallest text needs
    least_height = NumericProperty(0)  # 0: 64 dp times the screen's scale
    text_room = NumericProperty(dp(24))

    def on_kv_post(self, base_widget) -> None:
        self.bind(children=self._track, least_height=self._fit, text_room=self._fit)
        App.get_running_app().bind(screen_scale=self._fit)  # a large screen gets larger buttons
        self._track()

    def _track(self, *args) -> None:
        for child in self.children:
            child.size_hint_y = 1  # every button in the row takes the row's height
            watched = _watched(child)
            if watched:
                child.unbind(**{watched: self._fit})
                child.bind(**{watched: self._fit})
        self._fit()

    def _fit(self, *args) -> None:
        least = self.least_height or dp(64) * App.get_running_app().screen_scale
        needed = [c.natural if isinstance(c, ButtonRow) else c.texture_size[1] + self.text_room
                  for c in self.children if _watched(c)]
        self.natural = max([least, *needed])
        self.height = self.natural


def _watched(child: Widget) -> str | None:
    """The property of a row's child that says how tall it needs to be, if any."""
    if isinstance(child, ButtonRow):
        return "natural"
    return "texture_size" if hasattr(child, "texture_size") else None


class ItemRow(BoxLayout):
    """One item in a list: its mark (see kiosk.screens.marks; none when empty), title, how it went,
    and the details under it."""

    mark = StringProperty("")
    title = StringProperty("")
    status = StringProperty("")
    detail = StringProperty("")
    ok = BooleanProperty(True)
    warn = BooleanProperty(False)
    item_id = StringProperty("")

    @classmethod
    def of(cls, line: ItemLine) -> ItemRow:
        """The row showing one line of `kiosk.screens.present`."""
        return cls().show(line)

    def show(self, line: ItemLine) -> ItemRow:
        """Show `line` in this row (a row is reused for another item: its widgets stay, only texts change)."""
        self.mark, self.title, self.status, self.detail = line.mark, line.title, line.status, line.detail
        self.ok, self.warn, self.item_id = line.ok, line.warn, line.item_id
        return self


class PinPad(GridLayout):
    """Digits, Clear and a backspace key, each a big button; fires on_digit, on_clear, on_backspace."""

    __events__ = ("on_digit", "on_clear", "on_backspace")
    key_height = NumericProperty(0)  # how tall each key is (at least)

    def on_digit(self, digit: str) -> None:
        """A digit was touched."""

    def on_clear(self) -> None:
        """Clear was touched."""

    def on_backspace(self) -> None:
        """The backspace key was touched: take back the last digit."""


BUSY_STEPS_PER_SECOND = 30


class BusyIndicator(Label):
    """"Checking..." with a moving bar, over the top of any screen while an operation takes long."""

    phase = NumericProperty(0.0)  # 0..1: where the moving bar is

    def on_kv_post(self, base_widget) -> None:
        # 30 steps a second look as smooth on a bar this small, and halve what the wait costs in drawing
        step = 1 / BUSY_STEPS_PER_SECOND
        self._animation = Animation(phase=1.0, duration=0.9, step=step) + Animation(phase=0.0, duration=0.9, step=step)
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


def fit_words(text: str, font_size: float, width: float, bold: bool = False) -> float:
    """`font_size`, or smaller when the longest word of `text` is wider than `width`: Kivy would
    cut that word between two letters (an e-mail address on a narrow button in large text)."""
    words = text.split()
    if not words or width <= 0:
        return font_size
    size = font_size
    while size > dp(10):
        widest = max(CoreLabel(font_size=size, bold=bold).get_extents(word)[0] for word in words)
        if widest <= width:
            return size
        size = min(size - 1, int(size * width / widest))  # glyphs round to whole pixels: measure again
    return size


def side_margin(width: float, measure: float = 1280) -> float:
    """Left and right padding that keeps a screen's content at a readable width (`measure` dp),
    centred on a large screen, and a small edge on the 7" one."""
    return max(dp(24), (width - dp(measure)) / 2)


SCROLL_BAR = (0.7, 0.7, 0.7, 0.2)  # how Kivy's scroll bar looks when the list is still
# Rows made at once in a long list: more than the tallest list shows (1920x1080, small text), so
# the patron never sees a gap, while a list of a hundred loans costs no more to show than a short one.
ROWS_AT_ONCE = 16
RowMaker = Callable[[], Widget]  # makes one row of a list when it is to be shown


class RowList(BoxLayout):
    """A list of rows that shows only whole rows and, when more rows than fit, a cue saying how
    many more are below (the patron slides the list up to see them). Rows go into `box`.

    A long list need not have all its rows in `box`: `hidden` counts those after the last one,
    which the cue includes, and `on_more` asks for them when the patron slides to the end."""

    __events__ = ("on_more",)
    cue_text = StringProperty("")
    hidden = NumericProperty(0)  # rows after the last one in `box`, not made yet

    def on_more(self) -> None:
        """The patron reached the end of the rows in `box` while `hidden` are still to come."""

    def __init__(self, **kwargs) -> None:
        super().__init__(orientation="vertical", **kwargs)
        # one bar colour: Kivy fades the bar after every change of the rows, 30 frames drawn for nothing
        self.view = ScrollView(do_scroll_x=False, size_hint_y=None, height=0, bar_color=SCROLL_BAR,
                               bar_inactive_color=SCROLL_BAR)
        self.box = BoxLayout(orientation="vertical", size_hint_y=None, height=0, spacing=dp(6))
        self.box.bind(minimum_height=self.box.setter("height"))
        self.view.add_widget(self.box)
        self.cue = ListCue()
        self.add_widget(self.view)
        self.add_widget(self.cue)
        self.add_widget(Widget())
        self._refit = Clock.create_trigger(self._fit, -1)  # in the frame that shows the new rows, not the next
        # In the frame that makes rows, their heights and the list's fit settle after `_fit` has run:
        # whether the list is at the end of its rows is asked once that frame is done.
        self._ask_more = Clock.create_trigger(self._more_if_at_end, 0)
        self.bind(size=self._refit)
        self.box.bind(height=self._refit, children=self._to_top)
        self.view.bind(scroll_y=self._scrolled, on_scroll_start=self._let_go)
        self.bind(hidden=self._refit)
        self._from_top: float | None = None  # px from the rows' top to the view's, to keep while rows come below
        App.get_running_app().bind(language=self._count_below)

    def add_below(self, rows: list[Widget]) -> None:
        """Add `rows` after the last row, the rows in view staying where they are."""
        self._from_top = max(0.0, self.box.height - self.view.height) * (1 - self.view.scroll_y)
        self.box.unbind(children=self._to_top)
        for row in rows:
            self.box.add_widget(row, index=0)  # children run bottom to top
        self.box.bind(children=self._to_top)
        self._refit()

    def _to_top(self, *args) -> None:
        """New rows go on top: show the top when the rows change."""
        self._from_top = None
        self.view.scroll_y = 1
        self._refit()

    def _let_go(self, *args) -> None:
        """The patron slides the list: from now on it stays where they leave it."""
        self._from_top = None

    def _fit(self, *args) -> None:
        """Size the scrolling part to the whole rows that fit, leaving room for the cue."""
        rows = list(reversed(self.box.children))
        if self.box.height <= self.height and not self.hidden:
            self.view.height = self.box.height
            self.view.cue_shown = False
            self.cue.shown = False
            return
        self.cue.shown = True
        self.view.cue_shown = True
        self._count_below()
        self.cue.texture_update()
        room = self.height - self.cue.height - self.spacing
        used = 0.0
        for index, row in enumerate(rows):
            need = row.height + (self.box.spacing if index else 0)
            if used + need > room:
                break
            used += need
        self.view.height = max(used, min(room, rows[0].height if rows else 0))
        if self._from_top is not None:  # rows came below: keep those in view where they were
            self.view.scroll_y = max(0.0, 1 - self._from_top / max(1.0, self.box.height - self.view.height))
        self._count_below()
        self._ask_more()  # the rows made may not fill the list: nothing to slide to the end

    def _scrolled(self, *args) -> None:
        self._count_below()
        self._ask_more()

    def _more_if_at_end(self, *args) -> None:
        """Ask for the rows not made yet once the patron is at the end of those made (or they do
        not fill the list)."""
        if self.hidden and (self.view.scroll_y <= 0 or self.box.height <= self.view.height):
            self.dispatch("on_more")

    def _count_below(self, *args) -> None:
        """How many rows lie (even partly) below the visible part of the list."""
        view = self.view
        hidden_height = max(0.0, self.box.height - view.height)
        bottom = hidden_height * view.scroll_y  # the content's y at the view's lower edge
        below = sum(1 for row in self.box.children if row.y < bottom - 1) + self.hidden
        above = sum(1 for row in self.box.children if row.top > bottom + view.height + 1)
        app = App.get_running_app()
        if below:
            self.cue.text = app.tr("{count} more below: slide the list up", app.language).format(count=below)
        else:
            self.cue.text = app.tr("{count} more above: slide the list down", app.language).format(count=above)
        self.cue.below = below > 0


class RowPages:
    """Fills a `RowList` from a list of row makers, ROWS_AT_ONCE at a time: the next ones when the
    patron slides to the end of those made (the list's cue counts them all)."""

    def __init__(self, rows: RowList) -> None:
        self.rows = rows
        self._makers: list[RowMaker] = []
        rows.bind(on_more=lambda *a: self._more())

    def show(self, makers: list[RowMaker], *, keep_made: bool = False) -> None:
        """Show these rows from the top, making the first ones (as many as were made before, with
        `keep_made`: the same list again in another language)."""
        box = self.rows.box
        count = max(ROWS_AT_ONCE, len(box.children)) if keep_made else ROWS_AT_ONCE
        box.clear_widgets()
        self._makers = list(makers)
        for make in self._makers[:count]:
            box.add_widget(make(), index=0)  # children run bottom to top
        self._count()

    def _more(self) -> None:
        made = len(self.rows.box.children)
        self.rows.add_below([make() for make in self._makers[made:made + ROWS_AT_ONCE]])
        self._count()

    def _count(self) -> None:
        self.rows.hidden = len(self._makers) - len(self.rows.box.children)


class ListCue(Label):
    """The "more below" line under a list that scrolls, with an arrow pointing the way."""

    shown = BooleanProperty(False)
    below = BooleanProperty(True)
