"""The receipt printer: its state (asked in the background) and printing a receipt on it.

One lock serialises the status questions and the printing; a printer that fails is closed
and reopened on the next use, so unplugging and replugging it needs no restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from kiosk.config.deployment import PrinterSettings
from kiosk.receipts.content import Line, Style
from kiosk.receipts.printer_drivers import make_printer
from kiosk.receipts.printer_status import ASK_ONLINE, ASK_PAPER, PrinterState, decode

if TYPE_CHECKING:  # python-escpos (and Pillow behind it) is loaded only when a receipt is printed
    from escpos.escpos import Escpos

log = logging.getLogger(__name__)


class PrintError(Exception):
    """The receipt could not be printed; the message says why, for staff."""


class ReceiptPrinter:
    """One ESC/POS printer as configured; `state` is the last known state."""

    def __init__(self, settings: PrinterSettings,
                 factory: Callable[[PrinterSettings], Escpos] = make_printer) -> None:
        self.settings = settings
        self._factory = factory
        self._printer: Escpos | None = None
        self._lock = threading.Lock()
        self.state = PrinterState.NOT_CONFIGURED if settings.driver == "none" else PrinterState.UNREACHABLE
        self.detail = ""

    def refresh(self) -> PrinterState:
        """Ask the printer for its state now (blocks up to the configured timeout)."""
        if self.settings.driver == "none":
            return self.state
        with self._lock:
            return self._refresh_locked()

    def _refresh_locked(self) -> PrinterState:
        try:
            printer = self._open()
            state = decode(printer.query_status(ASK_ONLINE), printer.query_status(ASK_PAPER))
            detail = "" if state is not PrinterState.UNREACHABLE else "no status reply"
        except Exception as exc:  # escpos, pyserial, pyusb and sockets each raise their own errors
            self._drop()
            state, detail = PrinterState.UNREACHABLE, _why(exc)
        if state is not self.state:
            log.log(logging.INFO if state.can_print else logging.WARNING, "receipt printer %s%s",
                    state.value, f": {detail}" if detail else "")
        self.state, self.detail = state, detail
        return state

    def print_receipt(self, lines: Sequence[Line]) -> None:
        """Print and cut a receipt; raise PrintError when the printer cannot print now."""
        if self.settings.driver == "none":
            raise PrintError("no receipt printer is configured")
        with self._lock:
            state = self._refresh_locked()
            if not state.can_print:
                raise PrintError(f"the printer is {state.value}")
            try:
                # Composed first, sent in one write: one USB transfer or TCP segment train, not hundreds.
                from escpos.printer import Dummy

                composed = Dummy(profile=self.settings.profile or None)
                write_receipt(composed, lines)
                self._open()._raw(composed.output)
            except Exception as exc:  # as above: any device error means "not printed"
                self._drop()
                self.state, self.detail = PrinterState.UNREACHABLE, _why(exc)
                raise PrintError(f"printing failed: {self.detail}") from None

    def close(self) -> None:
        """Close the connection to the printer (it reopens on the next use)."""
        with self._lock:
            self._drop()

    def _open(self) -> Escpos:
        if self._printer is None:
            self._printer = self._factory(self.settings)
            self._printer.open()
        return self._printer

    def _drop(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            try:
                printer.close()
            except Exception:  # closing a printer that is already gone
                log.debug("closing the printer failed", exc_info=True)


_STYLES = {
    Style.TITLE: dict(align="center", bold=True, double_height=True, double_width=True),
    Style.CENTRED: dict(align="center"),
    Style.HEADING: dict(bold=True),
    Style.TEXT: {},
    Style.INDENTED: {},
}


def write_receipt(printer: Escpos, lines: Sequence[Line]) -> None:
    """Send a receipt's ESC/POS commands to a python-escpos printer, and cut the paper."""
    current: Style | None = None
    for line in lines:
        if line.style is not current:
            printer.set_with_default(**_STYLES[line.style])
            current = line.style
        printer.textln(line.text)
    printer.set_with_default()
    printer.cut()


def _why(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
