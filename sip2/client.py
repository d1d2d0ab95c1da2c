"""A blocking SIP2 client over TCP or TLS: one request in flight, safe to share between threads.

The protocol rules live in `sip2.connection`; this module only moves bytes, keeps the
connection alive (reconnect and log in again when the ACS closed it while idle), asks for
resends (96/97, capped), and never resends a checkout, return or renewal blindly after a
timeout or a broken connection: it asks the ACS with a 17 what became of the item and raises
`UnknownOutcome` for the caller to reconcile.
"""

from __future__ import annotations

import logging
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sip2.codec import Received, mask_secrets
from sip2.connection import Connection, ConnectionSettings
from sip2.errors import (
    ChecksumError,
    ClientError,
    CodecError,
    LoginRefused,
    ProtocolError,
    TimedOut,
    UnknownOutcome,
    Unreachable,
)
from sip2.fields import summary_for
from sip2.message import Message, now
from sip2.messages import (
    REPLY_TO,
    ACSStatus,
    BlockPatron,
    Checkin,
    CheckinResponse,
    Checkout,
    CheckoutResponse,
    EndPatronSession,
    EndSessionResponse,
    FeePaid,
    FeePaidResponse,
    Hold,
    HoldResponse,
    ItemInformation,
    ItemInformationResponse,
    ItemStatusUpdate,
    ItemStatusUpdateResponse,
    Login,
    LoginResponse,
    PatronEnable,
    PatronEnableResponse,
    PatronInformation,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
    Renew,
    RenewAll,
    RenewAllResponse,
    RenewResponse,
    RequestSCResend,
    SCStatus,
)

log = logging.getLogger(__name__)

R = TypeVar("R", bound=Message)

# Work of the caller's, run while the ACS answers a request (see `SIP2Client.request`).
Meanwhile = Callable[[], object]

# Requests that change the library's records and must not be sent twice without checking.
_NOT_REPEATABLE = (Checkout, Checkin, Renew, RenewAll, FeePaid, Hold, BlockPatron, ItemStatusUpdate)
# Of those, the ones about one item, whose fate a 17 item information can tell.
_ASK_ABOUT_ITEM = (Checkout, Checkin, Renew)


@dataclass(frozen=True)
class TLSSettings:
    """TLS for the connection to the ACS; verification is on unless switched off explicitly."""

    ca_file: str | None = None  # a custom CA bundle (for a library's own CA)
    cert_file: str | None = None  # a client certificate, when the ACS asks for one
    key_file: str | None = None
    verify: bool = True
    server_hostname: str | None = None  # name to verify, when connecting by address

    def context(self) -> ssl.SSLContext:
        """An SSL context with TLS 1.2 as the minimum version."""
        ctx = ssl.create_default_context(cafile=self.ca_file)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if not self.verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if self.cert_file:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


class SIP2Client:
    """Talks to one ACS. Every public method sends one request and returns the typed reply.

    Raises `Unreachable`, `TimedOut`, `LoginRefused`, `ProtocolError` or (for checkout, checkin and
    renew only) `UnknownOutcome`; all are `ClientError`s with a message a technician can act on.
    """

    def __init__(self, host: str, port: int, *, settings: ConnectionSettings | None = None,
                 tls: TLSSettings | None = None, username: str | None = None,
                 password: str | None = None, location: str | None = None,
                 institution_id: str = "", terminal_password: str = "",
                 timeout: float = 10.0, connect_timeout: float = 5.0, max_resends: int = 3) -> None:
        self.host, self.port = host, port
        self.settings = settings or ConnectionSettings()
        self.tls = tls
        self.username, self.password, self.location = username, password, location
        self.institution_id = institution_id
        self.terminal_password = terminal_password
        self.timeout, self.connect_timeout = timeout, connect_timeout
        self.max_resends = max_resends
        self._lock = threading.RLock()
        self._sock: socket.socket | None = None
        self._conn: Connection | None = None
        self._last_login: LoginResponse | None = None

    # --- connection -----------------------------------------------------------------------

    def __enter__(self) -> SIP2Client:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        """Whether a socket to the ACS is open now."""
        return self._sock is not None

    def connect(self) -> None:
        """Open the connection and log in (when a SIP2 user is configured)."""
        with self._lock:
            if self._sock is None:
                self._open()

    def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        with self._lock:
            sock, self._sock, self._conn = self._sock, None, None
            if sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass

    def _where(self) -> str:
        return f"{self.host}:{self.port}{' (TLS)' if self.tls else ''}"

    def _open(self) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except TimeoutError:
            raise Unreachable(f"no answer from the library system at {self._where()} within "
                              f"{self.connect_timeout:g} s: check the address and any firewall") from None
        except OSError as exc:
            raise Unreachable(f"cannot connect to the library system at {self._where()}: "
                              f"{exc.strerror or exc}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls is not None:
            try:
                sock = self.tls.context().wrap_socket(
                    sock, server_hostname=self.tls.server_hostname or self.host)
            except ssl.SSLCertVerificationError as exc:
                sock.close()
                raise Unreachable(f"the library system's TLS certificate at {self._where()} is not "
                                  f"trusted: {exc.verify_message}") from None
            except (ssl.SSLError, OSError) as exc:
                sock.close()
                raise Unreachable(f"TLS handshake with {self._where()} failed: {exc}") from None
        self._sock, self._conn = sock, Connection(self.settings)
        if self.username is not None:
            try:
                self._last_login = self._login()
            except ClientError:
                self.close()
                raise

    def _login(self) -> LoginResponse:
        try:
            reply = self._exchange(Login(login_user_id=self.username or "",
                                         login_password=self.password or "",
                                         location_code=self.location), LoginResponse)
        except _ConnectionLost as exc:
            raise Unreachable(f"the library system at {self._where()} closed the connection during "
                              f"the SIP2 login ({exc})") from None
        if not reply.ok:
            raise LoginRefused(f"the library system at {self._where()} refused the SIP2 login "
                               f"of user {self.username!r}: check the SIP2 user, password and "
                               "location in the configuration")
        return reply

    def _peer_closed(self) -> bool:
        """Whether the ACS closed the connection while it was idle (readable with nothing to read)."""
        assert self._sock is not None
        try:
            readable, _, _ = select.select([self._sock], [], [], 0)
            if not readable:
                return False
            if isinstance(self._sock, ssl.SSLSocket) and self._sock.pending():
                return False
            self._sock.setblocking(False)
            try:
                return self._sock.recv(1) == b""
            finally:
                self._sock.setblocking(True)
        except (BlockingIOError, ssl.SSLWantReadError):
            return False
        except OSError:
            return True

    # --- one request, one reply -----------------------------------------------------------

    def request(self, message: Message, *, meanwhile: Meanwhile | None = None) -> Message:
        """Send any request and return its reply (the typed message the specification pairs with it).

        `meanwhile`, when given, is called once the request is on the wire and before its reply
        is read, so the caller's own work overlaps the library system's (still one request
        outstanding); it is not called when the request could not be sent. If it raises, the
        connection is closed (the reply is never read) and its error is raised as it is.
        """
        expected = REPLY_TO.get(type(message))
        if expected is None:
            raise ClientError(f"{message.NAME} ({message.CODE}) is not a request an SC sends")
        return self._request(message, expected, meanwhile)

    def _request(self, message: Message, expected: type[R], meanwhile: Meanwhile | None = None) -> R:
        with self._lock:
            if self._sock is not None and self._peer_closed():
                log.info("the ACS closed the idle connection; reconnecting")
                self.close()
            if self._sock is None:
                self._open()
            try:
                return self._exchange(message, expected, meanwhile)
            except _MeanwhileFailed as failed:  # the caller's error, not the connection's
                raise failed.error from None
            except ProtocolError as exc:
                self.close()  # what follows on this connection can no longer be trusted
                if isinstance(message, _ASK_ABOUT_ITEM):
                    raise self._unknown_outcome(message, exc) from None
                raise
            except (TimedOut, _ConnectionLost) as exc:
                self.close()
                if isinstance(message, _ASK_ABOUT_ITEM):
                    raise self._unknown_outcome(message, exc) from None
                if isinstance(exc, _ConnectionLost):
                    if isinstance(message, _NOT_REPEATABLE):
                        raise UnknownOutcome(f"the connection to {self._where()} broke during "
                                             f"{message.NAME}; it may or may not have been applied",
                                             message) from None
                    self._open()  # safe to ask again: the request changes nothing
                    try:
                        return self._exchange(message, expected)
                    except _ConnectionLost as again:
                        self.close()
                        raise Unreachable(f"the connection to {self._where()} broke twice during "
                                          f"{message.NAME}: {again}") from None
                raise

    def _exchange(self, message: Message, expected: type[R], meanwhile: Meanwhile | None = None) -> R:
        assert self._conn is not None
        conn = self._conn
        self._send(conn.send(message))
        if meanwhile is not None:
            self._run_meanwhile(meanwhile)
        resends = 0
        resent = False  # the next reply answers our 97
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                received = self._read(deadline)
            except ChecksumError as exc:
                self._log_refused(conn)
                resends += 1
                if resends > self.max_resends:
                    raise ProtocolError(f"{exc}; still wrong after {self.max_resends} resend requests "
                                        "(check the character set and checksum settings)") from None
                log.info("%s; asking the ACS to resend", exc)
                self._send(conn.resend_request())
                resent = True
                continue
            except CodecError as exc:
                self._log_refused(conn)
                raise ProtocolError(f"the library system sent something that is not SIP2: {exc}") from None
            if not conn.answers_last_request(received, resent=resent):
                # A stale reply (late, or sent twice, for an earlier request): not this answer.
                log.warning("discarded %s with sequence number AY%s while waiting for the answer to "
                            "%s", received.message.NAME, received.sequence, message.NAME)
                continue
            reply = received.message
            if isinstance(reply, RequestSCResend):
                resends += 1
                if resends > self.max_resends:
                    raise ProtocolError(f"the library system asked for {message.NAME} to be resent "
                                        f"{resends - 1} times; giving up (check the checksum and "
                                        "character set settings)")
                log.info("ACS asked for a resend (96)")
                self._send(conn.last_sent or b"")
                resent = False
                continue
            if not isinstance(reply, expected):
                raise ProtocolError(f"sent {message.NAME} ({message.CODE}) and expected "
                                    f"{expected.NAME} ({expected.CODE}), got {reply.NAME} ({reply.CODE})")
            return reply

    def _run_meanwhile(self, meanwhile: Meanwhile) -> None:
        """Run the caller's work while the ACS answers; on its error the reply is abandoned."""
        try:
            meanwhile()
        except BaseException as exc:
            self.close()  # a reply left unread would answer the next request
            raise _MeanwhileFailed(exc) from exc

    def _send(self, data: bytes) -> None:
        assert self._sock is not None
        if log.isEnabledFor(logging.DEBUG):  # masking costs more than the rest of the send
            log.debug("SC -> ACS %s", self._masked(data))
        try:
            self._sock.sendall(data)
        except OSError as exc:
            raise _ConnectionLost(f"sending failed: {exc}") from None

    def _read(self, deadline: float) -> Received:
        assert self._sock is not None and self._conn is not None
        while True:
            received = self._conn.next_received()
            if received is not None:
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("ACS -> SC %s", self._masked(received.raw))
                return received
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimedOut(f"the library system at {self._where()} did not answer within "
                               f"{self.timeout:g} s")
            self._sock.settimeout(left)
            try:
                data = self._sock.recv(65536)
            except TimeoutError:
                continue
            except OSError as exc:
                raise _ConnectionLost(f"reading failed: {exc}") from None
            if not data:
                raise _ConnectionLost("the library system closed the connection")
            self._conn.receive_data(data)

    def _log_refused(self, conn: Connection) -> None:
        """Log a reply that could not be taken (bad checksum, not SIP2), as it came."""
        if log.isEnabledFor(logging.DEBUG) and conn.last_received is not None:
            log.debug("ACS -> SC %s", self._masked(conn.last_received))

    def _masked(self, data: bytes) -> str:
        """A message as text for the debug log and `sip2 client --trace`, secrets masked."""
        return mask_secrets(data.decode(self.settings.encoding, errors="replace"))

    def _unknown_outcome(self, message: Checkout | Checkin | Renew, cause: Exception) -> UnknownOutcome:
        """Ask with a 17 what became of the item; never resend the request itself."""
        status: ItemInformationResponse | None = None
        if message.item_id:
            try:
                self._open()
                status = self._exchange(self._item_information_request(message.item_id),
                                        ItemInformationResponse)
            except ClientError as exc:
                log.warning("could not ask about item after a lost %s reply: %s", message.NAME, exc)
                self.close()
        what = f"{message.NAME} of item {message.item_id!r}"
        return UnknownOutcome(f"no reply to the {what} ({cause}); it may or may not have been "
                              "applied: check the item's status before trying again", message, status)

    # --- one method per message ------------------------------------------------------------

    def login(self) -> LoginResponse:
        """Open a fresh connection and send 93 with the configured SIP2 user; raises LoginRefused."""
        if self.username is None:
            raise ClientError("no SIP2 user is configured, so there is nothing to log in with")
        with self._lock:
            self.close()
            self._open()
            assert self._last_login is not None
            return self._last_login

    def sc_status(self, status_code: str = "0", max_print_width: int = 40) -> ACSStatus:
        """Send 99 (0 ok, 1 printer out of paper, 2 shutting down); the 98 says what the ACS allows."""
        return self._request(SCStatus(status_code=status_code, max_print_width=max_print_width), ACSStatus)

    def patron_status(self, patron_id: str, patron_password: str | None = None) -> PatronStatusResponse:
        """Send 23: is this patron known, blocked, and is the PIN right (CQ)."""
        return self._request(PatronStatusRequest(
            transaction_date=now(), patron_id=patron_id, terminal_password=self.terminal_password,
            patron_password=patron_password or "", institution_id=self.institution_id), PatronStatusResponse)

    def patron_information(self, patron_id: str, patron_password: str | None = None, *,
                           summary: str | None = None, start_item: int | None = None,
                           end_item: int | None = None) -> PatronInformationResponse:
        """Send 63. `summary` names one item list to return ("charged_items", "hold_items",
        "overdue_items", "fine_items", "recall_items", "unavailable_hold_items"); `start_item`
        and `end_item` (1-based) page through it."""
        return self._request(PatronInformation(
            transaction_date=now(), summary=summary_for(summary), patron_id=patron_id,
            terminal_password=self.terminal_password, patron_password=patron_password,
            start_item=None if start_item is None else str(start_item),
            end_item=None if end_item is None else str(end_item), institution_id=self.institution_id), PatronInformationResponse)

    def checkout(self, patron_id: str, item_id: str, *, patron_password: str | None = None,
                 no_block: bool = False, transaction_date: datetime | None = None,
                 nb_due_date: datetime | None = None, renewal_policy: bool = False,
                 fee_acknowledged: bool | None = None, item_properties: str | None = None,
                 meanwhile: Meanwhile | None = None) -> CheckoutResponse:
        """Send 11. For a store-and-forward replay pass `no_block=True` with the original
        transaction date and the due date the patron was given (`meanwhile`: see `request`)."""
        when = transaction_date or now()
        return self._request(Checkout(
            renewal_policy=renewal_policy, no_block=no_block, transaction_date=when,
            nb_due_date=nb_due_date or when,  # strict ACSs drop the connection on a blank one
            patron_id=patron_id, item_id=item_id, terminal_password=self.terminal_password,
            item_properties=item_properties, patron_password=patron_password,
            fee_acknowledged=_yn(fee_acknowledged), institution_id=self.institution_id), CheckoutResponse,
            meanwhile)

    def checkin(self, item_id: str, *, no_block: bool = False, transaction_date: datetime | None = None,
                return_date: datetime | None = None, current_location: str | None = None,
                item_properties: str | None = None, meanwhile: Meanwhile | None = None) -> CheckinResponse:
        """Send 09 (return). A replay passes `no_block=True` and the original return date
        (`meanwhile`: see `request`)."""
        when = transaction_date or now()
        return self._request(Checkin(
            no_block=no_block, transaction_date=when, return_date=return_date or when,
            current_location=current_location or self.location or "", item_id=item_id,
            terminal_password=self.terminal_password, item_properties=item_properties,
            institution_id=self.institution_id), CheckinResponse, meanwhile)

    def renew(self, patron_id: str, item_id: str, *, patron_password: str | None = None,
              no_block: bool = False, transaction_date: datetime | None = None,
              nb_due_date: datetime | None = None, third_party_allowed: bool = False,
              fee_acknowledged: bool | None = None, meanwhile: Meanwhile | None = None) -> RenewResponse:
        """Send 29 for one item (`meanwhile`: see `request`)."""
        when = transaction_date or now()
        return self._request(Renew(
            third_party_allowed=third_party_allowed, no_block=no_block, transaction_date=when,
            nb_due_date=nb_due_date or when, patron_id=patron_id, patron_password=patron_password,
            item_id=item_id, terminal_password=self.terminal_password,
            fee_acknowledged=_yn(fee_acknowledged), institution_id=self.institution_id), RenewResponse,
            meanwhile)

    def renew_all(self, patron_id: str, patron_password: str | None = None, *,
                  fee_acknowledged: bool | None = None) -> RenewAllResponse:
        """Send 65: renew every loan of the patron; BM/BN list what was and was not renewed."""
        return self._request(RenewAll(
            transaction_date=now(), patron_id=patron_id, patron_password=patron_password,
            terminal_password=self.terminal_password, fee_acknowledged=_yn(fee_acknowledged),
            institution_id=self.institution_id), RenewAllResponse)

    def _item_information_request(self, item_id: str) -> ItemInformation:
        return ItemInformation(transaction_date=now(), item_id=item_id,
                               terminal_password=self.terminal_password, institution_id=self.institution_id)

    def item_information(self, item_id: str) -> ItemInformationResponse:
        """Send 17: the item's circulation status, due date, title, holds."""
        return self._request(self._item_information_request(item_id), ItemInformationResponse)

    def item_status_update(self, item_id: str, item_properties: str) -> ItemStatusUpdateResponse:
        """Send 19: change the item's properties field (CH)."""
        return self._request(ItemStatusUpdate(
            transaction_date=now(), item_id=item_id, terminal_password=self.terminal_password,
            item_properties=item_properties, institution_id=self.institution_id), ItemStatusUpdateResponse)

    def patron_enable(self, patron_id: str, patron_password: str | None = None) -> PatronEnableResponse:
        """Send 25: lift a block the SC placed on the patron."""
        return self._request(PatronEnable(
            transaction_date=now(), patron_id=patron_id, terminal_password=self.terminal_password,
            patron_password=patron_password, institution_id=self.institution_id), PatronEnableResponse)

    def hold(self, patron_id: str, *, mode: str = "+", item_id: str | None = None,
             title: str | None = None, pickup_location: str | None = None,
             patron_password: str | None = None, expiration_date: str | None = None) -> HoldResponse:
        """Send 15: place (+), cancel (-) or change (*) a hold."""
        if mode not in "+-*" or len(mode) != 1:
            raise ClientError(f"hold mode must be '+', '-' or '*', got {mode!r}")
        return self._request(Hold(
            hold_mode=mode, transaction_date=now(), expiration_date=expiration_date,
            pickup_location=pickup_location, patron_id=patron_id, patron_password=patron_password,
            item_id=item_id, title=title, terminal_password=self.terminal_password, institution_id=self.institution_id), HoldResponse)

    def end_patron_session(self, patron_id: str, patron_password: str | None = None) -> EndSessionResponse:
        """Send 35 when the patron is done."""
        return self._request(EndPatronSession(
            transaction_date=now(), patron_id=patron_id, terminal_password=self.terminal_password,
            patron_password=patron_password, institution_id=self.institution_id), EndSessionResponse)

    def fee_paid(self, patron_id: str, amount: str, *, fee_type: str = "01", payment_type: str = "00",
                 currency: str = "USD", fee_identifier: str | None = None,
                 transaction_id: str | None = None, patron_password: str | None = None) -> FeePaidResponse:
        """Send 37: record a payment of `amount` (text, e.g. "2.50")."""
        return self._request(FeePaid(
            transaction_date=now(), fee_type=fee_type, payment_type=payment_type,
            currency_type=currency, fee_amount=amount, patron_id=patron_id,
            terminal_password=self.terminal_password, patron_password=patron_password,
            fee_identifier=fee_identifier, transaction_id=transaction_id, institution_id=self.institution_id), FeePaidResponse)

    def block_patron(self, patron_id: str, message: str, *, card_retained: bool = False) -> PatronStatusResponse:
        """Send 01: block the card (for example one reported stolen); the ACS answers with a 24."""
        return self._request(BlockPatron(
            card_retained=card_retained, transaction_date=now(), blocked_card_message=message,
            patron_id=patron_id, terminal_password=self.terminal_password, institution_id=self.institution_id), PatronStatusResponse)


class _ConnectionLost(ClientError):
    """The socket broke in the middle of an exchange (internal: turned into a public error)."""


class _MeanwhileFailed(BaseException):
    """Carries the error of the caller's `meanwhile` past the handling of connection errors."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def _yn(flag: bool | None) -> str | None:
    return None if flag is None else ("Y" if flag else "N")
