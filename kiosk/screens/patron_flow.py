"""The patron's way through the kiosk: card and PIN, checkout, returns, renewals, the account,
the end-of-session summary and receipt, the timeout; and where each scan or pad event goes.

Sequencing only: what is allowed is decided in the core (`kiosk.core`), how it looks on the
screens; the app is reached through the `Shell` protocol, so this module needs no Kivy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.core import wording
from kiosk.core.outcomes import Action, ItemOutcome, LoginResult, LoginStatus, Mode, NotUnderstood, TechnicianCard
from kiosk.core.session import SessionState
from kiosk.devices.classify import ScanKind
from kiosk.devices.events import DeviceStatus, IncompleteSet, ItemPlaced, ItemRemoved, Scan, UnreadableTag
from kiosk.i18n.formats import warm_up
from kiosk.screens.shell import Shell, built_runtime
from kiosk.screens.technician_flow import TECHNICIAN_SCREENS, TechnicianFlow

if TYPE_CHECKING:
    from kiosk.core.runtime import KioskRuntime
    from kiosk.devices.classify import Classified

log = logging.getLogger(__name__)

PATRON_SCREENS = ("login", "checkout", "returns", "renew", "account", "receipt")
REFUSAL_SHOWN_FOR = 8.0  # seconds a refused card's sentence stays on the idle screen
RECEIPT_READ_FOR = 4.0  # seconds to read the receipt's answer before the idle screen comes back


@dataclass
class ReceiptJob:
    """A finished session waiting for the patron's receipt choice."""

    results: list[ItemOutcome]
    name: str
    email: str
    offline: bool
    refused: list[ItemOutcome] = field(default_factory=list)


class PatronFlow:
    """What each patron touch, scan and timer tick leads to."""

    def __init__(self, shell: Shell, technician: TechnicianFlow) -> None:
        self.shell = shell
        self.technician = technician
        self.pending_login = ""  # the card waiting for its PIN
        self.receipt_job: ReceiptJob | None = None
        self.refused: dict[str, ItemOutcome] = {}  # this session's refused items, to take to the desk
        self.last_activity = shell.now()
        self._idle_notes = 0  # refusals shown on the idle screen so far: a timer clears only its own
        self.refusal_shown_for = REFUSAL_SHOWN_FOR
        self.receipt_read_for = RECEIPT_READ_FOR

    @property
    def runtime(self) -> KioskRuntime:
        """The kiosk's runtime, once built."""
        return built_runtime(self.shell)

    # --- touches and the timeout ------------------------------------------------------------

    def activity(self) -> None:
        """The patron touched or scanned: the session timeout starts again."""
        self.last_activity = self.shell.now()
        runtime = self.shell.runtime
        if runtime is None:
            return
        session = runtime.circulation.session
        if session is not None:
            session.touch(runtime.circulation.clock())  # a plain assignment: never waits

    def idle_seconds(self) -> float:
        """Seconds since the last touch or scan."""
        return self.shell.now() - self.last_activity

    def tick(self) -> None:
        """Every quarter second: offline banner, technician timeout, out of service, session timeout."""
        runtime = self.runtime
        session = runtime.circulation.session
        self.shell.offline = not runtime.link.online or bool(session and session.offline)
        name = self.shell.current
        if name in TECHNICIAN_SCREENS:
            self.technician.tick(self.idle_seconds())
            return
        if name in ("idle", "out_of_service"):
            state = runtime.service.state()
            if not state.in_service:
                self.shell.out_of_service_reason = state.reason
            if not state.in_service and name == "idle":
                self.shell.show("out_of_service")
            elif state.in_service and name == "out_of_service":
                self.shell.show("idle", message="")
            return
        left, session_state = self._time_left()
        if session_state is SessionState.EXPIRED:
            self.time_out()
        elif session_state is SessionState.WARNING:
            if self.shell.open_warning(left):
                self.shell.play("error")
        else:
            self.shell.close_warning()

    def _time_left(self) -> tuple[float, SessionState]:
        """The session's own timer, or (after it ended, e.g. on the receipt screen) the touch timer."""
        circulation = self.runtime.circulation
        session = circulation.session
        if session is not None:
            now = circulation.clock()
            return session.seconds_left(now), session.state(now)
        settings = self.shell.config_settings.session
        left = max(0.0, settings.timeout - self.idle_seconds())
        if left <= 0:
            return 0.0, SessionState.EXPIRED
        return left, SessionState.WARNING if left <= settings.warning else SessionState.ACTIVE

    def still_here(self) -> None:
        """The patron answered the countdown."""
        self.activity()
        self.shell.close_warning()

    def time_out(self) -> None:
        """The session ran out: end it and go back to idle, whatever dialog was open."""
        self.shell.close_dialogs()
        self.last_activity = self.shell.now()
        self.go_idle()
        circulation = self.runtime.circulation
        self.shell.in_worker(lambda: circulation.end_session("timeout"), lambda results: None)

    def go_idle(self) -> None:
        """Back to the idle screen: language, theme and text size reset for the next patron."""
        self.pending_login = ""
        self.receipt_job = None
        self.refused = {}
        self.shell.reset_for_next_patron()
        self._show_idle()

    def _show_idle(self) -> None:
        """The idle screen, or the out-of-service screen when the kiosk is out of service."""
        runtime = self.shell.runtime
        state = runtime.service.state() if runtime is not None else None
        if state is not None and not state.in_service:
            self.shell.out_of_service_reason = state.reason
            self.shell.show("out_of_service")
            return
        self.shell.show("idle", message="")

    # --- scans and the pad ---------------------------------------------------------------------

    def on_device_event(self, event: Any) -> None:
        """One device event, on the UI thread: a scan, a device's state, or the pad."""
        self.technician.note_event(event)
        if isinstance(event, Scan):
            self.on_scan(event.text, event.classified)
        elif isinstance(event, DeviceStatus):
            self.shell.screen_call("device_status", event)
        elif isinstance(event, (ItemPlaced, ItemRemoved, UnreadableTag, IncompleteSet)):
            self.on_pad_event(event)

    def on_scan(self, text: str, classified: Classified | None = None) -> None:
        """A barcode from any scanner (or the keyboard): what it means depends on the screen.
        `classified` is what the scan was found to be where it entered the kiosk."""
        self.activity()
        runtime = self.runtime
        classified = classified or runtime.classifier.classify(text)
        name = self.shell.current
        if name == "technician":
            self.shell.screen_call("show_scan", text, classified)
            return
        if name in ("technician_login", "out_of_service"):
            # Only a technician card does anything here: patrons cannot log in meanwhile.
            if classified.kind is ScanKind.TECHNICIAN:
                self.technician.open_login()
            return
        if name == "receipt":
            return  # the session is over; a new card waits until the receipt is chosen
        mode = Mode.RETURN if name == "returns" else Mode.CHECKOUT
        self.shell.in_worker(lambda: runtime.handle_scan(classified, mode), self._on_scan_result,
                             busy=self.shell.tr("Checking..."))

    def on_pad_event(self, event: Any) -> None:
        """An RFID item placed or removed: checked out or returned like a scan."""
        name = self.shell.current
        if name not in ("checkout", "returns", "idle") or isinstance(event, IncompleteSet):
            return
        if isinstance(event, UnreadableTag):
            if name != "idle":
                self.shell.play("error")
                self.shell.show_message(self.shell.tr(
                    "An item on the pad could not be read. Please move it a little, or give it to staff."), bad=True)
            return
        if name == "idle":
            if isinstance(event, ItemPlaced):
                self.shell.show_message(
                    self.shell.tr('Please scan your library card first, or touch "Return items".'), bad=True)
            return
        mode = Mode.RETURN if name == "returns" else Mode.CHECKOUT
        self.activity()
        runtime = self.runtime
        self.shell.in_worker(lambda: runtime.handle_device_event(event, mode), self._on_scan_result,
                             busy=self.shell.tr("Checking..."))

    def _on_scan_result(self, result: Any) -> None:
        if result is None:
            return
        if isinstance(result, LoginResult):
            self.on_login_result(result)
        elif isinstance(result, ItemOutcome):
            self.on_item_outcome(result)
        elif isinstance(result, TechnicianCard):
            if self.shell.current in PATRON_SCREENS:
                return  # not during a patron's session
            self.technician.open_login()
        elif isinstance(result, NotUnderstood):
            self.shell.play("error")
            self.shell.show_message(
                self.shell.tr("This barcode was not recognised. Please try again or see staff."), bad=True)

    # --- logging in ----------------------------------------------------------------------------

    def type_card(self) -> None:
        """The patron wants to type the card number."""
        self.activity()
        self.pending_login = ""
        self.shell.show("login", stage="card", entry="", message="")

    def login_entered(self, stage: str, text: str) -> None:
        """The log-in screen's OK (or Enter): a card number, a PIN, or a card scanned into the PIN field."""
        self.activity()
        if stage == "pin":
            classified = self.runtime.classifier.classify(text)
            if classified.kind is not ScanKind.UNKNOWN:
                self.shell.show_message(self.shell.tr("That was a card, not a PIN: starting again with that card."))
                self.on_scan(text, classified)
                return
            self.submit_pin(text)
        else:
            self.submit_card(text)

    def submit_card(self, card: str) -> None:
        """A typed card number: log in (or ask for the PIN)."""
        circulation = self.runtime.circulation
        self.shell.in_worker(lambda: circulation.log_in(card), self.on_login_result,
                             busy=self.shell.tr("Checking your card..."))

    def submit_pin(self, pin: str) -> None:
        """The PIN for the card waiting on the log-in screen."""
        card = self.pending_login
        if not card:
            self.type_card()
            return
        circulation = self.runtime.circulation
        self.shell.in_worker(lambda: circulation.log_in(card, pin), self.on_login_result,
                             busy=self.shell.tr("Checking your card..."))

    def on_login_result(self, result: LoginResult) -> None:
        """The PIN pad, the checkout screen, or back to idle with one sentence saying why not."""
        if result.status is LoginStatus.NEED_PIN:
            self.pending_login = result.patron_id
            self.shell.patron_name = ""
            self.shell.show("login", stage="pin", entry="", message="")
            return
        if result.status is LoginStatus.REFUSED:
            self.refuse_login(result)
            return
        self.shell.play("success")
        # Babel and the locale's data (~10 MB, ~60 ms) load when a patron first needs a due date,
        # on a worker: not at start-up, where the idle kiosk's memory and start time count.
        self.shell.in_background(warm_up, self.shell.words.locale)
        self.pending_login = ""
        self.refused = {}
        self.shell.patron_name = result.name
        self.shell.offline = result.offline or not self.runtime.link.online
        self.shell.show("checkout", message="")
        self.shell.screen_call("start_session", result)

    def refuse_login(self, result: LoginResult) -> None:
        """A refused card or PIN: back to the idle screen (in the patron's language still), with the
        reason in one sentence for a few seconds, so no half-filled PIN pad waits for the next patron."""
        self.shell.play("error")
        self.pending_login = ""
        self.refused = {}
        self.shell.patron_name = ""  # a session this card ended is over
        self._idle_notes += 1
        note = self._idle_notes
        self._show_idle()
        self.shell.screen_call("show_refusal", result.reason or wording.CARD_DENIED)
        self.shell.later(self.refusal_shown_for, lambda: self._forget_note(note))
        circulation = self.runtime.circulation
        if circulation.session is not None:  # e.g. the patron's own card again, then a wrong PIN
            self.shell.in_worker(lambda: circulation.end_session("log-in refused"), lambda results: None)

    def _forget_note(self, note: int) -> None:
        """Take a refused card's sentence off the idle screen, unless a newer one is there."""
        if note == self._idle_notes and self.shell.current == "idle":
            self.shell.show("idle", message="")

    # --- the session's screens -----------------------------------------------------------------

    def on_item_outcome(self, outcome: ItemOutcome) -> None:
        """An item was checked out or returned: it appears in the list on screen."""
        self.shell.play("success" if outcome.ok else "error")
        self._remember(outcome)
        if self.shell.current in ("checkout", "returns"):
            self.shell.screen_call("add_outcome", outcome)
        else:
            self.shell.show_message(self.shell.say(outcome.reason), bad=not outcome.ok)

    def _remember(self, outcome: ItemOutcome) -> None:
        """Keep the session's refused items for the summary; an item done later is no longer refused."""
        if self.runtime.circulation.session is None or outcome.repeat:
            return
        if outcome.ok:
            self.refused.pop(outcome.item_id, None)
        elif outcome.action in (Action.CHECKOUT, Action.CHECKIN):
            self.refused[outcome.item_id] = outcome

    def start_returns(self) -> None:
        """The patron wants to return items (with or without a session)."""
        self.activity()
        self.shell.show("returns", message="")
        self.shell.screen_call("clear")

    def returns_done(self) -> None:
        """Back from returns: to the session if there is one, else idle."""
        self.back_to_session()

    def back_to_session(self) -> None:
        """Back to the checkout screen (or idle if the session ended meanwhile)."""
        if self.runtime.circulation.session is None:
            self.go_idle()
        else:
            self.shell.show("checkout")

    def open_renew(self) -> None:
        """The renew screen, with the patron's loans fetched from the library system."""
        self._fetch_account("renew", self.shell.tr("Fetching your loans..."))

    def open_account(self) -> None:
        """The account screen: loans, holds and fines."""
        self._fetch_account("account", self.shell.tr("Fetching your account..."))

    def _fetch_account(self, name: str, busy: str) -> None:
        """Show screen `name` empty, and fill it with the account once the library system answers."""
        self.shell.show(name, message="")
        self.shell.screen_call("loading")

        def show(account: Any) -> None:
            if self.shell.current == name:  # the patron may have gone elsewhere meanwhile
                self.shell.screen_call("show_account", account)

        self.shell.in_worker(self.runtime.circulation.account, show, busy=busy)

    def renew(self, item_ids: list[str]) -> None:
        """Renew the chosen loans; results per item."""
        circulation = self.runtime.circulation
        self.shell.in_worker(lambda: [circulation.renew(i) for i in item_ids], self._renewed,
                             busy=self.shell.tr("Renewing..."))

    def renew_all(self) -> None:
        """Renew every loan."""
        self.shell.in_worker(self.runtime.circulation.renew_all, self._renewed,
                             busy=self.shell.tr("Renewing..."))

    def _renewed(self, outcomes: list[ItemOutcome]) -> None:
        self.shell.play("success" if outcomes and all(o.ok for o in outcomes) else "error")
        if self.shell.current == "renew":
            self.shell.screen_call("show_results", outcomes)

    # --- the end of the session ----------------------------------------------------------------

    def finish_session(self) -> None:
        """"Done": end the session; sum it up and offer a receipt when something was done and
        receipts exist."""
        circulation = self.runtime.circulation
        session = circulation.session
        name = session.name if session else self.shell.patron_name
        email = session.email if session else ""
        offline = bool(session and session.offline) or self.shell.offline
        refused = list(self.refused.values())
        self.shell.in_worker(lambda: circulation.end_session("done"),
                             lambda results: self._session_ended(ReceiptJob(results, name, email, offline, refused)),
                             busy=self.shell.tr("Finishing..."))

    def _session_ended(self, job: ReceiptJob) -> None:
        choices = [c for c in self.runtime.receipts.choices(job.email) if c != "none"]
        if not job.results or not choices:
            self.go_idle()
            return
        self.receipt_job = job
        self.shell.show("receipt", choices=[*choices, "none"], email=job.email, offline=job.offline,
                        message="", delivered=False)
        self.shell.screen_call("show_summary", job.results, job.refused)

    def choose_receipt(self, choice: str) -> None:
        """Print, e-mail or no receipt; then back to idle after the patron has read the answer."""
        job, receipts = self.receipt_job, self.runtime.receipts
        if choice == "none" or job is None:
            self.go_idle()
            return
        language = self.shell.language
        self.shell.in_worker(lambda: receipts.deliver(choice, job.results, patron_name=job.name,
                                                      patron_email=job.email, offline=job.offline,
                                                      language=language),
                             self._receipt_delivered, busy=self.shell.tr("Preparing your receipt..."))

    def _receipt_delivered(self, delivery: Any) -> None:
        self.shell.play("success" if delivery.ok else "error")
        if self.shell.current == "receipt":
            self.shell.show("receipt", delivered=True)
            self.shell.screen_call("show_answer", delivery.message, delivery.ok)
        self.shell.later(self.receipt_read_for, lambda: self.go_idle() if self.shell.current == "receipt" else None)
