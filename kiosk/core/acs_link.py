"""The kiosk's line to the library system: one SIP2 client, and whether the system is reachable.

Any call that cannot reach the ACS (connection refused, timeout, a 98 saying it is offline)
turns the link offline; a background probe brings it back online by itself.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sip2.client import SIP2Client, TLSSettings
from sip2.dialects import dialect
from sip2.errors import ClientError, LoginRefused, TimedOut, Unreachable
from sip2.messages import ACSStatus

from kiosk.config import SIP2Settings

log = logging.getLogger(__name__)

T = TypeVar("T")


class LinkProblem(enum.Enum):
    """Why the link went offline, for the technician screen to say in its language."""

    UNREACHABLE = "unreachable"  # no connection, TLS failed, the connection closed
    NO_ANSWER = "no answer"
    LOGIN_REFUSED = "login refused"
    SAYS_OFFLINE = "says offline"  # a 98 with online = N
    FAILED = "failed"  # any other client error (a reply that could not be read)


def _problem(exc: ClientError) -> LinkProblem:
    """The kind of a client error, as the technician screen says it."""
    for kind, problem in ((TimedOut, LinkProblem.NO_ANSWER), (LoginRefused, LinkProblem.LOGIN_REFUSED),
                          (Unreachable, LinkProblem.UNREACHABLE)):
        if isinstance(exc, kind):
            return problem
    return LinkProblem.FAILED


class Offline(Exception):
    """The library system cannot be reached now; nothing was sent."""


class ACSLink:
    """Calls the ACS through one client and tracks whether it is online.

    `listeners` are called with True/False (from the probing thread or the caller's) each time
    the link goes online or offline.
    """

    def __init__(self, client: SIP2Client, *, probe_interval: float = 30.0) -> None:
        self.client = client
        self.probe_interval = probe_interval
        self.online = True  # optimistic until a call says otherwise
        self.last_error = ""
        self.problem: LinkProblem | None = None  # why it is offline, None while online
        self.last_status: ACSStatus | None = None
        self.listeners: list[Callable[[bool], None]] = []
        self._state_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._probe_thread: threading.Thread | None = None

    def call(self, operation: Callable[[SIP2Client], T]) -> T:
        """Run one client operation; raise Offline when the ACS cannot be reached.

        Other client errors (login refused, protocol errors, unknown outcomes) pass through:
        they mean the ACS is there but something is wrong, which offline mode cannot fix.
        """
        if not self.online:
            raise Offline(self.last_error or "the library system is offline")
        try:
            result = operation(self.client)
        except (Unreachable, TimedOut, LoginRefused) as exc:  # no circulation without a SIP2 login either
            self._set_online(False, str(exc), _problem(exc))
            raise Offline(str(exc)) from exc
        return result

    def probe(self) -> bool:
        """Ask the ACS for its status (99); online when it answers and says it is online."""
        try:
            status = self.client.sc_status()
        except ClientError as exc:
            self._set_online(False, str(exc), _problem(exc))
            return False
        self.last_status = status
        if not status.online:
            self._set_online(False, "the library system says it is offline (98 online = N)",
                             LinkProblem.SAYS_OFFLINE)
            return False
        self._set_online(True, "")
        return True

    def _set_online(self, online: bool, why: str, problem: LinkProblem | None = None) -> None:
        with self._state_lock:
            changed = online != self.online
            self.online, self.last_error, self.problem = online, why, problem
        if changed:
            log.warning("library system %s%s", "back online" if online else "offline", f": {why}" if why else "")
            if not online:
                self.client.close()
                self._wake.set()
            for listener in list(self.listeners):
                try:
                    listener(online)
                except Exception:  # a listener's bug must not stop the kiosk
                    log.exception("link listener failed")

    def start_probing(self) -> None:
        """Probe in the background while offline (and every interval while online, to notice 98 = N)."""
        if self._probe_thread is not None:
            return
        self._stopping.clear()
        self._probe_thread = threading.Thread(target=self._probe_loop, name="acs-probe", daemon=True)
        self._probe_thread.start()

    def stop(self) -> None:
        """Stop probing and close the connection."""
        self._stopping.set()
        self._wake.set()
        if self._probe_thread is not None:
            self._probe_thread.join(5)
            self._probe_thread = None
        self.client.close()

    def _probe_loop(self) -> None:
        delay = min(2.0, self.probe_interval)
        while not self._stopping.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stopping.is_set():
                return
            started = time.monotonic()
            online = self.probe()
            # Offline: probe sooner at first, backing off to the configured interval.
            delay = self.probe_interval if online else min(self.probe_interval, max(1.0, delay * 2))
            delay = max(0.0, delay - (time.monotonic() - started))


def connected_client(settings: SIP2Settings) -> SIP2Client:
    """A client as `client_for` makes it, connected (and logged in when a SIP2 user is set)."""
    client = client_for(settings)
    client.connect()
    return client


def client_for(settings: SIP2Settings) -> SIP2Client:
    """A SIP2 client (not connected yet) as the `[sip2]` configuration describes it."""
    profile = dialect(settings.dialect)
    tls = None
    if settings.tls:
        tls = TLSSettings(ca_file=settings.ca_file, cert_file=settings.cert_file,
                          key_file=settings.key_file, verify=settings.verify)
    return SIP2Client(
        settings.host, settings.port, tls=tls,
        settings=profile.settings(encoding=settings.encoding, terminator=settings.terminator,
                                  checksums=settings.checksums, sequence_check=settings.sequence_check),
        username=settings.username, password=settings.password, location=settings.location or None,
        institution_id=settings.institution, terminal_password=settings.terminal_password,
        timeout=settings.timeout, connect_timeout=settings.connect_timeout)
