"""A minimal SC (self-check) side for driving the ACS emulator over a real socket in tests."""

from __future__ import annotations

import functools
import shutil
import socket
import tempfile
from datetime import datetime
from pathlib import Path

from sip2 import messages as m
from sip2.codec import Received
from sip2.connection import Connection, ConnectionSettings
from sip2.emulator import demo_data
from sip2.emulator.store import Store
from sip2.message import Message

TIMEOUT = 5.0
INSTITUTION = "DEMO"


def fresh_library(directory: Path) -> str:
    """A copy of a freshly seeded demo database in `directory` (seeding once per test run)."""
    target = directory / "library.sqlite"
    shutil.copyfile(_seeded_template(), target)
    return str(target)


@functools.cache
def _seeded_template() -> str:
    folder = tempfile.TemporaryDirectory(prefix="sip2-emulator-template-")
    _TEMPLATE_FOLDERS.append(folder)  # removed when the test run ends
    path = str(Path(folder.name) / "library.sqlite")
    store = Store(path)
    demo_data.seed(store)
    store.close()  # the last connection closing folds the write-ahead log into the file
    return path


_TEMPLATE_FOLDERS: list[tempfile.TemporaryDirectory[str]] = []


class Closed(Exception):
    """The ACS closed the connection."""


class SC:
    """One SC connection: send requests with the codec, read whole replies."""

    def __init__(self, address: tuple[str, int], settings: ConnectionSettings | None = None,
                 sock: socket.socket | None = None) -> None:
        self.sock = sock or socket.create_connection(address, timeout=TIMEOUT)
        self.sock.settimeout(TIMEOUT)
        self.connection = Connection(settings)

    def send(self, message: Message) -> bytes:
        """Send a request; returns the bytes sent."""
        data = self.connection.send(message)
        self.sock.sendall(data)
        return data

    def send_raw(self, data: bytes) -> None:
        """Send bytes as they are."""
        self.sock.sendall(data)

    def read(self) -> Received:
        """The next whole message from the ACS (Closed when it hangs up)."""
        while True:
            received = self.connection.next_received()
            if received is not None:
                return received
            data = self.sock.recv(65536)
            if not data:
                raise Closed()
            self.connection.receive_data(data)

    def read_raw(self) -> bytes:
        """Bytes of the next reply exactly as sent, terminator included."""
        data = b""
        while not data.endswith((b"\r", b"\n")):
            chunk = self.sock.recv(1)
            if not chunk:
                raise Closed()
            data += chunk
        return data

    def is_closed(self) -> bool:
        """Whether the ACS has closed the connection (waits for its decision)."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def ask(self, message: Message) -> Message:
        """Send a request and return the decoded reply."""
        self.send(message)
        return self.read().message

    def login(self, user: str = "kiosk", password: str = "kiosk") -> bool:
        """Log in with 93; returns the 94's ok."""
        return self.ask(m.Login(login_user_id=user, login_password=password, location_code="Kiosk 1")).ok

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()

    def __enter__(self) -> SC:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- requests tests use often ----------------------------------------------------------

    def checkout(self, patron: str, item: str, *, pin: str | None = None, renewal_policy: bool = True,
                 no_block: bool = False, when: datetime | None = None,
                 nb_due: datetime | None = None, cancel: str | None = None) -> m.CheckoutResponse:
        """11 checkout."""
        return self.ask(m.Checkout(renewal_policy=renewal_policy, no_block=no_block,
                                   transaction_date=when or datetime.now().replace(microsecond=0),
                                   nb_due_date=nb_due, institution_id=INSTITUTION, patron_id=patron,
                                   item_id=item, terminal_password="", patron_password=pin,
                                   cancel=cancel))

    def checkin(self, item: str, *, no_block: bool = False, when: datetime | None = None,
                returned: datetime | None = None) -> m.CheckinResponse:
        """09 checkin."""
        return self.ask(m.Checkin(no_block=no_block,
                                  transaction_date=when or datetime.now().replace(microsecond=0),
                                  return_date=returned, current_location="Kiosk 1",
                                  institution_id=INSTITUTION, item_id=item, terminal_password=""))

    def renew(self, patron: str, item: str, *, pin: str | None = None, no_block: bool = False,
              when: datetime | None = None, nb_due: datetime | None = None) -> m.RenewResponse:
        """29 renew."""
        return self.ask(m.Renew(no_block=no_block,
                                transaction_date=when or datetime.now().replace(microsecond=0),
                                nb_due_date=nb_due, institution_id=INSTITUTION, patron_id=patron,
                                patron_password=pin, item_id=item))

    def item_information(self, item: str) -> m.ItemInformationResponse:
        """17 item information."""
        return self.ask(m.ItemInformation(transaction_date=datetime.now().replace(microsecond=0),
                                          institution_id=INSTITUTION, item_id=item))

    def patron_information(self, patron: str, *, pin: str | None = None, summary: str = " " * 10,
                           start: str | None = None, end: str | None = None) -> m.PatronInformationResponse:
        """63 patron information."""
        return self.ask(m.PatronInformation(transaction_date=datetime.now().replace(microsecond=0),
                                            summary=summary, institution_id=INSTITUTION,
                                            patron_id=patron, patron_password=pin,
                                            start_item=start, end_item=end))

    def hold(self, mode: str, patron: str, item: str, **fields: str) -> m.HoldResponse:
        """15 hold."""
        return self.ask(m.Hold(hold_mode=mode, transaction_date=datetime.now().replace(microsecond=0),
                               institution_id=INSTITUTION, patron_id=patron, item_id=item, **fields))
