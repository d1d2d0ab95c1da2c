"""What every circulation rule works with: one request's records, the policy, and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import overload

from sip2.emulator.policy import Policy
from sip2.emulator.records import Records, Transaction
from sip2.message import Message


class Refused(Exception):
    """A rule said no; the message is what the patron reads on the screen (AF)."""


@dataclass(frozen=True)
class Context:
    """One request being answered: its records (one transaction), the policy, the time it is
    applied, and the SC's login location (CP)."""

    db: Records
    policy: Policy
    now: datetime
    location: str | None = None

    def log(self, request: Message, ok: bool, detail: str = "", *, patron_id: str | None = None,
            item_id: str | None = None) -> Transaction:
        """Record the request in the transaction log (patron and item default to the request's)."""
        return self.db.insert(Transaction(
            id=None, at=self.now, transaction_date=local_time(getattr(request, "transaction_date", None)),
            code=request.CODE, patron_id=patron_id or getattr(request, "patron_id", None),
            item_id=item_id or getattr(request, "item_id", None), ok=ok,
            no_block=bool(getattr(request, "no_block", False)), detail=detail))


@overload
def local_time(moment: datetime) -> datetime: ...
@overload
def local_time(moment: None) -> None: ...
def local_time(moment: datetime | None) -> datetime | None:
    """A SIP2 date as naive local time (UTC dates are converted), as the store keeps dates."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone().replace(tzinfo=None)


def yes_no(flag: bool) -> str:
    """'Y' or 'N', as BL and CQ are sent."""
    return "Y" if flag else "N"
