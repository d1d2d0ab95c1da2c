"""Receipt: print, e-mail (to the address the library has) or none, as the configuration allows."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.receipts.sender import mask_address
from kiosk.screens.widgets import BigButton, KioskScreen


class ReceiptScreen(KioskScreen):
    """One button per receipt choice the receipt service offers now."""

    choices = ListProperty([])
    email = StringProperty("")
    offline = BooleanProperty(False)
    delivered = BooleanProperty(False)
    checked_out = NumericProperty(0)
    returned = NumericProperty(0)

    def on_kv_post(self, base_widget) -> None:
        app = App.get_running_app()
        self.bind(choices=self._buttons, email=self._buttons, delivered=self._buttons)
        app.bind(language=self._buttons)

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
