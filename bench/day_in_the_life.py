"""A long day in the life of a kiosk: the test's day (tests/test_day_in_the_life.py), bigger.

    python -m bench.day_in_the_life [--sessions 500] [--kills 20] [--seed 3122026]

The real app in its own process, headless, driven through the scanner and RFID pad emulators
and touches; the ACS away for the middle fifth of the day; the kiosk killed with SIGKILL at
seeded moments and started again. At the end the same checks as the test (ACS loans = journal,
tags' security = loans, refused replays on the staff list, no PIN or password anywhere), and
the figures printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from tests.test_day_in_the_life import SEED, Day


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=500, help="patron sessions (default 500)")
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs drawn for the day (default 20)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"the day's seed (default {SEED})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        day = Day(Path(folder), sessions=args.sessions, seed=args.seed, kills=args.kills)
        started = time.monotonic()
        try:
            figures = day.run()
        finally:
            day.close()
        elapsed = time.monotonic() - started
    print(f"day in the life: {args.sessions} sessions in {elapsed:.0f} s (seed {args.seed})")
    for name, value in asdict(figures).items():
        print(f"  {name.replace('_', ' '):<22} {value}")
    print("verdict: ACS loans = journal, tags = loans, refused replays on the staff list, no secret found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
