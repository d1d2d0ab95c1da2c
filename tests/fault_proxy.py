"""A TCP proxy on 127.0.0.1 that puts network and ACS faults between a kiosk and an ACS.

Every connection to the proxy gets its own connection to the ACS; bytes pass through both
ways, message by message (a SIP2 message ends at CR). `arm(fault)` makes the reply to the
next circulation request (checkout 11, checkin 09, renew 29) suffer that fault, once;
`silent = True` swallows every reply until it is set back to False, as a hung ACS does.
"""

from __future__ import annotations

import enum
import socket
import struct
import threading
import time

from sip2.emulator.server import corrupt_checksum

CIRCULATION_CODES = (b"11", b"09", b"29")


class Fault(enum.Enum):
    """What happens to the one reply (or request) the proxy was armed for."""

    DELAY = "delay"  # the reply comes late, but within the kiosk's timeout
    TIMEOUT = "timeout"  # the reply comes after the kiosk's timeout
    DROP_REQUEST = "drop mid-request"  # half the request reaches the ACS, then both ends close
    DROP_REPLY = "drop mid-reply"  # the ACS applied it; half the reply, then both ends close
    RESET = "reset"  # the ACS applied it; the kiosk's connection is reset (RST) instead of a reply
    HALF_CLOSE = "half-close"  # the ACS applied it; the kiosk's side is shut for writing, no reply
    GARBAGE = "garbage"  # the reply is replaced by bytes that are not SIP2
    BAD_CHECKSUM = "wrong checksum"  # the reply's AZ checksum is wrong
    BYTE_AT_A_TIME = "byte at a time"  # the reply arrives one byte per write
    SILENT = "silent ACS"  # the ACS reads requests and never answers until it is healed


class FaultProxy:
    """Listen on 127.0.0.1 (ephemeral port) and forward to `upstream` with faults on demand."""

    def __init__(self, upstream: tuple[str, int], *, delay: float = 0.3, late: float = 2.0) -> None:
        self.upstream = upstream
        self.delay, self.late = delay, late
        self.silent = False
        self._armed: Fault | None = None
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self.used: list[Fault] = []  # faults applied so far, in order
        self._start(self._accept_loop)

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) the kiosk connects to."""
        return self._listener.getsockname()[:2]

    def arm(self, fault: Fault) -> None:
        """Apply `fault` to the next circulation request's exchange (SILENT: until `heal()`)."""
        with self._lock:
            if fault is Fault.SILENT:
                self.silent = True
            else:
                self._armed = fault

    def heal(self) -> None:
        """Back to a clean line: nothing armed, the ACS answers again."""
        with self._lock:
            self._armed, self.silent = None, False

    def stop(self) -> None:
        """Close the listener and every connection; join the forwarding threads."""
        self._stopping.set()
        _close(self._listener)
        for sock in list(self._sockets):
            _close(sock)
        for thread in self._threads:
            thread.join(5)

    # --- forwarding ----------------------------------------------------------------------

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="fault-proxy")
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            self._sockets.update((client, server))
            pending: list[Fault] = []  # the fault this connection's next reply suffers
            self._start(self._requests, client, server, pending)
            self._start(self._replies, server, client, pending)

    def _take(self, request: bytes) -> Fault | None:
        with self._lock:
            if self._armed is None or request[:2] not in CIRCULATION_CODES:
                return None
            fault, self._armed = self._armed, None
            self.used.append(fault)
            return fault

    def _requests(self, client: socket.socket, server: socket.socket, pending: list[Fault]) -> None:
        """Kiosk -> ACS, one message at a time."""
        for message in _messages(client):
            fault = self._take(message)
            if fault is Fault.DROP_REQUEST:
                _send(server, message[:len(message) // 2])
                time.sleep(0.05)
                _close(server)
                _close(client)
                return
            if fault is not None:
                pending.append(fault)
            if not _send(server, message):
                break
        _close(server)

    def _replies(self, server: socket.socket, client: socket.socket, pending: list[Fault]) -> None:
        """ACS -> kiosk, one message at a time, each faulted as armed."""
        for message in _messages(server):
            if self.silent:
                continue
            fault = pending.pop(0) if pending else None
            if fault is Fault.DELAY:
                time.sleep(self.delay)
            elif fault is Fault.TIMEOUT:
                time.sleep(self.late)
            elif fault is Fault.DROP_REPLY:
                _send(client, message[:len(message) // 2])
                break
            elif fault is Fault.RESET:
                _reset(client)
                break
            elif fault is Fault.HALF_CLOSE:
                try:
                    client.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue  # the kiosk may still write; nothing more reaches it
            elif fault is Fault.GARBAGE:
                message = b"\x00\xff\xfe garbage \x1b[2J" + bytes(range(128, 160)) + b"\r"
            elif fault is Fault.BAD_CHECKSUM:
                message = corrupt_checksum(message)
            if fault is Fault.BYTE_AT_A_TIME:
                ok = all(_send(client, message[i:i + 1]) for i in range(len(message)))
            else:
                ok = _send(client, message)
            if not ok:
                break
        _close(client)
        _close(server)


def _messages(sock: socket.socket):
    """The messages read from `sock`, each with its CR (and LF, when one follows)."""
    buffer = b""
    while True:
        try:
            data = sock.recv(65536)
        except OSError:
            return
        if not data:
            return
        buffer += data
        while b"\r" in buffer:
            end = buffer.index(b"\r") + 1
            if buffer[end:end + 1] == b"\n":
                end += 1
            message, buffer = buffer[:end], buffer[end:]
            yield message


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def _close(sock: socket.socket) -> None:
    """Shut down first: that wakes the other thread blocked reading the same socket."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def _reset(sock: socket.socket) -> None:
    """Abort the connection: the peer gets a TCP reset, not an orderly end."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RD)  # wakes the reader thread without sending anything
    except OSError:
        pass
    sock.close()
