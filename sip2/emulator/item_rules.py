"""Item requests: 17 item information, 19 item status update and 15 hold."""

from __future__ import annotations

from sip2 import messages as m
from sip2.emulator.accounts import UNKNOWN_PATRON, WRONG_PIN, account_refusal, patron_state, pin_wrong
from sip2.emulator.context import Context, Refused
from sip2.emulator.holdings import UNKNOWN_ITEM, hold_queue, loan_of
from sip2.emulator.records import Hold, Item, Patron


def item_information(ctx: Context, req: m.ItemInformation) -> m.ItemInformationResponse:
    """17: circulation status (03 available, 04 charged, 08 on the hold shelf, 12 lost), due
    date, hold queue; with the borrower in an extra AA field when the policy says so, which
    is how a kiosk learns whether a checkout whose reply was lost went through."""
    policy = ctx.policy
    item = ctx.db.get(Item, req.item_id or "")
    if item is None:
        ctx.log(req, False, "unknown item")
        return m.ItemInformationResponse(circulation_status="01", security_marker="00", fee_type="01",
                                         transaction_date=ctx.now, item_id=req.item_id or "", title="",
                                         screen_messages=(UNKNOWN_ITEM,))
    loan = loan_of(ctx.db, item.id)
    holds = hold_queue(ctx.db, item.id)
    ready = holds[0] if holds and holds[0].ready else None
    extra: tuple[tuple[str, str], ...] = ()
    if item.lost:
        status, text = "12", "Lost"
    elif loan is not None:
        status, text = "04", f"Checked out, due {policy.format_due(loan.due)}"
        if policy.item_info_patron:
            extra = (("AA", loan.patron_id),)
    elif ready is not None:
        status, text = "08", "Waiting on the hold shelf"
    else:
        status, text = "03", "Available" if item.circulates else "Available for use in the library"
    ctx.log(req, True, f"status {status}")
    pickup_by = ready.pickup_by if ready else None
    return m.ItemInformationResponse(
        circulation_status=status, security_marker="01" if item.magnetic else "02", fee_type="01",
        transaction_date=ctx.now, hold_queue_length=str(len(holds)),
        due_date=policy.format_due(loan.due) if loan else None,
        hold_pickup_date=pickup_by.strftime("%Y%m%d    235959") if pickup_by else None,
        item_id=item.id, title=item.title, owner=policy.institution_id, media_type=item.media_type,
        permanent_location=item.location, current_location=item.location,
        item_properties=item.properties, screen_messages=(text,), extra=extra)


def item_status_update(ctx: Context, req: m.ItemStatusUpdate) -> m.ItemStatusUpdateResponse:
    """19: store the item properties (CH) the SC sends."""
    item = ctx.db.get(Item, req.item_id or "")
    if item is not None:
        ctx.db.update(item, properties=req.item_properties or None)
    ctx.log(req, item is not None, f"properties {req.item_properties!r}")
    return m.ItemStatusUpdateResponse(
        item_properties_ok=item is not None, transaction_date=ctx.now, item_id=req.item_id or "",
        title=item.title if item else None, item_properties=item.properties if item else None,
        screen_messages=() if item else (UNKNOWN_ITEM,))


def hold(ctx: Context, req: m.Hold) -> m.HoldResponse:
    """15: place (+), cancel (-) or change (*) a patron's hold on an item (AB, or a title AJ)."""
    db, policy = ctx.db, ctx.policy
    patron = db.get(Patron, req.patron_id or "")
    item = db.get(Item, req.item_id) if req.item_id else None
    if item is None and req.title:
        item = db.first(Item, "title = ?", (req.title,))
    try:
        if patron is None:
            raise Refused(UNKNOWN_PATRON)
        if pin_wrong(patron, req.patron_password):
            raise Refused(WRONG_PIN)
        if item is None:
            raise Refused(UNKNOWN_ITEM)
        existing = db.first(Hold, "item_id = ? AND patron_id = ?", (item.id, patron.id))
        if req.hold_mode == "+":
            if existing is not None:
                raise Refused("You already have a hold on this item.")
            state = patron_state(db, patron, ctx.now)
            if refusal := account_refusal(state, policy):
                raise Refused(refusal)
            if len(state.holds) >= policy.hold_limit:
                raise Refused(f"You have reached your limit of {policy.hold_limit} holds.")
            if not item.circulates or item.lost:
                raise Refused("This item cannot be placed on hold.")
            existing = db.insert(Hold(id=None, item_id=item.id, patron_id=patron.id, placed=ctx.now,
                                      pickup_location=req.pickup_location or ctx.location,
                                      expires=req.expiration_date, ready=False, pickup_by=None))
            text = "Hold placed."
        elif req.hold_mode in ("-", "*"):
            if existing is None:
                raise Refused("You have no hold on this item.")
            if req.hold_mode == "-":
                db.delete(existing)
                text = "Hold cancelled."
            else:
                db.update(existing, pickup_location=req.pickup_location or existing.pickup_location,
                          expires=req.expiration_date or existing.expires)
                text = "Hold changed."
        else:
            raise Refused(f"Unknown hold mode {req.hold_mode!r}: use +, - or *.")
    except Refused as refusal:
        ctx.log(req, False, str(refusal), item_id=item.id if item else None)
        return m.HoldResponse(ok=False, available=False, transaction_date=ctx.now,
                              institution_id=policy.institution_id, patron_id=req.patron_id or "",
                              item_id=req.item_id, title=item.title if item else req.title,
                              screen_messages=(str(refusal),))
    queue = [h.patron_id for h in hold_queue(db, item.id)]
    position = queue.index(patron.id) + 1 if patron.id in queue else None
    kept = req.hold_mode != "-"
    ctx.log(req, True, f"hold {req.hold_mode}: {text}", item_id=item.id)
    return m.HoldResponse(
        ok=True, available=position == 1 and loan_of(db, item.id) is None, transaction_date=ctx.now,
        expiration_date=existing.expires if kept else None,
        queue_position=str(position) if position else None,
        pickup_location=existing.pickup_location if kept else None,
        institution_id=policy.institution_id, patron_id=patron.id, item_id=item.id, title=item.title,
        screen_messages=(text,))
