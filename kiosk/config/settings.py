"""The kiosk's configuration: one TOML file, validated at start into typed settings.

Every error names the file, the key, what was wrong and what is allowed; unknown keys are
refused with a "did you mean". Only `[sip2] host` is required (and the SIP2 credentials
where the library system needs them); everything else has a default.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sip2.charsets import check_encoding
from sip2.dialects import DIALECTS
from sip2.errors import CodecError

from kiosk.config import deployment
from kiosk.config.deployment import AlertSettings, EmailSettings, MonitoringSettings, PrinterSettings, ReceiptSettings
from kiosk.config.files import read_document
from kiosk.config.table import ConfigError, ConfigTable, describe
from kiosk.core.technician_pin import PinHashError, check_form
from kiosk.devices.classify import Classifier, KindRule, ScanKind
from kiosk.i18n import AVAILABLE

DEFAULT_PATH = Path("/etc/library-kiosk/kiosk.toml")
DEFAULT_DATABASE = "/var/lib/library-kiosk/kiosk.db"

OFFLINE_MODES = ("off", "returns", "all")
CHECK_DIGITS = ("none", "luhn", "weighted31")
CHECKSUM_MODES = ("on", "off", "verify")
SEQUENCE_CHECKS = ("match", "resent-any", "off")
TERMINATORS = ("cr", "lf", "crlf")
MAX_LOAN_DAYS = 366  # a year (and a day): longer is a typo, not a loan period


@dataclass(frozen=True)
class KioskIdentity:
    """Who this kiosk is, for receipts, logs and monitoring."""

    id: str = "kiosk-1"
    library_name: str = "Library"
    locale: str = ""  # e.g. "en_US", "de_CH": how dates and money read; "" = each language's usual form


@dataclass(frozen=True)
class SIP2Settings:
    """How to reach the library system (the ACS)."""

    host: str
    port: int = 6001
    tls: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    verify: bool = True
    username: str | None = None
    password: str | None = None
    location: str = ""
    institution: str = ""
    terminal_password: str = ""
    dialect: str = "generic"
    encoding: str | None = None  # None: the dialect's
    terminator: str | None = None
    checksums: str | None = None
    sequence_check: str | None = None  # None: the dialect's
    timeout: float = 10.0
    connect_timeout: float = 5.0


@dataclass(frozen=True)
class PatronSettings:
    """Which cards are patron cards, and whether a PIN is asked for."""

    require_pin: bool = True
    pattern: str = "2[0-9]{13}"
    check_digit: str = "luhn"


@dataclass(frozen=True)
class BarcodeRule:
    """What one kind of barcode looks like (a regular expression and a check-digit scheme)."""

    pattern: str
    check_digit: str = "none"


@dataclass(frozen=True)
class OfflineSettings:
    """What the kiosk may do while the library system is unreachable."""

    mode: str = "returns"
    max_items: int = 5
    loan_days: int = 14
    loan_days_by_media: Mapping[str, int] = field(default_factory=dict)
    deny_list: str | None = None  # a file of card numbers refused offline, one per line
    cache_patrons: bool = True  # remember patrons seen valid online (salted hashes), for offline checks
    cache_days: int = 14
    alert_after_hours: float = 24.0
    probe_interval: float = 30.0


@dataclass(frozen=True)
class StorageSettings:
    """Where the offline queue and the journal live."""

    database: str = DEFAULT_DATABASE
    retention_days: int = 90  # patron ids are removed from the journal after this


@dataclass(frozen=True)
class SessionSettings:
    """How long a patron session lasts, and how repeats are treated."""

    timeout: float = 120.0
    warning: float = 20.0
    double_scan_seconds: float = 3.0
    rollback_on_security_failure: bool = False  # a checkin to undo a checkout can trap the item for a hold


# --- patron app and technician mode --------------------------------------------------------

@dataclass(frozen=True)
class AppSettings:
    """How the touchscreen app looks and behaves ([app])."""

    logo: str | None = None  # an image file shown on the idle screen
    languages: tuple[str, ...] = ("en", "de", "fr")  # offered on screen; the first is the default
    fullscreen: bool = True
    show_cursor: bool = False  # touch screens need none; a mouse setup may want one
    sounds: bool = True
    required_devices: tuple[str, ...] = ()  # device names whose loss puts the kiosk out of service


@dataclass(frozen=True)
class TechnicianAccess:
    """How a technician gets in: the PIN hash, and how long the mode stays open."""

    pin_hash: str | None = None  # made by `kiosk hash-pin`; without it technician mode stays shut
    timeout: float = 300.0


@dataclass(frozen=True)
class KioskConfig:
    """Every setting of one kiosk."""

    source: str
    sip2: SIP2Settings
    kiosk: KioskIdentity = KioskIdentity()
    patron: PatronSettings = PatronSettings()
    offline: OfflineSettings = OfflineSettings()
    storage: StorageSettings = StorageSettings()
    session: SessionSettings = SessionSettings()
    item: BarcodeRule = field(default_factory=lambda: _DEFAULT_ITEM)
    technician: BarcodeRule | None = None
    devices: Mapping[str, Any] = field(default_factory=dict)  # the [[scanner]] and [rfid] tables
    app: AppSettings = AppSettings()
    technician_access: TechnicianAccess = TechnicianAccess()
    # --- deployment: receipts, e-mail, monitoring; where the settings came from ---
    receipts: ReceiptSettings = ReceiptSettings()
    printer: PrinterSettings = PrinterSettings()
    email: EmailSettings = EmailSettings()
    monitoring: MonitoringSettings = MonitoringSettings()
    alerts: AlertSettings = AlertSettings()
    files: tuple[str, ...] = ()  # main file, drop-ins, secrets file, in the order read
    warnings: tuple[str, ...] = ()  # e.g. a secrets file others can read

    def classifier(self) -> Classifier:
        """What-was-scanned rules: technician cards, patron cards, items, in that order."""
        return _classifier(self.patron, self.item, self.technician)


_DEFAULT_ITEM = BarcodeRule("3[0-9]{13}", "luhn")
_SECTIONS = ("kiosk", "sip2", "patron", "item", "technician", "offline", "storage", "session",
             "scanner", "rfid",
             "receipts", "printer", "email", "monitoring", "alerts", "app")


def load_config(path: str | Path = DEFAULT_PATH, *, check_devices: bool = True) -> KioskConfig:
    """Read and validate a configuration file, its `kiosk.toml.d/*.toml` drop-ins (in name order)
    and `secrets.toml` beside it; raise ConfigError naming the file and key.

    `check_devices=False` leaves the device tables to whoever builds the devices, which checks
    them the same way (`kiosk run`: the runtime, built behind the idle screen's first frame).
    """
    document = read_document(path)
    try:
        config = parse_config(document.data, source=str(path), check_devices=check_devices)
    except ConfigError as exc:
        raise ConfigError(f"{document.origin_of(str(exc))}: {exc}") from None
    return replace(config, files=document.files, warnings=document.warnings)


def parse_config(data: Mapping[str, Any], *, source: str = "<config>", check_devices: bool = True) -> KioskConfig:
    """Validate an already parsed TOML document (see `load_config` for `check_devices`)."""
    for name in data:
        if name not in _SECTIONS:
            raise ConfigError(f"unknown table [{name}]{did_you_mean(name, _SECTIONS)}; "
                              f"known tables: {', '.join(_SECTIONS)}")
    if "sip2" not in data:
        raise ConfigError("missing table [sip2]: at least `host` is needed to reach the library system")
    config = KioskConfig(
        source=source,
        sip2=_sip2(ConfigTable("sip2", data["sip2"])),
        kiosk=_section(data, "kiosk", _kiosk),
        patron=_section(data, "patron", _patron),
        offline=_section(data, "offline", _offline),
        storage=_section(data, "storage", _storage),
        session=_section(data, "session", _session),
        item=_section(data, "item", lambda t: _barcode(t, _DEFAULT_ITEM)),
        technician=_section(data, "technician", _technician_card),
        devices={k: data[k] for k in ("scanner", "rfid") if k in data},
        app=_section(data, "app", _app),
        technician_access=_section(data, "technician", _technician_access),
        **_deployment(data),
    )
    if check_devices:
        _check_devices(config.devices)
    return config


def _deployment(data: Mapping[str, Any]) -> dict[str, Any]:
    """The [receipts], [printer], [email], [monitoring] and [alerts] tables, checked together."""
    sections = {name: _section(data, name, getattr(deployment, name))
                for name in ("receipts", "printer", "email", "monitoring", "alerts")}
    sections["receipts"] = deployment.settle_receipts(
        data, sections["receipts"], sections["printer"], sections["email"], sections["alerts"])
    return sections


def classifier_from_tables(data: Mapping[str, Any]) -> Classifier:
    """The scan classification of a configuration's [patron], [item] and [technician] tables
    alone (for device checks that need no library system)."""
    return _classifier(
        _section(data, "patron", _patron),
        _section(data, "item", lambda t: _barcode(t, _DEFAULT_ITEM)),
        _section(data, "technician", _technician_card))


def _classifier(patron: PatronSettings, item: BarcodeRule, technician: BarcodeRule | None) -> Classifier:
    rules = [KindRule.build(ScanKind.PATRON, patron.pattern, patron.check_digit),
             KindRule.build(ScanKind.ITEM, item.pattern, item.check_digit)]
    if technician is not None:
        rules.insert(0, KindRule.build(ScanKind.TECHNICIAN, technician.pattern, technician.check_digit))
    return Classifier(rules)


def did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """' (did you mean "x"?)' when a close match exists, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _section(data: Mapping[str, Any], name: str, build: Any) -> Any:
    table = ConfigTable(name, data.get(name, {}))
    return build(table)


def _finish(table: ConfigTable, value: Any) -> Any:
    table.check_all_read()
    return value


def _sip2(t: ConfigTable) -> SIP2Settings:
    host = t.text("host")
    if not host.strip():
        raise t.error("host", "must name the library system's SIP2 server (a host name or address)")
    port = t.integer("port", 6001, minimum=1, maximum=65535)
    encoding = t.text("encoding", "") or None
    if encoding is not None:
        try:
            check_encoding(encoding)
        except CodecError as exc:
            raise t.error("encoding", str(exc)) from None
    terminator = t.choice("terminator", TERMINATORS, "") if t.has("terminator") else None
    checksums = t.choice("checksums", CHECKSUM_MODES, "") if t.has("checksums") else None
    sequence_check = t.choice("sequence_check", SEQUENCE_CHECKS, "") if t.has("sequence_check") else None
    return _finish(t, SIP2Settings(
        host=host, port=port, tls=t.flag("tls", False), ca_file=_file(t, "ca_file"),
        cert_file=_file(t, "cert_file"), key_file=_file(t, "key_file"), verify=t.flag("verify", True),
        username=t.text("username", "") or None, password=t.text("password", "") or None,
        location=t.text("location", ""), institution=t.text("institution", ""),
        terminal_password=t.text("terminal_password", ""),
        dialect=t.choice("dialect", tuple(DIALECTS), "generic"), encoding=encoding,
        terminator=terminator, checksums=checksums, sequence_check=sequence_check,
        timeout=t.number("timeout", 10.0, minimum=0.1, maximum=300.0),
        connect_timeout=t.number("connect_timeout", 5.0, minimum=0.1, maximum=300.0)))


def _file(t: ConfigTable, key: str) -> str | None:
    value = t.text(key, "") or None
    if value is not None and not Path(value).is_file():
        raise t.error(key, f"no such file: {value}")
    return value


def _kiosk(t: ConfigTable) -> KioskIdentity:
    return _finish(t, KioskIdentity(id=t.text("id", "kiosk-1"), library_name=t.text("library_name", "Library"),
                                    locale=_locale(t)))


def _locale(t: ConfigTable) -> str:
    value = t.text("locale", "").strip().replace("-", "_")
    if value:
        from babel import localedata  # only when a locale is set: Babel stays out of a plain start

        if not localedata.exists(value):
            raise t.error("locale", f"unknown locale {value!r}: use a language and region such as en_US or de_CH")
    return value


def _pattern(t: ConfigTable, default: str | None) -> str:
    pattern = t.text("pattern") if default is None else t.text("pattern", default)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise t.error("pattern", f"not a valid regular expression: {exc}") from None
    return pattern


def _patron(t: ConfigTable) -> PatronSettings:
    return _finish(t, PatronSettings(require_pin=t.flag("require_pin", True),
                                     pattern=_pattern(t, PatronSettings.pattern),
                                     check_digit=t.choice("check_digit", CHECK_DIGITS, PatronSettings.check_digit)))


def _barcode(t: ConfigTable, default: BarcodeRule | None) -> BarcodeRule:
    return _finish(t, BarcodeRule(
        pattern=_pattern(t, default.pattern if default else None),
        check_digit=t.choice("check_digit", CHECK_DIGITS, default.check_digit if default else "none")))


def _offline(t: ConfigTable) -> OfflineSettings:
    by_media_raw = t.table("loan_days_by_media", {})
    by_media: dict[str, int] = {}
    for media, days in dict(by_media_raw).items():
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_LOAN_DAYS:
            raise t.error(f"loan_days_by_media.{media}",
                          f"expected a number of days (1 to {MAX_LOAN_DAYS}), got {describe(days)}")
        by_media[str(media)] = days
    deny = _file(t, "deny_list")
    return _finish(t, OfflineSettings(
        mode=t.choice("mode", OFFLINE_MODES, "returns"), max_items=t.integer("max_items", 5, minimum=0, maximum=1000),
        loan_days=t.integer("loan_days", 14, minimum=1, maximum=MAX_LOAN_DAYS), loan_days_by_media=by_media, deny_list=deny,
        cache_patrons=t.flag("cache_patrons", True), cache_days=t.integer("cache_days", 14, minimum=0, maximum=MAX_LOAN_DAYS),
        alert_after_hours=t.number("alert_after_hours", 24.0, minimum=0.0, maximum=24.0 * 90),
        probe_interval=t.number("probe_interval", 30.0, minimum=1.0, maximum=3600.0)))


def _storage(t: ConfigTable) -> StorageSettings:
    return _finish(t, StorageSettings(database=t.text("database", DEFAULT_DATABASE),
                                      retention_days=t.integer("retention_days", 90, minimum=1, maximum=3650)))


def _session(t: ConfigTable) -> SessionSettings:
    timeout = t.number("timeout", 120.0, minimum=10.0, maximum=3600.0)
    warning = t.number("warning", 20.0, minimum=0.0, maximum=3600.0)
    if warning >= timeout:
        raise t.error("warning", f"must be shorter than the session timeout ({timeout:g} s), got {warning:g}")
    return _finish(t, SessionSettings(
        timeout=timeout, warning=warning, double_scan_seconds=t.number("double_scan_seconds", 3.0, minimum=0.0, maximum=60.0),
        rollback_on_security_failure=t.flag("rollback_on_security_failure", False)))


def _check_devices(tables: Mapping[str, Any]) -> None:
    """Validate the device tables by building (not starting) the devices they describe."""
    # Here, not at the top: the drivers read their tables with kiosk.config.table, so importing
    # them while kiosk.config is being imported would have the two packages import each other.
    from kiosk.devices.manager import DeviceManager

    DeviceManager.from_config(tables, lambda event: None)


# --- patron app and technician mode --------------------------------------------------------

_TECHNICIAN_ACCESS_KEYS = ("pin_hash", "timeout")
_TECHNICIAN_CARD_KEYS = ("pattern", "check_digit")


def _technician_card(t: ConfigTable) -> BarcodeRule | None:
    """The technician card rule; None when [technician] has no pattern (gesture and PIN only)."""
    if not t.data:
        return None  # no [technician] table: no technician card
    for key in _TECHNICIAN_ACCESS_KEYS:
        t.has(key)
    if not t.has("pattern") and "pin_hash" in t.data and "check_digit" not in t.data:
        return _finish(t, None)
    return _barcode(t, None)


def _technician_access(t: ConfigTable) -> TechnicianAccess:
    for key in _TECHNICIAN_CARD_KEYS:
        t.has(key)
    pin_hash = t.text("pin_hash", "") or None
    if pin_hash is not None:
        try:
            check_form(pin_hash)
        except PinHashError as exc:
            raise t.error("pin_hash", str(exc)) from None
    return _finish(t, TechnicianAccess(pin_hash=pin_hash, timeout=t.number("timeout", 300.0, minimum=10.0, maximum=3600.0)))


def _app(t: ConfigTable) -> AppSettings:
    logo = _file(t, "logo")
    languages = t.texts("languages", AppSettings.languages)
    if not languages:
        raise t.error("languages", "name at least one language")
    for code in languages:
        if code not in AVAILABLE:
            raise t.error("languages", f"no catalogue for {code!r}; available: {', '.join(AVAILABLE)}")
    return _finish(t, AppSettings(
        logo=logo, languages=languages, fullscreen=t.flag("fullscreen", True),
        show_cursor=t.flag("show_cursor", False), sounds=t.flag("sounds", True),
        required_devices=t.texts("required_devices", ())))
