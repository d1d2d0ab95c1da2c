"""Technician mode: status at a glance, device and connection tests, and the kiosk's switches."""

from __future__ import annotations

import re

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.metrics import dp
from kivy.properties import StringProperty

from kiosk.core import wording
from kiosk.core.status_report import StatusReport
from kiosk.devices.classify import Classified
from kiosk.devices.events import DeviceStatus, TagData, UnreadableTag
from kiosk.screens.widgets import KioskScreen

REFRESH_SECONDS = 2.0


class TechnicianScreen(KioskScreen):
    """Status on the left, tests and actions on the right, their output under the status."""

    status_text = StringProperty("")
    test_output = StringProperty("")
    _refresh = None

    def on_kv_post(self, base_widget) -> None:
        app = App.get_running_app()
        self.bind(status_text=self._lines, test_output=self._lines)
        app.bind(language=self._lines)
        self._lines()

    def _lines(self, *args) -> None:
        """One row per line, so a list that scrolls shows whole lines and says how many are below;
        each line in the kiosk's language (the texts are kept in English, so a change of language
        says them again)."""
        app = App.get_running_app()
        output = self.test_output or app.tr("Scan something to see it decoded", app.language)
        for rows, text in ((self.ids.status, self.status_text), (self.ids.output, output)):
            rows.box.clear_widgets()
            for line in text.split("\n"):
                words = line.lstrip(" ")
                # indented by padding, not spaces: a line that wraps keeps its indent
                indent = dp(8) * (len(line) - len(words))
                rows.box.add_widget(Factory.TechLine(text=_said(app, words), padding=(indent, 0, 0, 0)))

    def on_enter(self, *args) -> None:
        app = App.get_running_app()  # this screen's app, not whichever runs when the timer fires
        self._refresh = Clock.schedule_interval(lambda dt: app.technician_flow.refresh_status(), REFRESH_SECONDS)

    def on_leave(self, *args) -> None:
        self.stop_refresh()

    def stop_refresh(self) -> None:
        """Stop refreshing the status: the screen is left, or the app stops while it is on show."""
        if self._refresh is not None:
            self._refresh.cancel()
            self._refresh = None

    def show_report(self, report: StatusReport) -> None:
        """Lay the status report out, section by section."""
        sections = [(wording.TECH_LIBRARY_SYSTEM, report.library_system), (wording.TECH_DEVICES, report.devices),
                    (wording.TECH_QUEUE, report.queue), (wording.TECH_KIOSK, report.kiosk)]
        self.status_text = "\n".join(f"[b]{title}[/b]\n" + "\n".join(f"  {line}" for line in lines)
                                     for title, lines in sections)

    def show_scan(self, raw: str, classified: Classified) -> None:
        """A scan while in technician mode: shown raw and decoded, nothing is checked out."""
        kind = classified.kind.value
        why = f" ({classified.reason})" if classified.reason else ""
        self.test_output = (f"[b]{wording.TECH_SCAN}[/b]\n  {wording.TECH_RAW.format(raw=repr(raw))}\n  "
                            + wording.TECH_DECODED.format(kind=kind, text=repr(classified.text)) + why)

    def show_tags(self, tags: dict) -> None:
        """The tags on the pad with their decoded content and security state."""
        if not tags:
            self.test_output = f"[b]{wording.TECH_TAGS}[/b]\n  {wording.TECH_NO_TAGS}"
            return
        lines = []
        for uid, tag in tags.items():
            if isinstance(tag, TagData):
                security = {True: wording.TECH_SECURED, False: wording.TECH_RELEASED,
                            None: wording.TECH_SECURITY_UNKNOWN}[tag.secured]
                part = f", part {tag.part_number}/{tag.parts_in_item}" if tag.parts_in_item > 1 else ""
                owner = f", library {tag.owner_library}" if tag.owner_library else ""
                lines.append("  " + security.format(tag=f"{uid}: item {tag.item_id} ({tag.data_model}{part}{owner})"))
            elif isinstance(tag, UnreadableTag):
                lines.append(f"  {uid}: UNREADABLE - {tag.reason} raw {tag.raw[:16].hex()}")
        self.test_output = f"[b]{wording.TECH_TAGS}[/b]\n" + "\n".join(lines)

    def pad_changed(self) -> None:
        """Keep the tag list current while it is on show."""
        if self.test_output.startswith(f"[b]{wording.TECH_TAGS}[/b]"):
            App.get_running_app().technician_flow.read_tags()

    def device_status(self, event: DeviceStatus) -> None:
        """A device changed state: refresh the status."""
        App.get_running_app().technician_flow.refresh_status()

    def show_result(self, title: str, text: str) -> None:
        """The answer of a test or an action."""
        self.test_output = f"[b]{title}[/b]\n  {text}"


def _said(app, line: str) -> str:
    """A line of the technician screen in the kiosk's language, keeping its bold."""
    bold = re.fullmatch(r"\[b\](.*)\[/b\]", line)
    if bold:
        return f"[b]{app.say(bold.group(1))}[/b]"
    return app.say(line)


SCREEN = TechnicianScreen
