"""A real SMTP server for tests (aiosmtpd) on 127.0.0.1, port 0: plain, STARTTLS or TLS, with login."""

from __future__ import annotations

import asyncio
import ssl
import threading
from dataclasses import dataclass, field

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


@dataclass
class Received:
    """Messages the server accepted, and what it should do with the next ones."""

    messages: list = field(default_factory=list)
    refuse_code: int = 0  # e.g. 550: refuse every recipient with this code


class _Handler:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.received.refuse_code:
            return f"{self.received.refuse_code} no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


class SMTPServer:
    """Start with `start()`, read `.port` and `.received`, `stop()` at the end."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, starttls: ssl.SSLContext | None = None,
                 login: tuple[str, str] | None = None) -> None:
        self.received = Received()
        self._tls, self._starttls, self._login = tls, starttls, login
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server = None
        self.port = 0

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and self._login is not None and \
            (auth_data.login.decode(), auth_data.password.decode()) == self._login
        return AuthResult(success=ok, handled=False)  # aiosmtpd then answers 535 itself

    def _protocol(self) -> SMTP:
        return SMTP(_Handler(self.received), hostname="mail.test", tls_context=self._starttls,
                    require_starttls=self._starttls is not None,
                    authenticator=self._authenticate if self._login else None,
                    auth_required=self._login is not None, auth_require_tls=self._login is not None)

    def start(self) -> SMTPServer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            self._loop.create_server(self._protocol, host="127.0.0.1", port=0, ssl=self._tls), self._loop)
        self._server = future.result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
