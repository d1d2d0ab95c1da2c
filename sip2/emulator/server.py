"""The ACS emulator's TCP server: one thread per client, one `Connection` per socket.

Tolerant like a real ACS: CR, LF and CRLF are accepted, checksums are verified when present
(a bad one is answered with 96), a 97 gets the last reply again, and bytes that are not a
SIP2 request are logged and skipped once a client has logged in. Before that, as Evergreen's
SIPServer does, they close the connection, and so does a connection that starts with anything
but SIP2 (say a TLS handshake sent to the plain port) rather than wait for a line end that
never comes.
Nothing a client sends stops the server.
"""

from __future__ import annotations

import logging
import selectors
import signal
import socket
import ssl
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sip2.codec import Received, mask_secrets
from sip2.connection import Connection, ConnectionSettings
from sip2.emulator import demo_data
from sip2.emulator.charset import fit_message
from sip2.emulator.faults import Faults
from sip2.emulator.library import Library
from sip2.emulator.policy import Policy
from sip2.emulator.rules import Circulation
from sip2.emulator.store import Store
from sip2.errors import ChecksumError, CodecError
from sip2.messages import Login, LoginResponse, RequestACSResend, RequestSCResend, SCStatus

log = logging.getLogger("sip2.emulator")

TLS_HANDSHAKE_TIMEOUT = 10.0
_JOIN_TIMEOUT = 5.0


@dataclass
class _ClientState:
    """What the ACS remembers about one SC connection."""

    peer: str
    logged_in: bool
    location: str | None = None
    head: bytes = b""  # the first bytes received, until they show whether this is SIP2 at all


class _Close(Exception):
    """Close this client's connection now (a fault, or a request before login)."""


class ACSEmulator:
    """A SIP2 ACS with a demo library, for tests, demos and a technician's bench.

    `db` is a SQLite file (seeded with the demo data when empty) or None for a temporary one.
    `settings` are the wire settings (character set, terminator, checksum policy) of every
    connection; `policy` the library's circulation rules (its institution id is replaced by
    `institution_id`). `require_login=False` answers requests without a 93 login first, as
    some ACSs do. `idle_timeout` closes a connection silent for that many seconds; `today`
    dates the demo data when a new database is seeded.
    """

    def __init__(self, db: str | None = None, host: str = "127.0.0.1", port: int = 0,
                 ssl_context: ssl.SSLContext | None = None,
                 settings: ConnectionSettings | None = None,
                 accounts: Mapping[str, str] | None = None, require_login: bool = True,
                 institution_id: str = "DEMO", *, policy: Policy | None = None,
                 today: date | None = None, idle_timeout: float | None = None) -> None:
        self.host, self.port = host, port
        self.ssl_context = ssl_context
        self.settings = settings or ConnectionSettings()
        self.require_login = require_login
        self.idle_timeout = idle_timeout
        self.store = Store(db)
        if self.store.is_empty():
            demo_data.seed(self.store, today)
        self.policy = replace(policy or Policy(), institution_id=institution_id)
        self.circulation = Circulation(self.store, self.policy,
                                       {"kiosk": "kiosk"} if accounts is None else accounts)
        self.library = Library(self.store)
        self.faults = Faults()
        self._listener: socket.socket | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._stopping = threading.Event()
        self._accept_thread: threading.Thread | None = None
        self._clients: dict[socket.socket, threading.Thread] = {}
        self._lock = threading.Lock()

    # --- life cycle -----------------------------------------------------------------------

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) the emulator listens on; the real port once started with port 0."""
        if self._listener is None:
            return self.host, self.port
        host, port = self._listener.getsockname()[:2]
        return host, port

    def start(self) -> ACSEmulator:
        """Listen and serve in a background thread; returns at once."""
        if self._accept_thread is not None:
            raise RuntimeError("the emulator is already running")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, self.port))
            listener.listen(64)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self._accept_thread = threading.Thread(target=self._accept_loop, name="sip2-acs-accept",
                                               daemon=True)
        self._accept_thread.start()
        log.info("ACS emulator listening on %s:%d", *self.address)
        return self

    def stop(self) -> None:
        """Stop serving, close every connection, and release the database."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._wake_w.send(b"x")
        if self._accept_thread is not None:
            self._accept_thread.join(_JOIN_TIMEOUT)
        if self._listener is not None:
            self._listener.close()
        threads = self.close_idle_connections()
        for thread in threads:
            thread.join(_JOIN_TIMEOUT)
        self._wake_r.close()
        self._wake_w.close()
        self.store.close()

    def __enter__(self) -> ACSEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def close_idle_connections(self) -> list[threading.Thread]:
        """Close every open client connection now, as an ACS's idle timeout does."""
        with self._lock:
            clients = list(self._clients.items())
        for sock, _thread in clients:
            try:
                # The plain socket's shutdown wakes the reader; TLS state is left to its thread.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass
        return [thread for _sock, thread in clients]

    @property
    def connection_count(self) -> int:
        """How many clients are connected now."""
        with self._lock:
            return len(self._clients)

    # --- serving --------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._listener is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    try:
                        sock, peer = self._listener.accept()
                    except OSError as exc:
                        log.warning("accept failed: %s", exc)
                        continue
                    thread = threading.Thread(target=self._serve_client, args=(sock, peer),
                                              name=f"sip2-acs-{peer[1]}", daemon=True)
                    with self._lock:
                        self._clients[sock] = thread
                    thread.start()

    def _serve_client(self, sock: socket.socket, peer: tuple) -> None:
        name = f"{peer[0]}:{peer[1]}"
        raw = sock
        try:
            if self.ssl_context is not None:
                sock.settimeout(TLS_HANDSHAKE_TIMEOUT)
                sock = self.ssl_context.wrap_socket(sock, server_side=True)
            sock.settimeout(self.idle_timeout)
            log.info("%s connected", name)
            self._converse(sock, _ClientState(name, logged_in=not self.require_login))
        except TimeoutError:
            log.info("%s: nothing received for %s s; connection closed", name, self.idle_timeout)
        except OSError as exc:  # resets, TLS failures
            log.info("%s: connection ended: %s", name, exc)
        except _Close:
            log.info("%s: connection closed by the ACS", name)
        except Exception:  # a bug must cost one connection, never the server
            log.exception("%s: unexpected error; connection closed", name)
        finally:
            with self._lock:
                self._clients.pop(raw, None)
            try:
                sock.close()
            except OSError:
                pass
            log.info("%s disconnected", name)

    def _converse(self, sock: socket.socket, client: _ClientState) -> None:
        connection = Connection(self.settings)
        while not self._stopping.is_set():
            data = sock.recv(65536)
            if not data:
                return
            self._refuse_if_not_sip2(client, data)
            connection.receive_data(data)
            while True:
                try:
                    received = connection.next_received()
                except ChecksumError as exc:
                    log.warning("%s: %s; asking for a resend (96)", client.peer, exc)
                    if not self.faults.silent:
                        self._send(sock, connection.reply(RequestSCResend(), to=None))
                    continue
                except CodecError as exc:
                    if not client.logged_in:
                        log.warning("%s: sent something that is not SIP2 before logging in (%s); "
                                    "closing", client.peer, exc)
                        raise _Close() from None
                    log.warning("%s: skipped bytes that are not a SIP2 request: %s", client.peer, exc)
                    continue
                if received is None:
                    break
                self._handle(sock, connection, client, received)

    @staticmethod
    def _refuse_if_not_sip2(client: _ClientState, data: bytes) -> None:
        """Close a connection whose first bytes cannot start a SIP2 message (two digits)."""
        if len(client.head) >= 2:
            return
        client.head = (client.head + data).lstrip(b"\r\n")[:2]
        if client.head and not client.head.isdigit():
            log.warning("%s: the first bytes %r are not SIP2 (a TLS handshake on the plain port?); "
                        "closing", client.peer, client.head)
            raise _Close()

    def _handle(self, sock: socket.socket, connection: Connection, client: _ClientState,
                received: Received) -> None:
        request = received.message
        log.info("%s -> %s", client.peer, mask_secrets(received.raw))
        if self.faults.silent:
            return
        if isinstance(request, RequestACSResend):
            if connection.last_sent is not None:
                self._send(sock, connection.last_sent)
            return
        if not self.circulation.answers(request):
            log.warning("%s: %s (%s) is not a request; ignored", client.peer, request.NAME, request.CODE)
            return
        if self.faults.take("drop_next"):
            raise _Close()
        if self.faults.take("resend_next"):
            self._send(sock, connection.reply(RequestSCResend(), to=None))
            return
        if not client.logged_in and not isinstance(request, (Login, SCStatus)):
            log.warning("%s: %s before a successful login; closing", client.peer, request.NAME)
            raise _Close()
        reply = self.circulation.answer(request, location=client.location)
        if isinstance(reply, LoginResponse) and isinstance(request, Login):
            client.logged_in = reply.ok or not self.require_login
            client.location = request.location_code if reply.ok else client.location
        if self.faults.take("apply_then_drop_next"):
            raise _Close()
        if self.faults.delay > 0:
            self._stopping.wait(self.faults.delay)
        reply = fit_message(reply, connection.settings.encoding)
        self._send(sock, connection.reply(reply, to=received))

    def _send(self, sock: socket.socket, data: bytes) -> None:
        terminator = self.faults.terminator
        if terminator is not None:
            data = data.rstrip(b"\r\n") + terminator
        if self.faults.take("bad_checksum_next"):
            data = corrupt_checksum(data)
        log.info("<- %s", mask_secrets(data))
        sock.sendall(data)


def corrupt_checksum(data: bytes) -> bytes:
    """The same message with a wrong AZ checksum (one is added when it has none)."""
    body = data.rstrip(b"\r\n")
    terminator = data[len(body):] or b"\r"
    at = body.rfind(b"AZ")
    if at >= 0 and len(body) - at == 6:
        value = (int(body[at + 2:], 16) + 1) & 0xFFFF
        return body[:at + 2] + b"%04X" % value + terminator
    return body + b"AZ0000" + terminator


def serve_forever(host: str = "127.0.0.1", port: int = 6001, db: str | None = None,
                  policy: Policy | None = None) -> int:
    """Run the emulator in the foreground until Ctrl-C or SIGTERM; returns the exit code."""
    emulator = ACSEmulator(db=db, host=host, port=port, policy=policy)
    try:
        emulator.start()
    except OSError as exc:
        emulator.stop()
        print(f"cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        print(describe(emulator, db), flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        emulator.stop()
    print("ACS emulator stopped.", flush=True)
    return 0


def describe(emulator: ACSEmulator, db: str | None) -> str:
    """How to connect, and the demo accounts a tester needs."""
    host, port = emulator.address
    demo = demo_data.DEMO
    accounts = ", ".join(f"{user} / {password}" for user, password in emulator.circulation.accounts.items())
    lines = [
        f"SIP2 ACS emulator listening on {host}:{port} (institution {emulator.policy.institution_id})",
        f"  database: {db or 'temporary (discarded on exit)'}",
        f"  SIP2 login (93): {accounts or 'none'}" + ("" if emulator.require_login else " (optional)"),
        f"  good patron: {demo.good_patron}  PIN {demo.good_pin}",
        f"  blocked: {demo.blocked_patron}  fines over limit: {demo.fined_patron}  "
        f"expired: {demo.expired_patron}  lost card: {demo.lost_card_patron}",
        f"  items to borrow: {', '.join(demo.available_items[:5])} ...",
        f"  on hold for another: {demo.item_on_hold_for_other}  to staff: {demo.item_to_staff}  "
        f"magnetic: {demo.magnetic_item}  reference: {demo.reference_item}",
        f"  set of 3 discs: {', '.join(demo.multipart_set)}",
        "Stop with Ctrl-C.",
    ]
    return "\n".join(lines)
