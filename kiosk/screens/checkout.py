"""Checkout: items appear as they are scanned or placed on the pad; renew, account and Done."""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty

from kiosk.core.outcomes import LoginResult
from kiosk.screens.item_list import ItemListScreen


class CheckoutScreen(ItemListScreen):
    """The session's home: everything scanned here is checked out with no further touch."""

    count = NumericProperty(0)
    session_offline = BooleanProperty(False)

    def start_session(self, result: LoginResult) -> None:
        """A new patron: an empty list and their greeting."""
        self.session_offline = result.offline
        self.message = " ".join(result.screen_messages)
        self.message_bad = False
        self.clear()


SCREEN = CheckoutScreen
