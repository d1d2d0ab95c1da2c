"""The idle (attract) screen: library name and logo, "scan your card", languages, accessibility."""

from __future__ import annotations

from kivy.app import App

from kiosk.screens.widgets import KioskScreen, SettingToggle


class IdleScreen(KioskScreen):
    """Waits for a card; offers typing the card number, returns, language and display choices."""

    def on_kv_post(self, base_widget) -> None:
        app = App.get_running_app()
        app.bind(languages=self._language_buttons, language=self._mark_language)
        self._language_buttons()

    def _language_buttons(self, *args) -> None:
        app = App.get_running_app()
        row = self.ids.languages
        row.clear_widgets()
        for code in app.languages:
            button = SettingToggle(text=app.language_name(code), item_id=code)
            button.bind(on_release=lambda b, c=code: self._choose(c))
            row.add_widget(button)
        self._mark_language()

    def _choose(self, code: str) -> None:
        App.get_running_app().set_language(code)
        self._mark_language()

    def _mark_language(self, *args) -> None:
        """The language in use shows as chosen."""
        language = App.get_running_app().language
        for button in self.ids.languages.children:
            button.state = "down" if button.item_id == language else "normal"


SCREEN = IdleScreen
