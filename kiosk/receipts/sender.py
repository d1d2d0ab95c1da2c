"""The background thread that empties the outbox, with back-off, so no patron ever waits on SMTP."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from kiosk.config.deployment import EmailSettings
from kiosk.receipts.outbox import Outbox
from kiosk.receipts.smtp import SendFailed, compose, send
from kiosk.storage.timestamps import utc_now

log = logging.getLogger(__name__)

FIRST_RETRY = 30.0
LONGEST_RETRY = 3600.0
IDLE_WAKE = 300.0  # look again even when nothing was said to be due (e.g. clock changes)


def mask_address(address: str) -> str:
    """'jane.doe@example.org' -> 'j***@example.org', for logs."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}***{at}{domain}"


class MailSender:
    """Sends what is due in the outbox; `wake()` after adding mail sends it at once."""

    def __init__(self, outbox: Outbox, settings: EmailSettings) -> None:
        self.outbox = outbox
        self.settings = settings
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error = ""

    def start(self) -> None:
        """Start the sending thread (nothing happens when e-mail is not configured)."""
        if self._thread is not None or not self.settings.enabled:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread; unsent e-mail stays in the outbox for the next start."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(self.settings.timeout + 5)
            self._thread = None

    def wake(self) -> None:
        """Something was added: send it now rather than at the next scheduled look."""
        self._wake.set()

    def send_due(self, now: datetime | None = None) -> int:
        """Send every e-mail that is due now (or at `now`); returns how many were sent."""
        sent = 0
        for mail in self.outbox.due(now):
            if self._stopping.is_set():
                break
            try:
                send(self.settings, compose(self.settings, mail.recipient, mail.subject, mail.body))
            except SendFailed as exc:
                self.last_error = str(exc)
                if exc.permanent or mail.attempts + 1 >= self.settings.max_attempts:
                    log.error("e-mail %d to %s given up: %s", mail.id, mask_address(mail.recipient), exc)
                    self.outbox.give_up(mail.id, str(exc))
                else:
                    delay = min(LONGEST_RETRY, FIRST_RETRY * 2 ** mail.attempts)
                    log.warning("e-mail %d to %s not sent (%s); next try in %.0f s",
                                mail.id, mask_address(mail.recipient), exc, delay)
                    self.outbox.retry_later(mail.id, str(exc), timedelta(seconds=delay))
                continue
            self.last_error = ""
            self.outbox.sent(mail.id)
            log.info("e-mail %d sent to %s", mail.id, mask_address(mail.recipient))
            sent += 1
        return sent

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.send_due()
                upcoming = self.outbox.next_attempt()
            except Exception:  # a database hiccup must not end the sender for good
                log.exception("the e-mail sender failed; trying again later")
                upcoming = None
            wait = IDLE_WAKE if upcoming is None else (upcoming - utc_now()).total_seconds()
            self._wake.wait(min(IDLE_WAKE, max(0.05, wait)))
            self._wake.clear()
