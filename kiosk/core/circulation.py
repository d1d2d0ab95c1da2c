"""The kiosk's library rules in one place: log in, check out, return, renew, account, offline.

Screens call these methods from worker threads and only show what comes back. Every call is
serialised (one patron, one SIP2 connection), returns a plain record, and never raises for
anything a patron or the library system can do.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, Protocol, runtime_checkable

from sip2.client import SIP2Client
from sip2.dates import parse_due_date
from sip2.errors import ClientError, UnknownOutcome
from sip2.fields import denied_privileges
from sip2.messages import (
    CheckinResponse,
    CheckoutResponse,
    ItemInformationResponse,
    PatronInformationResponse,
    RenewResponse,
)

from kiosk.config import KioskConfig
from kiosk.core import wording
from kiosk.core.acs_link import ACSLink, Offline
from kiosk.core.evidence import Evidence, after_checkout, after_renewal, after_return, names_known_item
from kiosk.core.fines import parse_fine
from kiosk.core.offline_policy import OfflinePolicy
from kiosk.core.outcomes import (
    Account,
    Action,
    Alert,
    FineLine,
    HoldLine,
    ItemOutcome,
    LoanLine,
    LoginResult,
    LoginStatus,
)
from kiosk.core.refusals import card_refusal
from kiosk.core.renewability import renewal_block, renewal_refusal
from kiosk.core.session import MAX_ITEMS_KNOWN, DoubleScanFilter, PatronSession, SessionState
from kiosk.devices.classify import Classified, Classifier, ScanKind

log = logging.getLogger(__name__)

_MAX_ACCOUNT_LOOKUPS = 50


class SecurityResultLike(Protocol):
    """What a security write reports (see kiosk.devices.rfid.security.SecurityResult)."""

    held: bool
    detail: str


@runtime_checkable
class SecurityPad(Protocol):
    """The RFID pad's security control, as the core uses it."""

    def set_security(self, uid: str, secured: bool) -> SecurityResultLike:
        """Set (True) or clear (False) the tag's security, read it back, say whether it held."""


class Circulation:
    """One kiosk's circulation core."""

    def __init__(self, config: KioskConfig, link: ACSLink, queue, journal, *,
                 classifier: Classifier, pad: SecurityPad | None = None,
                 patron_cache=None, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.link = link
        self.queue = queue
        self.journal = journal
        self.classifier = classifier
        self.pad = pad
        self.patron_cache = patron_cache
        self.policy = OfflinePolicy(config.offline)
        self.clock = clock
        self.session: PatronSession | None = None
        self._repeats = DoubleScanFilter(config.session.double_scan_seconds)
        self._lock = threading.RLock()

    # --- sessions ---------------------------------------------------------------------------

    def log_in(self, card: str | Classified, pin: str | None = None) -> LoginResult:
        """A card was scanned (classified where it entered the kiosk) or typed (classified here),
        with its PIN when one is required.

        Returns NEED_PIN when a PIN is required and none was given; another patron's card
        ends the current session first.
        """
        with self._lock:
            classified = card if isinstance(card, Classified) else self.classifier.classify(card)
            card = classified.text
            if classified.kind is not ScanKind.PATRON:
                log.info("not a library card: %s", classified.reason or classified.kind.value)
                return LoginResult(LoginStatus.REFUSED, reason=wording.NOT_A_CARD)
            if self.session is not None and self.session.patron_id != card:
                self._end_session_locked("another patron's card")
            if self.config.patron.require_pin and not pin:
                return LoginResult(LoginStatus.NEED_PIN, patron_id=card)
            try:
                return self._log_in_online(card, pin)
            except Offline:
                return self._log_in_offline(card, pin)

    def _log_in_online(self, card: str, pin: str | None) -> LoginResult:
        try:
            info = self.link.call(lambda c: c.patron_information(card, pin))
        except Offline:
            raise
        except ClientError as exc:
            log.warning("patron check failed: %s", exc)
            return LoginResult(LoginStatus.REFUSED, patron_id=card,
                               reason=wording.CARD_NOT_CHECKED_NOW)
        messages = tuple(info.screen_messages)
        acs_says = " ".join(messages)
        if info.valid_patron == "N" or (info.valid_patron is None and not info.personal_name):
            return self._refused(card, acs_says or wording.CARD_UNKNOWN, messages)
        if self.config.patron.require_pin:
            if info.valid_patron_password == "N":
                return self._refused(card, acs_says or wording.WRONG_PIN, messages)
            if info.valid_patron_password != "Y":
                # An ACS that says "valid" without checking the PIN is not trusted with it.
                return self._refused(card, wording.PIN_NOT_CONFIRMED,
                                     messages)
        barred = card_refusal(info.patron_status or "")
        if barred is not None:
            log.info("card refused: %s", ", ".join(denied_privileges(info.patron_status)))
            return self._refused(card, acs_says or barred, messages)
        if self.patron_cache is not None:
            self.patron_cache.remember(card)
        self.session = self._new_session(card, info.personal_name or "", pin, offline=False,
                                         email=info.email or "")
        self.session.patron_status = info.patron_status or ""
        return LoginResult(LoginStatus.OK, patron_id=card, name=self.session.name,
                           screen_messages=messages, email=self.session.email)

    def _log_in_offline(self, card: str, pin: str | None) -> LoginResult:
        seen = self.patron_cache.seen(card) if self.patron_cache is not None and \
            self.config.offline.cache_patrons else None
        verdict = self.policy.patron_allowed(card, seen)
        if not verdict.allowed:
            return LoginResult(LoginStatus.REFUSED, patron_id=card, reason=verdict.reason, offline=True)
        self.session = self._new_session(card, "", pin, offline=True)
        return LoginResult(LoginStatus.OK, patron_id=card, offline=True)

    def _refused(self, card: str, reason: str, messages: tuple[str, ...]) -> LoginResult:
        return LoginResult(LoginStatus.REFUSED, patron_id=card, reason=reason, screen_messages=messages)

    def _new_session(self, card: str, name: str, pin: str | None, *, offline: bool,
                     email: str = "") -> PatronSession:
        s = self.config.session
        self._repeats = DoubleScanFilter(s.double_scan_seconds)  # a new patron's scans are not repeats
        return PatronSession(patron_id=card, name=name, pin=pin, started=self.clock(),
                             timeout=s.timeout, warning=s.warning, offline=offline, email=email)

    def end_session(self, why: str = "done") -> list[ItemOutcome]:
        """End the patron's session (tells the library system when online); returns its results."""
        with self._lock:
            return self._end_session_locked(why)

    def _end_session_locked(self, why: str) -> list[ItemOutcome]:
        session, self.session = self.session, None
        if session is None:
            return []
        log.info("session ended: %s", why)
        if not session.offline:
            try:
                self.link.call(lambda c: c.end_patron_session(session.patron_id, session.pin))
            except (Offline, ClientError) as exc:
                log.info("end of session not confirmed by the library system: %s", exc)
        return session.results()

    def tick(self) -> SessionState | None:
        """Called regularly: ends an expired session whatever is on screen; returns the state."""
        with self._lock:
            if self.session is None:
                return None
            state = self.session.state(self.clock())
            if state is SessionState.EXPIRED:
                self._end_session_locked("timeout")
            return state

    def keep_alive(self) -> None:
        """The patron touched the screen: restart the session timeout."""
        with self._lock:
            if self.session is not None:
                self.session.touch(self.clock())

    # --- items ------------------------------------------------------------------------------

    def checkout(self, item_id: str, *, uids: tuple[str, ...] = (),
                 missing_parts: tuple[int, ...] = ()) -> ItemOutcome:
        """Check an item out to the patron of the session."""
        with self._lock:
            item_id = item_id.strip()
            session = self.session
            if session is None:
                return ItemOutcome(Action.CHECKOUT, item_id, False, reason=wording.SCAN_CARD_FIRST)
            session.touch(self.clock())
            if missing_parts:
                return _incomplete(Action.CHECKOUT, item_id, missing_parts)
            earlier = self._earlier(session, Action.CHECKOUT, item_id)
            if earlier is not None:
                return earlier
            if session.offline or self._waiting_in_queue(item_id):
                outcome = self._checkout_offline(session, item_id, uids)
            else:
                try:
                    outcome = self._checkout_online(session, item_id, uids)
                except Offline:
                    outcome = self._checkout_offline(session, item_id, uids)
            if outcome.ok or Alert.OUTCOME_UNKNOWN in outcome.alerts:
                session.outcomes[(Action.CHECKOUT.value, item_id)] = outcome
            return outcome

    def _waiting_in_queue(self, item_id: str) -> bool:
        """Whether the item has queued transactions not yet replayed: a new one must queue behind
        them, or it would reach the library system before them (out of order)."""
        try:
            return self.queue.has_waiting(item_id)
        except Exception:  # the queue unreadable: going online is what would happen without it
            log.exception("offline queue could not be read")
            return False

    def _earlier(self, session: PatronSession, action: Action, item_id: str) -> ItemOutcome | None:
        """The result already given for this item in this session (a repeat scan sends nothing)."""
        earlier = session.outcomes.get((action.value, item_id))
        repeat = self._repeats.is_repeat(f"{action.value}:{item_id}", self.clock())
        if earlier is not None:
            return _as_repeat(earlier)
        if repeat:
            return ItemOutcome(action, item_id, False, repeat=True, reason=wording.ALREADY_SCANNED)
        return None

    def _checkout_online(self, session: PatronSession, item_id: str, uids: tuple[str, ...]) -> ItemOutcome:
        try:
            reply: CheckoutResponse = self.link.call(
                lambda c: c.checkout(session.patron_id, item_id, patron_password=session.pin))
        except UnknownOutcome as exc:
            return self._reconcile_checkout(session, item_id, uids, exc)
        except ClientError as exc:
            return self._record(session, _acs_failed(Action.CHECKOUT, item_id, exc))
        outcome = _outcome_from_reply(Action.CHECKOUT, item_id, reply)
        if outcome.ok:
            _remember_due(session, outcome)
            outcome = self._set_security(outcome, uids, secured=False, session=session)
        return self._record(session, outcome)

    def _reconcile_checkout(self, session: PatronSession, item_id: str, uids: tuple[str, ...],
                            exc: UnknownOutcome) -> ItemOutcome:
        status = _item_status(exc)
        evidence = after_checkout(status, session.patron_id)
        if evidence is Evidence.DONE:
            assert status is not None
            due = parse_due_date(status.due_date)
            outcome = ItemOutcome(Action.CHECKOUT, item_id, True, title=status.title or "",
                                  due=due.moment if due else None, due_text=status.due_date or "")
            _remember_due(session, outcome)
            return self._record(session, self._set_security(outcome, uids, secured=False, session=session))
        if evidence is Evidence.NOT_DONE:
            assert status is not None
            return self._record(session, ItemOutcome(
                Action.CHECKOUT, item_id, False, title=status.title or "",
                reason=wording.NOT_ANSWERED_IN_TIME))
        return self._unconfirmed(session, Action.CHECKOUT, item_id, exc, wording.CHECKOUT_NOT_CONFIRMED)

    def _unconfirmed(self, session: PatronSession | None, action: Action, item_id: str,
                     exc: UnknownOutcome, reason: str) -> ItemOutcome:
        """The reply was lost and the 17 settles nothing: the patron goes to staff, the item's
        security stays as it was, and the transaction goes on the staff list."""
        status = _item_status(exc)
        log.warning("%s of %s not confirmed: %s", action.value, item_id, exc)
        outcome = ItemOutcome(action, item_id, False, title=status.title if status is not None else "",
                              alerts=(Alert.OUTCOME_UNKNOWN,), reason=reason)
        try:
            self.queue.record_unconfirmed(
                action.value, item_id=item_id, patron_id=session.patron_id if session else None,
                transaction_date=outcome.timestamp, title=outcome.title or None,
                reason=f"{action.value} sent, reply lost; {_what_the_acs_said(status)}: check the item",
                error=str(exc))
        except Exception:  # the log has it; the patron is sent to staff anyway
            log.exception("unconfirmed %s of %s could not be put on the staff list", action.value, item_id)
        return self._record(session, outcome)

    def _checkout_offline(self, session: PatronSession, item_id: str, uids: tuple[str, ...]) -> ItemOutcome:
        if self.config.offline.mode != "all":
            return ItemOutcome(Action.CHECKOUT, item_id, False, offline=True,
                               reason=wording.NO_CHECKOUT_OFFLINE)
        verdict = self.policy.checkout_allowed(session.offline_checkouts)
        if not verdict.allowed:
            return ItemOutcome(Action.CHECKOUT, item_id, False, offline=True, reason=verdict.reason)
        now = datetime.now().replace(microsecond=0)
        due = self.policy.due_date(now)
        title = self._known_title(session, item_id)
        try:
            self.queue.enqueue("checkout", item_id=item_id, patron_id=session.patron_id,
                               patron_name=session.name or None, title=title, transaction_date=now,
                               due_date=due, journal=self.journal)
        except Exception:  # storage failure: tell the patron, never pretend it worked
            log.exception("offline checkout could not be stored")
            return ItemOutcome(Action.CHECKOUT, item_id, False, offline=True,
                               reason=wording.NOT_RECORDED)
        session.offline_checkouts += 1
        outcome = ItemOutcome(Action.CHECKOUT, item_id, True, title=title or "", due=due,
                              due_text=due.strftime("%Y-%m-%d"), offline=True)
        return self._set_security(outcome, uids, secured=False, session=session)

    def checkin(self, item_id: str, *, uids: tuple[str, ...] = (),
                missing_parts: tuple[int, ...] = ()) -> ItemOutcome:
        """Return an item (no session needed)."""
        with self._lock:
            item_id = item_id.strip()
            if missing_parts:
                return _incomplete(Action.CHECKIN, item_id, missing_parts)
            session = self.session
            if session is not None:
                session.touch(self.clock())
                earlier = self._earlier(session, Action.CHECKIN, item_id)
                if earlier is not None:
                    return earlier
            elif self._repeats.is_repeat(f"checkin:{item_id}", self.clock()):
                return ItemOutcome(Action.CHECKIN, item_id, False, repeat=True, reason=wording.ALREADY_SCANNED)
            try:
                if self._waiting_in_queue(item_id):
                    raise Offline("an earlier transaction of this item is still queued")
                outcome = self._checkin_online(item_id, uids, session)
            except Offline:
                outcome = self._checkin_offline(item_id, uids, session)
            if session is not None and outcome.ok:
                session.outcomes[(Action.CHECKIN.value, item_id)] = outcome
            return outcome

    def _checkin_online(self, item_id: str, uids: tuple[str, ...], session: PatronSession | None) -> ItemOutcome:
        try:
            reply: CheckinResponse = self.link.call(lambda c: c.checkin(item_id))
        except UnknownOutcome as exc:
            status = _item_status(exc)
            if after_return(status) is Evidence.DONE:
                assert status is not None
                # The reply was lost, but the library knows the item and has it back.
                outcome = ItemOutcome(Action.CHECKIN, item_id, True, title=status.title or "")
                return self._record(session, self._set_security(outcome, uids, secured=True, session=session))
            return self._unconfirmed(session, Action.CHECKIN, item_id, exc, wording.RETURN_NOT_CONFIRMED)
        except ClientError as exc:
            return self._record(session, _acs_failed(Action.CHECKIN, item_id, exc))
        outcome = _outcome_from_reply(Action.CHECKIN, item_id, reply)
        # Secured even when refused ("not checked out"): the item is back in the library's hands.
        outcome = self._set_security(outcome, uids, secured=True, session=session)
        return self._record(session, outcome)

    def _checkin_offline(self, item_id: str, uids: tuple[str, ...], session: PatronSession | None) -> ItemOutcome:
        verdict = self.policy.returns_allowed()
        if not verdict.allowed:
            return ItemOutcome(Action.CHECKIN, item_id, False, offline=True, reason=verdict.reason)
        now = datetime.now().replace(microsecond=0)
        title = self._known_title(session, item_id)
        try:
            self.queue.enqueue("checkin", item_id=item_id, title=title, transaction_date=now,
                               journal=self.journal)
        except Exception:
            log.exception("offline return could not be stored")
            return ItemOutcome(Action.CHECKIN, item_id, False, offline=True,
                               reason=wording.NOT_RECORDED)
        outcome = ItemOutcome(Action.CHECKIN, item_id, True, title=title or "", offline=True)
        return self._set_security(outcome, uids, secured=True, session=session)

    def _known_title(self, session: PatronSession | None, item_id: str) -> str | None:
        """The item's title as the library system gave it before (this session, else the journal),
        to name it while the library system cannot be asked."""
        title = session.title_of(item_id) if session is not None else ""
        if title:
            return title
        try:
            return self.journal.title_of(item_id)
        except Exception:  # the row shows the item id instead
            log.exception("journal could not be read for a title")
            return None

    def renew(self, item_id: str) -> ItemOutcome:
        """Renew one of the patron's loans (needs the library system)."""
        with self._lock:
            session = self.session
            if session is None:
                return ItemOutcome(Action.RENEW, item_id, False, reason=wording.SCAN_CARD_FIRST)
            session.touch(self.clock())
            return self._renew_one(session, item_id)

    def _renew_one(self, session: PatronSession, item_id: str) -> ItemOutcome:
        """A 29 for one loan; a refusal's reason is kept to mark the loan for the session."""
        try:
            reply: RenewResponse = self.link.call(
                lambda c: c.renew(session.patron_id, item_id, patron_password=session.pin))
        except Offline:
            return ItemOutcome(Action.RENEW, item_id, False, offline=True,
                               reason=wording.RENEW_NEEDS_ACS)
        except UnknownOutcome as exc:
            return self._reconcile_renewal(session, item_id, exc)
        except ClientError as exc:
            return self._record(session, _acs_failed(Action.RENEW, item_id, exc))
        outcome = _outcome_from_reply(Action.RENEW, item_id, reply)
        if not outcome.title:
            outcome = _replace(outcome, title=session.title_of(item_id))
        if outcome.ok:
            _remember_due(session, outcome)
            session.renew_refusals.pop(item_id, None)
        else:
            session.renew_refusals[item_id] = outcome.reason  # marks the loan until the session ends
            outcome = _replace(outcome, reason=renewal_refusal(outcome.reason))
        return self._record(session, outcome)

    def _reconcile_renewal(self, session: PatronSession, item_id: str, exc: UnknownOutcome) -> ItemOutcome:
        status = _item_status(exc)
        if after_renewal(status, session.patron_id, session.known_due.get(item_id)) is Evidence.DONE:
            assert status is not None
            due = parse_due_date(status.due_date)
            outcome = ItemOutcome(Action.RENEW, item_id, True, title=status.title or "",
                                  due=due.moment if due else None, due_text=status.due_date or "")
            _remember_due(session, outcome)
            return self._record(session, outcome)
        return self._unconfirmed(session, Action.RENEW, item_id, exc, wording.RENEW_NOT_CONFIRMED)

    def renew_all(self) -> list[ItemOutcome]:
        """Renew every loan; one outcome per item (due dates looked up for the renewed ones), or
        one outcome with no item id when the request as a whole failed."""
        with self._lock:
            session = self.session
            if session is None:
                return []
            session.touch(self.clock())
            try:
                reply = self.link.call(lambda c: c.renew_all(session.patron_id, session.pin))
            except Offline:
                return [ItemOutcome(Action.RENEW, "", False, offline=True, reason=wording.RENEW_NEEDS_ACS)]
            except ClientError as exc:
                return [_acs_failed(Action.RENEW, "", exc)]
            if not reply.ok and not reply.renewed_items and not reply.unrenewed_items:
                # The whole request refused (a blocked card): one outcome without an item says why.
                return [ItemOutcome(Action.RENEW, "", False, reason=renewal_refusal(
                    " ".join(reply.screen_messages)) or wording.NOT_RENEWED)]
            outcomes = []
            for item_id in reply.renewed_items[:_MAX_ACCOUNT_LOOKUPS]:
                session.renew_refusals.pop(item_id, None)
                line = self._loan_line(session, item_id)  # asked again: the due date has moved
                outcomes.append(self._record(session, ItemOutcome(
                    Action.RENEW, item_id, True, title=line.title, due=line.due, due_text=line.due_text)))
            for item_id in reply.unrenewed_items[:_MAX_ACCOUNT_LOOKUPS]:
                # The 66 names the items only; its screen message sums up the whole request.
                line = self._loan_line(session, item_id, known=True)
                if line.renew_block:
                    outcomes.append(self._record(session, ItemOutcome(
                        Action.RENEW, item_id, False, title=line.title, reason=line.renew_block)))
                else:  # only the item's own renewal (29) says why: the ACS refuses it again, or renews it
                    outcomes.append(self._renew_one(session, item_id))
            return outcomes

    def account(self) -> Account | None:
        """The patron's loans (with due dates), holds and fines; None without a session or offline."""
        with self._lock:
            session = self.session
            if session is None or session.offline:
                return None
            session.touch(self.clock())
            try:
                lists = {kind: self.link.call(partial(_patron_list, session, kind))
                         for kind in ("charged_items", "overdue_items", "hold_items", "unavailable_hold_items",
                                      "fine_items")}
            except (Offline, ClientError) as exc:
                log.info("account not available: %s", exc)
                return None
            info = lists["charged_items"]
            session.patron_status = info.patron_status or ""
            overdue = set(lists["overdue_items"].overdue_items)
            now = datetime.now()
            loans = []
            for item_id in info.charged_items[:_MAX_ACCOUNT_LOOKUPS]:
                line = self._loan_line(session, item_id)
                if line.due is not None:
                    session.known_due[item_id] = line.due
                late = item_id in overdue or (line.due is not None and line.due.replace(tzinfo=None) < now)
                loans.append(dataclasses.replace(line, overdue=late))
            return Account(
                patron_id=session.patron_id, name=info.personal_name or session.name, loans=tuple(loans),
                holds_ready=self._holds(session, lists["hold_items"].hold_items, ready=True),
                holds_waiting=self._holds(session, lists["unavailable_hold_items"].unavailable_hold_items,
                                          ready=False),
                fines=tuple(self._fine(session, text) for text in lists["fine_items"].fine_items),
                fine_total=info.fee_amount or "", currency=info.currency_type or "", email=info.email or "",
                screen_messages=info.screen_messages)

    def _item_info(self, session: PatronSession, item_id: str, *,
                   known: bool = False) -> ItemInformationResponse | None:
        """A 17 for the item (`known`: the one already asked this session will do), or None when
        the library system cannot say."""
        if known and item_id in session.items:
            return session.items[item_id]
        try:
            info: ItemInformationResponse = self.link.call(lambda c: c.item_information(item_id))
        except (Offline, ClientError):
            return None
        if info.title or info.circulation_status != "01":  # "01" without a title: an unknown item
            session.remember_item(info)
        return info

    def _loan_line(self, session: PatronSession, item_id: str, *, known: bool = False) -> LoanLine:
        """Title, due date and renewability of a loan, from a 17 (the item id only when that fails)."""
        info = self._item_info(session, item_id, known=known)
        refused = session.renew_refusals.get(item_id, "")
        if info is None:
            return LoanLine(item_id, session.title_of(item_id),
                            renew_block=renewal_block(patron_status=session.patron_status,
                                                      refused_before=refused))
        due = parse_due_date(info.due_date)
        block = renewal_block(patron_status=session.patron_status, hold_queue_length=info.hold_queue_length,
                              circulation_status=info.circulation_status, refused_before=refused)
        return LoanLine(item_id, info.title or session.title_of(item_id), due.moment if due else None,
                        info.due_date or "", renew_block=block)

    def _holds(self, session: PatronSession, ids: tuple[str, ...], *, ready: bool) -> tuple[HoldLine, ...]:
        """The 63's holds with their titles (a 17 each, kept for the session); a hold the library
        system does not know as an item is shown as it was sent (some send titles)."""
        lines = []
        for hold_id in ids[:_MAX_ACCOUNT_LOOKUPS]:
            info = self._item_info(session, hold_id, known=True)
            pickup = parse_due_date(info.hold_pickup_date) if info is not None and ready else None
            lines.append(HoldLine(hold_id, (info.title if info is not None else "") or hold_id, ready,
                                  pickup.moment if pickup else None))
        return tuple(lines)

    def _fine(self, session: PatronSession, text: str) -> FineLine:
        """A fine item (AV) taken apart, with its item's title instead of the barcode."""
        fine = parse_fine(text)
        if not fine.item_id:
            return fine
        title = session.title_of(fine.item_id)
        if not title and len(session.items) < MAX_ITEMS_KNOWN:
            info = self._item_info(session, fine.item_id, known=True)
            title = info.title if info is not None else ""
        return dataclasses.replace(fine, title=title)

    # --- security and records -------------------------------------------------------------

    def _set_security(self, outcome: ItemOutcome, uids: tuple[str, ...], *, secured: bool,
                      session: PatronSession | None) -> ItemOutcome:
        """Clear (checkout) or set (return) the security of every tag of the item (all parts of a
        set), and check that it held."""
        if not uids or self.pad is None:
            return outcome
        failed = False
        for uid in uids:
            try:
                result = self.pad.set_security(uid, secured)
                held, detail = result.held, result.detail
            except Exception as exc:  # the pad failing must not lose the transaction already made
                held, detail = False, f"pad error: {exc}"
            if not held:
                failed = True
                log.warning("security of item %s (tag %s) not changed: %s", outcome.item_id, uid, detail)
                self._record_security_failure(outcome.item_id, uid, secured, detail)
        if not failed:
            return outcome
        alerts = outcome.alerts + (Alert.SECURITY_NOT_CHANGED,)
        if (not secured and self.config.session.rollback_on_security_failure and not outcome.offline
                and session is not None):
            try:
                self.link.call(lambda c: c.checkin(outcome.item_id))
                return _replace(outcome, ok=False, alerts=alerts,
                                reason=wording.CHECKOUT_UNDONE)
            except (Offline, ClientError) as exc:
                log.warning("rollback checkin failed: %s", exc)
        return _replace(outcome, alerts=alerts)

    def _record_security_failure(self, item_id: str, uid: str, secured: bool, detail: str) -> None:
        try:
            self.journal.security_event(item_id=item_id, wanted_secured=secured,
                                        reason=detail or "no reason given", uid=uid)
        except Exception:  # it is in the log at least; the patron is told to see staff anyway
            log.exception("security event could not be recorded")

    def _record(self, session: PatronSession | None, outcome: ItemOutcome) -> ItemOutcome:
        """Journal an online transaction (offline ones are journalled with their queue entry)."""
        try:
            self.journal.record(outcome, patron_id=session.patron_id if session else None)
        except Exception:  # the journal is for receipts and statistics; the patron is not held up
            log.exception("journal entry could not be written")
        return outcome


def _outcome_from_reply(action: Action, item_id: str,
                        reply: CheckoutResponse | CheckinResponse | RenewResponse) -> ItemOutcome:
    alerts: list[Alert] = []
    if reply.magnetic_media:
        alerts.append(Alert.MAGNETIC_MEDIA)
    sort_bin = ""
    due, due_text, title = None, "", reply.title or ""
    if isinstance(reply, CheckinResponse):
        sort_bin = reply.sort_bin or ""
        if reply.alert:
            alerts.append(Alert.GIVE_TO_STAFF)
            if any("hold" in m.lower() for m in reply.screen_messages):
                alerts.append(Alert.HOLD_FOR_OTHER)
    else:
        parsed = parse_due_date(reply.due_date)
        due, due_text = (parsed.moment if parsed else None), (reply.due_date or "")
    messages = tuple(reply.screen_messages)
    reason = ""
    if not reply.ok:
        reason = " ".join(messages) or {
            Action.CHECKOUT: wording.CHECKOUT_REFUSED,
            Action.CHECKIN: wording.CHECKIN_REFUSED,
            Action.RENEW: wording.RENEW_REFUSED,
        }[action]
        if action is Action.CHECKOUT and any("hold" in m.lower() for m in messages):
            alerts.append(Alert.HOLD_FOR_OTHER)
    return ItemOutcome(action, reply.item_id or item_id, bool(reply.ok), title=title, due=due,
                       due_text=due_text, reason=reason, screen_messages=messages,
                       print_lines=tuple(reply.print_lines), alerts=tuple(alerts), sort_bin=sort_bin)


def _acs_failed(action: Action, item_id: str, exc: ClientError) -> ItemOutcome:
    """The library system could not be asked (nothing was applied): the patron goes to staff."""
    log.warning("%s of %s: %s", action.value, item_id, exc)
    return ItemOutcome(action, item_id, False, reason=wording.NOT_ASKED)


def _item_status(exc: UnknownOutcome) -> ItemInformationResponse | None:
    """The 17 the client asked after the lost reply, when it got one."""
    status = exc.item_status
    return status if isinstance(status, ItemInformationResponse) else None


def _what_the_acs_said(status: ItemInformationResponse | None) -> str:
    """For staff: what the item information asked after the lost reply showed."""
    if status is None:
        return "the item information (17) could not be had either"
    if not names_known_item(status):
        return f"the library system does not know the item (17: status {status.circulation_status}, no title)"
    return f"the item information (17) shows status {status.circulation_status}"


def _remember_due(session: PatronSession, outcome: ItemOutcome) -> None:
    """Keep the due date a loan was given, to tell later whether a renewal moved it."""
    if outcome.due is not None:
        session.known_due[outcome.item_id] = outcome.due


def _incomplete(action: Action, item_id: str, missing_parts: tuple[int, ...]) -> ItemOutcome:
    parts = ", ".join(str(p) for p in missing_parts)
    return ItemOutcome(action, item_id, False, alerts=(Alert.INCOMPLETE_SET,),
                       reason=wording.PARTS_MISSING.format(parts=parts))


def _as_repeat(outcome: ItemOutcome) -> ItemOutcome:
    return _replace(outcome, repeat=True)


def _patron_list(session: PatronSession, kind: str, client: SIP2Client) -> PatronInformationResponse:
    """A 63 asking for one of the patron's item lists."""
    return client.patron_information(session.patron_id, session.pin, summary=kind)


def _replace(outcome: ItemOutcome, **changes: Any) -> ItemOutcome:
    return dataclasses.replace(outcome, **changes)
