"""Interoperability with PyPI `sip2` (1.1), an independent SIP2 client, against the ACS emulator.

That client tries TLS first on every connection (its default): it sends a TLS handshake to
the plain SIP2 port and falls back to plain text only when the handshake fails. The emulator
closes a connection that starts with bytes that are not SIP2, so the handshake fails at once
and the client goes on in plain text, instead of waiting out its socket timeout.
"""

from __future__ import annotations

import socket
import ssl

import pytest

Sip2Wrapper = pytest.importorskip("Sip2.wrapper").Sip2Wrapper

from sip2.emulator import ACSEmulator  # noqa: E402
from sip2.emulator.demo_data import DEMO  # noqa: E402

pytestmark = pytest.mark.timeout(60)  # generous: a hang fails the test, nothing is timed


@pytest.fixture
def emulator(tmp_path):
    with ACSEmulator(db=str(tmp_path / "library.db"), institution_id="DEMO") as emu:
        yield emu


def pypi_client(emu: ACSEmulator, tmp_path) -> Sip2Wrapper:
    host, port = emu.address
    return Sip2Wrapper({"hostName": host, "hostPort": port, "institutionId": "DEMO",
                        "logfile_path": str(tmp_path), "loglevel": "WARNING"})  # TLS probe on


def test_a_tls_handshake_on_the_plain_port_is_refused_not_left_waiting(emulator):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(emulator.address, timeout=30) as plain:
        with pytest.raises(OSError) as raised:
            context.wrap_socket(plain, server_hostname="localhost")
    assert not isinstance(raised.value, TimeoutError)  # closed by the ACS, not timed out


def test_the_pypi_client_with_its_tls_probe_logs_in_and_circulates(emulator, tmp_path):
    client = pypi_client(emulator, tmp_path)
    try:
        assert client._sip2.tlsEnable  # the default: the handshake was tried first
        assert client.login_device("kiosk", "kiosk")
        assert client.return_sc_status()["fixed"]["OnlineStatus"] == "Y"
        assert client.login_patron(DEMO.good_patron, DEMO.good_pin)
        item = DEMO.available_items[0]
        # Its wrapper reads the patron status flags the wrong way round (Y as allowed) and would
        # refuse to send the checkout, so the 11 goes through the client underneath.
        sc = client._sip2
        out = sc.sip_checkout_response(sc.get_response(sc.sip_checkout_request(item, "", "N", "", "N", "N", "N")))
        assert out["fixed"]["Ok"] == "1" and emulator.library.loan_of(item)[0] == DEMO.good_patron
        back = client.sip_item_checkin(item)
        assert back["fixed"]["Ok"] == "1" and emulator.library.loan_of(item) is None
    finally:
        client.disconnect()


def test_after_logging_in_stray_bytes_are_skipped_not_fatal(emulator):
    with socket.create_connection(emulator.address, timeout=30) as sock:
        sock.sendall(b"9300CNkiosk|COkiosk|CPkiosk-1|\r")
        assert sock.recv(100).startswith(b"941")
        sock.sendall(b"\x16\x03\x01 not sip2\r9900302.00\r")
        assert sock.recv(200).startswith(b"98")


def test_without_a_login_required_a_tls_handshake_is_refused_too(tmp_path):
    with ACSEmulator(db=str(tmp_path / "open.db"), require_login=False) as emu:
        test_a_tls_handshake_on_the_plain_port_is_refused_not_left_waiting(emu)
