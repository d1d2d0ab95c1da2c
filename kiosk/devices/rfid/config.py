"""The `[rfid]` configuration table, validated into `PadSettings` with errors naming the key.

Example (every key but `driver` and `port` is optional; see PadSettings for the defaults):

    [rfid]
    driver = "3m810"            # "3m810", "feig" or "sim" (in-process emulator for the demo)
    port = "/dev/ttyUSB0"       # any pyserial name or URL: socket://..., spy:///dev/ttyUSB0
    security = "afi"            # or "eas" (NXP EAS bit)
    afi_secured = 0x07          # TOML hex literals; 3M-world installations: 0xDA / 0xD7, check which is which
    afi_on_loan = 0xC2
    poll_interval = 0.1         # seconds between inventory rounds
    missing_rounds = 2          # inventories a tag must miss before it counts as removed
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.config.table import ConfigTable

DRIVERS = ("3m810", "feig", "sim")
SECURITY_METHODS = ("afi", "eas")


@dataclass(frozen=True)
class PadSettings:
    """Everything the pad loop and the drivers need, with sane defaults."""

    driver: str
    port: str = ""
    name: str = "rfid"
    baudrate: int | None = None  # None: the driver's default (3M 19200, Feig 38400)
    parity: str | None = None  # None: the driver's default (3M none, Feig even)
    address: int = 0xFF  # Feig COM-ADR; 0xFF reaches any reader
    security: str = "afi"
    afi_secured: int = 0x07
    afi_on_loan: int = 0xC2
    poll_interval: float = 0.1  # seconds between inventory rounds
    missing_rounds: int = 2  # rounds a tag must be missing before it counts as removed
    reply_timeout: float = 0.5  # seconds to wait for one reply
    failures_before_reopen: int = 3  # consecutive failed inventories before the port is reopened
    read_attempts: int = 3  # rounds to retry reading a tag before reporting it unreadable
    blocks_per_read: int = 32  # a Feig reply holds at most 48 blocks of 4 bytes
    first_read_blocks: int = 8  # the read every 3M pad answers; more only when the data model asks


def parse_settings(data: Mapping[str, Any]) -> PadSettings:
    """Validate the `[rfid]` table; raise ConfigError naming the first bad key."""
    t = ConfigTable("rfid", data)
    driver = t.choice("driver", DRIVERS)
    port = t.text("port", "")
    if driver != "sim" and not port:
        raise t.error("port", "a port name or URL is required (e.g. /dev/ttyUSB0, socket://127.0.0.1:7000)")
    name = t.text("name", "rfid")
    if not name:
        raise t.error("name", "expected a non-empty text")
    parity = t.choice("parity", ("N", "E", "O")) if t.has("parity") else None
    baudrate = t.integer("baudrate", 0, minimum=300, maximum=921600) if t.has("baudrate") else None
    afi_secured = t.integer("afi_secured", 0x07, minimum=0, maximum=255)
    afi_on_loan = t.integer("afi_on_loan", 0xC2, minimum=0, maximum=255)
    if afi_secured == afi_on_loan:
        raise t.error("afi_on_loan", "must differ from afi_secured")
    settings = PadSettings(
        driver=driver, port=port, name=name, baudrate=baudrate, parity=parity,
        address=t.integer("address", 0xFF, minimum=0, maximum=255),
        security=t.choice("security", SECURITY_METHODS, "afi"),
        afi_secured=afi_secured, afi_on_loan=afi_on_loan,
        poll_interval=t.number("poll_interval", 0.1, minimum=0.0, maximum=60.0),
        missing_rounds=t.integer("missing_rounds", 2, minimum=1, maximum=100),
        reply_timeout=t.number("reply_timeout", 0.5, minimum=0.01, maximum=30.0),
        failures_before_reopen=t.integer("failures_before_reopen", 3, minimum=1, maximum=1000),
        read_attempts=t.integer("read_attempts", 3, minimum=1, maximum=100),
        blocks_per_read=t.integer("blocks_per_read", 32, minimum=1, maximum=48),
        first_read_blocks=t.integer("first_read_blocks", 8, minimum=1, maximum=256),
    )
    t.check_all_read()
    return settings
