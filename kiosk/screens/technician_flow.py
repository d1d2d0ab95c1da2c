"""The technician's way through the kiosk: hidden taps or a technician card, the PIN, the status
page, the tests and switches. Sequencing only: the checks themselves live in the core, the
looks on the technician screens; the app is reached through the `Shell` protocol (no Kivy)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import ConfigError, load_config
from kiosk.core import wording
from kiosk.core.status_report import QUIET_STATES, gather
from kiosk.core.technician_pin import verify_pin
from kiosk.core.wording import Phrase
from kiosk.devices.events import DeviceStatus, IncompleteSet, ItemPlaced, ItemRemoved, Scan, TagData, UnreadableTag
from kiosk.screens.shell import Shell, built_runtime

if TYPE_CHECKING:
    from kiosk.core.runtime import KioskRuntime

TECHNICIAN_SCREENS = ("technician_login", "technician")
HIDDEN_TAPS = 5  # taps in the idle screen's corner...
HIDDEN_TAPS_WITHIN = 3.0  # ...within this many seconds open technician mode


def describe_event(event: Any) -> Phrase:
    """A device event in one line for technicians: what arrived, raw, and what it decoded to."""
    if isinstance(event, Scan):
        text = repr(event.text)
        return (Phrase.of(wording.TECH_EVENT_SCAN_AS, text=text, symbology=event.symbology) if event.symbology
                else Phrase.of(wording.TECH_EVENT_SCAN, text=text))
    if isinstance(event, ItemPlaced):
        return Phrase.of(wording.TECH_EVENT_PLACED, tag=tag_phrase(event.tag))
    if isinstance(event, ItemRemoved):
        return Phrase.of(wording.TECH_EVENT_REMOVED, uid=event.uid)
    if isinstance(event, UnreadableTag):
        return Phrase.of(wording.TECH_EVENT_UNREADABLE, uid=event.uid, reason=event.reason,
                         raw=event.raw[:16].hex() or "-")
    if isinstance(event, IncompleteSet):
        return Phrase.of(wording.TECH_EVENT_INCOMPLETE, item=event.item_id,
                         present=", ".join(map(str, event.present)), parts=str(event.parts_in_item))
    if isinstance(event, DeviceStatus):
        state = Phrase(wording.DEVICE_STATES[event.state.value])
        if not event.detail or event.state.value in QUIET_STATES:
            return state
        return Phrase.of(wording.TECH_EVENT_STATE, state=state, detail=event.detail)
    return Phrase(type(event).__name__)


def tag_phrase(tag: TagData) -> Phrase:
    """A tag's uid, item and data model (its owner library, and which part of a set it is)."""
    model = ", ".join(filter(None, (tag.data_model, tag.owner_library)))
    if tag.parts_in_item > 1:
        return Phrase.of(wording.TECH_TAG_PART, uid=tag.uid, item=tag.item_id, model=model,
                         part=str(tag.part_number), parts=str(tag.parts_in_item))
    return Phrase.of(wording.TECH_TAG, uid=tag.uid, item=tag.item_id, model=model)


class TechnicianFlow:
    """Technician mode: what a technician's touches lead to, and what it keeps for the status page."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.tags_on_pad: dict[str, Any] = {}  # uid -> TagData or UnreadableTag
        self.last_device_events: dict[str, Phrase] = {}  # device name -> its last event
        self._hidden_taps: list[float] = []

    @property
    def runtime(self) -> KioskRuntime:
        """The kiosk's runtime, once built."""
        return built_runtime(self.shell)

    # --- what the devices said, for the status page -------------------------------------------

    def note_event(self, event: Any) -> None:
        """Remember a device event (and the tags on the pad) for the status page."""
        self.last_device_events[event.source] = describe_event(event)
        if isinstance(event, ItemPlaced):
            self.tags_on_pad[event.tag.uid] = event.tag
        elif isinstance(event, UnreadableTag):
            self.tags_on_pad[event.uid] = event
        elif isinstance(event, ItemRemoved):
            self.tags_on_pad.pop(event.uid, None)
        if isinstance(event, (ItemPlaced, ItemRemoved, UnreadableTag, IncompleteSet)):
            self.shell.screen_call("pad_changed")

    # --- getting in and out ---------------------------------------------------------------------

    def hidden_tap(self) -> None:
        """Five taps in the idle screen's corner within three seconds open technician mode."""
        now = self.shell.now()
        self._hidden_taps = [t for t in self._hidden_taps if now - t < HIDDEN_TAPS_WITHIN] + [now]
        if len(self._hidden_taps) >= HIDDEN_TAPS:
            self._hidden_taps = []
            self.open_login()

    def open_login(self) -> None:
        """The technician PIN pad, empty."""
        self.shell.show("technician_login", entry="", message="")

    def check_pin(self, pin: str) -> None:
        """Verify the technician PIN (scrypt, on a worker)."""
        stored = self.shell.config_settings.technician_access.pin_hash
        if not stored:
            self.shell.show_message(self.shell.tr("No technician PIN is set in the configuration."), bad=True)
            return
        self.shell.in_worker(lambda: verify_pin(pin, stored), self._pin_checked, technician=True)

    def _pin_checked(self, ok: bool) -> None:
        if ok:
            self.shell.show("technician", message="")
            self.refresh_status()
            return
        self.shell.play("error")
        self.shell.show_message(self.shell.tr("Wrong PIN."), bad=True)
        if self.shell.current == "technician_login":
            self.shell.show("technician_login", entry="")

    def tick(self, idle_seconds: float) -> None:
        """Leave technician mode when nobody has touched it for the configured time."""
        if idle_seconds > self.shell.config_settings.technician_access.timeout:
            self.shell.go_idle()

    # --- the status page and its buttons --------------------------------------------------------

    def refresh_status(self) -> None:
        """Gather the technician status on a worker and show it."""
        runtime, last_events = self.runtime, dict(self.last_device_events)
        self.shell.in_worker(lambda: gather(runtime, last_events),
                             lambda report: self.shell.screen_call("show_report", report), technician=True)

    def sip2_test(self) -> None:
        """Ask the library system for its status (99/98) and show how it went and how long it took."""
        link = self.runtime.link

        def probe() -> Phrase:
            started = time.monotonic()
            ok = link.probe()
            took = f"{(time.monotonic() - started) * 1000:.0f}"
            if ok:
                return Phrase.of(wording.TECH_ACS_ANSWERED, ms=took)
            return Phrase.of(wording.TECH_ACS_FAILED, ms=took, error=link.last_error)

        self._run(probe, wording.TECH_SIP2_TEST)
        self.refresh_status()

    def read_tags(self) -> None:
        """The tags on the pad, their security state read from each tag now (on a worker): the pad
        does not read it when a tag is placed."""
        read = getattr(self.runtime.pad, "read_tags", None)
        if read is None:  # no pad: nothing to read
            self.shell.screen_call("show_tags", self.tags_on_pad)
            return
        self.shell.in_worker(read, lambda tags: self.shell.screen_call("show_tags", tags), technician=True)
        self.refresh_status()

    def toggle_service(self) -> None:
        """Switch the kiosk out of service, or back in."""
        service = self.runtime.service
        if service.state().by_technician:
            service.switch_on()
            text = wording.TECH_BACK_IN_SERVICE
        else:
            service.switch_off()
            text = wording.TECH_SWITCHED_OFF
        self.shell.screen_call("show_result", wording.TECH_SERVICE, Phrase(text))
        self.refresh_status()

    def replay(self) -> None:
        """Replay the offline queue now, on a worker."""
        replayer = self.runtime.replayer

        def replay() -> Phrase:
            report = replayer.replay_once()
            counts = {"sent": str(report.sent), "done": str(report.done), "refused": str(report.refused)}
            if report.stopped_by:
                return Phrase.of(wording.TECH_REPLAY_STOPPED, **counts, why=report.stopped_by)
            return Phrase.of(wording.TECH_REPLAYED, **counts)

        self._run(replay, wording.TECH_REPLAY)

    def export_refused(self) -> None:
        """Write the refused entries as CSV next to the database, and say where."""
        queue, database = self.runtime.queue, self.shell.config_settings.storage.database

        def export() -> Phrase:
            path = Path(database).resolve().parent / f"refused-{time.strftime('%Y%m%d-%H%M%S')}.csv"
            with path.open("w", encoding="utf-8", newline="") as stream:
                rows = queue.export_refused_csv(stream)
            return Phrase.of(wording.TECH_EXPORTED, rows=str(rows), path=str(path))

        self._run(export, wording.TECH_EXPORT)

    def reload_config(self) -> None:
        """Check the configuration file; when it is valid, restart to use it."""
        source = self.shell.config_settings.source

        def check() -> Phrase | None:
            try:
                load_config(source)
            except ConfigError as exc:
                return Phrase.of(wording.TECH_NOT_RELOADED, error=str(exc))
            return None

        def then(problem: Phrase | None) -> None:
            if problem is not None:
                self.shell.screen_call("show_result", wording.TECH_RELOAD, problem)
            else:
                self.shell.shut_down(0)  # systemd (Restart=always) starts the kiosk on the new file

        self.shell.in_worker(check, then, technician=True)

    def _run(self, call: Any, title: str) -> None:
        """Run a test or action on the technician worker and show its answer (a Phrase) under `title`."""
        self.shell.in_worker(call, lambda text: self.shell.screen_call("show_result", title, text), technician=True)
