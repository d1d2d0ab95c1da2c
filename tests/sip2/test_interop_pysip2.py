"""Interoperability with PyPI `pysip2` (0.1.0), an independent SIP2 implementation.

Two halves:
- our `SIP2Client` drives pysip2's ACS (an anyio TCP server, run in a background thread on
  127.0.0.1 with an ephemeral port) through login, status, patron and circulation messages,
  and every reply is checked field by field, as is every request as pysip2 decoded it; then
  its strict cases (refused login, no login, CRLF, checksums off) and, through a relay that
  spoils checksums, the 96 and 97 resends in both directions;
- pysip2's codec and ours agree on every message type both define: pysip2's bytes decode
  with ours to the same field values, and ours decode with pysip2 to the same values.

pysip2 is strict, so the client is set up the way such an ACS wants: cp850, CR terminator,
checksums on, a real nb due date, AC always present, and a correct login.
"""

from __future__ import annotations

import socket
import threading
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

pysip2 = pytest.importorskip("pysip2")

from anyio.from_thread import start_blocking_portal  # noqa: E402  (pysip2 depends on anyio)
from pysip2 import models as pm, types as pt  # noqa: E402
from pysip2.models import MESSAGE_SPECS_BY_ID  # noqa: E402

from sip2.checksum import ChecksumMode  # noqa: E402
from sip2.client import SIP2Client  # noqa: E402
from sip2.codec import decode, encode  # noqa: E402
from sip2.connection import ConnectionSettings  # noqa: E402
from sip2.errors import LoginRefused, ProtocolError, Unreachable  # noqa: E402
from sip2.message import MESSAGES, Kind, Message, spec_of  # noqa: E402

pytestmark = pytest.mark.timeout(60)

ENCODING = "cp850"  # pysip2's default character set
SIP_USER, SIP_PASSWORD, LOCATION = "kiosk-1", "s3cret", "Lobby"
INSTITUTION = "Bibliothèque Centrale"  # non-ASCII on purpose: checksums are over cp850 bytes
TERMINAL_PASSWORD = "term-pw"
PATRON, PATRON_PIN, PATRON_NAME = "23000001", "1234", "Zoë Ødegård"
ITEM, TITLE = "39000000123", "Café crème: a history"
WHEN = datetime(2026, 1, 30, 10, 15, 0)
WHEN_TEXT = "20260130    101500"  # WHEN as an 18-character local SIP2 date
DUE_TEXT = "2026-02-27 23:59:59"


# --- pysip2's ACS, in a thread --------------------------------------------------------------

def _acs(seen: list[Any], **options: Any) -> pysip2.SIP2Server:
    """A pysip2 ACS with a handler per message the kiosk sends; every request lands in `seen`.

    `options` go to pysip2's server as they are (for example error_detection="required")."""
    acs = pysip2.SIP2Server(institution_id=INSTITUTION, library_name="Central Library",
                            terminal_location=LOCATION, login_required=True, offline_ok=False,
                            **options)

    @acs.route(pysip2.LOGIN)
    async def login(req: pm.LoginRequest, ctx: Any) -> pm.LoginResponse:
        seen.append(req)
        good = (req.login_user_id, req.login_password) == (SIP_USER, SIP_PASSWORD)
        return pm.LoginResponse(ok="1" if good else "0")

    @acs.route(pysip2.SC_STATUS)
    async def sc_status(req: pm.SCStatusRequest, ctx: Any) -> pm.ACSStatusResponse:
        seen.append(req)
        return ctx.server.build_acs_status(req)

    @acs.route(pysip2.PATRON_STATUS)
    async def patron_status(req: pm.PatronStatusRequest, ctx: Any) -> pm.PatronStatusResponse:
        seen.append(req)
        return pm.PatronStatusResponse(
            patron_status="  Y           ", language="001", transaction_date=WHEN_TEXT,
            institution_id=req.institution_id, patron_identifier=req.patron_identifier,
            personal_name=PATRON_NAME, valid_patron="Y",
            valid_patron_password="Y" if req.patron_password == PATRON_PIN else "N",
            currency_type="EUR", fee_amount="2.50",
            screen_message=("Welcome", "You owe 2.50"), print_line=("Receipt line",))

    @acs.route(pysip2.PATRON_INFORMATION)
    async def patron_information(req: pm.PatronInformationRequest, ctx: Any) -> pm.PatronInformationResponse:
        seen.append(req)
        return pm.PatronInformationResponse(
            patron_status=" " * 14, language="001", transaction_date=WHEN_TEXT,
            hold_items_count="0001", overdue_items_count="0000", charged_items_count="0003",
            fine_items_count="0000", recall_items_count="0000", unavailable_holds_count="0000",
            institution_id=req.institution_id, patron_identifier=req.patron_identifier,
            personal_name=PATRON_NAME, charged_items_limit="0020", valid_patron="Y",
            valid_patron_password="Y", charged_items=("39000000001", "39000000002", "39000000003"),
            email_address="zoe@example.org", home_phone_number="555-0100")

    @acs.route(pysip2.CHECKOUT)
    async def checkout(req: pm.CheckoutRequest, ctx: Any) -> pm.CheckoutResponse:
        seen.append(req)
        return pm.CheckoutResponse(
            ok="1", renewal_ok="N", magnetic_media="U", desensitize="Y",
            transaction_date=WHEN_TEXT, institution_id=req.institution_id,
            patron_identifier=req.patron_identifier, item_identifier=req.item_identifier,
            title_identifier=TITLE, due_date=DUE_TEXT, fee_type="01", security_inhibit="N",
            currency_type="EUR", fee_amount="0.00", media_type="001",
            item_properties="2 discs", transaction_id="T-77",
            screen_message=("Due 27 February",), print_line=(TITLE,))

    @acs.route(pysip2.CHECKIN)
    async def checkin(req: pm.CheckinRequest, ctx: Any) -> pm.CheckinResponse:
        seen.append(req)
        return pm.CheckinResponse(
            ok="1", resensitize="Y", magnetic_media="N", alert="Y", transaction_date=WHEN_TEXT,
            institution_id=req.institution_id, item_identifier=req.item_identifier,
            permanent_location="Stacks 2", title_identifier=TITLE, sort_bin="B3",
            patron_identifier="23000099", media_type="001",
            screen_message=("On hold for another patron",))

    @acs.route(pysip2.RENEW)
    async def renew(req: pm.RenewRequest, ctx: Any) -> pm.RenewResponse:
        seen.append(req)
        return pm.RenewResponse(
            ok="0", renewal_ok="N", magnetic_media="N", desensitize="N",
            transaction_date=WHEN_TEXT, institution_id=req.institution_id,
            patron_identifier=req.patron_identifier, item_identifier=req.item_identifier or "",
            title_identifier=TITLE, due_date="", screen_message=("Item is on hold",))

    @acs.route(pysip2.ITEM_INFORMATION)
    async def item_information(req: pm.ItemInformationRequest, ctx: Any) -> pm.ItemInformationResponse:
        seen.append(req)
        return pm.ItemInformationResponse(
            circulation_status="04", security_marker="02", fee_type="01",
            transaction_date=WHEN_TEXT, hold_queue_length="2", due_date=DUE_TEXT,
            item_identifier=req.item_identifier, title_identifier=TITLE, owner="Central",
            media_type="001", permanent_location="Stacks 2", current_location="Lobby")

    @acs.route(pysip2.END_PATRON_SESSION)
    async def end_session(req: pm.EndPatronSessionRequest, ctx: Any) -> pm.EndSessionResponse:
        seen.append(req)
        return pm.EndSessionResponse(end_session="Y", transaction_date=WHEN_TEXT,
                                     institution_id=req.institution_id,
                                     patron_identifier=req.patron_identifier,
                                     screen_message=("Goodbye",))

    return acs


@contextmanager
def running(acs: pysip2.SIP2Server) -> Iterator[int]:
    """Serve `acs` on 127.0.0.1 (ephemeral port) in a background event loop; yield the port."""
    with start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(acs.start("127.0.0.1", 0)) as port:
            yield port


class DamagingRelay:
    """A TCP relay on 127.0.0.1 between our client and the ACS that spoils the checksum of the
    first `damage_requests` requests and `damage_replies` replies, and records every message."""

    def __init__(self, acs_port: int, *, damage_requests: int = 0, damage_replies: int = 0) -> None:
        self.acs_port = acs_port
        self.damage_left = {"request": damage_requests, "reply": damage_replies}
        self.seen: dict[str, list[bytes]] = {"request": [], "reply": []}
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(5)
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = [self._listener]
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        try:
            client, _ = self._listener.accept()
        except OSError:
            return
        acs = socket.create_connection(("127.0.0.1", self.acs_port), timeout=5)
        self._sockets += [client, acs]  # close() hangs these up too
        for source, sink, way in ((client, acs, "request"), (acs, client, "reply")):
            thread = threading.Thread(target=self._pump, args=(source, sink, way), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _pump(self, source: socket.socket, sink: socket.socket, way: str) -> None:
        buffer = b""
        try:
            while data := source.recv(65536):
                buffer += data
                while (end := buffer.find(b"\r")) >= 0:
                    frame, buffer = buffer[:end], buffer[end + 1:]
                    self.seen[way].append(frame)
                    if self.damage_left[way] > 0:
                        self.damage_left[way] -= 1
                        frame = frame[:-1] + (b"1" if frame[-1:] == b"0" else b"0")  # last checksum digit
                    sink.sendall(frame + b"\r")
        except OSError:
            pass  # one side closed: the relay is done
        finally:
            _hang_up(sink)

    def close(self) -> None:
        """Close every socket and wait for the relay's threads."""
        for sock in self._sockets:
            _hang_up(sock)
        for thread in self._threads:
            thread.join(5)


def _hang_up(sock: socket.socket) -> None:
    """Shut a socket down (which wakes a thread blocked reading it), then close it."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # not connected, or already shut down
    sock.close()


@contextmanager
def damaging_relay(acs_port: int, **damage: int) -> Iterator[DamagingRelay]:
    """A DamagingRelay for the length of the block."""
    relay = DamagingRelay(acs_port, **damage)
    try:
        yield relay
    finally:
        relay.close()


def _client(port: int, **overrides: Any) -> SIP2Client:
    """Our client set up as pysip2 wants it (cp850, CR, checksums on); `overrides` win."""
    settings = overrides.pop("settings", ConnectionSettings(
        encoding=ENCODING, terminator=b"\r", checksums=ChecksumMode.ON))
    options: dict[str, Any] = dict(
        settings=settings, username=SIP_USER, password=SIP_PASSWORD, location=LOCATION,
        institution_id=INSTITUTION, terminal_password=TERMINAL_PASSWORD,
        timeout=5.0, connect_timeout=5.0)
    options.update(overrides)
    return SIP2Client("127.0.0.1", port, **options)


@pytest.fixture()
def seen() -> list[Any]:
    """Every request the ACS received, as pysip2 decoded it."""
    return []


@pytest.fixture()
def acs_port(seen: list[Any]) -> Iterator[int]:
    with running(_acs(seen)) as port:
        yield port


# --- our client against pysip2's ACS ---------------------------------------------------------

def test_login_and_sc_status(acs_port: int, seen: list[Any]) -> None:
    with _client(acs_port) as client:
        assert client.login().ok is True
        status = client.sc_status(max_print_width=40)

    login = seen[0]
    assert isinstance(login, pm.LoginRequest)
    assert (login.uid_algorithm, login.pwd_algorithm) == ("0", "0")
    assert (login.login_user_id, login.login_password, login.location_code) == (SIP_USER, SIP_PASSWORD, LOCATION)
    request = seen[-1]
    assert isinstance(request, pm.SCStatusRequest)
    assert (request.status_code, request.max_print_width, request.protocol_version) == ("0", "040", "2.00")

    assert status.online and status.checkin_ok and status.checkout_ok and status.renewal_policy
    assert not status.status_update_ok  # no 01 handler registered
    assert not status.offline_ok
    assert (status.timeout_period, status.retries_allowed) == (30, 3)
    assert isinstance(status.date_time_sync, datetime)
    assert status.protocol_version == "2.00"
    assert status.institution_id == INSTITUTION
    assert status.library_name == "Central Library"
    assert status.terminal_location == LOCATION
    # 23 11 09 01 99 97 93 63 35 37 17 19 25 15 29 65, as registered above
    assert status.supported_messages == "YYYNYYYYYNYNNNYN"
    assert status.screen_messages == () and status.print_lines == ()
    assert status.extra == ()


def test_patron_status(acs_port: int, seen: list[Any]) -> None:
    with _client(acs_port) as client:
        reply = client.patron_status(PATRON, PATRON_PIN)

    request = seen[-1]
    assert isinstance(request, pm.PatronStatusRequest)
    assert request.language == "000"
    assert request.institution_id == INSTITUTION
    assert request.patron_identifier == PATRON
    assert request.terminal_password == TERMINAL_PASSWORD
    assert request.patron_password == PATRON_PIN

    assert reply.patron_status == "  Y           "
    assert reply.language == "001"
    assert reply.transaction_date == WHEN
    assert reply.institution_id == INSTITUTION
    assert reply.patron_id == PATRON
    assert reply.personal_name == PATRON_NAME
    assert (reply.valid_patron, reply.valid_patron_password) == ("Y", "Y")
    assert (reply.currency_type, reply.fee_amount) == ("EUR", "2.50")
    assert reply.screen_messages == ("Welcome", "You owe 2.50")
    assert reply.print_lines == ("Receipt line",)
    assert reply.extra == ()


def test_patron_information_with_charged_items(acs_port: int, seen: list[Any]) -> None:
    with _client(acs_port) as client:
        reply = client.patron_information(PATRON, PATRON_PIN, summary="charged_items",
                                          start_item=1, end_item=5)

    request = seen[-1]
    assert isinstance(request, pm.PatronInformationRequest)
    assert request.summary == "  Y       "
    assert (request.institution_id, request.patron_identifier) == (INSTITUTION, PATRON)
    assert (request.terminal_password, request.patron_password) == (TERMINAL_PASSWORD, PATRON_PIN)
    assert (request.start_item, request.end_item) == ("1", "5")

    assert reply.patron_status == " " * 14
    assert reply.transaction_date == WHEN
    assert (reply.hold_items_count, reply.overdue_items_count, reply.charged_items_count) == (1, 0, 3)
    assert (reply.fine_items_count, reply.recall_items_count, reply.unavailable_holds_count) == (0, 0, 0)
    assert reply.personal_name == PATRON_NAME
    assert reply.charged_items_limit == "0020"
    assert reply.charged_items == ("39000000001", "39000000002", "39000000003")
    assert reply.hold_items == () and reply.overdue_items == ()
    assert (reply.email, reply.home_phone, reply.home_address) == ("zoe@example.org", "555-0100", None)
    assert reply.extra == ()


def test_checkout(acs_port: int, seen: list[Any]) -> None:
    with _client(acs_port) as client:
        reply = client.checkout(PATRON, ITEM, patron_password=PATRON_PIN, transaction_date=WHEN,
                                fee_acknowledged=False)

    request = seen[-1]
    assert isinstance(request, pm.CheckoutRequest)
    assert (request.sc_renewal_policy, request.no_block) == ("N", "N")
    assert request.transaction_date == WHEN_TEXT
    assert request.nb_due_date == WHEN_TEXT  # never 18 blanks: pysip2 drops the connection on those
    assert (request.institution_id, request.patron_identifier, request.item_identifier) == (INSTITUTION, PATRON, ITEM)
    assert request.terminal_password == TERMINAL_PASSWORD
    assert request.patron_password == PATRON_PIN
    assert request.fee_acknowledged == "N"
    assert (request.item_properties, request.cancel) == (None, None)

    assert reply.ok is True
    assert reply.renewal_ok is False
    assert reply.magnetic_media is None  # 'U': unknown
    assert reply.desensitize is True
    assert reply.transaction_date == WHEN
    assert (reply.institution_id, reply.patron_id, reply.item_id) == (INSTITUTION, PATRON, ITEM)
    assert reply.title == TITLE
    assert reply.due_date == DUE_TEXT
    assert (reply.fee_type, reply.security_inhibit, reply.currency_type, reply.fee_amount) == ("01", "N", "EUR", "0.00")
    assert (reply.media_type, reply.item_properties, reply.transaction_id) == ("001", "2 discs", "T-77")
    assert reply.screen_messages == ("Due 27 February",)
    assert reply.print_lines == (TITLE,)
    assert reply.extra == ()


def test_checkin_with_alert(acs_port: int, seen: list[Any]) -> None:
    with _client(acs_port) as client:
        reply = client.checkin(ITEM, transaction_date=WHEN)

    request = seen[-1]
    assert isinstance(request, pm.CheckinRequest)
    assert request.no_block == "N"
    assert request.transaction_date == request.return_date == WHEN_TEXT
    assert request.current_location == LOCATION
    assert (request.institution_id, request.item_identifier) == (INSTITUTION, ITEM)
    assert request.terminal_password == TERMINAL_PASSWORD

    assert reply.ok is True and reply.resensitize is True and reply.alert is True
    assert reply.magnetic_media is False
    assert reply.transaction_date == WHEN
    assert (reply.institution_id, reply.item_id) == (INSTITUTION, ITEM)
    assert reply.permanent_location == "Stacks 2"
    assert (reply.title, reply.sort_bin, reply.patron_id, reply.media_type) == (TITLE, "B3", "23000099", "001")
    assert reply.item_properties is None
    assert reply.screen_messages == ("On hold for another patron",)
    assert reply.extra == ()


def test_renew_refused_and_item_information(acs_port: int, seen: list[Any]) -> None:
    with _client(acs_port) as client:
        renewed = client.renew(PATRON, ITEM, transaction_date=WHEN)
        item = client.item_information(ITEM)
        done = client.end_patron_session(PATRON)

    renew, info, end = seen[-3:]
    assert isinstance(renew, pm.RenewRequest) and renew.nb_due_date == WHEN_TEXT
    assert (renew.patron_identifier, renew.item_identifier, renew.terminal_password) == (PATRON, ITEM, TERMINAL_PASSWORD)
    assert isinstance(info, pm.ItemInformationRequest) and info.item_identifier == ITEM
    assert isinstance(end, pm.EndPatronSessionRequest) and end.patron_identifier == PATRON

    assert renewed.ok is False and renewed.renewal_ok is False
    assert renewed.due_date == ""  # present and empty, as the ACS sent it
    assert renewed.screen_messages == ("Item is on hold",)

    assert (item.circulation_status, item.security_marker, item.fee_type) == ("04", "02", "01")
    assert item.transaction_date == WHEN
    assert (item.hold_queue_length, item.due_date, item.item_id, item.title) == ("2", DUE_TEXT, ITEM, TITLE)
    assert (item.owner, item.media_type, item.permanent_location, item.current_location) == (
        "Central", "001", "Stacks 2", "Lobby")

    assert done.end_session is True and done.screen_messages == ("Goodbye",)


def test_many_requests_wrap_the_sequence_number(acs_port: int, seen: list[Any]) -> None:
    with _client(acs_port) as client:
        for _ in range(12):  # the login took 0; the 10th request wraps back to 0
            assert client.patron_status(PATRON, PATRON_PIN).patron_id == PATRON
    assert len([r for r in seen if isinstance(r, pm.PatronStatusRequest)]) == 12


def test_wrong_login_is_refused_and_reported(acs_port: int) -> None:
    client = _client(acs_port, password="wrong")
    with pytest.raises(LoginRefused, match="refused the SIP2 login"):
        client.connect()
    assert not client.connected


def test_missing_login_is_dropped_by_the_acs(acs_port: int) -> None:
    # pysip2 closes the connection on anything but 93 first; SC status changes nothing, so
    # the client reconnects once and then reports the ACS unreachable.
    with _client(acs_port, username=None) as client:
        with pytest.raises(Unreachable, match="broke twice"):
            client.sc_status()


def test_crlf_terminator_gets_96_and_the_resends_are_capped(acs_port: int) -> None:
    # pysip2 frames on CR only: the LF left over prefixes the next request, whose checksum
    # then fails, so it answers 96 to every later request; the client must give up.
    crlf = ConnectionSettings(encoding=ENCODING, terminator=b"\r\n", checksums=ChecksumMode.ON)
    with _client(acs_port, settings=crlf, max_resends=2) as client:
        with pytest.raises(ProtocolError, match="resent 2 times"):
            client.sc_status()


def test_damaged_request_draws_96_and_is_resent(acs_port: int, seen: list[Any]) -> None:
    with damaging_relay(acs_port, damage_requests=2) as relay:
        with _client(relay.port) as client:  # the login and its first resend are spoiled
            reply = client.checkout(PATRON, ITEM)
    assert reply.ok is True and reply.item_id == ITEM
    assert relay.seen["reply"][:2] == [b"96AZFEF6", b"96AZFEF6"]
    assert relay.seen["request"][0] == relay.seen["request"][1] == relay.seen["request"][2]
    assert [type(r) for r in seen] == [pm.LoginRequest, pm.CheckoutRequest]


def test_damaged_reply_draws_97_and_pysip2_sends_it_again(acs_port: int, seen: list[Any]) -> None:
    with damaging_relay(acs_port, damage_replies=1) as relay:
        with _client(relay.port) as client:  # the login's reply is spoiled
            reply = client.checkout(PATRON, ITEM)
    assert reply.ok is True and reply.item_id == ITEM
    assert relay.seen["request"][1] == b"97AZFEF5"
    assert relay.seen["reply"][0] == relay.seen["reply"][1]  # the 94 once more, unchanged
    assert [type(r) for r in seen] == [pm.LoginRequest, pm.CheckoutRequest]


def test_replies_that_stay_damaged_end_in_a_protocol_error(acs_port: int) -> None:
    with damaging_relay(acs_port, damage_replies=10) as relay:
        with pytest.raises(ProtocolError, match="still wrong after 2 resend requests"):
            _client(relay.port, max_resends=2).connect()
    assert relay.seen["request"][1:] == [b"97AZFEF5", b"97AZFEF5"]


def test_checksums_off_is_answered_without_a_trailer(acs_port: int, seen: list[Any]) -> None:
    plain = ConnectionSettings(encoding=ENCODING, terminator=b"\r", checksums=ChecksumMode.OFF)
    with _client(acs_port, settings=plain) as client:
        reply = client.checkout(PATRON, ITEM, transaction_date=WHEN)
    assert reply.ok is True and reply.item_id == ITEM and reply.title == TITLE
    assert isinstance(seen[-1], pm.CheckoutRequest)


def test_acs_requiring_checksums_gets_them_or_the_client_gives_up(seen: list[Any]) -> None:
    with running(_acs(seen, error_detection="required")) as port:
        with _client(port) as client:
            assert client.checkout(PATRON, ITEM).ok is True
        plain = ConnectionSettings(encoding=ENCODING, terminator=b"\r", checksums=ChecksumMode.OFF)
        with pytest.raises(ProtocolError, match="asked for login to be resent 2 times"):
            _client(port, settings=plain, max_resends=2).connect()


def test_utf8_on_both_sides(seen: list[Any]) -> None:
    # Koha and invenio speak UTF-8: the same session with both ends set to it.
    utf8 = ConnectionSettings(encoding="utf-8", terminator=b"\r", checksums=ChecksumMode.ON)
    with running(_acs(seen, encoding="utf-8")) as port:
        with _client(port, settings=utf8) as client:
            status = client.patron_status(PATRON, PATRON_PIN)
            reply = client.checkout(PATRON, "Ŧest-€-item")
    assert status.personal_name == PATRON_NAME and status.institution_id == INSTITUTION
    assert reply.item_id == seen[-1].item_identifier == "Ŧest-€-item"
    assert reply.title == TITLE


def test_empty_terminal_password_is_still_sent(acs_port: int, seen: list[Any]) -> None:
    # pysip2 drops the connection when AC is missing from a checkout or checkin; empty is fine.
    with _client(acs_port, terminal_password="") as client:
        client.checkout(PATRON, ITEM)
        client.checkin(ITEM)
        client.patron_information(PATRON)
    checkout, checkin, info = seen[-3:]
    assert checkout.terminal_password == checkin.terminal_password == info.terminal_password == ""


def test_client_checksum_over_cp850_bytes_is_accepted(acs_port: int) -> None:
    # A checksum over code points instead of cp850 bytes would draw a 96 for this request.
    with _client(acs_port) as client:
        reply = client.checkout(PATRON, "Äpfel-ß-Ø")
    assert reply.item_id == "Äpfel-ß-Ø"


def test_acs_gone_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(Unreachable):
        _client(port).connect()


# --- codec agreement ---------------------------------------------------------------------------

# pysip2 field name -> ours, where the two spell the same field differently.
RENAMED = {
    "patron_identifier": "patron_id", "item_identifier": "item_id", "title_identifier": "title",
    "screen_message": "screen_messages", "print_line": "print_lines",
    "sc_renewal_policy": "renewal_policy", "acs_renewal_policy": "renewal_policy",
    "online_status": "online", "email_address": "email", "home_phone_number": "home_phone",
}

# A valid sample value for each of pysip2's constrained field types.
SAMPLE_BY_TYPE: dict[Any, str] = {
    pt.YN: "Y", pt.YNU: "U", pt.OK01: "1", pt.CHAR1: "0", pt.STATUS_CODE: "1",
    pt.HOLD_MODE: "-", pt.HOLD_TYPE: "2", pt.DIG2: "03", pt.DIG3: "040", pt.DIG4: "0012",
    pt.COUNT4: "0007", pt.PSTATUS: "Y  Y          ", pt.TRANS_DATE: WHEN_TEXT, pt.LANG: "001",
    pt.PROTOV: "2.00", pt.SUMMARY10: " Y        ", pt.BX16: "YYYYYYYNYYYYNNYY",
    pt.CURRENCY_CODE: "EUR",
}


def _sample(cls: type, text: Callable[[str], str] = lambda name: f"{name} é") -> Any:
    """A pysip2 message with every field filled; free text comes from `text(field name)`."""
    values: dict[str, Any] = {}
    for name, hint in typing.get_type_hints(cls, include_extras=True).items():
        options = [a for a in typing.get_args(hint) if a is not type(None)] \
            if typing.get_origin(hint) in (typing.Union, types.UnionType) else [hint]
        kind = options[0]
        if kind in SAMPLE_BY_TYPE:
            values[name] = SAMPLE_BY_TYPE[kind]
        elif kind is str:
            values[name] = text(name)
        else:  # tuple[str, ...]: a repeatable field
            values[name] = (text(name), text(name))
    return cls(**values)


def _ours_expected(sample: Any, code: str) -> Message:
    """The message our codec should produce for a pysip2 sample, by the specification's meaning."""
    ours = MESSAGES[code]
    spec = spec_of(ours)
    kinds = {name: fspec.kind for name, fspec in spec.fixed}
    values: dict[str, Any] = {}
    for field in MESSAGE_SPECS_BY_ID[code].fields:
        text = getattr(sample, field.name)
        name = RENAMED.get(field.name, field.name)
        kind = kinds.get(name, Kind.TEXT)
        if kind is Kind.FLAG01:
            values[name] = text == "1"
        elif kind is Kind.YN:
            values[name] = text == "Y"
        elif kind is Kind.YNU:
            values[name] = {"Y": True, "N": False, "U": None}[text]
        elif kind is Kind.INT:
            values[name] = int(text)
        elif kind is Kind.DATE:
            values[name] = datetime.strptime(text.replace(" ", ""), "%Y%m%d%H%M%S")
        else:
            values[name] = text
    return ours(**values)


CODES = sorted(MESSAGE_SPECS_BY_ID)


def test_both_codecs_know_the_same_messages_and_fields() -> None:
    assert set(CODES) == set(MESSAGES)
    for code in CODES:
        theirs = {RENAMED.get(f.name, f.name) for f in MESSAGE_SPECS_BY_ID[code].fields}
        spec = spec_of(MESSAGES[code])
        assert theirs == {n for n, _ in spec.fixed} | {n for n, _ in spec.variable}, code


@pytest.mark.parametrize("code", CODES)
def test_pysip2_encoded_decodes_with_ours(code: str) -> None:
    sample = _sample(MESSAGE_SPECS_BY_ID[code].struct_type)
    sequence = None if code in ("96", "97") else 7
    data = pysip2.encode_message(sample, sequence_number=sequence, checksum=True, encoding=ENCODING)

    received = decode(data, encoding=ENCODING)

    assert received.checksum == "ok"
    assert received.sequence == sequence
    assert received.warnings == ()
    assert received.message == _ours_expected(sample, code)
    assert received.message.extra == ()
    # and ours re-encodes pysip2's bytes exactly
    assert encode(received.message, encoding=ENCODING, sequence=sequence, error_detection=True) == data


@pytest.mark.parametrize("code", CODES)
def test_ours_encoded_decodes_with_pysip2(code: str) -> None:
    sample = _sample(MESSAGE_SPECS_BY_ID[code].struct_type)
    sequence = None if code in ("96", "97") else 4
    data = encode(_ours_expected(sample, code), encoding=ENCODING, sequence=sequence,
                  error_detection=True)

    decoded = pysip2.decode_message(data, encoding=ENCODING)

    assert decoded.sequence_number == sequence
    assert decoded.checksum == data[-5:-1].decode("ascii")
    assert decoded.message == sample


# Every character cp850 can carry, but the separator, CR, LF and NUL (which pysip2 refuses).
CP850_TEXT = st.text(st.sampled_from([c for c in bytes(range(256)).decode(ENCODING) if c not in "|\r\n\x00"]),
                     max_size=40)


@pytest.mark.parametrize("code", CODES)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_free_text_survives_both_codecs(code: str, data: st.DataObject) -> None:
    sample = _sample(MESSAGE_SPECS_BY_ID[code].struct_type, lambda name: data.draw(CP850_TEXT, label=name))
    sequence = None if code in ("96", "97") else 5
    theirs = pysip2.encode_message(sample, sequence_number=sequence, checksum=True, encoding=ENCODING)
    assert decode(theirs, encoding=ENCODING).message == _ours_expected(sample, code)
    ours = encode(_ours_expected(sample, code), encoding=ENCODING, sequence=sequence, error_detection=True)
    assert pysip2.decode_message(ours, encoding=ENCODING).message == sample


def test_optional_fields_left_out_agree() -> None:
    # Absent optional fields: pysip2's None is our None, and neither side invents an empty one.
    theirs = pm.CheckoutRequest(sc_renewal_policy="N", no_block="N", transaction_date=WHEN_TEXT,
                                nb_due_date=WHEN_TEXT, institution_id="", patron_identifier=PATRON,
                                item_identifier=ITEM, terminal_password="")
    data = pysip2.encode_message(theirs, sequence_number=0, checksum=True, encoding=ENCODING)
    ours = decode(data, encoding=ENCODING).message
    assert (ours.institution_id, ours.terminal_password) == ("", "")
    assert (ours.item_properties, ours.patron_password, ours.fee_acknowledged, ours.cancel) == (None,) * 4
    again = encode(ours.replace(), encoding=ENCODING, sequence=0, error_detection=True)
    assert pysip2.decode_message(again, encoding=ENCODING).message == theirs


def test_conformance_vectors_agree() -> None:
    vectors = [
        b"9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZEC7B\r",
        b"101YNN19980821    085721AOCertification Institute ID|ABCheckInBook|AQPermanent Location"
        b" for CheckinBook, Language 1|AJTitle For CheckinBook|AAGoodPatron1|CK001|CHCheckinBook"
        b" Properties|CLsort bin A1|AFScreen Message for CheckInBook|AGPrint Line for CheckInBook|"
        b"AY2AZA3FF\r",
    ]
    for data in vectors:
        theirs = pysip2.decode_message(data, encoding=ENCODING)
        ours = decode(data, encoding=ENCODING)
        assert ours.checksum == "ok" and ours.sequence == theirs.sequence_number
        assert ours.message == _ours_expected(theirs.message, data[:2].decode())


def test_space_padded_print_width_is_read_by_ours_only() -> None:
    # The specification's own SC status example pads the width with a space; pysip2 wants digits.
    data = b"990 402.00AY1AZFCB4\r"
    with pytest.raises(pysip2.SIP2CodecError):
        pysip2.decode_message(data, encoding=ENCODING)
    assert decode(data, encoding=ENCODING).message.max_print_width == 40
