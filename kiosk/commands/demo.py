"""`kiosk demo`: the whole kiosk on a laptop (see `kiosk.demo`)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add `kiosk demo` to the `kiosk` command."""
    demo = commands.add_parser("demo", help="the whole kiosk on a laptop, with an ACS emulator and demo data",
                                  description="Try the kiosk on a laptop: the ACS emulator with demo data, a "
                                              "keyboard scanner, a simulated RFID pad and the app.")
    demo.add_argument("--port", type=int, default=0, help="port of the ACS emulator (default: any free one)")
    demo.add_argument("--size", type=int, nargs=2, default=(1200, 640), metavar=("WIDTH", "HEIGHT"),
                      help="window size (default 1200 640)")
    demo.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    # The demo loads Kivy, whose import opens the window system: only `kiosk demo` pays for it.
    from kiosk.demo import run_demo

    return run_demo(args.port, tuple(args.size))
