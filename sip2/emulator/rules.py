"""Circulation rules of the emulated ACS: each SIP2 request in, its reply out, over the store.

No socket code here: `Circulation.answer` takes a decoded request and returns the reply
message, applying the request to the database in one short transaction and recording it in
the transaction log. The rules themselves live in `patron_rules`, `loan_rules` and
`item_rules`, one function per request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sip2 import messages as m
from sip2.emulator import item_rules, loan_rules, patron_rules
from sip2.emulator.context import Context
from sip2.emulator.policy import Policy
from sip2.emulator.store import Store
from sip2.fields import SUPPORTED_MESSAGES
from sip2.message import Message

Rule = Callable[[Context, Any], Message]


class Circulation:
    """Answers SIP2 requests for one library database, under one policy and SIP2 accounts."""

    def __init__(self, store: Store, policy: Policy | None = None,
                 accounts: Mapping[str, str] | None = None) -> None:
        self.store = store
        self.policy = policy or Policy()
        self.accounts = dict(accounts if accounts is not None else {"kiosk": "kiosk"})
        self._rules: dict[type[Message], Rule] = {
            m.Login: self._login, m.SCStatus: self._sc_status,
            m.PatronStatusRequest: patron_rules.patron_status,
            m.PatronInformation: patron_rules.patron_information,
            m.PatronEnable: patron_rules.patron_enable, m.BlockPatron: patron_rules.block_patron,
            m.EndPatronSession: patron_rules.end_session, m.FeePaid: patron_rules.fee_paid,
            m.Checkout: loan_rules.checkout, m.Checkin: loan_rules.checkin, m.Renew: loan_rules.renew,
            m.RenewAll: loan_rules.renew_all, m.ItemInformation: item_rules.item_information,
            m.ItemStatusUpdate: item_rules.item_status_update, m.Hold: item_rules.hold,
        }

    def answers(self, request: Message) -> bool:
        """Whether `request` is a request this ACS answers (not a reply, 96 or 97)."""
        return type(request) in self._rules

    def answer(self, request: Message, *, now: datetime | None = None,
               location: str | None = None) -> Message:
        """Apply one request and return its reply; `location` is the SC's login location (CP).

        Raises KeyError for a message that is not a request.
        """
        rule = self._rules[type(request)]
        now = now or datetime.now().replace(microsecond=0)
        with self.store.records() as db:
            return rule(Context(db, self.policy, now, location), request)

    def _login(self, ctx: Context, req: m.Login) -> m.LoginResponse:
        """93: check the SC's SIP2 account."""
        user = req.login_user_id or ""
        ok = user in self.accounts and self.accounts[user] == (req.login_password or "")
        ctx.log(req, ok, f"SIP2 login {user!r} from {req.location_code!r}")
        return m.LoginResponse(ok=ok)

    def _sc_status(self, ctx: Context, req: m.SCStatus) -> m.ACSStatus:
        """99: what this ACS allows, its clock, and the messages it supports (all of them)."""
        policy = self.policy
        ctx.log(req, True, f"SC status {req.status_code}")
        return m.ACSStatus(online=True, checkin_ok=True, checkout_ok=True, renewal_policy=True,
                           status_update_ok=True, offline_ok=policy.offline_ok,
                           timeout_period=policy.timeout_period, retries_allowed=policy.retries_allowed,
                           date_time_sync=ctx.now, protocol_version="2.00",
                           institution_id=policy.institution_id, library_name=policy.library_name,
                           supported_messages="Y" * len(SUPPORTED_MESSAGES), terminal_location=ctx.location)
