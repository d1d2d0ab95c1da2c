"""Receipts: the content (pure), ESC/POS bytes on python-escpos's Dummy printer, a network
printer emulator on 127.0.0.1, and e-mail through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import ssl
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
import trustme
from escpos.printer import Dummy

from kiosk.config import parse_config
from kiosk.config.deployment import PrinterSettings
from kiosk.core.outcomes import Action, ItemOutcome
from kiosk.receipts import ReceiptService
from kiosk.receipts.content import OFFLINE_NOTE, Style, as_plain_text, build_receipt, due_text
from kiosk.receipts.printer import ReceiptPrinter, write_receipt
from kiosk.receipts.printer_emulator import OFFLINE, PAPER_LOW, PAPER_OUT, PrinterEmulator
from kiosk.receipts.printer_status import PrinterState, decode
from kiosk.storage.db import open_database

from tests.deploy.smtp_server import SMTPServer
from tests.waiting import wait_for

RESULTS = [
    ItemOutcome(Action.CHECKOUT, "31234567890126", True, title="The Very Hungry Caterpillar",
                due=datetime(2026, 12, 14, 23, 59), print_lines=("Thank you for using self-checkout",)),
    ItemOutcome(Action.CHECKOUT, "31234567890134", False, title="Dune", reason="Item is on hold for another patron"),
    ItemOutcome(Action.CHECKIN, "31234567890142", True, title="Cooking for one"),
    ItemOutcome(Action.CHECKOUT, "31234567890126", True, title="The Very Hungry Caterpillar", repeat=True),
]


def texts(lines):
    return [line.text for line in lines]


# --- what the receipt says ----------------------------------------------------------------

def test_receipt_lists_items_due_dates_refusals_print_lines_and_footer():
    lines = build_receipt(RESULTS, library_name="Springfield Public Library", patron_name="Jane Doe",
                          footer="Renew at springfield.example", when=datetime(2026, 11, 30, 9, 30))
    body = texts(lines)
    assert lines[0].text == "Springfield Public Library" and lines[0].style is Style.TITLE
    assert "Nov 30, 2026 9:30 AM" in body and "Patron: Jane Doe" in body
    assert "Checked out (1 item)" in body  # the repeat scan is not listed twice
    assert "  Due: Mon, Dec 14, 2026" in body
    assert "Not checked out (1 item)" in body
    assert "  This item is on hold for another patron." in body  # the ACS's refusal, the kiosk's words
    assert "Returned (1 item)" in body and "Cooking for one" in body
    assert "Thank you for using self-checkout" in body and body[-1] == "Renew at springfield.example"
    assert OFFLINE_NOTE.split()[0] not in " ".join(body[:4])


def test_offline_receipt_says_so_and_lines_fit_the_paper():
    lines = build_receipt([ItemOutcome(Action.CHECKOUT, "31234567890126", True, offline=True,
                                       due_text="20261214    235900")],
                          library_name="Library", width=32)
    text = as_plain_text(lines, 32)
    assert "will be confirmed when it is back" in text.replace("\n", " ")
    assert "Due: 20261214    235900" in text  # the ACS's own text when no date could be read
    assert all(len(line) <= 32 for line in text.splitlines())


def test_escpos_bytes_on_the_dummy_printer():
    printer = Dummy()
    write_receipt(printer, build_receipt(RESULTS, library_name="Springfield", when=datetime(2026, 11, 30)))
    out = printer.output
    assert b"\x1ba\x01" in out  # ESC a 1: centred title
    assert b"\x1bE\x01" in out  # ESC E 1: bold heading
    assert b"Springfield\n" in out and b"The Very Hungry Caterpillar\n" in out
    assert b"  Due: Mon, Dec 14, 2026\n" in out
    assert out.endswith(b"\x1bd\x06\x1dV\x00")  # feed past the tear bar, then GS V 0: cut


@pytest.mark.parametrize("online, paper, state", [
    (b"\x12", b"\x12", PrinterState.READY),
    (b"\x12", b"\x1e", PrinterState.PAPER_LOW),
    (b"\x1a", b"\x72", PrinterState.PAPER_OUT),  # offline because the paper ran out
    (b"\x1a", b"\x12", PrinterState.OFFLINE),
    (b"", b"", PrinterState.UNREACHABLE),
    (b"\xff", b"\x12", PrinterState.UNREACHABLE),  # noise, not a status byte
    (b"\x12", b"", PrinterState.UNREACHABLE),
])
def test_status_replies_decode(online, paper, state):
    assert decode(online, paper) is state


# --- the printer on the network ------------------------------------------------------------

def config_for(tmp_path, **sections):
    data = {"kiosk": {"library_name": "Springfield"}, "sip2": {"host": "127.0.0.1"},
            "storage": {"database": str(tmp_path / "kiosk.db")}}
    data.update(sections)
    return parse_config(data)


@pytest.fixture
def printer_emulator():
    emulator = PrinterEmulator().start()
    yield emulator
    emulator.stop()


@pytest.fixture
def service_factory(tmp_path):
    made = []

    def make(**sections):
        config = config_for(tmp_path, **sections)
        database = open_database(config.storage.database)
        service = ReceiptService(config, database)
        made.append((service, database))
        return service
    yield make
    for service, database in made:
        service.stop()
        database.close()


def test_printing_on_a_network_printer_and_paper_out_removes_print(printer_emulator, service_factory):
    host, port = printer_emulator.address
    service = service_factory(printer={"driver": "network", "host": host, "port": port, "timeout": 1.0})
    service.printer.refresh()
    assert service.choices() == ("print", "none")
    delivery = service.deliver("print", RESULTS, patron_name="Jane Doe", patron_email="", offline=False)
    assert delivery.ok and delivery.message == "Please take your receipt."
    assert wait_for(lambda: printer_emulator.printed().endswith(b"\x1dV\x00"))  # up to the cut
    assert b"The Very Hungry Caterpillar" in printer_emulator.printed()

    printed = len(printer_emulator.printed())
    delivery = service.deliver("print", RESULTS, patron_name="Jane Doe", patron_email="", offline=False,
                               language="de")
    assert delivery.ok and delivery.message == "Bitte nehmen Sie Ihren Beleg."
    assert wait_for(lambda: printer_emulator.printed().endswith(b"\x1dV\x00") and
                    len(printer_emulator.printed()) > printed)
    german = printer_emulator.printed()[printed:]
    assert b"AUSGELIEHEN" not in german and b"Ausgeliehen (1 Medium)" in german  # bold, not shouted
    assert b"R\x81ckgabe bis: Mo., 14. Dez. 2026" in german  # in the printer's code page (CP437)

    printer_emulator.paper_byte = PAPER_OUT
    assert service.printer.refresh() is PrinterState.PAPER_OUT
    assert service.choices() == ("none",)
    before = printer_emulator.printed()
    delivery = service.deliver("print", RESULTS, patron_name="Jane Doe", patron_email="", offline=False)
    assert not delivery.ok and "could not be printed" in delivery.message
    assert printer_emulator.printed() == before  # nothing sent to a printer without paper

    printer_emulator.paper_byte = PAPER_LOW
    assert service.printer.refresh() is PrinterState.PAPER_LOW and "print" in service.choices()
    printer_emulator.online_byte, printer_emulator.paper_byte = OFFLINE, 0x12
    assert service.printer.refresh() is PrinterState.OFFLINE


def test_a_printer_that_is_gone_is_unreachable_and_comes_back(service_factory):
    emulator = PrinterEmulator()
    host, port = emulator.address
    emulator.stop()  # nothing listens on the port now
    service = service_factory(printer={"driver": "network", "host": host, "port": port, "timeout": 0.5})
    assert service.printer.refresh() is PrinterState.UNREACHABLE
    delivery = service.deliver("print", RESULTS, patron_name="", patron_email="", offline=False)
    assert not delivery.ok
    silent = PrinterEmulator().start()
    printer = ReceiptPrinter(PrinterSettings(driver="network", host=silent.address[0], port=silent.address[1],
                                             timeout=0.3))
    try:
        silent.silent = True
        assert printer.refresh() is PrinterState.UNREACHABLE  # connects, never answers
        silent.silent = False
        assert printer.refresh() is PrinterState.READY
    finally:
        printer.close()
        silent.stop()


# --- e-mail ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def certificates():
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(server_context)
    return ca, server_context


@pytest.fixture
def ca_file(tmp_path, certificates):
    path = tmp_path / "ca.pem"
    certificates[0].cert_pem.write_to_path(str(path))
    return str(path)


def email_section(port, ca_file, security="starttls", **more):
    return {"host": "127.0.0.1", "port": port, "security": security, "sender": "kiosk@library.example",
            "ca_file": ca_file, "timeout": 5.0, **more}


def test_email_receipt_over_starttls_with_login(certificates, ca_file, service_factory):
    smtp = SMTPServer(starttls=certificates[1], login=("kiosk", "pw")).start()
    try:
        service = service_factory(email=email_section(smtp.port, ca_file, username="kiosk", password="pw"))
        service.start()
        assert service.choices() == ("email", "none")
        assert service.choices(patron_email="") == ("none",)  # the library system has no address
        assert service.choices(patron_email="jane.doe@example.org") == ("email", "none")
        delivery = service.deliver("email", RESULTS, patron_name="Jane Doe",
                                   patron_email="jane.doe@example.org", offline=True)
        assert delivery.ok and "j***@example.org" in delivery.message
        assert wait_for(lambda: smtp.received.messages)
        sender, recipients, content = smtp.received.messages[0]
        message = message_from_bytes(content)
        assert sender == "kiosk@library.example" and recipients == ["jane.doe@example.org"]
        assert message["Subject"] == "Your library receipt"
        body = message.get_payload(decode=True).decode()
        assert "The Very Hungry Caterpillar" in body and "will be confirmed" in body.replace("\n", " ")
        assert wait_for(lambda: service.outbox.counts().pending == 0)  # sent mail is not kept

        delivery = service.deliver("email", RESULTS, patron_name="Jeanne", patron_email="jeanne@example.org",
                                   offline=False, language="fr")
        assert delivery.message == "Votre reçu sera envoyé à j***@example.org."
        assert wait_for(lambda: len(smtp.received.messages) == 2)
        message = message_from_bytes(smtp.received.messages[1][2])
        assert str(make_header(decode_header(message["Subject"]))) == "Votre reçu de la bibliothèque"
        body = message.get_payload(decode=True).decode()
        assert "EMPRUNTÉ (1 DOCUMENT)" in body and "À rendre le : lun. 14 déc. 2026" in body
    finally:
        smtp.stop()


def test_email_over_implicit_tls(certificates, ca_file, service_factory):
    smtp = SMTPServer(tls=certificates[1]).start()
    try:
        service = service_factory(email=email_section(smtp.port, ca_file, security="tls"))
        service.outbox.add("a@example.org", "s", "b")
        assert service.sender.send_due() == 1 and len(smtp.received.messages) == 1
    finally:
        smtp.stop()


def test_queued_email_survives_a_restart_and_a_server_that_was_down(tmp_path, certificates, ca_file):
    smtp = SMTPServer(starttls=certificates[1]).start()
    port = smtp.port
    smtp.stop()  # the mail server is down when the patron asks for the receipt
    config = config_for(tmp_path, email=email_section(port, ca_file))
    database = open_database(config.storage.database)
    service = ReceiptService(config, database)
    assert service.deliver("email", RESULTS, patron_name="", patron_email="p@example.org", offline=False).ok
    assert service.sender.send_due() == 0
    counts = service.outbox.counts()
    assert counts.pending == 1 and counts.oldest_pending is not None
    database.close()  # the kiosk restarts, and the mail server is back (on another port here)

    smtp = SMTPServer(starttls=certificates[1]).start()
    try:
        config = config_for(tmp_path, email=email_section(smtp.port, ca_file))
        database = open_database(config.storage.database)
        restarted = ReceiptService(config, database)
        [mail] = restarted.outbox.due(now=datetime.now(timezone.utc) + timedelta(hours=1))
        assert mail.attempts == 1 and mail.recipient == "p@example.org"
        assert restarted.sender.send_due(now=datetime.now(timezone.utc) + timedelta(hours=1)) == 1
        assert len(smtp.received.messages) == 1 and restarted.outbox.counts().pending == 0
        database.close()
    finally:
        smtp.stop()


def test_a_refused_address_is_given_up_not_retried(certificates, ca_file, service_factory):
    smtp = SMTPServer(starttls=certificates[1]).start()
    try:
        smtp.received.refuse_code = 550
        service = service_factory(email=email_section(smtp.port, ca_file))
        service.outbox.add("nobody@example.org", "s", "loans of a patron")
        assert service.sender.send_due() == 0
        counts = service.outbox.counts()
        assert counts.pending == 0 and counts.failed == 1
        with service.outbox.database.reading() as conn:
            assert conn.exec_driver_sql("SELECT body FROM email_outbox").scalar() == ""
    finally:
        smtp.stop()


def test_wrong_smtp_password_is_retried_later(certificates, ca_file, service_factory):
    smtp = SMTPServer(starttls=certificates[1], login=("kiosk", "pw")).start()
    try:
        service = service_factory(email=email_section(smtp.port, ca_file, username="kiosk", password="wrong"))
        service.outbox.add("a@example.org", "s", "b")
        assert service.sender.send_due() == 0
        assert "login refused" in service.sender.last_error
        assert service.outbox.counts().pending == 1
    finally:
        smtp.stop()


def test_deliver_never_raises_and_explains(service_factory):
    service = service_factory()
    assert service.choices() == ("none",)
    assert service.deliver("none", RESULTS, patron_name="", patron_email="", offline=False).ok
    assert not service.deliver("print", RESULTS, patron_name="", patron_email="", offline=False).ok
    assert not service.deliver("fax", RESULTS, patron_name="", patron_email="", offline=False).ok
    assert not service.deliver("email", [None], patron_name="", patron_email="x@y.org", offline=False).ok


def test_serial_printer_over_a_pty(service_factory):
    import os
    import threading
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    received = bytearray()
    stop = threading.Event()

    def printer_side():
        while not stop.is_set():
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            received.extend(data)
            for question in (b"\x10\x04\x01", b"\x10\x04\x04"):
                os.write(master, b"\x12" * data.count(question))

    thread = threading.Thread(target=printer_side, daemon=True)
    thread.start()
    try:
        service = service_factory(printer={"driver": "serial", "device": os.ttyname(slave), "timeout": 1.0})
        assert service.printer.refresh() is PrinterState.READY
        assert service.deliver("print", RESULTS, patron_name="", patron_email="", offline=False).ok
        assert wait_for(lambda: received.endswith(b"\x1dV\x00"))
        assert b"Cooking for one" in received
    finally:
        stop.set()
        service.printer.close()
        os.close(slave)
        os.close(master)
        thread.join(2)


def test_a_real_session_e_mailed_from_the_runtime(tmp_path):
    """Check out at a kiosk talking to the ACS emulator, then e-mail the session's receipt."""
    from sip2.emulator import ACSEmulator
    from sip2.emulator.demo_data import DEMO

    from kiosk.core.runtime import KioskRuntime

    acs = ACSEmulator(db=str(tmp_path / "library.db"), institution_id="DEMO")
    acs.start()
    smtp = SMTPServer().start()
    host, port = acs.address
    runtime = KioskRuntime(config_for(
        tmp_path, sip2={"host": host, "port": port, "username": "kiosk", "password": "kiosk",
                        "institution": "DEMO", "timeout": 2.0},
        email={"host": "127.0.0.1", "port": smtp.port, "security": "none", "sender": "kiosk@library.example"}),
        with_devices=False)
    try:
        runtime.start()
        login = runtime.handle_scan(DEMO.good_patron, pin=DEMO.good_pin)
        runtime.handle_scan(DEMO.available_items[0])
        refused = runtime.handle_scan(DEMO.item_on_hold_for_other)
        session = runtime.circulation.session
        results = list(session.results()) + [refused]  # the session keeps what went through
        delivery = runtime.receipts.deliver("email", results, patron_name=session.name,
                                            patron_email="marta@example.org", offline=session.offline)
        assert delivery.ok
        assert wait_for(lambda: smtp.received.messages)
        body = message_from_bytes(smtp.received.messages[0][2]).get_payload(decode=True).decode()
        good = next(r for r in results if r.ok)
        assert good.title and good.title in body and f"Due: {due_text(good)}" in body
        assert "NOT CHECKED OUT (1 ITEM)" in body and refused.reason.split()[0] in body and login.name in body
        assert DEMO.good_patron not in body  # the card number is not on the receipt
    finally:
        runtime.stop()
        smtp.stop()
        acs.stop()


def test_the_printer_state_is_polled_in_the_background(printer_emulator, service_factory):
    host, port = printer_emulator.address
    service = service_factory(printer={"driver": "network", "host": host, "port": port, "timeout": 1.0})
    assert service.choices() == ("none",)  # nothing known before the first answer
    service.start()
    assert wait_for(lambda: service.choices() == ("print", "none"))
    service.stop()
