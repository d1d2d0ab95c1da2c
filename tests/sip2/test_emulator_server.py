"""The ACS emulator's server: framing tolerance, error detection, faults, many clients, TLS, CLI."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sip2 import messages as m
from sip2.checksum import ChecksumMode
from sip2.codec import decode, encode
from sip2.connection import ConnectionSettings
from sip2.emulator import DEMO, ACSEmulator
from sip2.emulator.demo_data import patron_barcode
from sip2.emulator.server import corrupt_checksum
from sip2.errors import ChecksumError

from tests.sip2.emulator_peer import INSTITUTION, SC, Closed
from tests.waiting import wait_for

BOOK = DEMO.available_items[0]
ROOT = Path(__file__).resolve().parents[2]


def checkout_request(item: str = BOOK, patron: str = DEMO.good_patron) -> m.Checkout:
    return m.Checkout(institution_id=INSTITUTION, patron_id=patron, item_id=item)


# --- framing, sequence numbers, error detection -------------------------------------------

def test_replies_carry_the_request_sequence_number_through_the_wrap(sc):
    for _ in range(12):
        sent = sc.send(m.SCStatus())
        received = sc.read()
        assert received.checksum == "ok"
        assert received.sequence == int(sent[sent.index(b"AY") + 2:][:1])


@pytest.mark.parametrize("terminator", [b"\r", b"\n", b"\r\n"])
def test_any_terminator_is_accepted(emu, terminator):
    with SC(emu.address, ConnectionSettings(terminator=terminator)) as client:
        assert client.login()
        assert client.item_information(BOOK).circulation_status == "03"


def test_requests_without_checksums_are_answered(emu):
    with SC(emu.address, ConnectionSettings(checksums=ChecksumMode.OFF)) as client:
        client.send_raw(b"9300CNkiosk|COkiosk|\r")
        assert client.read().message == m.LoginResponse(ok=True)
        client.send_raw(encode(m.SCStatus()))
        assert isinstance(client.read().message, m.ACSStatus)


def test_an_acs_requiring_checksums_answers_96_to_requests_without_one():
    with ACSEmulator(settings=ConnectionSettings(checksums=ChecksumMode.ON)) as emu:
        with SC(emu.address) as client:
            client.send_raw(b"9300CNkiosk|COkiosk|\r")
            assert isinstance(client.read().message, m.RequestSCResend)
            assert client.login()


def test_a_stray_leading_lf_and_split_reads_are_tolerated(sc):
    data = sc.connection.send(m.ItemInformation(institution_id=INSTITUTION, item_id=DEMO.non_ascii_item))
    sc.send_raw(b"\n")
    for byte in range(len(data)):
        sc.send_raw(data[byte:byte + 1])
    assert sc.read().message.title.startswith("Émile")


def test_requests_sent_together_are_answered_in_order(sc):
    first = sc.connection.send(m.ItemInformation(institution_id=INSTITUTION, item_id=BOOK))
    second = sc.connection.send(checkout_request())
    sc.send_raw(first + second)
    assert isinstance(sc.read().message, m.ItemInformationResponse)
    assert sc.read().message.ok


def test_a_bad_checksum_is_answered_with_96_and_not_applied(sc, emu):
    good = sc.connection.send(checkout_request())
    sc.send_raw(corrupt_checksum(good))
    assert isinstance(sc.read().message, m.RequestSCResend)
    assert emu.library.loan_of(BOOK) is None
    sc.send_raw(good)
    assert sc.read().message.ok
    assert emu.library.loan_of(BOOK)[0] == DEMO.good_patron


def test_97_gets_the_last_reply_again(sc, emu):
    sc.send(checkout_request())
    first = sc.read_raw()
    sc.send_raw(b"97AZFEF5\r")
    assert sc.read_raw() == first
    assert len(emu.library.transactions("11")) == 1  # not applied twice


def test_97_before_any_reply_is_ignored(emu):
    with SC(emu.address) as client:
        client.send_raw(b"97AZFEF5\r")
        assert client.login()


@pytest.mark.parametrize("garbage", [
    b"\x00\xff\xfe garbage\r", b"XX not a message\r", b"11short\r", b"|||\r", b"\r\n\r\n",
    b"94\r", b"96AZFEF6\r", "99\u00e9\u00e9\u00e9\r".encode(), b"A" * 70000 + b"\r",
])
def test_garbage_is_skipped_and_the_connection_goes_on(sc, garbage):
    sc.send_raw(garbage)
    assert isinstance(sc.ask(m.SCStatus()), m.ACSStatus)


def test_a_client_sending_garbage_does_not_disturb_others(emu):
    with SC(emu.address) as noisy, SC(emu.address) as quiet:
        assert quiet.login()
        noisy.send_raw(os.urandom(5000) + b"\r" + os.urandom(3000))
        noisy.close()
        assert quiet.item_information(BOOK).circulation_status == "03"
    with SC(emu.address) as late:
        assert late.login()


def test_replies_use_the_configured_character_set(emu):
    with ACSEmulator(settings=ConnectionSettings(encoding="cp850")) as cp850:
        with SC(cp850.address, ConnectionSettings(encoding="cp850")) as client:
            assert client.login()
            client.send(m.ItemInformation(institution_id=INSTITUTION, item_id=DEMO.non_ascii_item))
            raw = client.read_raw()
    assert "Émile".encode("cp850") in raw and decode(raw, encoding="cp850").checksum == "ok"


# --- faults -------------------------------------------------------------------------------

def test_fault_delay_applies_before_replying(sc, emu):
    emu.faults.delay = 1.0
    sc.send(checkout_request())
    sc.sock.settimeout(0.05)
    with pytest.raises(socket.timeout):
        sc.sock.recv(1)
    assert wait_for(lambda: emu.library.loan_of(BOOK) is not None)
    sc.sock.settimeout(5)
    assert sc.read().message.ok


def test_fault_drop_next_closes_without_applying(sc, emu):
    emu.faults.drop_next = 1
    sc.send(checkout_request())
    assert sc.is_closed()
    assert emu.library.loan_of(BOOK) is None and emu.faults.drop_next == 0
    with SC(emu.address) as again:
        assert again.login()


def test_fault_apply_then_drop_next_loses_only_the_reply(sc, emu):
    emu.faults.apply_then_drop_next = 1
    sc.send(checkout_request())
    assert sc.is_closed()
    assert emu.library.loan_of(BOOK)[0] == DEMO.good_patron
    with SC(emu.address) as again:
        again.login()
        info = again.item_information(BOOK)
        assert info.circulation_status == "04" and ("AA", DEMO.good_patron) in info.extra


def test_fault_bad_checksum_next_then_97_gets_a_good_copy(sc, emu):
    emu.faults.bad_checksum_next = 1
    sc.send(checkout_request())
    with pytest.raises(ChecksumError):
        sc.read()
    sc.send_raw(sc.connection.resend_request())
    assert sc.read().message.ok
    assert emu.faults.bad_checksum_next == 0


def test_fault_resend_next_answers_96_without_applying(sc, emu):
    emu.faults.resend_next = 2
    sc.send(checkout_request())
    assert isinstance(sc.read().message, m.RequestSCResend)
    sc.send_raw(sc.connection.last_sent)
    assert isinstance(sc.read().message, m.RequestSCResend)
    assert emu.library.loan_of(BOOK) is None
    sc.send_raw(sc.connection.last_sent)
    assert sc.read().message.ok


def test_fault_terminator_crlf(sc, emu):
    emu.faults.terminator = b"\r\n"
    sc.send(m.SCStatus())
    assert sc.read_raw().endswith(b"\r")
    assert sc.sock.recv(1) == b"\n"
    emu.faults.reset()
    sc.send(m.SCStatus())
    raw = sc.read_raw()
    assert raw.endswith(b"\r")


def test_fault_silent_reads_but_neither_applies_nor_answers(sc, emu):
    emu.faults.silent = True
    sc.send(checkout_request())
    sc.sock.settimeout(0.2)
    with pytest.raises(socket.timeout):
        sc.sock.recv(1)
    assert emu.library.loan_of(BOOK) is None
    emu.faults.reset()
    sc.sock.settimeout(5)
    assert sc.ask(checkout_request()).ok


def test_faults_reset():
    from sip2.emulator import Faults
    faults = Faults()
    faults.delay, faults.drop_next, faults.silent, faults.terminator = 1.0, 3, True, b"\n"
    assert faults.take("drop_next") and faults.drop_next == 2
    faults.reset()
    assert (faults.delay, faults.drop_next, faults.silent, faults.terminator) == (0.0, 0, False, None)
    assert not faults.take("drop_next")
    with pytest.raises(ValueError):
        faults.take("delay")


def test_corrupt_checksum_always_breaks_it():
    good = encode(m.SCStatus(), error_detection=True, sequence=3)
    assert decode(good).checksum == "ok"
    assert decode(corrupt_checksum(good)).checksum == "bad"
    assert decode(corrupt_checksum(encode(m.SCStatus()))).checksum == "bad"


def test_close_idle_connections(emu):
    with SC(emu.address) as first, SC(emu.address) as second:
        assert first.login() and second.login()
        assert wait_for(lambda: emu.connection_count == 2)
        emu.close_idle_connections()
        assert first.is_closed() and second.is_closed()
    assert wait_for(lambda: emu.connection_count == 0)
    with SC(emu.address) as third:
        assert third.login()


def test_stop_closes_connections_and_the_port():
    emu = ACSEmulator().start()
    address = emu.address
    client = SC(address)
    assert client.login()
    emu.stop()
    assert client.is_closed()
    client.close()
    with pytest.raises(OSError):
        socket.create_connection(address, timeout=2).close()
    emu.stop()  # a second stop does nothing


# --- many clients -------------------------------------------------------------------------

def test_many_clients_at_once(emu):
    # Twenty kiosks, each with its own patron and item, all at the same moment.
    pairs = [(patron_barcode(13 + n), item) for n, item in enumerate(DEMO.available_items)]
    results: dict[str, bool] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(pairs))

    def kiosk(patron: str, item: str) -> None:
        try:
            with SC(emu.address) as client:
                assert client.login()
                barrier.wait(10)
                assert client.patron_information(patron).valid_patron == "Y"
                results[item] = client.checkout(patron, item).ok
                assert client.item_information(item).circulation_status == "04"
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=kiosk, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and all(results.get(item) for _, item in pairs)
    assert all(emu.library.loan_of(item)[0] == patron for patron, item in pairs)
    assert len(emu.library.transactions("11")) == len(pairs)


def test_two_patrons_racing_for_one_item_only_one_wins(emu):
    barrier = threading.Barrier(8)
    outcomes: list[bool] = []

    def kiosk(patron: str) -> None:
        with SC(emu.address) as client:
            client.login()
            barrier.wait(10)
            outcomes.append(client.checkout(patron, BOOK).ok)

    patrons = [DEMO.good_patron, DEMO.second_good_patron, DEMO.small_fines_patron, DEMO.overdue_patron,
               DEMO.hold_patron, DEMO.other_patron, DEMO.holds_ready_patron, DEMO.good_patron]
    threads = [threading.Thread(target=kiosk, args=(p,)) for p in patrons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == 8
    winner = emu.library.loan_of(BOOK)[0]
    # One patron gets the loan; the same patron twice renews it, everyone else is refused.
    assert outcomes.count(True) == (2 if winner == DEMO.good_patron else 1)


# --- login setting, TLS -------------------------------------------------------------------

def test_tls(tmp_path):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    with ACSEmulator(ssl_context=server_context) as emu:
        plain = socket.create_connection(emu.address, timeout=5)
        with client_context.wrap_socket(plain, server_hostname="127.0.0.1") as tls:
            with SC(emu.address, sock=tls) as client:
                assert client.login()
                assert client.checkout(DEMO.good_patron, BOOK).ok
        with SC(emu.address) as not_tls:  # a plain client gets nowhere, the server goes on
            not_tls.send(m.SCStatus())
            with pytest.raises((Closed, OSError)):
                not_tls.read()


def test_custom_accounts():
    with ACSEmulator(accounts={"selfcheck": "s3cret"}) as emu, SC(emu.address) as client:
        assert not client.login("kiosk", "kiosk")
        assert client.login("selfcheck", "s3cret")


def test_a_file_database_keeps_loans_across_restarts(tmp_path):
    path = str(tmp_path / "library.sqlite")
    with ACSEmulator(db=path) as emu, SC(emu.address) as client:
        client.login()
        assert client.checkout(DEMO.good_patron, BOOK).ok
    with ACSEmulator(db=path) as emu:
        assert emu.library.loan_of(BOOK)[0] == DEMO.good_patron


# --- command line -------------------------------------------------------------------------

@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_command_line_serves_until_signalled(tmp_path, signum):
    process = subprocess.Popen(
        [sys.executable, "-m", "sip2.emulator", "--port", "0", "--db", str(tmp_path / "lib.sqlite")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = [process.stdout.readline()]
        assert "listening on 127.0.0.1:" in banner[0], banner[0] + process.stderr.read()
        while "Ctrl-C" not in banner[-1] and banner[-1]:
            banner.append(process.stdout.readline())
        assert any(DEMO.good_patron in line and DEMO.good_pin in line for line in banner)
        port = int(banner[0].split("127.0.0.1:")[1].split()[0])
        with SC(("127.0.0.1", port)) as client:
            assert client.login()
            assert client.checkout(DEMO.good_patron, BOOK).ok
        process.send_signal(signum)
        out, err = process.communicate(timeout=20)
        assert process.returncode == 0, err
        assert "stopped" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_command_line_reports_a_port_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "sip2.emulator", "--port", str(port)], cwd=ROOT,
                              capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and "cannot listen" in done.stderr


def test_idle_connections_are_closed_after_the_idle_timeout():
    with ACSEmulator(idle_timeout=0.2) as emu, SC(emu.address) as client:
        assert client.is_closed()  # waits for the ACS to hang up
        assert wait_for(lambda: emu.connection_count == 0)


def test_the_institution_argument_wins_over_the_policy():
    from sip2.emulator import Policy
    with ACSEmulator(institution_id="BRANCH", policy=Policy(renewal_limit=0)) as emu:
        assert emu.policy.institution_id == "BRANCH" and emu.policy.renewal_limit == 0


def test_the_demo_accounts_in_the_documentation_are_true():
    doc = (ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1:-1] for line in doc.splitlines() if line.startswith("| ")]
    checked = 0
    with ACSEmulator() as emu:
        for cells in rows:
            card, pin = cells[1].strip(), cells[2].strip() if len(cells) > 3 else ""
            if card.isdigit() and card.startswith("2") and pin:
                assert emu.library.patron(card).pin == pin, cells
                checked += 1
            elif card.isdigit() and card.startswith("3") and "unknown" not in cells[0]:
                assert emu.library.item(card) is not None, cells
                checked += 1
    assert checked >= 20


@pytest.mark.parametrize("encoding", ["cp850", "ascii", "latin-1"])
def test_names_outside_a_narrow_character_set_are_sent_without_their_accents(encoding):
    ayse = patron_barcode(27)  # Ayşe: no ş in cp850 or latin-1
    with ACSEmulator(settings=ConnectionSettings(encoding=encoding)) as emu:
        with SC(emu.address, ConnectionSettings(encoding=encoding)) as client:
            assert client.login()
            for serial in range(1, 51):
                reply = client.patron_information(patron_barcode(serial))
                assert reply.valid_patron == "Y"
            assert client.patron_information(ayse).personal_name.startswith("Ayse ")
            title = client.item_information(DEMO.non_ascii_item).title
    assert title.startswith("Emile Zola" if encoding == "ascii" else "Émile Zola")


def test_fit_text():
    from sip2.emulator.charset import fit_text
    assert fit_text("Zieliński", "cp850") == "Zielinski"
    assert fit_text("Łódź", "ascii") == "?odz"
    assert fit_text("plain", "ascii") == "plain"
    assert fit_text("日本", "latin-1") == "??"


def test_a_failing_request_costs_one_connection_not_the_server(emu, monkeypatch):
    def broken(request, **_):
        raise RuntimeError("a bug in a rule")

    with SC(emu.address) as victim:
        assert victim.login()
        monkeypatch.setattr(emu.circulation, "answer", broken)
        victim.send(m.SCStatus())
        assert victim.is_closed()
    monkeypatch.undo()
    with SC(emu.address) as next_client:
        assert next_client.login()
