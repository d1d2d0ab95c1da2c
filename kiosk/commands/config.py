"""`kiosk config check` and `kiosk config show`: is the configuration valid, and what is in force.

`show` prints the effective settings (see `kiosk.config.effective`) so a technician can paste
them into a support ticket.
"""

from __future__ import annotations

import argparse
import sys

from kiosk.config import DEFAULT_PATH, ConfigError, KioskConfig, load_config
from kiosk.config.effective import render_toml


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kiosk config check|show` to the `kiosk` command."""
    config = sub.add_parser("config", help="check the configuration, or show the settings in force")
    actions = config.add_subparsers(dest="config_command", required=True)
    for name, func, text in (("check", _check, "validate the configuration and its drop-ins; exit 1 if invalid"),
                             ("show", _show, "print the effective settings as TOML, secrets masked")):
        action = actions.add_parser(name, help=text)
        action.add_argument("--config", default=str(DEFAULT_PATH), help=f"main file (default {DEFAULT_PATH})")
        action.set_defaults(func=func)


def _load(path: str) -> KioskConfig | None:
    """The configuration with its warnings printed, or None after printing why it is invalid."""
    try:
        config = load_config(path)
    except ConfigError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return None
    for warning in config.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return config


def _check(args: argparse.Namespace) -> int:
    config = _load(args.config)
    if config is None:
        return 1
    print(f"valid: {', '.join(config.files)}")
    return 0


def _show(args: argparse.Namespace) -> int:
    config = _load(args.config)
    if config is None:
        return 1
    sys.stdout.write(render_toml(config))
    return 0
