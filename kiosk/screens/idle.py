"""The idle (attract) screen: library name and logo, "scan your card", languages, accessibility."""

from __future__ import annotations

from kivy.app import App

from kiosk.screens.widgets import KioskScreen, SettingToggle


class IdleScreen(KioskScreen):
    """Waits for a card; offers typing the card number, returns, language and display choices."""

    def on_kv_post(self, base_widget) -> None:
        app = App.get_running_app()
        self._refusal = ""
        app.bind(languages=self._language_buttons, language=self._mark_language)
        app.bind(language=self._say_refusal)
        self._language_buttons()

    def show_refusal(self, reason: str) -> None:
        """Why a card or PIN was refused, in one sentence (said again if the language changes)."""
        self._refusal = reason
        self._say_refusal()

    def on_message(self, screen, text: str) -> None:
        """The message line changed: forget the refusal once something else is shown."""
        if text != App.get_running_app().say(self._refusal):
            self._refusal = ""

    def _say_refusal(self, *args) -> None:
        if self._refusal:
            self.message = App.get_running_app().say(self._refusal)
            self.message_bad = True

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
