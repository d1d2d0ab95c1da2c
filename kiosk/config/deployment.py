"""Settings for receipts, e-mail, monitoring and staff alerts: the tables a deployment adds.

Parsed like every other table (`ConfigTable`: typed values, unknown keys refused); kept in
their own module so that the circulation settings in `kiosk.config` stay readable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from kiosk.config.table import ConfigError, ConfigTable

RECEIPT_CHOICES = ("print", "email", "none")
PRINTER_DRIVERS = ("none", "usb", "serial", "network")
SMTP_SECURITY = ("starttls", "tls", "none")
METRICS_MODES = ("off", "http", "textfile")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class ReceiptSettings:
    """Which receipts a patron may choose, and what is printed at the bottom."""

    choices: tuple[str, ...] = ("none",)  # parsed: what is configured, see settle_receipts
    footer: str = ""
    width: int = 42  # characters per line on the paper (42 on 80 mm paper, 32 on 58 mm)
    subject: str = "Your library receipt"


@dataclass(frozen=True)
class PrinterSettings:
    """The receipt printer: an ESC/POS printer on USB, a serial port or the network."""

    driver: str = "none"
    vendor_id: int = 0  # usb
    product_id: int = 0
    device: str = ""  # serial, e.g. /dev/kiosk-printer
    baudrate: int = 19200
    host: str = ""  # network
    port: int = 9100
    timeout: float = 3.0
    profile: str = ""  # python-escpos printer profile, e.g. "TM-T88V"; "" for the generic one


@dataclass(frozen=True)
class EmailSettings:
    """The SMTP server that sends e-mail receipts and staff alerts."""

    host: str = ""  # "" = no e-mail
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password: str | None = None
    sender: str = ""
    ca_file: str | None = None  # CA of the server's certificate, if not a public one
    timeout: float = 20.0
    max_attempts: int = 20

    @property
    def enabled(self) -> bool:
        """True when e-mail can be sent at all."""
        return bool(self.host)


@dataclass(frozen=True)
class MonitoringSettings:
    """Heartbeat to a status URL and metrics for Prometheus."""

    heartbeat_url: str = ""
    heartbeat_interval: float = 60.0
    heartbeat_token: str | None = None  # sent as "Authorization: Bearer ..."
    metrics: str = "off"
    metrics_address: str = "127.0.0.1"
    metrics_port: int = 9817
    textfile: str = "/var/lib/prometheus/node-exporter/library_kiosk.prom"
    interval: float = 15.0  # seconds between status snapshots (metrics file, alerts)


@dataclass(frozen=True)
class AlertSettings:
    """E-mail alerts to staff, each sent once when raised and once when cleared."""

    to: tuple[str, ...] = ()
    library_down_minutes: float = 15.0
    queue_older_hours: float = 4.0
    device_missing_minutes: float = 5.0
    printer: bool = True  # alert on paper out / printer offline


def receipts(t: ConfigTable) -> ReceiptSettings:
    """The [receipts] table."""
    choices = t.texts("choices", RECEIPT_CHOICES)
    for choice in choices:
        if choice not in RECEIPT_CHOICES:
            raise t.error("choices", f"unknown receipt {choice!r}; allowed: {', '.join(RECEIPT_CHOICES)}")
    if not choices:
        raise t.error("choices", 'needs at least one of "print", "email", "none"')
    return _finish(t, ReceiptSettings(choices=tuple(dict.fromkeys(choices)), footer=t.text("footer", ""),
                                      width=t.integer("width", 42, minimum=20, maximum=80),
                                      subject=t.text("subject", ReceiptSettings.subject)))


def printer(t: ConfigTable) -> PrinterSettings:
    """The [printer] table; the keys needed depend on the driver."""
    driver = t.choice("driver", PRINTER_DRIVERS, "none")
    settings = PrinterSettings(
        driver=driver, vendor_id=t.integer("vendor_id", 0, minimum=0, maximum=0xFFFF),
        product_id=t.integer("product_id", 0, minimum=0, maximum=0xFFFF), device=t.text("device", ""),
        baudrate=t.integer("baudrate", 19200, minimum=300, maximum=921600), host=t.text("host", ""),
        port=t.integer("port", 9100, minimum=1, maximum=65535), timeout=t.number("timeout", 3.0, minimum=0.1, maximum=60.0),
        profile=t.text("profile", ""))
    t.check_all_read()
    needed = {"usb": ("vendor_id", "product_id"), "serial": ("device",), "network": ("host",)}
    for key in needed.get(driver, ()):
        if not getattr(settings, key):
            raise t.error(key, f"is needed for a {driver} printer")
    return settings


def email(t: ConfigTable) -> EmailSettings:
    """The [email] table (SMTP)."""
    security = t.choice("security", SMTP_SECURITY, "starttls")
    settings = EmailSettings(
        host=t.text("host", ""), port=t.integer("port", 465 if security == "tls" else 587, minimum=1, maximum=65535),
        security=security, username=t.text("username", "") or None, password=t.text("password", "") or None,
        sender=t.text("sender", ""), ca_file=t.text("ca_file", "") or None,
        timeout=t.number("timeout", 20.0, minimum=1.0, maximum=300.0),
        max_attempts=t.integer("max_attempts", 20, minimum=1, maximum=1000))
    if settings.host and not _ADDRESS.fullmatch(settings.sender):
        raise t.error("sender", "must be the address e-mail is sent from, e.g. kiosk@library.example")
    if settings.password and not settings.username:
        raise t.error("password", "is set but username is not")
    return _finish(t, settings)


def monitoring(t: ConfigTable) -> MonitoringSettings:
    """The [monitoring] table."""
    url = t.text("heartbeat_url", "")
    if url and not url.startswith(("http://", "https://")):
        raise t.error("heartbeat_url", f"must start with http:// or https://, got {url!r}")
    return _finish(t, MonitoringSettings(
        heartbeat_url=url, heartbeat_interval=t.number("heartbeat_interval", 60.0, minimum=1.0, maximum=86400.0),
        heartbeat_token=t.text("heartbeat_token", "") or None, metrics=t.choice("metrics", METRICS_MODES, "off"),
        metrics_address=t.text("metrics_address", "127.0.0.1"),
        metrics_port=t.integer("metrics_port", 9817, minimum=0, maximum=65535),
        textfile=t.text("textfile", MonitoringSettings.textfile), interval=t.number("interval", 15.0, minimum=0.1, maximum=3600.0)))


def alerts(t: ConfigTable) -> AlertSettings:
    """The [alerts] table."""
    to = t.texts("to", ())
    for address in to:
        if not _ADDRESS.fullmatch(address):
            raise t.error("to", f"not an e-mail address: {address!r}")
    return _finish(t, AlertSettings(
        to=to, library_down_minutes=t.number("library_down_minutes", 15.0, minimum=0.0, maximum=7 * 24 * 60.0),
        queue_older_hours=t.number("queue_older_hours", 4.0, minimum=0.0, maximum=24.0 * 90),
        device_missing_minutes=t.number("device_missing_minutes", 5.0, minimum=0.0, maximum=7 * 24 * 60.0),
        printer=t.flag("printer", True)))


def settle_receipts(data: Mapping[str, Any], receipt: ReceiptSettings, printer_: PrinterSettings,
                    email_: EmailSettings, alerts_: AlertSettings) -> ReceiptSettings:
    """Refuse settings that cannot work together (a printed receipt with no printer, ...); without
    an explicit `receipts.choices`, offer what is configured (and always "none")."""
    if alerts_.to and not email_.enabled:
        raise ConfigError("alerts.to: alerts are sent by e-mail but [email] host is not set")
    if "choices" not in data.get("receipts", {}):
        offered = (("print",) if printer_.driver != "none" else ()) + (("email",) if email_.enabled else ())
        return replace(receipt, choices=offered + ("none",))
    if "print" in receipt.choices and printer_.driver == "none":
        raise ConfigError('receipts.choices: offers "print" but [printer] driver is "none"; '
                          'configure the printer or remove "print"')
    if "email" in receipt.choices and not email_.enabled:
        raise ConfigError('receipts.choices: offers "email" but [email] host is not set; '
                          'configure SMTP or remove "email"')
    return receipt


def _finish(table: ConfigTable, value: Any) -> Any:
    table.check_all_read()
    return value
