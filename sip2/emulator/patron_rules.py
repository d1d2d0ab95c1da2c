"""Patron requests: 23 patron status, 63 patron information, 25 patron enable, 01 block patron,
35 end session and 37 fee paid. Each takes a Context and a request and returns the reply."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sip2 import messages as m
from sip2.emulator.accounts import (
    UNKNOWN_PATRON,
    UNKNOWN_PATRON_STATUS,
    WRONG_PIN,
    account_refusal,
    patron_state,
    pin_wrong,
    status_flags,
)
from sip2.emulator.context import Context, Refused, yes_no
from sip2.emulator.records import Fine, Patron
from sip2.fields import SUMMARY_KINDS


def patron_status(ctx: Context, req: m.PatronStatusRequest) -> m.PatronStatusResponse:
    """23: the patron's status flags, name, fines, and whether card and PIN are valid."""
    patron = ctx.db.get(Patron, req.patron_id or "")
    ctx.log(req, patron is not None, "" if patron else "unknown patron")
    return status_response(ctx, patron, req.patron_id or "", req.patron_password, req.language)


def status_response(ctx: Context, patron: Patron | None, patron_id: str, pin: str | None,
                    language: str) -> m.PatronStatusResponse:
    """The 24 reply for a patron (None: an unknown card); CQ is sent whenever a PIN was."""
    policy = ctx.policy
    if patron is None:
        return m.PatronStatusResponse(patron_status=UNKNOWN_PATRON_STATUS, language=language,
                                      transaction_date=ctx.now, institution_id=policy.institution_id,
                                      patron_id=patron_id, personal_name="", valid_patron="N",
                                      screen_messages=(UNKNOWN_PATRON,))
    state = patron_state(ctx.db, patron, ctx.now)
    screen = [text for text in (account_refusal(state, policy),) if text]
    if pin is not None and pin != patron.pin:
        screen.insert(0, WRONG_PIN)
    return m.PatronStatusResponse(
        patron_status=status_flags(state, policy), language=language, transaction_date=ctx.now,
        institution_id=policy.institution_id, patron_id=patron.id, personal_name=patron.name,
        valid_patron="Y", valid_patron_password=None if pin is None else yes_no(pin == patron.pin),
        currency_type=policy.currency, fee_amount=policy.money(state.owed_cents),
        screen_messages=tuple(screen))


def patron_information(ctx: Context, req: m.PatronInformation) -> m.PatronInformationResponse:
    """63: status plus counts, limits, contact details and the one item list the summary asks for.

    A wrong PIN still gets the status (with CQ=N) but no lists and no contact details.
    """
    policy = ctx.policy
    patron = ctx.db.get(Patron, req.patron_id or "")
    ctx.log(req, patron is not None, "" if patron else "unknown patron")
    if patron is None:
        return m.PatronInformationResponse(
            patron_status=UNKNOWN_PATRON_STATUS, language=req.language, transaction_date=ctx.now,
            institution_id=policy.institution_id, patron_id=req.patron_id or "", personal_name="",
            valid_patron="N", screen_messages=(UNKNOWN_PATRON,))
    state = patron_state(ctx.db, patron, ctx.now)
    pin = req.patron_password
    pin_ok = pin is None or pin == patron.pin
    lists = {
        "hold_items": [h.item_id for h in state.holds if h.ready],
        "overdue_items": [loan.item_id for loan in state.overdue],
        "charged_items": [loan.item_id for loan in state.loans],
        "fine_items": [fine_line(ctx, f) for f in state.fines],
        "recall_items": [],
        "unavailable_hold_items": [h.item_id for h in state.holds if not h.ready],
    }
    chosen: dict[str, Any] = {}  # keyword arguments of the reply: the item lists asked for
    wanted = summary_kind(req.summary)
    if wanted is not None and pin_ok:
        first, last = item_range(req.start_item, req.end_item, len(lists[wanted]))
        chosen[wanted] = tuple(lists[wanted][first - 1:last])
    screen = [text for text in (account_refusal(state, policy),) if text]
    if not pin_ok:
        screen.insert(0, WRONG_PIN)
    return m.PatronInformationResponse(
        patron_status=status_flags(state, policy), language=req.language, transaction_date=ctx.now,
        hold_items_count=len(lists["hold_items"]), overdue_items_count=len(lists["overdue_items"]),
        charged_items_count=len(lists["charged_items"]), fine_items_count=len(lists["fine_items"]),
        recall_items_count=0, unavailable_holds_count=len(lists["unavailable_hold_items"]),
        institution_id=policy.institution_id, patron_id=patron.id, personal_name=patron.name,
        hold_items_limit=f"{policy.hold_limit:04d}",  # the specification's 4 digits
        overdue_items_limit=f"{policy.overdue_limit:04d}",
        charged_items_limit=f"{patron.loan_limit:04d}", valid_patron="Y",
        valid_patron_password=None if pin is None else yes_no(pin_ok),
        currency_type=policy.currency, fee_amount=policy.money(state.owed_cents),
        fee_limit=policy.money(policy.fine_limit_cents),
        home_address=patron.address if pin_ok else None, email=patron.email if pin_ok else None,
        home_phone=patron.phone if pin_ok else None, screen_messages=tuple(screen), **chosen)


def fine_line(ctx: Context, fine: Fine) -> str:
    """A fine as listed in AV: `id: amount description (item)`; the id is what CG names."""
    item = f" ({fine.item_id})" if fine.item_id else ""
    return f"{fine.id}: {ctx.policy.money(fine.owed_cents)} {fine.description}{item}"


def patron_enable(ctx: Context, req: m.PatronEnable) -> m.PatronEnableResponse:
    """25: lift the block on a card."""
    institution = ctx.policy.institution_id
    patron = ctx.db.get(Patron, req.patron_id or "")
    if patron is None or pin_wrong(patron, req.patron_password):
        ctx.log(req, False, "unknown patron" if patron is None else "wrong PIN")
        return m.PatronEnableResponse(
            patron_status=UNKNOWN_PATRON_STATUS, transaction_date=ctx.now, institution_id=institution,
            patron_id=req.patron_id or "", personal_name=patron.name if patron else "",
            valid_patron=yes_no(patron is not None),
            valid_patron_password=None if patron is None or req.patron_password is None else "N",
            screen_messages=(UNKNOWN_PATRON if patron is None else WRONG_PIN,))
    ctx.db.update(patron, blocked=False, block_message=None)
    state = patron_state(ctx.db, patron, ctx.now)
    ctx.log(req, True, "block lifted")
    return m.PatronEnableResponse(
        patron_status=status_flags(state, ctx.policy), transaction_date=ctx.now,
        institution_id=institution, patron_id=patron.id, personal_name=patron.name,
        valid_patron="Y", valid_patron_password=None if req.patron_password is None else "Y")


def block_patron(ctx: Context, req: m.BlockPatron) -> m.PatronStatusResponse:
    """01: block the card (AL says why); answered with a 24 patron status."""
    patron = ctx.db.get(Patron, req.patron_id or "")
    if patron is not None:
        ctx.db.update(patron, blocked=True, block_message=req.blocked_card_message or "blocked by the self-check")
    retained = "card retained" if req.card_retained else "card not retained"
    ctx.log(req, patron is not None, f"{retained}: {req.blocked_card_message}")
    return status_response(ctx, patron, req.patron_id or "", None, "000")


def end_session(ctx: Context, req: m.EndPatronSession) -> m.EndSessionResponse:
    """35: the patron is done at the kiosk."""
    ctx.log(req, True)
    return m.EndSessionResponse(end_session=True, transaction_date=ctx.now,
                                institution_id=ctx.policy.institution_id, patron_id=req.patron_id or "")


def fee_paid(ctx: Context, req: m.FeePaid) -> m.FeePaidResponse:
    """37: pay towards the fines, oldest first, or the one fine named in CG.

    Refused: an unknown patron, another currency, a malformed amount, more than is owed.
    """
    policy = ctx.policy
    patron = ctx.db.get(Patron, req.patron_id or "")
    try:
        cents = parse_cents(req.fee_amount)
        if patron is None:
            raise Refused(UNKNOWN_PATRON)
        if req.currency_type.strip() and req.currency_type != policy.currency:
            raise Refused(f"Payments are taken in {policy.currency} only.")
        fines = patron_state(ctx.db, patron, ctx.now).fines
        if req.fee_identifier:
            fines = [f for f in fines if str(f.id) == req.fee_identifier]
            if not fines:
                raise Refused(f"No unpaid fee {req.fee_identifier}.")
        owed = sum(f.owed_cents for f in fines)
        if cents > owed:
            raise Refused(f"The payment of {policy.money(cents)} is more than the {policy.money(owed)} owed.")
    except Refused as refusal:
        ctx.log(req, False, str(refusal))
        return m.FeePaidResponse(payment_accepted=False, transaction_date=ctx.now,
                                 institution_id=policy.institution_id, patron_id=req.patron_id or "",
                                 transaction_id=req.transaction_id, screen_messages=(str(refusal),))
    left = cents
    for fine in fines:
        part = min(left, fine.owed_cents)
        ctx.db.update(fine, paid_cents=fine.paid_cents + part)
        left -= part
    entry = ctx.log(req, True, f"paid {policy.money(cents)}")
    return m.FeePaidResponse(payment_accepted=True, transaction_date=ctx.now,
                             institution_id=policy.institution_id, patron_id=patron.id,
                             transaction_id=req.transaction_id or f"PAY{entry.id}",
                             screen_messages=(f"Thank you: {policy.money(cents)} paid.",))


def summary_kind(summary: str) -> str | None:
    """Which item list a 63 summary asks for (the first 'Y'), or None."""
    for kind, flag in zip(SUMMARY_KINDS, summary):
        if flag.upper() == "Y":
            return kind
    return None


def item_range(start: str | None, end: str | None, count: int) -> tuple[int, int]:
    """The 1-based, inclusive BP..BQ range; missing or unreadable bounds mean the whole list."""
    first = int(start) if start and start.strip().isdigit() and int(start) > 0 else 1
    last = int(end) if end and end.strip().isdigit() else count
    return first, min(last, count)


def parse_cents(amount: str | None) -> int:
    """A BV amount ("12.50", "3") in cents; raises Refused for anything else."""
    try:
        value = Decimal((amount or "").strip())
    except InvalidOperation:
        raise Refused(f"Not an amount: {amount!r}.") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise Refused(f"Not an amount: {amount!r}.")
    return int(value * 100)
