"""The client against the ACS emulator (and small misbehaving servers) over real loopback sockets."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from contextlib import contextmanager

import pytest
import trustme

from sip2 import ChecksumMode, ConnectionSettings, LoginRefused, ProtocolError, TimedOut, Unreachable
from sip2.client import SIP2Client, TLSSettings
from sip2.emulator import ACSEmulator
from sip2.emulator.demo_data import DEMO
from sip2.errors import UnknownOutcome
from sip2.messages import CheckoutResponse

from tests.loopback import closed_port


@pytest.fixture
def emulator():
    with ACSEmulator(institution_id="DEMO") as emu:
        yield emu


def client_for(emu: ACSEmulator, **kwargs) -> SIP2Client:
    host, port = emu.address
    kwargs.setdefault("username", "kiosk")
    kwargs.setdefault("password", "kiosk")
    kwargs.setdefault("timeout", 5.0)
    return SIP2Client(host, port, institution_id="DEMO", location="kiosk-1", **kwargs)


def test_every_message_against_the_emulator(emulator):
    patron, pin = DEMO.good_patron, DEMO.good_pin
    item = DEMO.available_items[0]
    with client_for(emulator) as client:
        assert client.login().ok
        status = client.sc_status()
        assert status.online and status.checkout_ok and len(status.supported_messages) == 16
        ps = client.patron_status(patron, pin)
        assert ps.valid_patron == "Y" and ps.valid_patron_password == "Y" and ps.personal_name
        assert client.patron_status(patron, "0000").valid_patron_password == "N"

        out = client.checkout(patron, item, patron_password=pin)
        assert isinstance(out, CheckoutResponse) and out.ok and out.item_id == item and out.due_date
        info = client.patron_information(patron, pin, summary="charged_items")
        assert item in info.charged_items and info.charged_items_count >= 1
        assert client.item_information(item).circulation_status == "04"

        renewed = client.renew(patron, item, patron_password=pin)
        assert renewed.ok and renewed.due_date
        everything = client.renew_all(patron, pin)
        assert everything.ok or everything.unrenewed_items

        back = client.checkin(item)
        assert back.ok and back.item_id == item
        assert client.item_information(item).circulation_status in ("03", "09")

        assert client.item_status_update(item, "shelved in A").item_properties_ok
        assert client.hold(patron, item_id=DEMO.available_items[1], patron_password=pin).ok
        assert client.hold(patron, mode="-", item_id=DEMO.available_items[1], patron_password=pin).ok
        assert client.fee_paid(DEMO.fined_patron, "1.00").payment_accepted
        assert client.end_patron_session(patron, pin).end_session
        blocked = client.block_patron(DEMO.second_good_patron, "card reported stolen")
        assert blocked.patron_status[0] == "Y"  # charge privileges denied from now on
        assert client.patron_enable(DEMO.second_good_patron).patron_id == DEMO.second_good_patron


def test_refusals_carry_the_acs_message(emulator):
    with client_for(emulator) as client:
        refused = client.checkout(DEMO.blocked_patron, DEMO.available_items[2])
        assert not refused.ok and refused.screen_messages
        hold = client.checkout(DEMO.good_patron, DEMO.item_on_hold_for_other, patron_password=DEMO.good_pin)
        assert not hold.ok and hold.screen_messages


def test_login_refused_and_unreachable(emulator):
    with pytest.raises(LoginRefused, match="refused the SIP2 login"):
        client_for(emulator, password="wrong").connect()
    with pytest.raises(Unreachable, match="cannot connect"):
        SIP2Client("127.0.0.1", closed_port(), connect_timeout=2).sc_status()


def test_reconnects_and_logs_in_again_after_idle_close(emulator):
    with client_for(emulator) as client:
        client.sc_status()
        emulator.close_idle_connections()
        assert client.sc_status().online
        emulator.faults.drop_next = 1  # the ACS closes instead of answering a harmless request
        assert client.patron_status(DEMO.good_patron, DEMO.good_pin).valid_patron == "Y"


def test_resend_on_96_is_capped(emulator):
    with client_for(emulator, max_resends=3) as client:
        emulator.faults.resend_next = 2
        assert client.sc_status().online
        emulator.faults.resend_next = 10
        with pytest.raises(ProtocolError, match="resent"):
            client.sc_status()


def test_bad_reply_checksum_asks_for_a_resend(emulator):
    with client_for(emulator, max_resends=2) as client:
        emulator.faults.bad_checksum_next = 1
        assert client.sc_status().online
        emulator.faults.bad_checksum_next = 10
        with pytest.raises(ProtocolError, match="checksum"):
            client.sc_status()


def test_timeout_then_recovery(emulator):
    with client_for(emulator, timeout=0.3) as client:
        emulator.faults.delay = 1.0
        with pytest.raises(TimedOut, match="did not answer within 0.3 s"):
            client.sc_status()
        emulator.faults.reset()
        assert client.sc_status().online


def test_lost_checkout_reply_is_never_resent_but_reconciled(emulator):
    item = DEMO.available_items[3]
    with client_for(emulator) as client:
        emulator.faults.apply_then_drop_next = 1
        with pytest.raises(UnknownOutcome) as caught:
            client.checkout(DEMO.good_patron, item, patron_password=DEMO.good_pin)
        assert caught.value.item_status is not None
        assert caught.value.item_status.circulation_status == "04"  # it did go through
        assert emulator.library.loan_of(item)[0] == DEMO.good_patron
        assert sum(t.ok for t in emulator.library.transactions("11") if t.item_id == item) == 1


def test_slow_checkout_reply_is_reconciled_not_resent(emulator):
    item = DEMO.available_items[4]
    with client_for(emulator, timeout=0.3) as client:
        emulator.faults.delay = 1.0
        with pytest.raises(UnknownOutcome, match="may or may not"):
            client.checkout(DEMO.good_patron, item, patron_password=DEMO.good_pin)
        emulator.faults.reset()
        assert sum(t.ok for t in emulator.library.transactions("11") if t.item_id == item) == 1


def test_crlf_replies_and_checksums_required(emulator):
    emulator.faults.terminator = b"\r\n"
    settings = ConnectionSettings(checksums=ChecksumMode.ON)
    with client_for(emulator, settings=settings) as client:
        for _ in range(3):
            assert client.sc_status().online


def test_one_client_shared_by_threads(emulator):
    items = DEMO.available_items[5:11]
    errors: list[Exception] = []
    with client_for(emulator) as client:
        def ask(item_id: str) -> None:
            try:
                for _ in range(5):
                    assert client.item_information(item_id).item_id == item_id
            except Exception as exc:  # collected and reported by the main thread
                errors.append(exc)
        threads = [threading.Thread(target=ask, args=(i,)) for i in items]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert not errors


def test_pins_and_passwords_never_reach_the_log(emulator, caplog):
    caplog.set_level(logging.DEBUG, logger="sip2")
    with client_for(emulator, password="kiosk", terminal_password="term-secret") as client:
        client.patron_status(DEMO.good_patron, "9876")
        client.checkout(DEMO.good_patron, DEMO.available_items[12], patron_password="9876")
    text = caplog.text
    assert "SC -> ACS" in text
    assert "9876" not in text and "term-secret" not in text and "COkiosk" not in text


def test_tls_with_verified_certificate(tmp_path):
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(server_ctx)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with ACSEmulator(institution_id="DEMO", ssl_context=server_ctx) as emu:
        host, port = emu.address
        tls = TLSSettings(ca_file=str(ca_file))
        with SIP2Client(host, port, tls=tls, username="kiosk", password="kiosk", timeout=5) as client:
            assert client.sc_status().online
        with pytest.raises(Unreachable, match="not trusted"):
            SIP2Client(host, port, tls=TLSSettings(), timeout=5).sc_status()
        with SIP2Client(host, port, tls=TLSSettings(verify=False), timeout=5) as client:
            assert client.sc_status().online


@contextmanager
def canned_server(reply: bytes):
    """A server that answers every line with the same bytes (to test bad replies)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    while conn.recv(4096):
                        conn.sendall(reply)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.mark.parametrize("reply, reason", [
    (b"this is not SIP2\r", "not SIP2"),
    (b"941AY0AZFDFD\r", "expected acs_status"),
    (b"98" + b"\xff" * 70000, "not SIP2"),
])
def test_nonsense_from_the_acs_is_a_protocol_error(reply, reason):
    with canned_server(reply) as (host, port):
        with pytest.raises(ProtocolError, match=reason):
            SIP2Client(host, port, timeout=3).sc_status()


def test_lost_return_reply_is_never_resent_but_reconciled(emulator):
    item = DEMO.item_on_loan
    with client_for(emulator) as client:
        emulator.faults.apply_then_drop_next = 1
        with pytest.raises(UnknownOutcome) as caught:
            client.checkin(item)
        assert caught.value.item_status.circulation_status != "04"  # it was returned
    checkins = [t for t in emulator.library.transactions("09") if t.item_id == item]
    assert len(checkins) == 1 and checkins[0].ok
