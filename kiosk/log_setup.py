"""Logging for the kiosk: to standard error, which systemd sends to the journal with the right
priority, and with patron card numbers masked in everything at INFO and above.

PINs are never logged by the kiosk at all (the SIP2 client masks the PIN and password fields
even at DEBUG); card numbers are kept only at DEBUG, for a technician tracing one problem.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import TextIO

# sd-daemon(3) priorities, which journald reads from a "<N>" prefix on each line.
_PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}


class CardMasker(logging.Filter):
    """Masks every card number in a record at INFO or above, keeping the last four characters."""

    def __init__(self, card_patterns: list[str]) -> None:
        super().__init__()
        # Digits may follow a SIP2 field code ("AA2123..."), so only other digits bound a number.
        self._cards = [re.compile(rf"(?<![0-9])(?:{pattern})(?![0-9])") for pattern in card_patterns]

    def mask(self, text: str) -> str:
        """The text with each card number replaced by asterisks and its last four characters."""
        for card in self._cards:
            text = card.sub(lambda m: "*" * max(0, len(m[0]) - 4) + m[0][-4:], text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            message = record.getMessage()
            masked = self.mask(message)
            if masked != message or record.args:
                record.msg, record.args = masked, None
            if record.exc_info and not record.exc_text:
                record.exc_text = self.mask(logging.Formatter().formatException(record.exc_info))
            elif record.exc_text:
                record.exc_text = self.mask(record.exc_text)
        return True


class JournalFormatter(logging.Formatter):
    """`<priority>logger: message`: journald adds the time and the unit itself."""

    def format(self, record: logging.LogRecord) -> str:
        priority = _PRIORITY.get(record.levelno, 6 if record.levelno < logging.WARNING else 3)
        text = super().format(record)
        return "\n".join(f"<{priority}>{line}" for line in text.splitlines())


def configure_logging(card_patterns: list[str], *, level: int = logging.INFO,
                      stream: TextIO | None = None) -> logging.Handler:
    """Send the kiosk's logs to standard error (the journal under systemd), masking card numbers."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if os.environ.get("JOURNAL_STREAM"):  # set by systemd when stderr is the journal
        handler.setFormatter(JournalFormatter("%(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(CardMasker(card_patterns))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
