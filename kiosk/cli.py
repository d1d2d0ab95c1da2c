"""The `kiosk` command: run the kiosk, its demo, and technicians' tools."""

from __future__ import annotations

import argparse
import sys

from kiosk.config_cli import add_config_commands
from kiosk.devices.rfid.tag_tool import add_tag_commands
from kiosk.devices.watch import add_arguments as add_device_check_arguments
from kiosk.doctor import add_doctor_command
from kiosk.queue_cli import add_queue_commands


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with one sub-command per tool."""
    parser = argparse.ArgumentParser(prog="kiosk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run on the embedded default: the ACS emulator with demo data")
    demo.add_argument("--port", type=int, default=6001, help="port of the ACS emulator (default 6001)")
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    demo.set_defaults(func=_demo)
    devices = sub.add_parser("devices", help="device check: run the configured scanners and RFID "
                                             "pad and print what they report")
    add_device_check_arguments(devices)
    devices.set_defaults(func=_devices)
    add_tag_commands(sub)
    add_queue_commands(sub)
    add_config_commands(sub)
    add_doctor_command(sub)
    return parser


def _devices(args: argparse.Namespace) -> int:
    from kiosk.devices.watch import run

    return run(args)


def _demo(args: argparse.Namespace) -> int:
    from sip2.emulator import serve_forever

    return serve_forever(host=args.host, port=args.port, db=None)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
