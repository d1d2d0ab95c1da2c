"""What the app calls at the end of a session: which receipts can be had now, and deliver one.

`choices()` never blocks (the printer's state is asked in the background); `deliver()` never
raises: printing is tried at once, an e-mail is stored in the outbox and sent in the
background, and the patron gets a sentence saying what happened either way, in their language.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.config import KioskConfig
from kiosk.core import wording
from kiosk.core.outcomes import ItemOutcome
from kiosk.i18n import Words, translator
from kiosk.receipts.content import as_plain_text, build_receipt
from kiosk.receipts.outbox import Outbox
from kiosk.receipts.printer import PrintError, ReceiptPrinter
from kiosk.receipts.sender import MailSender, mask_address
from kiosk.storage.db import Database

log = logging.getLogger(__name__)

PRINTER_POLL_SECONDS = 30.0


@dataclass(frozen=True)
class Delivery:
    """How a receipt request ended, and what to tell the patron."""

    ok: bool
    message: str


class ReceiptService:
    """Receipts on paper or by e-mail for one kiosk."""

    def __init__(self, config: KioskConfig, database: Database, *, printer: ReceiptPrinter | None = None) -> None:
        self.config = config
        self.printer = printer or ReceiptPrinter(config.printer)
        self.outbox = Outbox(database)
        self.sender = MailSender(self.outbox, config.email)
        self._stopping = threading.Event()
        self._poller: threading.Thread | None = None

    def start(self) -> None:
        """Start the e-mail sender and the printer's status polling."""
        self.sender.start()
        if self.config.printer.driver != "none" and self._poller is None:
            self._stopping.clear()
            self._poller = threading.Thread(target=self._poll_printer, name="printer-status", daemon=True)
            self._poller.start()

    def stop(self) -> None:
        """Stop the background work (unsent e-mail stays in the outbox)."""
        self._stopping.set()
        if self._poller is not None:
            self._poller.join(self.config.printer.timeout * 2 + 5)
            self._poller = None
        self.sender.stop()
        self.printer.close()

    def choices(self, patron_email: str | None = None) -> tuple[str, ...]:
        """The receipts the patron may pick now: configured ones, less a printer that cannot print
        (and less e-mail when `patron_email` is given but holds no address)."""
        allowed = self.config.receipts.choices
        no_address = patron_email is not None and "@" not in patron_email
        return tuple(c for c in allowed
                     if (c != "print" or self.printer.state.can_print) and (c != "email" or not no_address))

    def deliver(self, choice: str, session_results: Sequence[ItemOutcome], *, patron_name: str,
                patron_email: str, offline: bool, language: str = "") -> Delivery:
        """Print or e-mail the session's receipt (or nothing); never raises. Printing blocks for as
        long as the printer takes (seconds at most): call it from a worker thread, like circulation.
        The receipt and the answer are in `language` (the kiosk's first language when not given)."""
        words = translator(language or self.config.app.languages[0], self.config.kiosk.locale)
        try:
            if choice == "none":
                return Delivery(True, words(wording.RECEIPT_NONE))
            if choice not in self.config.receipts.choices:
                return Delivery(False, words(wording.RECEIPT_NOT_AVAILABLE))
            if choice == "print":
                return self._print(session_results, patron_name, offline, words)
            if choice == "email":
                return self._email(session_results, patron_name, patron_email, offline, words)
            return Delivery(False, words(wording.RECEIPT_NOT_AVAILABLE))
        except Exception:  # the patron must never be stuck on a receipt
            log.exception("receipt (%s) failed", choice)
            return Delivery(False, words(wording.RECEIPT_FAILED))

    def _lines(self, results: Sequence[ItemOutcome], patron_name: str, offline: bool, words: Words):
        receipts = self.config.receipts
        return build_receipt(results, library_name=self.config.kiosk.library_name, patron_name=patron_name,
                             offline=offline, footer=receipts.footer, width=receipts.width, words=words)

    def _print(self, results: Sequence[ItemOutcome], patron_name: str, offline: bool, words: Words) -> Delivery:
        try:
            self.printer.print_receipt(self._lines(results, patron_name, offline, words))
        except PrintError as exc:
            log.warning("receipt not printed: %s", exc)
            sorry = words(wording.RECEIPT_NOT_PRINTED)
            if "email" in self.choices():
                sorry += " " + words(wording.RECEIPT_BY_EMAIL_INSTEAD)
            return Delivery(False, sorry)
        return Delivery(True, words(wording.RECEIPT_PRINTED))

    def _email(self, results: Sequence[ItemOutcome], patron_name: str, patron_email: str,
               offline: bool, words: Words) -> Delivery:
        address = patron_email.strip()
        if "@" not in address:
            return Delivery(False, words(wording.RECEIPT_NO_ADDRESS))
        body = as_plain_text(self._lines(results, patron_name, offline, words), self.config.receipts.width)
        mail_id = self.outbox.add(address, words(self.config.receipts.subject), body)  # the default translates
        self.sender.wake()
        log.info("receipt e-mail %d queued for %s", mail_id, mask_address(address))
        return Delivery(True, words(wording.RECEIPT_EMAILED).format(address=mask_address(address)))

    def _poll_printer(self) -> None:
        while not self._stopping.is_set():
            try:
                self.printer.refresh()
            except Exception:  # keep polling whatever one question did
                log.exception("printer status failed")
            self._stopping.wait(PRINTER_POLL_SECONDS)
