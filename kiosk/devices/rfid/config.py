"""The `[rfid]` configuration table, validated into `PadSettings` with errors naming the key.

Example (every key but `driver` and `port` is optional; see PadSettings for the defaults):

    [rfid]
    driver = "3m810"            # "3m810", "feig" or "sim" (in-process emulator for the demo)
    port = "/dev/ttyUSB0"       # any pyserial name or URL: socket://..., spy:///dev/ttyUSB0
    security = "afi"            # or "eas" (NXP EAS bit)
    afi_secured = 0x07          # 3M-world installations: 0xDA / 0xD7, check which is which
    afi_on_loan = 0xC2
    poll_interval = 0.1         # seconds between inventory rounds
    missing_rounds = 2          # inventories a tag must miss before it counts as removed
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

DRIVERS = ("3m810", "feig", "sim")
SECURITY_METHODS = ("afi", "eas")


class ConfigError(ValueError):
    """A bad value in the `[rfid]` table; the message names the key."""

    def __init__(self, key: str, why: str) -> None:
        super().__init__(f"[rfid] {key}: {why}")
        self.key = key


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
    first_read_blocks: int = 9  # enough for an ISO 28560-3 basic block or RFID501; more only if needed


def _int(table: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if isinstance(value, str):
        try:
            value = int(value, 0)
        except ValueError:
            raise ConfigError(key, f"{value!r} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(key, f"expected a whole number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(key, f"{value} is outside {low}..{high}")
    return value


def _float(table: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(key, f"expected a number of seconds, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(key, f"{value} is outside {low}..{high}")
    return float(value)


def _choice(table: Mapping[str, Any], key: str, default: str | None, choices: tuple[str, ...]) -> str:
    value = table.get(key, default)
    if value is None:
        raise ConfigError(key, f"is required; one of {', '.join(choices)}")
    if value not in choices:
        raise ConfigError(key, f"{value!r} is not one of {', '.join(choices)}")
    return value


def parse_settings(table: Mapping[str, Any]) -> PadSettings:
    """Validate the `[rfid]` table; raise ConfigError naming the first bad key."""
    if not isinstance(table, Mapping):
        raise ConfigError("(table)", "expected a table of settings")
    known = set(PadSettings.__dataclass_fields__)
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(unknown[0], f"unknown key; known keys are {', '.join(sorted(known))}")
    driver = _choice(table, "driver", None, DRIVERS)
    port = table.get("port", "")
    if not isinstance(port, str) or (driver != "sim" and not port):
        raise ConfigError("port", "a port name or URL is required (e.g. /dev/ttyUSB0, socket://127.0.0.1:7000)")
    name = table.get("name", "rfid")
    if not isinstance(name, str) or not name:
        raise ConfigError("name", "expected a non-empty text")
    parity = table.get("parity")
    if parity is not None and parity not in ("N", "E", "O"):
        raise ConfigError("parity", f"{parity!r} is not one of N, E, O")
    baudrate = None if table.get("baudrate") is None else _int(table, "baudrate", 0, 300, 921600)
    afi_secured = _int(table, "afi_secured", 0x07, 0, 255)
    afi_on_loan = _int(table, "afi_on_loan", 0xC2, 0, 255)
    if afi_secured == afi_on_loan:
        raise ConfigError("afi_on_loan", "must differ from afi_secured")
    return PadSettings(
        driver=driver, port=port, name=name, baudrate=baudrate, parity=parity,
        address=_int(table, "address", 0xFF, 0, 255),
        security=_choice(table, "security", "afi", SECURITY_METHODS),
        afi_secured=afi_secured, afi_on_loan=afi_on_loan,
        poll_interval=_float(table, "poll_interval", 0.1, 0.0, 60.0),
        missing_rounds=_int(table, "missing_rounds", 2, 1, 100),
        reply_timeout=_float(table, "reply_timeout", 0.5, 0.01, 30.0),
        failures_before_reopen=_int(table, "failures_before_reopen", 3, 1, 1000),
        read_attempts=_int(table, "read_attempts", 3, 1, 100),
        blocks_per_read=_int(table, "blocks_per_read", 32, 1, 48),
        first_read_blocks=_int(table, "first_read_blocks", 9, 1, 256),
    )
