"""`kiosk doctor`: is this kiosk ready to serve patrons (see `kiosk.doctor`); exit status 1 when
any check fails."""

from __future__ import annotations

import argparse
import sys

from kiosk.config import DEFAULT_PATH
from kiosk.doctor import format_json, format_text, run_checks
from kiosk.doctor.checks import Verdict


def register(commands: argparse._SubParsersAction) -> None:
    """Add `kiosk doctor` to the `kiosk` command."""
    doctor = commands.add_parser("doctor", help="is this kiosk ready? configuration, devices, ACS, disk, printer",
                                     description="Check configuration, devices, library system, disk, queue "
                                                 "and printer; exit status 1 when a check fails.")
    doctor.add_argument("--config", default=str(DEFAULT_PATH), help=f"main file (default {DEFAULT_PATH})")
    doctor.add_argument("--json", action="store_true", help="print JSON instead of text")
    doctor.add_argument("--device-wait", type=float, default=5.0, help="seconds to wait for each device (default 5)")
    doctor.add_argument("--skip-devices", action="store_true", help="do not open the devices (the kiosk holds them)")
    doctor.set_defaults(func=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    checks = run_checks(args.config, device_wait=args.device_wait, skip_devices=args.skip_devices)
    sys.stdout.write(format_json(checks) if args.json else format_text(checks))
    return 1 if any(c.verdict is Verdict.FAIL for c in checks) else 0
