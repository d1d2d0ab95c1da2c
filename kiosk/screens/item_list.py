"""A screen that lists item results (checkout, returns), re-worded when the language changes."""

from __future__ import annotations

from kivy.app import App

from kiosk.core.outcomes import ItemOutcome
from kiosk.screens.present import item_line
from kiosk.screens.widgets import ItemRow, KioskScreen


class ItemListScreen(KioskScreen):
    """Keeps the session's outcomes, newest first, one row per item (a repeat replaces its row)."""

    def on_kv_post(self, base_widget) -> None:
        self.outcomes: dict[str, ItemOutcome] = {}
        App.get_running_app().bind(language=lambda *a: self._redraw())

    def clear(self) -> None:
        """Start with an empty list."""
        self.outcomes = {}
        self._redraw()

    def add_outcome(self, outcome: ItemOutcome) -> None:
        """Show one item's result at the top of the list (its earlier row, if any, is replaced)."""
        if outcome.repeat and outcome.item_id in self.outcomes:
            return  # the same item again: its row is already there
        box = self.ids.rows
        for row in [r for r in box.children if getattr(r, "item_id", None) == outcome.item_id]:
            box.remove_widget(row)
        self.outcomes.pop(outcome.item_id, None)
        self.outcomes[outcome.item_id] = outcome
        self.message = ""
        box.add_widget(self._row(outcome), index=len(box.children))  # the newest on top
        self._count()

    def _row(self, outcome: ItemOutcome) -> ItemRow:
        line = item_line(outcome, App.get_running_app().words)
        return ItemRow(title=line.title, status=line.status, detail=line.detail, ok=line.ok, warn=line.warn,
                       item_id=line.item_id)

    def _count(self) -> None:
        self.count = sum(1 for o in self.outcomes.values() if o.ok)

    def _redraw(self) -> None:
        box = self.ids.rows
        box.clear_widgets()
        for outcome in reversed(list(self.outcomes.values())):
            box.add_widget(self._row(outcome))
        self._count()
