"""A small canned SIP2 ACS on a loopback socket for the queue's replay tests.

It speaks real SIP2 through `sip2.connection.Connection`, keeps loans in memory, logs every
checkout, checkin and renew it receives (so a test can see what was applied, and how often),
and has switches for the ways an ACS lets a kiosk down. `connecting` makes the replay's
client factory for it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sip2.client import SIP2Client
from sip2.connection import Connection
from sip2.errors import CodecError
from sip2.messages import (
    ACSStatus,
    Checkin,
    CheckinResponse,
    Checkout,
    CheckoutResponse,
    ItemInformation,
    ItemInformationResponse,
    Login,
    LoginResponse,
    Renew,
    RenewResponse,
    SCStatus,
)

INSTITUTION = "TEST"
_LOGIN = dict(username="kiosk", password="kiosk", institution_id=INSTITUTION, timeout=5.0)


@dataclass(frozen=True)
class Applied:
    """One circulation request as the ACS received it."""

    code: str
    item_id: str
    patron_id: str | None
    transaction_date: datetime | None
    no_block: bool
    due_or_return_date: datetime | None
    ok: bool


class CannedACS:
    """Checkout/checkin/renew/item information over SIP2, with loans in a dict.

    Switches: `refusals` (item id -> screen message: checkouts of it are refused),
    `drop_next` (close before applying), `apply_then_drop_next` (apply, then close without
    a reply), `garble_checkouts` (answer checkouts with bytes that are not SIP2).
    """

    def __init__(self, items: list[str], *, port: int = 0) -> None:
        self.items = set(items)
        self.loans: dict[str, tuple[str, datetime | None]] = {}
        self.log: list[Applied] = []
        self.refusals: dict[str, str] = {}
        self.drop_next = 0
        self.apply_then_drop_next = 0
        self.garble_checkouts = False
        self._port = port
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        self._running = False

    @property
    def address(self) -> tuple[str, int]:
        """Where it listens (or listened, once stopped; a restart uses the same port)."""
        return "127.0.0.1", self._port

    def start(self) -> CannedACS:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self._port))
        listener.listen(16)
        self._port = listener.getsockname()[1]  # a restart listens on the same port
        self._listener, self._running = listener, True
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop listening and close every connection (the ACS goes away)."""
        self._running = False
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
        for sock in list(self._socks):
            _shut(sock)
        for thread in self._threads:
            thread.join(5)
        self._threads.clear()

    def __enter__(self) -> CannedACS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def applied(self, code: str | None = None) -> list[Applied]:
        with self._lock:
            return [a for a in self.log if code is None or a.code == code]

    def _accept(self) -> None:
        assert self._listener is not None
        while self._running:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            self._socks.append(sock)
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, sock: socket.socket) -> None:
        conn = Connection()
        try:
            while self._running:
                data = sock.recv(4096)
                if not data:
                    return
                conn.receive_data(data)
                while (received := conn.next_received()) is not None:
                    request = received.message
                    with self._lock:
                        if self.drop_next:
                            self.drop_next -= 1
                            return
                        if isinstance(request, Checkout) and self.garble_checkouts:
                            sock.sendall(b"this is not SIP2\r")
                            continue
                        reply = self._answer(request)
                        if self.apply_then_drop_next and not isinstance(request, (Login, ItemInformation)):
                            self.apply_then_drop_next -= 1
                            return
                    sock.sendall(conn.reply(reply, received))
        except (OSError, CodecError):
            return
        finally:
            _shut(sock)
            sock.close()

    def _answer(self, request):
        if isinstance(request, Login):
            return LoginResponse(ok=request.login_user_id == "kiosk" and request.login_password == "kiosk")
        if isinstance(request, SCStatus):
            return ACSStatus(online=True, checkin_ok=True, checkout_ok=True, offline_ok=True,
                             institution_id=INSTITUTION, supported_messages="Y" * 16)
        if isinstance(request, ItemInformation):
            loan = self.loans.get(request.item_id)
            return ItemInformationResponse(
                circulation_status="04" if loan else ("03" if request.item_id in self.items else "01"),
                due_date=_due_text(loan[1]) if loan else None, item_id=request.item_id,
                title=f"Title of {request.item_id}")
        if isinstance(request, Checkout):
            return self._checkout(request)
        if isinstance(request, Checkin):
            return self._checkin(request)
        if isinstance(request, Renew):
            return self._renew(request)
        raise CodecError(f"the canned ACS does not answer {request.NAME}")

    def _checkout(self, req: Checkout) -> CheckoutResponse:
        refusal = self.refusals.get(req.item_id) or (None if req.item_id in self.items else "Unknown item.")
        if refusal is None:
            self.loans[req.item_id] = (req.patron_id, req.nb_due_date)
        self.log.append(Applied("11", req.item_id, req.patron_id, req.transaction_date, req.no_block,
                                req.nb_due_date, refusal is None))
        return CheckoutResponse(
            ok=refusal is None, desensitize=refusal is None, transaction_date=datetime.now(),
            institution_id=INSTITUTION, patron_id=req.patron_id, item_id=req.item_id,
            title=f"Title of {req.item_id}", due_date="" if refusal else _due_text(req.nb_due_date),
            screen_messages=(refusal,) if refusal else ("Checked out.",))

    def _checkin(self, req: Checkin) -> CheckinResponse:
        ok = self.loans.pop(req.item_id, None) is not None
        self.log.append(Applied("09", req.item_id, None, req.transaction_date, req.no_block,
                                req.return_date, ok))
        return CheckinResponse(
            ok=ok, resensitize=ok, alert=not ok, transaction_date=datetime.now(),
            institution_id=INSTITUTION, item_id=req.item_id, permanent_location="Main",
            title=f"Title of {req.item_id}",
            screen_messages=("Returned.",) if ok else ("This item was not checked out.",))

    def _renew(self, req: Renew) -> RenewResponse:
        loan = self.loans.get(req.item_id or "")
        ok = loan is not None and loan[0] == req.patron_id
        if ok:
            self.loans[req.item_id or ""] = (req.patron_id, req.nb_due_date)
        self.log.append(Applied("29", req.item_id or "", req.patron_id, req.transaction_date,
                                req.no_block, req.nb_due_date, ok))
        return RenewResponse(
            ok=ok, renewal_ok=ok, transaction_date=datetime.now(), institution_id=INSTITUTION,
            patron_id=req.patron_id, item_id=req.item_id or "", title=f"Title of {req.item_id}",
            due_date=_due_text(req.nb_due_date) if ok else "",
            screen_messages=("Renewed.",) if ok else ("This item is not checked out to you.",))


def connecting(acs: CannedACS, client: type[SIP2Client] = SIP2Client,
               **extra: object) -> Callable[[], SIP2Client]:
    """The replay's client factory: a `client` logged in to the canned ACS (`extra` goes to it)."""
    def factory() -> SIP2Client:
        connected = client(*acs.address, **extra, **_LOGIN)  # type: ignore[arg-type]
        connected.connect()
        return connected
    return factory


def _due_text(due: datetime | None) -> str:
    return due.strftime("%Y-%m-%d %H:%M:%S") if due else ""


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
