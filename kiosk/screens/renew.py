"""Renew: the patron's loans with due dates; renew the chosen ones or all; results per item."""

from __future__ import annotations

from functools import partial

from kivy.app import App
from kivy.properties import BooleanProperty

from kiosk.core.outcomes import Account, ItemOutcome
from kiosk.screens.present import item_line, not_renewable_line, renewable_text
from kiosk.screens.widgets import BigToggle, ItemRow, KioskScreen, RowMaker, RowPages


class RenewScreen(KioskScreen):
    """Loans as toggles to choose from; after renewing, one result row per item, refused first.
    A long list makes its rows a page at a time (`RowPages`): a loan is chosen on its row, so only
    the rows made can be chosen, and "Renew all" asks the library system for every loan."""

    showing_results = BooleanProperty(False)

    def on_kv_post(self, base_widget) -> None:
        self._account: Account | None = None
        self._outcomes: list[ItemOutcome] | None = None
        # The buttons themselves (ids hold weak proxies), kept while they are out of their row.
        row = self.ids.buttons.children
        self._choosing = [next(b for b in row if b == self.ids[name]) for name in ("renew_selected", "renew_all")]
        self._pages = RowPages(self.ids.loans)
        App.get_running_app().bind(language=lambda *a: self._redraw(keep_made=True))

    def loading(self) -> None:
        """Empty the list while the loans are fetched."""
        self._account, self._outcomes = None, None
        self.showing_results = False
        self._pages.show([])

    def show_account(self, account: Account | None) -> None:
        """The loans to choose from (the account's)."""
        app = App.get_running_app()
        self._account, self._outcomes = account, None
        self.showing_results = False
        self._pages.show([])
        if account is None:
            self.message = app.tr("Your loans cannot be shown while the library system is offline.")
            self.message_bad = True
            return
        if not account.loans:
            self.message = app.tr("You have no loans to renew.")
            self.message_bad = False
        self._redraw()

    def on_showing_results(self, screen, showing: bool) -> None:
        """With the results on screen only "Back" stays: "Renew all" again would renew every loan a
        second time, using up renewals for nothing (hidden, the buttons would keep their room)."""
        row = self.ids.buttons
        for button in self._choosing:
            if showing and button.parent is not None:
                row.remove_widget(button)
        if not showing and self._choosing[0].parent is None:
            for button in reversed(self._choosing):  # children run right to left
                row.add_widget(button, index=len(row.children))

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
        app.patron_flow.renew(chosen)

    def show_results(self, outcomes: list[ItemOutcome]) -> None:
        """One result row per renewal, the refused ones first; a refusal of the whole request
        (no item) is said in the message line and the loans stay to choose from."""
        whole = next((o for o in outcomes if not o.item_id), None)
        if whole is not None:
            self.message = App.get_running_app().say(whole.reason)
            self.message_bad = True
            return
        self._outcomes = sorted(outcomes, key=lambda o: o.ok)
        self.showing_results = True
        self._redraw()

    def _redraw(self, keep_made: bool = False) -> None:
        """Fill the list again in the patron's language (keeping the loans chosen)."""
        app = App.get_running_app()
        chosen = set(self.chosen())
        rows: list[RowMaker] = []
        if self._outcomes is not None:
            renewed = sum(1 for o in self._outcomes if o.ok)
            self.message = app.tr("Renewed: {done} of {total}").format(done=renewed, total=len(self._outcomes))
            self.message_bad = renewed < len(self._outcomes)
            rows = [partial(ItemRow.of, item_line(outcome, app.words)) for outcome in self._outcomes]
        elif self._account is not None:
            # Loans that can be renewed first, to choose from; the others say why they cannot.
            for loan in sorted(self._account.loans, key=lambda loan: bool(loan.renew_block)):
                if loan.renew_block:
                    rows.append(partial(ItemRow.of, not_renewable_line(loan, app.words)))
                else:
                    rows.append(partial(BigToggle, text=renewable_text(loan, app.words), item_id=loan.item_id,
                                        state="down" if loan.item_id in chosen else "normal"))
        self._pages.show(rows, keep_made=keep_made)


SCREEN = RenewScreen
