"""Loan requests: 11 checkout, 09 checkin, 29 renew and 65 renew all.

No-block requests (store and forward) are accepted even where a rule would refuse them;
`Overrides` keeps the refusals they went past, for the transaction log. Only an unknown
patron or item is refused whatever the request says: there is nothing to lend.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sip2 import messages as m
from sip2.emulator.accounts import UNKNOWN_PATRON, WRONG_PIN, PatronState, account_refusal, patron_state, pin_wrong
from sip2.emulator.context import Context, Refused, local_time
from sip2.emulator.holdings import ON_HOLD_FOR_OTHER, UNKNOWN_ITEM, due_date, first_hold, item_refusal, loan_of
from sip2.emulator.records import Fine, Item, Loan, Patron

GIVE_TO_STAFF = "Please give this item to staff."
HOLD_TO_STAFF = "This item is on hold for another patron: please give it to staff."
NOT_CHECKED_OUT = "This item was not checked out."
HOLD_SORT_BIN = "HOLDS"


class Overrides:
    """Refuses for a rule's reason, unless the request is no-block: then the reason is kept."""

    def __init__(self, no_block: bool) -> None:
        self.no_block = no_block
        self.reasons: list[str] = []

    def check(self, reason: str | None) -> None:
        """Refuse (raise Refused) for `reason`, or note it for a no-block request; None passes."""
        if reason is None:
            return
        if not self.no_block:
            raise Refused(reason)
        self.reasons.append(reason)

    def note(self) -> str:
        """What to add to the log line."""
        return "; no block overrode: " + " / ".join(self.reasons) if self.reasons else ""


def honours_no_block(ctx: Context, req: m.Checkout | m.Checkin | m.Renew) -> bool:
    """Whether to treat the request as no-block: it says so, and the policy implements it."""
    return req.no_block and ctx.policy.honour_no_block


def loan_time(ctx: Context, req: m.Checkout | m.Renew, overrides: Overrides) -> datetime:
    """When a loan or renewal counts from: the SC's transaction date for a no-block request
    (it happened offline, then), else now."""
    return local_time(req.transaction_date) if overrides.no_block and req.transaction_date else ctx.now


def checkout(ctx: Context, req: m.Checkout) -> m.CheckoutResponse:
    """11: lend the item; an item already out to this patron is renewed if the SC allows it."""
    db, policy = ctx.db, ctx.policy
    patron = db.get(Patron, req.patron_id or "")
    item = db.get(Item, req.item_id or "")
    overrides = Overrides(honours_no_block(ctx, req))
    when = loan_time(ctx, req, overrides)
    try:
        if patron is None:
            raise Refused(UNKNOWN_PATRON)
        if item is None:
            raise Refused(UNKNOWN_ITEM)
        loan = loan_of(db, item.id)
        if req.cancel == "Y":
            return cancel_checkout(ctx, req, patron, item, loan)
        state = patron_state(db, patron, ctx.now)
        overrides.check(WRONG_PIN if pin_wrong(patron, req.patron_password) else None)
        if loan is not None and loan.patron_id == patron.id:
            renewal = True
            overrides.check(None if req.renewal_policy else "This item is already checked out to you.")
            due = renew_loan(ctx, req, state, item, loan, when, overrides)
        else:
            renewal = False
            due = lend(ctx, req, state, item, loan, when, overrides)
    except Refused as refusal:
        ctx.log(req, False, str(refusal))
        return m.CheckoutResponse(
            ok=False, renewal_ok=False, magnetic_media=item.magnetic if item else None,
            desensitize=False, transaction_date=ctx.now, institution_id=policy.institution_id,
            patron_id=req.patron_id or "", item_id=req.item_id or "", title=item.title if item else "",
            due_date="", media_type=item.media_type if item else None, screen_messages=(str(refusal),))
    ctx.log(req, True, f"{'renewed' if renewal else 'checked out'}, due {due.isoformat(' ')}{overrides.note()}")
    due_text = policy.format_due(due)
    return m.CheckoutResponse(
        ok=True, renewal_ok=renewal, magnetic_media=item.magnetic, desensitize=True,
        transaction_date=ctx.now, institution_id=policy.institution_id, patron_id=patron.id,
        item_id=item.id, title=item.title, due_date=due_text, media_type=item.media_type,
        item_properties=item.properties,
        screen_messages=(f"{'Renewed' if renewal else 'Checked out'}: due {due_text}.",),
        print_lines=(f"{item.title} - due {due_text}",))


def lend(ctx: Context, req: m.Checkout, state: PatronState, item: Item, loan: Loan | None,
         when: datetime, overrides: Overrides) -> datetime:
    """Create the loan after the account, limit and item rules; returns its due date."""
    db, patron = ctx.db, state.patron
    overrides.check(account_refusal(state, ctx.policy))
    if len(state.loans) >= patron.loan_limit:
        overrides.check(f"You have reached your limit of {patron.loan_limit} items.")
    first = first_hold(db, item.id)  # read once: lending changes no hold but this patron's own
    overrides.check(item_refusal(item, patron.id, first))
    if loan is not None:
        overrides.check("This item is checked out to another patron. Please see staff.")
        db.delete(loan)  # no block: the loan moves to this patron
    nb_due = local_time(req.nb_due_date) if overrides.no_block else None
    due = nb_due or due_date(ctx.policy, item, when)
    db.insert(Loan(id=None, item_id=item.id, patron_id=patron.id, checked_out=when, due=due, renewals=0))
    if first is not None and first.patron_id == patron.id:
        db.delete(first)  # the hold is filled
    return due


def cancel_checkout(ctx: Context, req: m.Checkout, patron: Patron, item: Item,
                    loan: Loan | None) -> m.CheckoutResponse:
    """11 with BI=Y: undo a checkout the SC could not finish, without a checkin's hold capture."""
    ok = loan is not None and loan.patron_id == patron.id
    if loan is not None and ok:
        ctx.db.delete(loan)
    text = "Checkout cancelled." if ok else "This item is not checked out to you."
    ctx.log(req, ok, text)
    return m.CheckoutResponse(
        ok=ok, renewal_ok=False, magnetic_media=item.magnetic, desensitize=False,
        transaction_date=ctx.now, institution_id=ctx.policy.institution_id, patron_id=patron.id,
        item_id=item.id, title=item.title, due_date="", media_type=item.media_type,
        screen_messages=(text,))


def renew_loan(ctx: Context, req: m.Checkout | m.Renew, state: PatronState, item: Item, loan: Loan,
               when: datetime, overrides: Overrides) -> datetime:
    """Renew `loan` after the account, renewal-limit and hold rules; returns the new due date.

    The new due date counts from `when` but never comes before the current one.
    """
    policy = ctx.policy
    overrides.check(account_refusal(state, policy))
    if loan.renewals >= policy.renewal_limit:
        overrides.check(f"This item has already been renewed {loan.renewals} times, the most allowed.")
    first = first_hold(ctx.db, item.id)
    if first is not None and first.patron_id != loan.patron_id:
        overrides.check(f"{ON_HOLD_FOR_OTHER} It cannot be renewed.")
    nb_due = local_time(req.nb_due_date) if overrides.no_block else None
    ctx.db.update(loan, due=nb_due or max(loan.due, due_date(policy, item, when)), renewals=loan.renewals + 1)
    return loan.due


def checkin(ctx: Context, req: m.Checkin) -> m.CheckinResponse:
    """09: end the loan; fine a late return; route items for holds, staff or lost to a sort bin."""
    db, policy = ctx.db, ctx.policy
    item = db.get(Item, req.item_id or "")
    if item is None:
        ctx.log(req, False, "unknown item")
        return m.CheckinResponse(ok=False, resensitize=False, magnetic_media=None, alert=True,
                                 transaction_date=ctx.now, institution_id=policy.institution_id,
                                 item_id=req.item_id or "", permanent_location="",
                                 screen_messages=(UNKNOWN_ITEM,))
    no_block = honours_no_block(ctx, req)
    returned = (local_time(req.return_date or req.transaction_date) if no_block else None) or ctx.now
    loan = loan_of(db, item.id)
    borrower = loan.patron_id if loan else None
    screen: list[str] = []
    if loan is not None:
        if fine := late_fine(ctx, loan, returned):
            db.insert(Fine(id=None, patron_id=loan.patron_id, item_id=item.id, amount_cents=fine,
                           paid_cents=0, description="Overdue", created=ctx.now))
            screen.append(f"Returned late: a fine of {policy.money(fine)} {policy.currency}.")
        db.delete(loan)
    else:
        screen.append(NOT_CHECKED_OUT)
    sort_bin, alert = None, loan is None
    waiting = first_hold(db, item.id)
    if item.lost:
        db.update(item, lost=False)  # found again
        sort_bin, alert = item.sort_bin or "STAFF", True
        screen.append(f"This item was recorded as lost. {GIVE_TO_STAFF}")
    elif waiting is not None:
        if not waiting.ready:
            db.update(waiting, ready=True,
                      pickup_by=returned.date() + timedelta(days=policy.hold_shelf_days))
        sort_bin, alert = HOLD_SORT_BIN, True
        screen.append(HOLD_TO_STAFF)
    elif item.to_staff:
        sort_bin, alert = item.sort_bin, True
        screen.append(GIVE_TO_STAFF)
    if loan is not None and not screen:
        screen.append("Returned. Thank you.")
    detail = ("returned" if loan else "not checked out") + (f"; to sort bin {sort_bin}" if sort_bin else "")
    ctx.log(req, loan is not None, detail, patron_id=borrower)
    return m.CheckinResponse(
        ok=loan is not None, resensitize=loan is not None, magnetic_media=item.magnetic, alert=alert,
        transaction_date=ctx.now, institution_id=policy.institution_id, item_id=item.id,
        permanent_location=item.location, title=item.title, sort_bin=sort_bin, patron_id=borrower,
        media_type=item.media_type, item_properties=item.properties, screen_messages=tuple(screen))


def late_fine(ctx: Context, loan: Loan, returned: datetime) -> int:
    """Cents owed for returning `loan` on `returned` (0 when on time or fines are off)."""
    days = (returned.date() - loan.due.date()).days
    if days <= 0 or ctx.policy.late_fine_per_day_cents <= 0:
        return 0
    return min(days * ctx.policy.late_fine_per_day_cents, ctx.policy.late_fine_max_cents)


def renew(ctx: Context, req: m.Renew) -> m.RenewResponse:
    """29: renew one loan, named by item (AB) or by title (AJ) among the patron's loans."""
    db, policy = ctx.db, ctx.policy
    patron = db.get(Patron, req.patron_id or "")
    item = db.get(Item, req.item_id) if req.item_id else None
    if item is None and req.title and patron is not None:
        item = db.first(Item, "title = ? AND id IN (SELECT item_id FROM loans WHERE patron_id = ?)",
                        (req.title, patron.id))
    overrides = Overrides(honours_no_block(ctx, req))
    when = loan_time(ctx, req, overrides)
    try:
        if patron is None:
            raise Refused(UNKNOWN_PATRON)
        if item is None:
            raise Refused(UNKNOWN_ITEM)
        overrides.check(WRONG_PIN if pin_wrong(patron, req.patron_password) else None)
        loan = loan_of(db, item.id)
        if loan is None or loan.patron_id != patron.id:
            raise Refused("This item is not checked out to you.")
        due = renew_loan(ctx, req, patron_state(db, patron, ctx.now), item, loan, when, overrides)
    except Refused as refusal:
        ctx.log(req, False, str(refusal), item_id=item.id if item else None)
        return m.RenewResponse(
            ok=False, renewal_ok=False, magnetic_media=item.magnetic if item else None,
            desensitize=False, transaction_date=ctx.now, institution_id=policy.institution_id,
            patron_id=req.patron_id or "", item_id=item.id if item else (req.item_id or ""),
            title=item.title if item else (req.title or ""), due_date="",
            media_type=item.media_type if item else None, screen_messages=(str(refusal),))
    ctx.log(req, True, f"renewed, due {due.isoformat(' ')}{overrides.note()}", item_id=item.id)
    due_text = policy.format_due(due)
    return m.RenewResponse(
        ok=True, renewal_ok=True, magnetic_media=item.magnetic, desensitize=False,
        transaction_date=ctx.now, institution_id=policy.institution_id, patron_id=patron.id,
        item_id=item.id, title=item.title, due_date=due_text, media_type=item.media_type,
        screen_messages=(f"Renewed: due {due_text}.",), print_lines=(f"{item.title} - due {due_text}",))


def renew_all(ctx: Context, req: m.RenewAll) -> m.RenewAllResponse:
    """65: renew every loan the rules allow; BM lists those renewed, BN the others."""
    db, institution = ctx.db, ctx.policy.institution_id
    patron = db.get(Patron, req.patron_id or "")
    refusal = UNKNOWN_PATRON if patron is None else WRONG_PIN if pin_wrong(patron, req.patron_password) else None
    state = patron_state(db, patron, ctx.now) if patron is not None else None
    if refusal is None and state is not None:
        refusal = account_refusal(state, ctx.policy)
    if refusal is not None or state is None:
        ctx.log(req, False, refusal or "")
        return m.RenewAllResponse(ok=False, transaction_date=ctx.now, institution_id=institution,
                                  screen_messages=(refusal or "",))
    renewed, unrenewed, reasons = [], [], []
    for loan in state.loans:
        item = db.get(Item, loan.item_id)
        assert item is not None  # a loan's item always exists (foreign key)
        try:
            renew_loan(ctx, m.Renew(institution_id=institution, patron_id=state.patron.id), state,
                       item, loan, ctx.now, Overrides(no_block=False))
            renewed.append(loan.item_id)
        except Refused as reason:
            unrenewed.append(loan.item_id)
            reasons.append(f"{loan.item_id}: {reason}")
    ctx.log(req, True, f"renewed {len(renewed)}, not renewed {len(unrenewed)}"
            + ("; " + " / ".join(reasons) if reasons else ""))
    return m.RenewAllResponse(ok=True, renewed_count=len(renewed), unrenewed_count=len(unrenewed),
                              transaction_date=ctx.now, institution_id=institution,
                              renewed_items=tuple(renewed), unrenewed_items=tuple(unrenewed),
                              screen_messages=(f"{len(renewed)} renewed, {len(unrenewed)} not renewed.",))
