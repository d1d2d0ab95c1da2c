"""Receipt: the session summed up on top, then print, e-mail (to the address the library has) or
none, as the configuration allows."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.core.outcomes import ItemOutcome
from kiosk.receipts.sender import mask_address
from kiosk.screens.session_summary import session_summary
from kiosk.screens.widgets import BigButton, ItemRow, KioskScreen


class ReceiptScreen(KioskScreen):
    """The summary's rows (the desk first), and one button per receipt choice offered now."""

    choices = ListProperty([])
    email = StringProperty("")
    offline = BooleanProperty(False)
    delivered = BooleanProperty(False)
    checked_out = NumericProperty(0)
    returned = NumericProperty(0)
    to_the_desk = NumericProperty(0)

    def on_kv_post(self, base_widget) -> None:
        app = App.get_running_app()
        self._results: list[ItemOutcome] = []
        self._refused: list[ItemOutcome] = []
        self._answer = ""
        self.bind(choices=self._buttons, email=self._buttons, delivered=self._buttons)
        app.bind(language=self._buttons)
        app.bind(language=lambda *a: self._rows())
        app.bind(language=lambda *a: self._say_answer())

    def show_summary(self, results: list[ItemOutcome], refused: list[ItemOutcome]) -> None:
        """The finished session: what was done, and what to take to the desk."""
        self._results, self._refused = list(results), list(refused)
        self._rows()

    def show_answer(self, text: str, ok: bool) -> None:
        """How the receipt went ("Please take your receipt."), said again if the language changes."""
        self._answer = text
        self.message_bad = not ok
        self._say_answer()

    def _say_answer(self) -> None:
        if self.delivered and self._answer:
            self.message = App.get_running_app().say(self._answer)

    def _rows(self) -> None:
        summary = session_summary(self._results, self._refused, App.get_running_app().words)
        self.checked_out, self.returned, self.to_the_desk = summary.checked_out, summary.returned, summary.to_the_desk
        box = self.ids.summary.box
        box.clear_widgets()
        for line in summary.rows:
            box.add_widget(ItemRow.of(line))

    def _buttons(self, *args) -> None:
        app = App.get_running_app()
        row = self.ids.choices
        row.clear_widgets()
        if self.delivered:
            button = BigButton(text=app.tr("Finish"))
            button.bind(on_release=lambda b: app.go_idle())
            row.add_widget(button)
            return
        labels = {"print": app.tr("Print a receipt"),
                  "email": app.tr("E-mail it to {address}").format(address=mask_address(self.email)) if self.email
                  else app.tr("E-mail it to me"),
                  "none": app.tr("No receipt")}
        for choice in self.choices:
            button = BigButton(text=labels.get(choice, choice))
            button.bind(on_release=lambda b, c=choice: app.patron_flow.choose_receipt(c))
            row.add_widget(button)


SCREEN = ReceiptScreen
