"""The technician's checks, each a function returning `Check` lines: what is fine, what is
wrong, and what to do about it. They build what they need from the configuration, so they
work whether or not the kiosk is running (stop it first to test devices it holds open)."""

from __future__ import annotations

import enum
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sip2.errors import ClientError, LoginRefused

from kiosk.config import KioskConfig
from kiosk.core.acs_link import client_for
from kiosk.devices.events import DeviceState
from kiosk.devices.manager import DeviceManager
from kiosk.receipts.printer import ReceiptPrinter
from kiosk.receipts.printer_status import PrinterState
from kiosk.receipts.smtp import SendFailed, check_connection
from kiosk.storage.migrations import LATEST_VERSION


class Verdict(enum.Enum):
    """How one check came out."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    verdict: Verdict
    detail: str
    hint: str = ""  # what to do; empty when nothing needs doing


CLOCK_WARN_SECONDS = 120
DISK_FAIL_BYTES = 50 * 1024 * 1024
DISK_WARN_BYTES = 500 * 1024 * 1024


def config_warnings(config: KioskConfig) -> list[Check]:
    """The configuration loaded; its warnings (e.g. a secrets file others can read)."""
    checks = [Check("config", Verdict.OK, f"valid: {', '.join(config.files) or config.source}")]
    checks += [Check("secrets", Verdict.WARN, warning, "chmod 600 the file and chown it to library-kiosk")
               for warning in config.warnings]
    return checks


def devices(config: KioskConfig, wait: float = 5.0) -> list[Check]:
    """Open each configured device and wait until it is connected (and, for a pad, answering)."""
    manager = DeviceManager.from_config(config.devices, lambda event: None)
    if not manager.devices:
        return [Check("devices", Verdict.WARN, "no scanner or RFID pad is configured",
                      "add [[scanner]] (and [rfid]) tables; see config/devices.example.toml")]
    manager.start()
    try:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if all(s.state is DeviceState.CONNECTED for s in manager.summaries()):
                break
            time.sleep(0.05)
        summaries = manager.summaries()
    finally:
        manager.stop()
    checks = []
    for s in summaries:
        label = f"{s.role} {s.name} ({s.driver})"
        if s.state is DeviceState.CONNECTED:
            checks.append(Check(f"device:{s.name}", Verdict.OK, f"{label} connected"))
        else:
            checks.append(Check(f"device:{s.name}", Verdict.FAIL, f"{label} {s.state.value}: {s.detail or 'no reply'}",
                                "check the cable and the device name in the configuration (see the udev "
                                "rules' stable names); if the kiosk is running it may hold the device: "
                                "systemctl stop library-kiosk first"))
    return checks


def library_system(config: KioskConfig) -> list[Check]:
    """Connect and log in to the ACS, ask for its status (99/98), and compare clocks."""
    where = f"{config.sip2.host}:{config.sip2.port}{' (TLS)' if config.sip2.tls else ''}"
    client = client_for(config.sip2)
    try:
        client.connect()
        checks = [Check("acs:connect", Verdict.OK,
                        f"{where} reachable" + (f", logged in as {config.sip2.username}" if config.sip2.username else ""))]
        status = client.sc_status()
    except LoginRefused as exc:
        return [Check("acs:login", Verdict.FAIL, str(exc), "check [sip2] username and password (secrets.toml) "
                      "and the location code with the library system's administrators")]
    except ClientError as exc:
        return [Check("acs:connect", Verdict.FAIL, str(exc), "check [sip2] host, port and tls; test the network "
                      "path (firewall, VPN) to the library system")]
    finally:
        client.close()
    flags = {"online": status.online, "checkout": status.checkout_ok, "checkin": status.checkin_ok,
             "renewals": status.renewal_policy, "offline allowed": status.offline_ok}
    text = ", ".join(f"{name} {'yes' if value else 'no'}" for name, value in flags.items())
    if not status.online:
        checks.append(Check("acs:status", Verdict.FAIL, f"the library system says it is offline ({text})",
                            "ask the library system's administrators; the kiosk works offline meanwhile"))
    elif not (status.checkout_ok and status.checkin_ok):
        checks.append(Check("acs:status", Verdict.WARN, f"98: {text}",
                            "the library system does not allow this terminal everything: check its SIP2 account"))
    else:
        checks.append(Check("acs:status", Verdict.OK, f"98: {text}, protocol {status.protocol_version}"))
    checks.append(clock(status.date_time_sync))
    return checks


def clock(acs_time: datetime | None, now: datetime | None = None) -> Check:
    """Compare the ACS's clock (98 date/time sync, local time) with the kiosk's."""
    if acs_time is None:
        return Check("acs:clock", Verdict.WARN, "the library system sent no time", "")
    now = now or datetime.now()
    if acs_time.tzinfo is not None:
        now = now.astimezone() if now.tzinfo is None else now
    difference = abs((acs_time - now).total_seconds())
    if difference > CLOCK_WARN_SECONDS:
        return Check("acs:clock", Verdict.WARN, f"clocks differ by {difference:.0f} s",
                     "check time synchronisation (timedatectl status) and the time zone on both sides; "
                     "offline transactions carry the kiosk's time")
    return Check("acs:clock", Verdict.OK, f"clocks agree within {max(1, round(difference))} s")


def disk(config: KioskConfig) -> Check:
    """Free space where the database lives."""
    folder = Path(config.storage.database).parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    text = f"{free / 1024 / 1024:.0f} MB free for {config.storage.database}"
    if free < DISK_FAIL_BYTES:
        return Check("disk", Verdict.FAIL, text, "free space on that file system (old logs, journal vacuum)")
    if free < DISK_WARN_BYTES:
        return Check("disk", Verdict.WARN, text, "free space soon: the offline queue needs room")
    return Check("disk", Verdict.OK, text)


def queue(config: KioskConfig, now: datetime | None = None) -> list[Check]:
    """The offline queue's health, read without changing the database (it may belong to the service)."""
    path = Path(config.storage.database)
    if not path.exists():
        return [Check("queue", Verdict.WARN, f"no database yet at {path}", "it is created when the kiosk first starts")]
    try:
        version, counts, oldest = _read_queue(path)
    except sqlite3.Error as exc:
        return [Check("queue", Verdict.FAIL, f"{path} cannot be read: {exc}",
                      "check its owner (library-kiosk) and the disk; restore kiosk.db.pre-upgrade-* if corrupt")]
    checks = []
    if version > LATEST_VERSION:
        checks.append(Check("database", Verdict.FAIL, f"schema {version} is newer than this release ({LATEST_VERSION})",
                            "upgrade the kiosk software"))
    elif version < LATEST_VERSION:
        checks.append(Check("database", Verdict.WARN, f"schema {version}, this release has {LATEST_VERSION}",
                            "it is upgraded when the kiosk starts"))
    waiting, unresolved = counts.get("pending", 0) + counts.get("sending", 0), counts.get("unresolved", 0)
    age = ((now or datetime.now(timezone.utc)) - oldest) if oldest else None
    text = f"{waiting} waiting" + (f", oldest {_duration(age)}" if age else "") + f", {unresolved} refused to deal with"
    if age is not None and age > timedelta(hours=config.offline.alert_after_hours):
        checks.append(Check("queue", Verdict.WARN, text, "is the library system reachable? `kiosk queue replay` "
                            "sends them now"))
    elif unresolved:
        checks.append(Check("queue", Verdict.WARN, text, "staff: `kiosk queue export` lists the refused ones; "
                            "`kiosk queue resolve ID` when dealt with"))
    else:
        checks.append(Check("queue", Verdict.OK, text))
    return checks


def _read_queue(path: Path) -> tuple[int, dict[str, int], datetime | None]:
    owner = path.stat()
    created = [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if not p.exists()]
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        version = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
        counts = dict(conn.execute("SELECT state, count(*) FROM queue_entries GROUP BY state").fetchall())
        resolved = "resolved_at" in {row[1] for row in conn.execute("PRAGMA table_info(queue_entries)")}
        if resolved:
            counts["unresolved"] = conn.execute("SELECT count(*) FROM queue_entries WHERE state = 'refused' "
                                                "AND resolved_at IS NULL").fetchone()[0]
        oldest = conn.execute("SELECT min(created_at) FROM queue_entries WHERE state IN ('pending', 'sending')").fetchone()[0]
    finally:
        conn.close()
    # Reading a WAL database may create its -wal/-shm files: leave them to the database's owner.
    for extra in created:
        if extra.exists() and os.geteuid() == 0:
            os.chown(extra, owner.st_uid, owner.st_gid)
    return version, counts, datetime.fromisoformat(oldest).replace(tzinfo=timezone.utc) if oldest else None


def printer(config: KioskConfig) -> Check:
    """Ask the receipt printer for its state."""
    if config.printer.driver == "none":
        return Check("printer", Verdict.OK, "no receipt printer configured")
    device = ReceiptPrinter(config.printer)
    try:
        state = device.refresh()
    finally:
        device.close()
    hints = {PrinterState.PAPER_OUT: "put a new paper roll in", PrinterState.PAPER_LOW: "change the paper roll soon",
             PrinterState.OFFLINE: "close the cover; switch the printer off and on",
             PrinterState.UNREACHABLE: "check power, cable and [printer] settings; the kiosk offers e-mail meanwhile"}
    verdict = Verdict.OK if state is PrinterState.READY else Verdict.WARN if state.can_print else Verdict.FAIL
    return Check("printer", verdict, f"{config.printer.driver} printer {state.value}"
                 + (f": {device.detail}" if device.detail else ""), hints.get(state, ""))


def email(config: KioskConfig) -> Check:
    """Connect and log in to the SMTP server, sending nothing."""
    if not config.email.enabled:
        return Check("email", Verdict.OK, "no e-mail configured")
    try:
        check_connection(config.email)
    except SendFailed as exc:
        return Check("email", Verdict.FAIL, str(exc), "check [email] host, port, security and the SMTP login")
    return Check("email", Verdict.OK, f"{config.email.host}:{config.email.port} ({config.email.security}) accepts the kiosk")


def _duration(age: timedelta) -> str:
    seconds = age.total_seconds()
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
