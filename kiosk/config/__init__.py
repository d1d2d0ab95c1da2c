"""The kiosk's configuration: one TOML file (with drop-ins and a secrets file), validated at
start into typed settings.

    settings.py    the typed settings of the circulation side, and `load_config`
    deployment.py  the tables a deployment adds: receipts, printer, e-mail, monitoring, alerts
    table.py       typed reading of one table, unknown keys refused (drivers use it too)
    files.py       where settings come from: main file, `kiosk.toml.d/` drop-ins, `secrets.toml`
    effective.py   the settings in force, secrets masked, as `kiosk config show` prints them

Every setting is documented once, in `config/kiosk.example.toml`; the keys of each scanner and
RFID driver in `config/devices.example.toml`.
"""

from kiosk.config.settings import (
    DEFAULT_DATABASE,
    DEFAULT_PATH,
    AppSettings,
    BarcodeRule,
    KioskConfig,
    KioskIdentity,
    OfflineSettings,
    PatronSettings,
    SessionSettings,
    SIP2Settings,
    StorageSettings,
    TechnicianAccess,
    classifier_from_tables,
    load_config,
    parse_config,
)
from kiosk.config.table import ConfigError

__all__ = ["DEFAULT_DATABASE", "DEFAULT_PATH", "AppSettings", "BarcodeRule", "ConfigError", "KioskConfig",
           "KioskIdentity", "OfflineSettings", "PatronSettings", "SIP2Settings", "SessionSettings",
           "StorageSettings", "TechnicianAccess", "classifier_from_tables", "load_config", "parse_config"]
