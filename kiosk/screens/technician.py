"""Technician mode: status at a glance, device and connection tests, and the kiosk's switches."""

from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.metrics import dp
from kivy.properties import ListProperty
from kivy.utils import escape_markup

from kiosk.core import wording
from kiosk.core.status_report import StatusReport
from kiosk.core.wording import Phrase
from kiosk.devices.classify import Classified
from kiosk.devices.events import DeviceStatus, TagData, UnreadableTag
from kiosk.screens.technician_flow import tag_phrase
from kiosk.screens.widgets import KioskScreen

REFRESH_SECONDS = 2.0
INDENTS = (0, 16, 40)  # dp: a title, a fact, a detail of the fact above


class TechnicianScreen(KioskScreen):
    """Status on the left, tests and actions on the right, their output under the status."""

    # (depth, phrase) pairs: depth 0 is a section's title, 1 a fact, 2 a detail of the fact above
    status_lines = ListProperty([])
    output_lines = ListProperty([])
    _refresh = None

    def on_kv_post(self, base_widget) -> None:
        app = App.get_running_app()
        self.bind(status_lines=self._lines, output_lines=self._lines)
        app.bind(language=self._lines)
        self._lines()

    def _lines(self, *args) -> None:
        """One row per line, so a list that scrolls shows whole lines and says how many are below;
        each line worded in the kiosk's language when shown, so a change of language says them again."""
        app = App.get_running_app()
        words = app.words
        output = self.output_lines or [(1, Phrase(wording.TECH_SCAN_HINT))]
        for rows, lines in ((self.ids.status, self.status_lines), (self.ids.output, output)):
            rows.box.clear_widgets()
            for depth, phrase in lines:
                text = escape_markup(words.phrase(phrase))
                # indented by padding, not spaces: a line that wraps keeps its indent
                rows.box.add_widget(Factory.TechLine(text=f"[b]{text}[/b]" if depth == 0 else text,
                                                     padding=(dp(INDENTS[min(depth, 2)]), 0, 0, 0)))

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
        self.status_lines = [line for title, lines in sections
                             for line in [(0, Phrase(title)), *((depth, phrase) for phrase, depth in lines)]]

    def show_scan(self, raw: str, classified: Classified) -> None:
        """A scan while in technician mode: shown raw and decoded, nothing is checked out."""
        kind = classified.kind.value
        facts = {"kind": Phrase(wording.SCAN_KINDS[kind]) if kind in wording.SCAN_KINDS else kind,
                 "text": repr(classified.text)}
        decoded = (Phrase.of(wording.TECH_DECODED_WHY, **facts, reason=classified.reason) if classified.reason
                   else Phrase.of(wording.TECH_DECODED, **facts))
        self.output_lines = [(0, Phrase(wording.TECH_SCAN)), (1, Phrase.of(wording.TECH_RAW, raw=repr(raw))),
                             (1, decoded)]

    def show_tags(self, tags: dict) -> None:
        """The tags on the pad with their decoded content and security state."""
        lines = [(1, _tag_line(uid, tag)) for uid, tag in tags.items() if isinstance(tag, (TagData, UnreadableTag))]
        self.output_lines = [(0, Phrase(wording.TECH_TAGS)), *(lines or [(1, Phrase(wording.TECH_NO_TAGS))])]

    def pad_changed(self) -> None:
        """Keep the tag list current while it is on show."""
        if self.output_lines and self.output_lines[0] == (0, Phrase(wording.TECH_TAGS)):
            App.get_running_app().technician_flow.read_tags()

    def device_status(self, event: DeviceStatus) -> None:
        """A device changed state: refresh the status."""
        App.get_running_app().technician_flow.refresh_status()

    def show_result(self, title: str, answer: Phrase) -> None:
        """The answer of a test or an action, under its title."""
        self.output_lines = [(0, Phrase(title)), (1, answer)]


def _tag_line(uid: str, tag: TagData | UnreadableTag) -> Phrase:
    """A tag on the pad: what it holds, and its security."""
    if isinstance(tag, UnreadableTag):
        return Phrase.of(wording.TECH_TAG_UNREADABLE, uid=uid, reason=tag.reason, raw=tag.raw[:16].hex())
    security = {True: wording.TECH_SECURED, False: wording.TECH_RELEASED, None: wording.TECH_SECURITY_UNKNOWN}
    return Phrase.of(security[tag.secured], tag=tag_phrase(tag))


SCREEN = TechnicianScreen
