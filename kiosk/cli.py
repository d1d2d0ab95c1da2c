"""The `kiosk` command: run the kiosk, its demo, and technicians' tools."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each command and the module of `kiosk.commands` that adds it, in the order `kiosk --help`
# lists them: the kiosk itself, then the technicians' tools.
COMMANDS = {"run": "run", "demo": "demo", "queue": "queue", "config": "config", "devices": "devices",
            "tag": "tag", "doctor": "doctor", "hash-pin": "hash_pin"}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every command, or just `only` (then only its module is imported:
    `kiosk run` starts without loading the technicians' tools and what they use)."""
    parser = argparse.ArgumentParser(prog="kiosk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(f"kiosk.commands.{module}").register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk` console script."""
    argv = sys.argv[1:] if argv is None else argv
    chosen = next((word for word in argv if not word.startswith("-")), None)
    args = build_parser(chosen if chosen in COMMANDS else None).parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # Ctrl-C: a technician's way to stop any command, not a crash
        print(f"kiosk {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
