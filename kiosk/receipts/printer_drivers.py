"""Which python-escpos class talks to the configured printer: one small factory per driver.

Adding a kind of connection means adding a factory here and its name to the config's list.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.config.deployment import PrinterSettings

if TYPE_CHECKING:  # python-escpos is imported by the driver that is used, when it is used
    from escpos.escpos import Escpos


def _usb(settings: PrinterSettings, profile: str | None) -> Escpos:
    from escpos.printer import Usb

    return Usb(settings.vendor_id, settings.product_id, timeout=int(settings.timeout * 1000), profile=profile)


def _serial(settings: PrinterSettings, profile: str | None) -> Escpos:
    from escpos.printer import Serial

    class StatusByteSerial(Serial):
        """A status reply is one byte: stop reading at it instead of waiting out the timeout for 16."""

        def _read(self) -> bytes:
            return self.device.read(1)

    return StatusByteSerial(settings.device, baudrate=settings.baudrate, timeout=settings.timeout, dsrdtr=False,
                  profile=profile)


def _network(settings: PrinterSettings, profile: str | None) -> Escpos:
    from escpos.printer import Network

    class PromptNetwork(Network):
        """Status questions are three bytes: send them at once instead of waiting for an ACK (Nagle)."""

        def open(self, raise_not_found: bool = True) -> None:
            super().open(raise_not_found)
            if self.device is not None:
                self.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    return PromptNetwork(settings.host, settings.port, timeout=settings.timeout, profile=profile)


PRINTER_DRIVERS: dict[str, Callable[[PrinterSettings, str | None], Escpos]] = {
    "usb": _usb, "serial": _serial, "network": _network}


def make_printer(settings: PrinterSettings) -> Escpos:
    """A python-escpos printer for the settings (not opened yet: it opens on first use)."""
    return PRINTER_DRIVERS[settings.driver](settings, settings.profile or None)
