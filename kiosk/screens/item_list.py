"""A screen that lists item results (checkout, returns), re-worded when the language changes."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty

from kiosk.core.outcomes import ItemOutcome
from kiosk.screens.present import item_line
from kiosk.screens.widgets import ItemRow, KioskScreen


class ItemListScreen(KioskScreen):
    """Keeps the session's outcomes, refused ones first, newest first within each, one row per item
    (a repeat replaces its row): what the patron must act on is never below the fold."""

    has_rows = BooleanProperty(False)

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
        box = self.ids.rows.box
        for row in [r for r in box.children if getattr(r, "item_id", None) == outcome.item_id]:
            box.remove_widget(row)
        self.outcomes.pop(outcome.item_id, None)
        self.outcomes[outcome.item_id] = outcome
        self.message = ""
        refused = sum(1 for o in self.outcomes.values() if not o.ok) - (0 if outcome.ok else 1)
        top = len(box.children) if not outcome.ok else len(box.children) - refused
        box.add_widget(self._row(outcome), index=top)  # children run bottom to top
        self.ids.rows.view.scroll_y = 1
        self._count()

    def _row(self, outcome: ItemOutcome) -> ItemRow:
        return ItemRow.of(item_line(outcome, App.get_running_app().words))

    def _count(self) -> None:
        self.count = sum(1 for o in self.outcomes.values() if o.ok)
        self.has_rows = bool(self.outcomes)

    def _redraw(self) -> None:
        box = self.ids.rows.box
        box.clear_widgets()
        newest_first = list(reversed(self.outcomes.values()))
        for outcome in [o for o in newest_first if not o.ok] + [o for o in newest_first if o.ok]:
            box.add_widget(self._row(outcome))
        self._count()
