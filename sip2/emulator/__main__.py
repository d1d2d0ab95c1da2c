"""`python -m sip2.emulator --port 6001`: run the ACS emulator in the foreground."""

from __future__ import annotations

import argparse
import logging
import sys

from sip2.emulator.server import serve_forever


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sip2.emulator",
                                     description="SIP2 ACS emulator with a demo library")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=6001, help="port to listen on (default 6001)")
    parser.add_argument("--db", default=None, help="SQLite file to keep the library in "
                        "(seeded with demo data when empty; default: a temporary file)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every message (secrets masked)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(message)s")
    return serve_forever(host=args.host, port=args.port, db=args.db)


if __name__ == "__main__":
    sys.exit(main())
