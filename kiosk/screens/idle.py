"""The idle (attract) screen: library name and logo, "scan your card", languages, accessibility."""

from __future__ import annotations

from kivy.app import App

from kiosk.screens.widgets import BigButton, KioskScreen


class IdleScreen(KioskScreen):
    """Waits for a card; offers typing the card number, returns, language and display choices."""

    def on_kv_post(self, base_widget) -> None:
        app = App.get_running_app()
        app.bind(languages=self._language_buttons)
        self._language_buttons()

    def _language_buttons(self, *args) -> None:
        app = App.get_running_app()
        row = self.ids.languages
        row.clear_widgets()
        for code in app.languages:
            button = BigButton(text=app.language_name(code))
            button.bind(on_release=lambda b, c=code: app.set_language(c))
            row.add_widget(button)


SCREEN = IdleScreen
