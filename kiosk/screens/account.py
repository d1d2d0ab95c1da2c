"""Account: loans (overdue marked), holds (ready for pickup marked), fines with their total."""

from __future__ import annotations

from functools import partial

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.core.outcomes import Account
from kiosk.screens.present import account_summary, fine_text, hold_line, loan_line
from kiosk.screens.widgets import Body, ItemRow, KioskScreen, RowMaker, RowPages


class AccountScreen(KioskScreen):
    """What the library system says about the patron's account: the counts in one line on top,
    then what needs the patron first (holds ready, overdue loans, fines), then the other loans.
    A long account makes its rows a page at a time (`RowPages`)."""

    summary = StringProperty("")

    def on_kv_post(self, base_widget) -> None:
        self._account: Account | None = None
        self._pages = RowPages(self.ids.account)
        App.get_running_app().bind(language=lambda *a: self._redraw(keep_made=True))

    def loading(self) -> None:
        """Empty the page while the account is fetched."""
        self._account = None
        self.summary = ""
        self._pages.show([])

    def show_account(self, account: Account | None) -> None:
        """Fill the page from the account record (None: offline)."""
        app = App.get_running_app()
        self._account = account
        if account is None:
            self._pages.show([])
            self.summary = ""
            self.message = app.tr("Your account cannot be shown while the library system is offline.")
            self.message_bad = True
            return
        self._redraw()

    def _redraw(self, keep_made: bool = False) -> None:
        account = self._account
        if account is None:
            return
        app = App.get_running_app()
        self.summary = "   ".join(account_summary(account, app.words))
        rows: list[RowMaker] = [partial(ItemRow.of, hold_line(hold, app.words))
                                            for hold in account.holds_ready]
        rows += [partial(ItemRow, title=fine_text(fine, account.currency, app.words), status=app.tr("Fines"), ok=False)
                 for fine in account.fines]
        rows += [partial(ItemRow.of, loan_line(loan, app.words))
                 for loan in sorted(account.loans, key=lambda loan: not loan.overdue)]
        rows += [partial(ItemRow.of, hold_line(hold, app.words)) for hold in account.holds_waiting]
        rows += [partial(Body, text=text) for text in account.screen_messages]
        self._pages.show(rows, keep_made=keep_made)


SCREEN = AccountScreen
