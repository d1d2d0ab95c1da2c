"""Renew: the patron's loans with due dates; renew the chosen ones or all; results per item."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty

from kiosk.core.outcomes import Account, ItemOutcome
from kiosk.screens.marks import outcome_mark
from kiosk.screens.present import item_line, loan_line
from kiosk.screens.widgets import BigToggle, ItemRow, KioskScreen


class RenewScreen(KioskScreen):
    """Loans as toggles to choose from; after renewing, one result row per item, refused first."""

    showing_results = BooleanProperty(False)

    def on_kv_post(self, base_widget) -> None:
        self._account: Account | None = None
        self._outcomes: list[ItemOutcome] | None = None
        App.get_running_app().bind(language=lambda *a: self._redraw())

    def loading(self) -> None:
        """Empty the list while the loans are fetched."""
        self._account, self._outcomes = None, None
        self.showing_results = False
        self.ids.loans.box.clear_widgets()

    def show_account(self, account: Account | None) -> None:
        """The loans to choose from (the account's)."""
        app = App.get_running_app()
        self._account, self._outcomes = account, None
        self.showing_results = False
        self.ids.loans.box.clear_widgets()
        if account is None:
            self.message = app.tr("Your loans cannot be shown while the library system is offline.")
            self.message_bad = True
            return
        if not account.loans:
            self.message = app.tr("You have no loans to renew.")
            self.message_bad = False
        self._redraw()

    def chosen(self) -> list[str]:
        """The item ids of the loans toggled on."""
        return [w.item_id for w in reversed(self.ids.loans.box.children)
                if isinstance(w, BigToggle) and w.state == "down"]

    def renew_chosen(self) -> None:
        """Forward "Renew selected" to the app."""
        app = App.get_running_app()
        chosen = self.chosen()
        if not chosen:
            self.message = app.tr("Touch the loans you want to renew first.")
            self.message_bad = True
            return
        app.renew(chosen)

    def show_results(self, outcomes: list[ItemOutcome]) -> None:
        """One result row per renewal, the refused ones first."""
        self._outcomes = sorted(outcomes, key=lambda o: o.ok)
        self.showing_results = True
        self._redraw()

    def _redraw(self) -> None:
        """Fill the list again in the patron's language (keeping the loans chosen)."""
        app = App.get_running_app()
        box = self.ids.loans.box
        chosen = set(self.chosen())
        box.clear_widgets()
        if self._outcomes is not None:
            renewed = sum(1 for o in self._outcomes if o.ok)
            self.message = app.tr("Renewed: {done} of {total}").format(done=renewed, total=len(self._outcomes))
            self.message_bad = renewed < len(self._outcomes)
            for outcome in self._outcomes:
                line = item_line(outcome, app.words)
                box.add_widget(ItemRow(mark=outcome_mark(outcome), title=line.title, status=line.status,
                                       detail=line.detail, ok=line.ok, warn=line.warn, item_id=line.item_id))
        elif self._account is not None:
            for loan in self._account.loans:
                line = loan_line(loan, app.words)
                text = f"{line.title}\n{line.detail}" + (f" - {line.status}" if not line.ok else "")
                box.add_widget(BigToggle(text=text, item_id=loan.item_id,
                                         state="down" if loan.item_id in chosen else "normal"))
        self.ids.loans.view.scroll_y = 1


SCREEN = RenewScreen
