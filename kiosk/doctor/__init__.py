"""Is this kiosk ready to serve patrons, and if not, what to do (`kiosk doctor`).

One line per check with a fix hint; as JSON for fleet tools. Runs from the configuration
alone, so it works on a kiosk whose service is stopped; `checks_for_runtime` gives the same
report from a running kiosk (the technician screen).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from kiosk.config import load_config
from kiosk.config.table import ConfigError
from kiosk.doctor.checks import Check, Verdict, config_warnings, devices, disk, email, library_system, printer, queue
from kiosk.monitoring.status import Observed, take_status


def run_checks(config_path: str, *, device_wait: float = 5.0, skip_devices: bool = False) -> list[Check]:
    """Every check, in the order a technician would go through them."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return [Check("config", Verdict.FAIL, str(exc), "fix the named key; `kiosk config check` checks again")]
    checks = config_warnings(config)
    if not skip_devices:
        checks += devices(config, device_wait)
    checks += library_system(config)
    checks.append(disk(config))
    checks += queue(config)
    checks.append(printer(config))
    checks.append(email(config))
    return checks


def format_text(checks: Sequence[Check]) -> str:
    """One line per check, the hint after an arrow."""
    width = max(len(c.name) for c in checks)
    lines = [f"{c.verdict.value.upper():4}  {c.name:{width}}  {c.detail}" + (f"  -> {c.hint}" if c.hint else "")
             for c in checks]
    return "\n".join(lines) + "\n"


def format_json(checks: Sequence[Check]) -> str:
    """The checks as JSON: {"ok": bool, "checks": [{name, verdict, detail, hint}, ...]}."""
    return json.dumps({"ok": all(c.verdict is not Verdict.FAIL for c in checks),
                       "checks": [{"name": c.name, "verdict": c.verdict.value, "detail": c.detail, "hint": c.hint}
                                  for c in checks]}, indent=2) + "\n"


def checks_for_runtime(runtime: Observed) -> list[Check]:
    """The same report from a running kiosk's own state (for the technician screen): no device
    is reopened and nothing is sent to the library system."""
    status = take_status(runtime)
    config = runtime.config
    checks = config_warnings(config)
    checks += [Check(f"device:{d.name}", Verdict.OK if d.up else Verdict.FAIL, f"{d.role} {d.name} ({d.driver}) "
                     f"{d.state}" + (f": {d.detail}" if d.detail and not d.up else ""),
                     "" if d.up else "check the cable; the kiosk reopens it by itself") for d in status.devices]
    checks.append(Check("acs", Verdict.OK, "library system online") if status.online else
                  Check("acs", Verdict.FAIL, f"library system offline: {status.acs_error}",
                        "the kiosk keeps trying; `kiosk doctor` with the service stopped tests the login"))
    checks.append(disk(config))
    age = f", oldest {status.queue_oldest_seconds / 3600:.1f} h" if status.queue_oldest_seconds else ""
    checks.append(Check("queue", Verdict.WARN if status.queue_refused else Verdict.OK,
                        f"{status.queue_waiting} waiting{age}, {status.queue_refused} refused to deal with",
                        "`kiosk queue export` lists the refused ones" if status.queue_refused else ""))
    ready = status.printer in ("ready", "not configured")
    checks.append(Check("printer", Verdict.OK if ready else Verdict.WARN, f"receipt printer {status.printer}",
                        "" if ready else "see the printer; patrons are offered e-mail meanwhile"))
    checks.append(Check("email", Verdict.WARN if status.outbox_failed else Verdict.OK,
                        f"{status.outbox_pending} e-mails waiting, {status.outbox_failed} given up",
                        "check [email] settings and the mail log" if status.outbox_failed else ""))
    return checks
