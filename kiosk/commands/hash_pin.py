"""`kiosk hash-pin`: make the `[technician] pin_hash` for a technician PIN."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.core.technician_pin import hash_pin


def register(commands: argparse._SubParsersAction) -> None:
    """Add `kiosk hash-pin` to the `kiosk` command."""
    command = commands.add_parser("hash-pin", help="make the [technician] pin_hash for a technician PIN")
    command.add_argument("--pin", help="the PIN (default: asked for without echo)")
    command.set_defaults(func=_hash_pin)


def _hash_pin(args: argparse.Namespace) -> int:
    pin = args.pin
    if pin is None:
        try:
            pin = getpass.getpass("Technician PIN: ")
            again = getpass.getpass("Again: ")
        except EOFError:
            print("kiosk hash-pin: no PIN was typed (standard input is closed); run it in a terminal "
                  "or give --pin", file=sys.stderr)
            return 1
        if again != pin:
            print("kiosk: the two PINs differ", file=sys.stderr)
            return 1
    if not pin.isdigit() or len(pin) < 4:
        print("kiosk: the PIN must be at least 4 digits (it is typed on a number pad)", file=sys.stderr)
        return 1
    print(f'pin_hash = "{hash_pin(pin)}"')
    return 0
