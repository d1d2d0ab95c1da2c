"""A scripted ACS for tests: a real socket server on 127.0.0.1 whose answers a test decides.

`answer(received)` is called for each whole request and returns the raw replies to send
(bytes, in order; none for silence) or None to close the connection without a reply.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from sip2.codec import Received
from sip2.connection import Connection, ConnectionSettings

Answer = Callable[[Received], "list[bytes] | None"]


class ScriptedACS:
    """Serves every connection with `answer`; `requests` keeps every request received, raw."""

    def __init__(self, answer: Answer, settings: ConnectionSettings | None = None) -> None:
        self.answer = answer
        self.settings = settings or ConnectionSettings()
        self.requests: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._sockets: list[socket.socket] = []

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) to connect to."""
        return self._listener.getsockname()[:2]

    def __enter__(self) -> ScriptedACS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close does not)
        except OSError:
            pass
        self._listener.close()
        for sock in list(self._sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            self._sockets.append(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        conn = Connection(self.settings)
        with sock:
            while True:
                try:
                    data = sock.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                conn.receive_data(data)
                while (received := conn.next_received()) is not None:
                    self.requests.append(received.raw)
                    replies = self.answer(received)
                    if replies is None:
                        return
                    for reply in replies:
                        sock.sendall(reply)
