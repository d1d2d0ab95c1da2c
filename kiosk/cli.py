"""The `kiosk` command: run the kiosk, its demo, and technicians' tools."""

from __future__ import annotations

import argparse
import sys

from kiosk.commands import config, demo, devices, doctor, hash_pin, queue, run, tag

# In the order `kiosk --help` lists them: the kiosk itself, then the technicians' tools.
GROUPS = (run, demo, queue, config, devices, tag, doctor, hash_pin)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one sub-command group per module of `kiosk.commands`."""
    parser = argparse.ArgumentParser(prog="kiosk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # Ctrl-C: a technician's way to stop any command, not a crash
        print(f"kiosk {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
