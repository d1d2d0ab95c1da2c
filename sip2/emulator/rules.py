"""Circulation rules of the emulated ACS: each SIP2 request in, its reply out, over the store.

No socket code here: `Circulation.answer` takes a decoded request and returns the reply
message, applying the request to the database in one short transaction and recording it
in the transaction log. No-block requests (store and forward) are accepted even where the
rules would refuse them; the log says which rules they overrode.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from sip2.fields import SUMMARY_KINDS, SUPPORTED_MESSAGES
from sip2.message import Message
from sip2 import messages as m
from sip2.emulator.policy import Policy
from sip2.emulator.store import Fine, Hold, Item, Loan, Patron, Store, Transaction

UNKNOWN_PATRON = "Unknown library card. Please see staff."
UNKNOWN_ITEM = "Unknown item. Please see staff."
WRONG_PIN = "Wrong PIN. Please try again."
ON_HOLD_FOR_OTHER = "This item is on hold for another patron."
GIVE_TO_STAFF = "Please give this item to staff."
HOLD_TO_STAFF = "This item is on hold for another patron: please give it to staff."
NOT_CHECKED_OUT = "This item was not checked out."


class Refused(Exception):
    """A rule said no; the message is what the patron reads on the screen (AF)."""


@dataclass(frozen=True)
class PatronState:
    """What the rules need to know about a patron at one moment."""

    patron: Patron
    loans: list[Loan]
    holds: list[Hold]
    fines: list[Fine]
    today: date

    @property
    def owed_cents(self) -> int:
        """Total of the unpaid fines."""
        return sum(f.owed_cents for f in self.fines)

    @property
    def expired(self) -> bool:
        """Whether the card's expiry date has passed."""
        return self.patron.expires < self.today

    def overdue(self, now: datetime) -> list[Loan]:
        """Loans whose due date has passed."""
        return [loan for loan in self.loans if loan.due < now]


class Circulation:
    """Answers SIP2 requests for one library database under one policy."""

    def __init__(self, store: Store, policy: Policy | None = None,
                 accounts: Mapping[str, str] | None = None) -> None:
        self.store = store
        self.policy = policy or Policy()
        self.accounts = dict(accounts if accounts is not None else {"kiosk": "kiosk"})
        self._handlers: dict[type[Message], Callable[[Session, Message, datetime, str | None], Message]] = {
            m.Login: self._login, m.SCStatus: self._sc_status,
            m.PatronStatusRequest: self._patron_status, m.PatronInformation: self._patron_information,
            m.PatronEnable: self._patron_enable, m.BlockPatron: self._block_patron,
            m.EndPatronSession: self._end_session, m.FeePaid: self._fee_paid,
            m.Checkout: self._checkout, m.Checkin: self._checkin, m.Renew: self._renew,
            m.RenewAll: self._renew_all, m.ItemInformation: self._item_information,
            m.ItemStatusUpdate: self._item_status_update, m.Hold: self._hold,
        }

    def answers(self, request: Message) -> bool:
        """Whether `request` is a request this ACS answers."""
        return type(request) in self._handlers

    def answer(self, request: Message, *, now: datetime | None = None,
               location: str | None = None) -> Message:
        """Apply one request and return its reply; `location` is the SC's login location (CP).

        Raises KeyError for a message that is not a request (a reply, 96 or 97).
        """
        handler = self._handlers[type(request)]
        now = now or datetime.now().replace(microsecond=0)
        with self.store.session() as session:
            return handler(session, request, now, location)

    # --- helpers --------------------------------------------------------------------------

    def _log(self, session: Session, request: Message, now: datetime, ok: bool, detail: str = "",
             *, patron_id: str | None = None, item_id: str | None = None) -> Transaction:
        entry = Transaction(at=now, transaction_date=_local(getattr(request, "transaction_date", None)),
                            code=request.CODE, patron_id=patron_id or getattr(request, "patron_id", None),
                            item_id=item_id or getattr(request, "item_id", None), ok=ok,
                            no_block=bool(getattr(request, "no_block", False)), detail=detail)
        session.add(entry)
        session.flush()
        return entry

    def _state(self, session: Session, patron: Patron, now: datetime) -> PatronState:
        loans = list(session.scalars(select(Loan).where(Loan.patron_id == patron.id).order_by(Loan.due, Loan.id)))
        holds = list(session.scalars(select(Hold).where(Hold.patron_id == patron.id).order_by(Hold.placed, Hold.id)))
        fines = [f for f in session.scalars(select(Fine).where(Fine.patron_id == patron.id).order_by(Fine.id))
                 if f.owed_cents > 0]
        return PatronState(patron, loans, holds, fines, now.date())

    def _status_flags(self, state: PatronState, now: datetime) -> str:
        """The 14 patron status flags; a 'Y' denies a privilege, a blank allows it."""
        p, flags = state.patron, [" "] * 14
        barred = p.blocked or p.card_lost or state.expired
        too_much_owed = state.owed_cents > self.policy.fine_limit_cents
        at_limit = len(state.loans) >= p.loan_limit
        if barred or too_much_owed or at_limit:
            flags[0] = "Y"  # charge privileges denied
        if barred or too_much_owed:
            flags[1] = flags[2] = "Y"  # renewal, recall
        if barred or len(state.holds) >= self.policy.hold_limit:
            flags[3] = "Y"  # hold privileges denied
        if p.card_lost:
            flags[4] = "Y"
        if at_limit:
            flags[5] = "Y"  # too many items charged
        if len(state.overdue(now)) > self.policy.overdue_limit:
            flags[6] = "Y"
        if too_much_owed:
            flags[10] = "Y"  # excessive outstanding fines
        return "".join(flags)

    def _account_refusal(self, state: PatronState) -> str | None:
        """Why this patron may not borrow or renew at all, or None."""
        p = state.patron
        if p.card_lost:
            return "This card has been reported lost. Please see staff."
        if p.blocked:
            return f"Your account is blocked: {p.block_message or 'please see staff'}."
        if state.expired:
            return f"Your library card expired on {p.expires.isoformat()}. Please see staff to renew it."
        if state.owed_cents > self.policy.fine_limit_cents:
            return (f"You owe {self.policy.money(state.owed_cents)} {self.policy.currency}, more than "
                    f"{self.policy.money(self.policy.fine_limit_cents)}. Please pay before borrowing.")
        return None

    def _item_refusal(self, session: Session, item: Item, patron_id: str) -> str | None:
        """Why this item may not be lent to this patron now, or None (loans checked elsewhere)."""
        if item.lost:
            return "This item is recorded as lost. Please see staff."
        if not item.circulates:
            return "This item is for use in the library only."
        first = _first_hold(session, item.id)
        if first is not None and first.patron_id != patron_id:
            return ON_HOLD_FOR_OTHER
        return None

    def _due(self, item: Item, start: datetime) -> datetime:
        day = start.date() + timedelta(days=self.policy.loan_period(item.media_type))
        return datetime.combine(day, datetime.max.time()).replace(microsecond=0)

    def _pin_wrong(self, patron: Patron, pin: str | None) -> bool:
        """Whether a PIN was given (non-empty) and does not match."""
        return bool(pin) and pin != patron.pin

    # --- session and status ---------------------------------------------------------------

    def _login(self, session: Session, req: m.Login, now: datetime, location: str | None) -> Message:
        user = req.login_user_id or ""
        ok = user in self.accounts and self.accounts[user] == (req.login_password or "")
        self._log(session, req, now, ok, f"SIP2 login {req.login_user_id!r} from {req.location_code!r}")
        return m.LoginResponse(ok=ok)

    def _sc_status(self, session: Session, req: m.SCStatus, now: datetime, location: str | None) -> Message:
        self._log(session, req, now, True, f"SC status {req.status_code}")
        supported = "Y" * len(SUPPORTED_MESSAGES)
        return m.ACSStatus(online=True, checkin_ok=True, checkout_ok=True, renewal_policy=True,
                           status_update_ok=True, offline_ok=self.policy.offline_ok,
                           timeout_period=self.policy.timeout_period,
                           retries_allowed=self.policy.retries_allowed, date_time_sync=now,
                           protocol_version="2.00", institution_id=self.policy.institution_id,
                           library_name=self.policy.library_name, supported_messages=supported,
                           terminal_location=location)

    # --- patrons --------------------------------------------------------------------------

    def _patron_status(self, session: Session, req: m.PatronStatusRequest, now: datetime,
                       location: str | None) -> Message:
        patron = session.get(Patron, req.patron_id or "")
        self._log(session, req, now, patron is not None, "" if patron else "unknown patron")
        return self._status_response(session, patron, req.patron_id or "", req.patron_password,
                                     req.language, now)

    def _status_response(self, session: Session, patron: Patron | None, patron_id: str,
                         pin: str | None, language: str, now: datetime) -> m.PatronStatusResponse:
        institution = self.policy.institution_id
        if patron is None:
            return m.PatronStatusResponse(patron_status="YYYY" + " " * 10, language=language,
                                          transaction_date=now, institution_id=institution,
                                          patron_id=patron_id, personal_name="", valid_patron="N",
                                          screen_messages=(UNKNOWN_PATRON,))
        state = self._state(session, patron, now)
        screen = [s for s in (self._account_refusal(state),) if s]
        if pin is not None and pin != patron.pin:
            screen.insert(0, WRONG_PIN)
        return m.PatronStatusResponse(
            patron_status=self._status_flags(state, now), language=language, transaction_date=now,
            institution_id=institution, patron_id=patron.id, personal_name=patron.name,
            valid_patron="Y", valid_patron_password=None if pin is None else _yn(pin == patron.pin),
            currency_type=self.policy.currency, fee_amount=self.policy.money(state.owed_cents),
            screen_messages=tuple(screen))

    def _patron_information(self, session: Session, req: m.PatronInformation, now: datetime,
                            location: str | None) -> Message:
        patron = session.get(Patron, req.patron_id or "")
        institution = self.policy.institution_id
        self._log(session, req, now, patron is not None, "" if patron else "unknown patron")
        if patron is None:
            return m.PatronInformationResponse(
                patron_status="YYYY" + " " * 10, language=req.language, transaction_date=now,
                institution_id=institution, patron_id=req.patron_id or "", personal_name="",
                valid_patron="N", screen_messages=(UNKNOWN_PATRON,))
        state = self._state(session, patron, now)
        pin = req.patron_password
        pin_ok = pin is None or pin == patron.pin
        lists = {
            "hold_items": [h.item_id for h in state.holds if h.ready],
            "overdue_items": [loan.item_id for loan in state.overdue(now)],
            "charged_items": [loan.item_id for loan in state.loans],
            "fine_items": [self._fine_line(f) for f in state.fines],
            "recall_items": [],
            "unavailable_hold_items": [h.item_id for h in state.holds if not h.ready],
        }
        chosen: dict[str, tuple[str, ...]] = {}
        wanted = _summary_kind(req.summary)
        if wanted is not None and pin_ok:
            start, end = _range(req.start_item, req.end_item, len(lists[wanted]))
            chosen[wanted] = tuple(lists[wanted][start - 1:end])
        screen = [s for s in (self._account_refusal(state),) if s]
        if not pin_ok:
            screen.insert(0, WRONG_PIN)
        private = pin_ok  # no personal details for a wrong PIN
        return m.PatronInformationResponse(
            patron_status=self._status_flags(state, now), language=req.language, transaction_date=now,
            hold_items_count=len(lists["hold_items"]), overdue_items_count=len(lists["overdue_items"]),
            charged_items_count=len(lists["charged_items"]), fine_items_count=len(lists["fine_items"]),
            recall_items_count=0, unavailable_holds_count=len(lists["unavailable_hold_items"]),
            institution_id=institution, patron_id=patron.id, personal_name=patron.name,
            hold_items_limit=f"{self.policy.hold_limit:04d}",  # the specification's 4 digits
            overdue_items_limit=f"{self.policy.overdue_limit:04d}",
            charged_items_limit=f"{patron.loan_limit:04d}", valid_patron="Y",
            valid_patron_password=None if pin is None else _yn(pin_ok),
            currency_type=self.policy.currency, fee_amount=self.policy.money(state.owed_cents),
            fee_limit=self.policy.money(self.policy.fine_limit_cents),
            home_address=patron.address if private else None, email=patron.email if private else None,
            home_phone=patron.phone if private else None, screen_messages=tuple(screen), **chosen)

    def _fine_line(self, fine: Fine) -> str:
        item = f" ({fine.item_id})" if fine.item_id else ""
        return f"{fine.id}: {self.policy.money(fine.owed_cents)} {fine.description}{item}"

    def _patron_enable(self, session: Session, req: m.PatronEnable, now: datetime,
                       location: str | None) -> Message:
        patron = session.get(Patron, req.patron_id or "")
        institution = self.policy.institution_id
        if patron is None or self._pin_wrong(patron, req.patron_password):
            self._log(session, req, now, False, "unknown patron" if patron is None else "wrong PIN")
            return m.PatronEnableResponse(
                patron_status="YYYY" + " " * 10, transaction_date=now, institution_id=institution,
                patron_id=req.patron_id or "", personal_name=patron.name if patron else "",
                valid_patron=_yn(patron is not None),
                valid_patron_password=None if patron is None or req.patron_password is None else "N",
                screen_messages=(UNKNOWN_PATRON if patron is None else WRONG_PIN,))
        patron.blocked, patron.block_message = False, None
        state = self._state(session, patron, now)
        self._log(session, req, now, True, "block lifted")
        return m.PatronEnableResponse(
            patron_status=self._status_flags(state, now), transaction_date=now,
            institution_id=institution, patron_id=patron.id, personal_name=patron.name,
            valid_patron="Y", valid_patron_password=None if req.patron_password is None else "Y")

    def _block_patron(self, session: Session, req: m.BlockPatron, now: datetime,
                      location: str | None) -> Message:
        patron = session.get(Patron, req.patron_id or "")
        if patron is not None:
            patron.blocked = True
            patron.block_message = req.blocked_card_message or "blocked by the self-check"
        retained = "card retained" if req.card_retained else "card not retained"
        self._log(session, req, now, patron is not None, f"{retained}: {req.blocked_card_message}")
        return self._status_response(session, patron, req.patron_id or "", None, "000", now)

    def _end_session(self, session: Session, req: m.EndPatronSession, now: datetime,
                     location: str | None) -> Message:
        self._log(session, req, now, True)
        return m.EndSessionResponse(end_session=True, transaction_date=now,
                                    institution_id=self.policy.institution_id,
                                    patron_id=req.patron_id or "")

    def _fee_paid(self, session: Session, req: m.FeePaid, now: datetime, location: str | None) -> Message:
        patron = session.get(Patron, req.patron_id or "")
        try:
            cents = _parse_cents(req.fee_amount)
            if patron is None:
                raise Refused(UNKNOWN_PATRON)
            if req.currency_type.strip() and req.currency_type != self.policy.currency:
                raise Refused(f"Payments are taken in {self.policy.currency} only.")
            fines = self._state(session, patron, now).fines
            if req.fee_identifier:
                fines = [f for f in fines if str(f.id) == req.fee_identifier]
                if not fines:
                    raise Refused(f"No unpaid fee {req.fee_identifier}.")
            owed = sum(f.owed_cents for f in fines)
            if cents > owed:
                raise Refused(f"The payment of {self.policy.money(cents)} is more than the "
                              f"{self.policy.money(owed)} owed.")
        except Refused as refusal:
            self._log(session, req, now, False, str(refusal))
            return m.FeePaidResponse(payment_accepted=False, transaction_date=now,
                                     institution_id=self.policy.institution_id,
                                     patron_id=req.patron_id or "", transaction_id=req.transaction_id,
                                     screen_messages=(str(refusal),))
        left = cents
        for fine in fines:  # oldest first
            part = min(left, fine.owed_cents)
            fine.paid_cents += part
            left -= part
        entry = self._log(session, req, now, True, f"paid {self.policy.money(cents)}")
        return m.FeePaidResponse(payment_accepted=True, transaction_date=now,
                                 institution_id=self.policy.institution_id, patron_id=patron.id,
                                 transaction_id=req.transaction_id or f"PAY{entry.id}",
                                 screen_messages=(f"Thank you: {self.policy.money(cents)} paid.",))

    # --- items ----------------------------------------------------------------------------

    def _checkout(self, session: Session, req: m.Checkout, now: datetime, location: str | None) -> Message:
        patron = session.get(Patron, req.patron_id or "")
        item = session.get(Item, req.item_id or "")
        when = _local(req.transaction_date) if req.no_block and req.transaction_date else now
        overridden: list[str] = []
        renewal = False
        due: datetime | None = None
        try:
            if patron is None:
                raise Refused(UNKNOWN_PATRON)
            if item is None:
                raise Refused(UNKNOWN_ITEM)
            loan = _loan_of(session, item.id)
            if req.cancel == "Y":
                return self._cancel_checkout(session, req, now, patron, item, loan)
            state = self._state(session, patron, now)
            if self._pin_wrong(patron, req.patron_password):
                self._refuse(WRONG_PIN, req.no_block, overridden)
            if loan is not None and loan.patron_id == patron.id:
                if not req.renewal_policy:
                    self._refuse("This item is already checked out to you.", req.no_block, overridden)
                due = self._apply_renewal(session, req, state, item, loan, when, overridden)
                renewal = True
            else:
                self._refuse(self._account_refusal(state), req.no_block, overridden)
                if len(state.loans) >= patron.loan_limit:
                    self._refuse(f"You have reached your limit of {patron.loan_limit} items.",
                                 req.no_block, overridden)
                self._refuse(self._item_refusal(session, item, patron.id), req.no_block, overridden)
                if loan is not None:
                    self._refuse("This item is checked out to another patron. Please see staff.",
                                 req.no_block, overridden)
                    session.delete(loan)  # no block: the loan moves to this patron
                    session.flush()
                due = _local(req.nb_due_date) if req.no_block and req.nb_due_date else self._due(item, when)
                session.add(Loan(item_id=item.id, patron_id=patron.id, checked_out=when, due=due,
                                 renewals=0))
                own = _first_hold(session, item.id)
                if own is not None and own.patron_id == patron.id:
                    session.delete(own)  # the hold is filled
        except Refused as refusal:
            self._log(session, req, now, False, str(refusal))
            return m.CheckoutResponse(
                ok=False, renewal_ok=False, magnetic_media=item.magnetic if item else None,
                desensitize=False, transaction_date=now, institution_id=self.policy.institution_id,
                patron_id=req.patron_id or "", item_id=req.item_id or "",
                title=item.title if item else "", due_date="",
                media_type=item.media_type if item else None, screen_messages=(str(refusal),))
        assert due is not None
        detail = ("renewed" if renewal else "checked out") + f", due {due.isoformat(' ')}"
        if overridden:
            detail += "; no block overrode: " + " / ".join(overridden)
        self._log(session, req, now, True, detail)
        due_text = self.policy.format_due(due)
        return m.CheckoutResponse(
            ok=True, renewal_ok=renewal, magnetic_media=item.magnetic, desensitize=True,
            transaction_date=now, institution_id=self.policy.institution_id, patron_id=patron.id,
            item_id=item.id, title=item.title, due_date=due_text, media_type=item.media_type,
            item_properties=item.properties,
            screen_messages=(("Renewed" if renewal else "Checked out") + f": due {due_text}.",),
            print_lines=(f"{item.title} - due {due_text}",))

    def _cancel_checkout(self, session: Session, req: m.Checkout, now: datetime, patron: Patron,
                         item: Item, loan: Loan | None) -> Message:
        """Undo a checkout the SC could not finish (BI=Y), without a checkin's hold capture."""
        ok = loan is not None and loan.patron_id == patron.id
        if ok:
            session.delete(loan)
        text = "Checkout cancelled." if ok else "This item is not checked out to you."
        self._log(session, req, now, ok, text)
        return m.CheckoutResponse(
            ok=ok, renewal_ok=False, magnetic_media=item.magnetic, desensitize=False,
            transaction_date=now, institution_id=self.policy.institution_id, patron_id=patron.id,
            item_id=item.id, title=item.title, due_date="", media_type=item.media_type,
            screen_messages=(text,))

    def _refuse(self, reason: str | None, no_block: bool, overridden: list[str]) -> None:
        """Refuse for `reason`, unless this is a no-block request, which records it instead."""
        if reason is None:
            return
        if no_block:
            overridden.append(reason)
            return
        raise Refused(reason)

    def _apply_renewal(self, session: Session, req: m.Checkout | m.Renew, state: PatronState,
                       item: Item, loan: Loan, when: datetime, overridden: list[str]) -> datetime:
        """Renew `loan` (rules first, unless no block); returns the new due date."""
        self._refuse(self._account_refusal(state), req.no_block, overridden)
        if loan.renewals >= self.policy.renewal_limit:
            self._refuse(f"This item has already been renewed {loan.renewals} times, the most allowed.",
                         req.no_block, overridden)
        first = _first_hold(session, item.id)
        if first is not None and first.patron_id != loan.patron_id:
            self._refuse(f"{ON_HOLD_FOR_OTHER} It cannot be renewed.", req.no_block, overridden)
        if req.no_block and req.nb_due_date:
            loan.due = _local(req.nb_due_date)
        else:
            loan.due = max(loan.due, self._due(item, when))
        loan.renewals += 1
        return loan.due

    def _checkin(self, session: Session, req: m.Checkin, now: datetime, location: str | None) -> Message:
        item = session.get(Item, req.item_id or "")
        institution = self.policy.institution_id
        if item is None:
            self._log(session, req, now, False, "unknown item")
            return m.CheckinResponse(ok=False, resensitize=False, magnetic_media=None, alert=True,
                                     transaction_date=now, institution_id=institution,
                                     item_id=req.item_id or "", permanent_location="",
                                     screen_messages=(UNKNOWN_ITEM,))
        returned = now
        if req.no_block:
            returned = _local(req.return_date or req.transaction_date) or now
        loan = _loan_of(session, item.id)
        screen: list[str] = []
        borrower = loan.patron_id if loan else None
        if loan is not None:
            fine = self._late_fine(loan, returned)
            if fine:
                session.add(Fine(patron_id=loan.patron_id, item_id=item.id, amount_cents=fine,
                                 paid_cents=0, description="Overdue", created=now))
                screen.append(f"Returned late: a fine of {self.policy.money(fine)} {self.policy.currency}.")
            session.delete(loan)
        else:
            screen.append(NOT_CHECKED_OUT)
        sort_bin, alert = None, loan is None
        waiting = _first_hold(session, item.id)
        if item.lost:
            item.lost = False  # found again
            sort_bin, alert = item.sort_bin or "STAFF", True
            screen.append(f"This item was recorded as lost. {GIVE_TO_STAFF}")
        elif waiting is not None:
            if not waiting.ready:
                waiting.ready = True
                waiting.pickup_by = returned.date() + timedelta(days=self.policy.hold_shelf_days)
            sort_bin, alert = "HOLDS", True
            screen.append(HOLD_TO_STAFF)
        elif item.to_staff:
            sort_bin, alert = item.sort_bin, True
            screen.append(GIVE_TO_STAFF)
        if loan is not None and not screen:
            screen.append("Returned. Thank you.")
        detail = "returned" if loan else "not checked out"
        if sort_bin:
            detail += f"; to sort bin {sort_bin}"
        self._log(session, req, now, loan is not None, detail, patron_id=borrower)
        return m.CheckinResponse(
            ok=loan is not None, resensitize=loan is not None, magnetic_media=item.magnetic,
            alert=alert, transaction_date=now, institution_id=institution, item_id=item.id,
            permanent_location=item.location, title=item.title, sort_bin=sort_bin,
            patron_id=borrower, media_type=item.media_type, item_properties=item.properties,
            screen_messages=tuple(screen))

    def _late_fine(self, loan: Loan, returned: datetime) -> int:
        days = (returned.date() - loan.due.date()).days
        if days <= 0 or self.policy.late_fine_per_day_cents <= 0:
            return 0
        return min(days * self.policy.late_fine_per_day_cents, self.policy.late_fine_max_cents)

    def _renew(self, session: Session, req: m.Renew, now: datetime, location: str | None) -> Message:
        patron = session.get(Patron, req.patron_id or "")
        item = session.get(Item, req.item_id) if req.item_id else None
        if item is None and req.title and patron is not None:
            item = session.scalar(select(Item).join(Loan, Loan.item_id == Item.id).where(
                Loan.patron_id == patron.id, Item.title == req.title).limit(1))
        when = _local(req.transaction_date) if req.no_block and req.transaction_date else now
        overridden: list[str] = []
        try:
            if patron is None:
                raise Refused(UNKNOWN_PATRON)
            if item is None:
                raise Refused(UNKNOWN_ITEM)
            if self._pin_wrong(patron, req.patron_password):
                self._refuse(WRONG_PIN, req.no_block, overridden)
            loan = _loan_of(session, item.id)
            if loan is None or loan.patron_id != patron.id:
                raise Refused("This item is not checked out to you.")
            due = self._apply_renewal(session, req, self._state(session, patron, now), item, loan,
                                      when, overridden)
        except Refused as refusal:
            self._log(session, req, now, False, str(refusal), item_id=item.id if item else None)
            return m.RenewResponse(
                ok=False, renewal_ok=False, magnetic_media=item.magnetic if item else None,
                desensitize=False, transaction_date=now, institution_id=self.policy.institution_id,
                patron_id=req.patron_id or "", item_id=item.id if item else (req.item_id or ""),
                title=item.title if item else (req.title or ""), due_date="",
                media_type=item.media_type if item else None, screen_messages=(str(refusal),))
        detail = f"renewed, due {due.isoformat(' ')}"
        if overridden:
            detail += "; no block overrode: " + " / ".join(overridden)
        self._log(session, req, now, True, detail, item_id=item.id)
        due_text = self.policy.format_due(due)
        return m.RenewResponse(
            ok=True, renewal_ok=True, magnetic_media=item.magnetic, desensitize=False,
            transaction_date=now, institution_id=self.policy.institution_id, patron_id=patron.id,
            item_id=item.id, title=item.title, due_date=due_text, media_type=item.media_type,
            screen_messages=(f"Renewed: due {due_text}.",), print_lines=(f"{item.title} - due {due_text}",))

    def _renew_all(self, session: Session, req: m.RenewAll, now: datetime, location: str | None) -> Message:
        patron = session.get(Patron, req.patron_id or "")
        institution = self.policy.institution_id
        refusal = UNKNOWN_PATRON if patron is None else (
            WRONG_PIN if self._pin_wrong(patron, req.patron_password) else None)
        if patron is not None and refusal is None:
            refusal = self._account_refusal(self._state(session, patron, now))
        if patron is None or refusal is not None:
            self._log(session, req, now, False, refusal or "")
            return m.RenewAllResponse(ok=False, transaction_date=now, institution_id=institution,
                                      screen_messages=(refusal or "",))
        renewed, unrenewed, reasons = [], [], []
        state = self._state(session, patron, now)
        for loan in state.loans:
            item = session.get(Item, loan.item_id)
            try:
                assert item is not None  # a loan's item always exists (foreign key)
                self._apply_renewal(session, m.Renew(institution_id=institution, patron_id=patron.id),
                                    state, item, loan, now, [])
                renewed.append(loan.item_id)
            except Refused as reason:
                unrenewed.append(loan.item_id)
                reasons.append(f"{loan.item_id}: {reason}")
        self._log(session, req, now, True, f"renewed {len(renewed)}, not renewed {len(unrenewed)}"
                  + ("; " + " / ".join(reasons) if reasons else ""))
        return m.RenewAllResponse(ok=True, renewed_count=len(renewed), unrenewed_count=len(unrenewed),
                                  transaction_date=now, institution_id=institution,
                                  renewed_items=tuple(renewed), unrenewed_items=tuple(unrenewed),
                                  screen_messages=(f"{len(renewed)} renewed, {len(unrenewed)} not renewed.",))

    def _item_information(self, session: Session, req: m.ItemInformation, now: datetime,
                          location: str | None) -> Message:
        item = session.get(Item, req.item_id or "")
        if item is None:
            self._log(session, req, now, False, "unknown item")
            return m.ItemInformationResponse(circulation_status="01", security_marker="00",
                                             fee_type="01", transaction_date=now,
                                             item_id=req.item_id or "", title="",
                                             screen_messages=(UNKNOWN_ITEM,))
        loan = _loan_of(session, item.id)
        holds = list(session.scalars(select(Hold).where(Hold.item_id == item.id)))
        ready = next((h for h in holds if h.ready), None)
        extra: tuple[tuple[str, str], ...] = ()
        if item.lost:
            status, text = "12", "Lost"
        elif loan is not None:
            status, text = "04", f"Checked out, due {self.policy.format_due(loan.due)}"
            if self.policy.item_info_patron:
                extra = (("AA", loan.patron_id),)
        elif ready is not None:
            status, text = "08", "Waiting on the hold shelf"
        else:
            status, text = "03", "Available" if item.circulates else "Available for use in the library"
        self._log(session, req, now, True, f"status {status}")
        return m.ItemInformationResponse(
            circulation_status=status, security_marker="01" if item.magnetic else "02", fee_type="01",
            transaction_date=now, hold_queue_length=str(len(holds)),
            due_date=self.policy.format_due(loan.due) if loan else None,
            hold_pickup_date=ready.pickup_by.strftime("%Y%m%d    235959") if ready and ready.pickup_by else None,
            item_id=item.id, title=item.title, owner=self.policy.institution_id,
            media_type=item.media_type, permanent_location=item.location,
            current_location=item.location, item_properties=item.properties,
            screen_messages=(text,), extra=extra)

    def _item_status_update(self, session: Session, req: m.ItemStatusUpdate, now: datetime,
                            location: str | None) -> Message:
        item = session.get(Item, req.item_id or "")
        if item is not None:
            item.properties = req.item_properties or None
        self._log(session, req, now, item is not None, f"properties {req.item_properties!r}")
        return m.ItemStatusUpdateResponse(
            item_properties_ok=item is not None, transaction_date=now, item_id=req.item_id or "",
            title=item.title if item else None, item_properties=item.properties if item else None,
            screen_messages=() if item else (UNKNOWN_ITEM,))

    def _hold(self, session: Session, req: m.Hold, now: datetime, location: str | None) -> Message:
        patron = session.get(Patron, req.patron_id or "")
        item = session.get(Item, req.item_id) if req.item_id else None
        if item is None and req.title:
            item = session.scalar(select(Item).where(Item.title == req.title).order_by(Item.id).limit(1))
        hold: Hold | None = None
        try:
            if patron is None:
                raise Refused(UNKNOWN_PATRON)
            if self._pin_wrong(patron, req.patron_password):
                raise Refused(WRONG_PIN)
            if item is None:
                raise Refused(UNKNOWN_ITEM)
            existing = session.scalar(select(Hold).where(Hold.item_id == item.id,
                                                         Hold.patron_id == patron.id))
            if req.hold_mode == "+":
                state = self._state(session, patron, now)
                if existing is not None:
                    raise Refused("You already have a hold on this item.")
                if refusal := self._account_refusal(state):
                    raise Refused(refusal)
                if len(state.holds) >= self.policy.hold_limit:
                    raise Refused(f"You have reached your limit of {self.policy.hold_limit} holds.")
                if not item.circulates or item.lost:
                    raise Refused("This item cannot be placed on hold.")
                hold = Hold(item_id=item.id, patron_id=patron.id, placed=now,
                            pickup_location=req.pickup_location or location, expires=req.expiration_date,
                            ready=False, pickup_by=None)
                session.add(hold)
                session.flush()
                text = "Hold placed."
            elif req.hold_mode in ("-", "*"):
                if existing is None:
                    raise Refused("You have no hold on this item.")
                hold = existing
                if req.hold_mode == "-":
                    session.delete(existing)
                    text = "Hold cancelled."
                else:
                    hold.pickup_location = req.pickup_location or hold.pickup_location
                    hold.expires = req.expiration_date or hold.expires
                    text = "Hold changed."
            else:
                raise Refused(f"Unknown hold mode {req.hold_mode!r}: use +, - or *.")
        except Refused as refusal:
            self._log(session, req, now, False, str(refusal), item_id=item.id if item else None)
            return m.HoldResponse(ok=False, available=False, transaction_date=now,
                                  institution_id=self.policy.institution_id,
                                  patron_id=req.patron_id or "", item_id=req.item_id,
                                  title=item.title if item else req.title, screen_messages=(str(refusal),))
        queue = list(session.scalars(select(Hold).where(Hold.item_id == item.id)
                                     .order_by(Hold.placed, Hold.id)))
        position = next((i for i, h in enumerate(queue, start=1) if h.patron_id == patron.id), None)
        available = _loan_of(session, item.id) is None and position == 1
        self._log(session, req, now, True, f"hold {req.hold_mode}: {text}", item_id=item.id)
        return m.HoldResponse(
            ok=True, available=available, transaction_date=now,
            expiration_date=hold.expires if req.hold_mode != "-" else None,
            queue_position=str(position) if position else None,
            pickup_location=hold.pickup_location if req.hold_mode != "-" else None,
            institution_id=self.policy.institution_id, patron_id=patron.id, item_id=item.id,
            title=item.title, screen_messages=(text,))


# --- pure helpers -------------------------------------------------------------------------

def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def _local(moment: datetime | None) -> datetime | None:
    """A SIP2 date as naive local time (UTC dates are converted), as the store keeps dates."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone().replace(tzinfo=None)


def _loan_of(session: Session, item_id: str) -> Loan | None:
    return session.scalar(select(Loan).where(Loan.item_id == item_id))


def _first_hold(session: Session, item_id: str) -> Hold | None:
    """The hold first in line for an item: a ready one first, then the oldest."""
    return session.scalar(select(Hold).where(Hold.item_id == item_id)
                          .order_by(Hold.ready.desc(), Hold.placed, Hold.id).limit(1))


def _summary_kind(summary: str) -> str | None:
    """Which item list a 63 summary asks for (the first 'Y'), or None."""
    for kind, flag in zip(SUMMARY_KINDS, summary):
        if flag.upper() == "Y":
            return kind
    return None


def _range(start: str | None, end: str | None, count: int) -> tuple[int, int]:
    """The 1-based, inclusive BP..BQ range; missing or unreadable bounds mean the whole list."""
    first = int(start) if start and start.strip().isdigit() and int(start) > 0 else 1
    last = int(end) if end and end.strip().isdigit() else count
    return first, min(last, count)


def _parse_cents(amount: str | None) -> int:
    """A BV amount ("12.50", "3") in cents; raises Refused for anything else."""
    try:
        value = Decimal((amount or "").strip())
    except InvalidOperation:
        raise Refused(f"Not an amount: {amount!r}.") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise Refused(f"Not an amount: {amount!r}.")
    return int(value * 100)

