"""`kiosk config check` and `kiosk config show`: is the configuration valid, and what is in force.

`show` prints the effective settings (main file, drop-ins and secrets merged, defaults filled
in) as TOML, with every secret masked, so a technician can paste it into a support ticket.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any, Mapping

from kiosk.config import DEFAULT_PATH, KioskConfig, load_config
from kiosk.config.files import SECRET_KEYS
from kiosk.config.table import ConfigError

MASK = "********"
_NOT_SETTINGS = ("source", "files", "warnings", "devices")


def add_config_commands(sub: argparse._SubParsersAction) -> None:
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


def effective_settings(config: KioskConfig) -> dict[str, Any]:
    """Every setting in force, table by table, secrets replaced by a mask."""
    tables: dict[str, Any] = {}
    for spec in dataclasses.fields(config):
        value = getattr(config, spec.name)
        if spec.name in _NOT_SETTINGS or value is None:
            continue
        tables[spec.name] = {key: (MASK if (spec.name, key) in SECRET_KEYS and item else item)
                             for key, item in dataclasses.asdict(value).items() if item is not None}
    tables.update(config.devices)
    return tables


def render_toml(config: KioskConfig) -> str:
    """The effective settings as a TOML document, headed by the files they came from."""
    lines = [f"# read from: {', '.join(config.files) or config.source}"]
    for name, table in effective_settings(config).items():
        for label, values in ([(f"[[{name}]]", t) for t in table] if isinstance(table, list) else [(f"[{name}]", table)]):
            lines += ["", label] + [f"{key} = {_value(item)}" for key, item in values.items()]
    return "\n".join(lines) + "\n"


def _value(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, (int, float)):
        return repr(item)
    if isinstance(item, str):
        return json.dumps(item, ensure_ascii=False)
    if isinstance(item, Mapping):
        if not item:
            return "{}"
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_value(v)}" for k, v in item.items()) + " }"
    return "[" + ", ".join(_value(v) for v in item) + "]"
