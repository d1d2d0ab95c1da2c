"""The `kiosk` command: run the kiosk, its demo, and technicians' tools."""

from __future__ import annotations

import argparse
import os
import sys

from kiosk.commands.config import add_config_commands
from kiosk.commands.tag import add_tag_commands
from kiosk.devices.watch import add_arguments as add_device_check_arguments
from kiosk.doctor import add_doctor_command
from kiosk.commands.queue import add_queue_commands


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with one sub-command per tool."""
    parser = argparse.ArgumentParser(prog="kiosk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the kiosk: the touchscreen app on its configuration")
    run.add_argument("--config", default=None, help="configuration file (default /etc/library-kiosk/kiosk.toml)")
    run.set_defaults(func=_run)
    demo = sub.add_parser("demo", help="try the kiosk on a laptop: the ACS emulator with demo data, "
                                       "a keyboard scanner, a simulated RFID pad and the app")
    demo.add_argument("--port", type=int, default=0, help="port of the ACS emulator (default: any free one)")
    demo.add_argument("--size", type=int, nargs=2, default=(1200, 640), metavar=("WIDTH", "HEIGHT"),
                      help="window size (default 1200 640)")
    demo.set_defaults(func=_demo)
    hash_pin = sub.add_parser("hash-pin", help="make the [technician] pin_hash for a technician PIN")
    hash_pin.add_argument("--pin", help="the PIN (default: asked for without echo)")
    hash_pin.set_defaults(func=_hash_pin)
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
    from kiosk.demo import run_demo

    return run_demo(args)


def _run(args: argparse.Namespace) -> int:
    from kiosk.config import DEFAULT_PATH, ConfigError, load_config

    try:
        config = load_config(args.config or DEFAULT_PATH)
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    from kiosk.log_setup import configure_logging
    from kiosk.window_setup import configure_window

    configure_logging([config.patron.pattern])  # card numbers never reach the journal in clear
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")  # Kivy's messages reach the same handler
    configure_window(config)
    from kiosk.app import KioskApp

    def build_runtime():
        from kiosk.core.runtime import KioskRuntime

        return KioskRuntime(config)

    app = KioskApp(build_runtime, config=config)  # the idle screen first, the runtime behind it
    app.run()
    return app.exit_code


def _hash_pin(args: argparse.Namespace) -> int:
    import getpass

    from kiosk.core.technician_pin import hash_pin

    pin = args.pin
    if pin is None:
        pin = getpass.getpass("Technician PIN: ")
        if getpass.getpass("Again: ") != pin:
            print("kiosk: the two PINs differ", file=sys.stderr)
            return 1
    if not pin.isdigit() or len(pin) < 4:
        print("kiosk: the PIN must be at least 4 digits (it is typed on a number pad)", file=sys.stderr)
        return 1
    print(f'pin_hash = "{hash_pin(pin)}"')
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
