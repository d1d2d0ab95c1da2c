"""`python -m sip2.emulator --port 6001`: the same as `sip2 emulator`, in the foreground."""

from __future__ import annotations

import sys

from sip2.cli import main as sip2_main


def main(argv: list[str] | None = None) -> int:
    """Run `sip2 emulator` with these arguments."""
    return sip2_main(["emulator", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
