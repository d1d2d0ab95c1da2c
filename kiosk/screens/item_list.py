"""A screen that lists item results (checkout, returns), re-worded when the language changes."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty

from kiosk.core.outcomes import ItemOutcome
from kiosk.screens.present import item_line
from kiosk.screens.widgets import ROWS_AT_ONCE, ItemRow, KioskScreen

# Rows made at most until the patron slides to the end of them, so a new item costs the same (one
# row, taken from the bottom when all are made) however long the list.
MOST_ROWS = ROWS_AT_ONCE


class ItemListScreen(KioskScreen):
    """Keeps the session's outcomes, refused ones first, newest first within each, one row per item
    (a repeat replaces its row): what the patron must act on is never below the fold.

    Only the first rows are widgets (MOST_ROWS, more as the patron slides to their end); the list's
    cue counts the others."""

    has_rows = BooleanProperty(False)

    def on_kv_post(self, base_widget) -> None:
        self.outcomes: dict[str, ItemOutcome] = {}
        self.listed: list[str] = []  # the items as listed: refused first, newest first within each
        self.most_rows = MOST_ROWS
        self._spare: list[ItemRow] = []  # rows off the list, to show the next items in
        self.ids.rows.bind(on_more=lambda *a: self._show_more())
        App.get_running_app().bind(language=lambda *a: self._redraw())

    def clear(self) -> None:
        """Start with an empty list."""
        self.outcomes, self.listed, self.most_rows = {}, [], MOST_ROWS
        self._redraw()

    def add_outcome(self, outcome: ItemOutcome) -> None:
        """Show one item's result at the top of the list (its earlier row, if any, is replaced)."""
        if outcome.repeat and outcome.item_id in self.outcomes:
            return  # the same item again: its row is already there
        box = self.ids.rows.box
        if self.outcomes.pop(outcome.item_id, None) is not None:
            self.listed.remove(outcome.item_id)
            for row in [r for r in box.children if r.item_id == outcome.item_id]:
                self._take_off(row)
        self.outcomes[outcome.item_id] = outcome
        self.message = ""
        at = 0 if not outcome.ok else sum(1 for o in self.outcomes.values() if not o.ok)
        self.listed.insert(at, outcome.item_id)
        if at <= len(box.children) and at < self.most_rows:  # else it is among the rows not made yet
            if len(box.children) == self.most_rows:
                self._take_off(box.children[0])  # the bottom row leaves the list: it shows the new item
            box.add_widget(self._row(outcome), index=len(box.children) - at)  # children run bottom to top
        self.ids.rows.view.scroll_y = 1
        self._count()

    def _show_more(self) -> None:
        """The patron slid to the end of the rows: the next ones below them."""
        made = len(self.ids.rows.box.children)
        self.most_rows = made + MOST_ROWS
        self.ids.rows.add_below([self._row(self.outcomes[item]) for item in self.listed[made:self.most_rows]])
        self._count()

    def _row(self, outcome: ItemOutcome) -> ItemRow:
        line = item_line(outcome, App.get_running_app().words)
        return self._spare.pop().show(line) if self._spare else ItemRow.of(line)

    def _take_off(self, row: ItemRow) -> None:
        self.ids.rows.box.remove_widget(row)
        self._spare.append(row)

    def _count(self) -> None:
        self.count = sum(1 for o in self.outcomes.values() if o.ok)
        self.has_rows = bool(self.outcomes)
        self.ids.rows.hidden = len(self.listed) - len(self.ids.rows.box.children)

    def _redraw(self) -> None:
        box = self.ids.rows.box
        for row in list(box.children):
            self._take_off(row)
        for item in self.listed[:self.most_rows]:
            box.add_widget(self._row(self.outcomes[item]), index=0)
        self._count()
