"""Account: loans (overdue marked), holds (ready for pickup marked), fines with their total."""

from __future__ import annotations

from kivy.app import App

from kiosk.core.outcomes import Account
from kiosk.screens.present import account_summary, loan_line
from kiosk.screens.widgets import Body, Heading, ItemRow, KioskScreen


class AccountScreen(KioskScreen):
    """What the library system says about the patron's account."""

    def loading(self) -> None:
        """Empty the page while the account is fetched."""
        self.ids.account.clear_widgets()

    def show_account(self, account: Account | None) -> None:
        """Fill the page from the account record (None: offline)."""
        app = App.get_running_app()
        box = self.ids.account
        box.clear_widgets()
        if account is None:
            self.message = app.tr("Your account cannot be shown while the library system is offline.")
            self.message_bad = True
            return
        for line in account_summary(account, app.words):
            box.add_widget(Body(text=line, bold=True))
        if account.loans:
            box.add_widget(Heading(text=app.tr("Loans")))
            for loan in account.loans:
                line = loan_line(loan, app.words)
                box.add_widget(ItemRow(title=line.title, status=line.status, detail=line.detail,
                                       ok=line.ok, item_id=line.item_id))
        if account.holds_ready or account.holds_waiting:
            box.add_widget(Heading(text=app.tr("Holds")))
            for title in account.holds_ready:
                box.add_widget(ItemRow(title=title, status=app.tr("Ready for pickup"), ok=True, warn=True))
            for title in account.holds_waiting:
                box.add_widget(ItemRow(title=title, status=app.tr("Waiting"), ok=True))
        if account.fines:
            box.add_widget(Heading(text=app.tr("Fines")))
            for fine in account.fines:
                box.add_widget(Body(text=fine))
        for text in account.screen_messages:
            box.add_widget(Body(text=text))


SCREEN = AccountScreen
