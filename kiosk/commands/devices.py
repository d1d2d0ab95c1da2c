"""`kiosk devices`: run the configured scanners and RFID pad and print what they report
(see `kiosk.devices.watch`)."""

from __future__ import annotations

import argparse
import sys
import tomllib

from kiosk.devices.watch import watch


def register(commands: argparse._SubParsersAction) -> None:
    """Add `kiosk devices` to the `kiosk` command."""
    devices = commands.add_parser("devices", help="run the configured scanners and RFID pad; print what they report")
    devices.add_argument("config", help="the kiosk's TOML configuration: its [[scanner]] and [rfid] "
                                        "tables, and [patron], [item], [technician] for what scans mean")
    devices.add_argument("--seconds", type=float, help="stop after this many seconds")
    devices.add_argument("--stdin", action="store_true",
                         help="scan lines read from standard input through the sim/keyboard scanner")
    devices.set_defaults(func=_devices)


def _devices(args: argparse.Namespace) -> int:
    """Load the configuration and watch; configuration errors are printed, not raised."""
    try:
        with open(args.config, "rb") as handle:
            tables = tomllib.load(handle)
        return watch(tables, sys.stdout, sys.stdin if args.stdin else None, args.seconds)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        print(f"cannot read {args.config}: {exc}", file=sys.stderr)
    except ValueError as exc:  # ConfigError and ClassifyError, naming table and key
        print(f"configuration problem in {args.config}:\n{exc}", file=sys.stderr)
    return 2
