"""Account: loans (overdue marked), holds (ready for pickup marked), fines with their total."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import StringProperty

from kiosk.core.outcomes import Account
from kiosk.screens.present import ItemLine, account_summary, fine_text, hold_line, loan_line
from kiosk.screens.widgets import Body, ItemRow, KioskScreen


class AccountScreen(KioskScreen):
    """What the library system says about the patron's account: the counts in one line on top,
    then what needs the patron first (holds ready, overdue loans, fines), then the other loans."""

    summary = StringProperty("")

    def on_kv_post(self, base_widget) -> None:
        self._account: Account | None = None
        App.get_running_app().bind(language=lambda *a: self._redraw())

    def loading(self) -> None:
        """Empty the page while the account is fetched."""
        self._account = None
        self.summary = ""
        self.ids.account.box.clear_widgets()

    def show_account(self, account: Account | None) -> None:
        """Fill the page from the account record (None: offline)."""
        app = App.get_running_app()
        self._account = account
        if account is None:
            self.ids.account.box.clear_widgets()
            self.summary = ""
            self.message = app.tr("Your account cannot be shown while the library system is offline.")
            self.message_bad = True
            return
        self._redraw()

    def _redraw(self) -> None:
        account = self._account
        if account is None:
            return
        app = App.get_running_app()
        box = self.ids.account.box
        box.clear_widgets()
        self.summary = "   ".join(account_summary(account, app.words))
        for hold in account.holds_ready:
            self._add(hold_line(hold, app.words))
        for fine in account.fines:
            box.add_widget(ItemRow(title=fine_text(fine, account.currency, app.words), status=app.tr("Fines"),
                                   ok=False))
        loans = sorted(account.loans, key=lambda loan: not loan.overdue)
        for loan in loans:
            self._add(loan_line(loan, app.words))
        for hold in account.holds_waiting:
            self._add(hold_line(hold, app.words))
        for text in account.screen_messages:
            box.add_widget(Body(text=text))
        self.ids.account.view.scroll_y = 1

    def _add(self, line: ItemLine) -> None:
        self.ids.account.box.add_widget(ItemRow.of(line))


SCREEN = AccountScreen
