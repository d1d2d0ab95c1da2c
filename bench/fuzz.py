"""Fuzzing: 100,000 inputs into every parser that reads outside input; prints counts and crashes.

The parsers, their allowed errors and the promises checked on each input (no PIN in clear,
no frame over the limit, ...) are in tests/fuzz_targets.py, shared with the unit suite's
short hypothesis runs (tests/test_fuzz.py). A crash is any other exception, or a broken
promise. Inputs are seeds mutated at random (and plain random bytes); the configuration
loader also gets random TOML documents of its own tables and keys. Every run with the same
`--seed` feeds the same inputs.

Run: `.venv/bin/python -m bench.fuzz [--inputs N] [--seed S] [--only TEXT] [--save DIR]`
(2.5 to 4 minutes for the default 100,000 inputs per parser on a shared 2-core machine).
"""

from __future__ import annotations

import argparse
import random
import time
import traceback
from collections import Counter
from pathlib import Path

from sip2.charsets import usable_encodings

from bench.timing import print_table
from tests.fuzz_targets import TARGETS, Target


def fuzz(target: Target, inputs: int, seed: int) -> tuple[int, Counter, dict, float]:
    """Feed `inputs` inputs; (rejected with an allowed error, crashes by kind, an example of each, seconds)."""
    rng = random.Random(f"{seed}:{target.name}")
    crashes: Counter = Counter()
    examples: dict[tuple[str, str], tuple[bytes, int, str]] = {}
    rejected = 0
    start = time.perf_counter()
    for _ in range(inputs):
        data, choice = target.make_input(rng), rng.getrandbits(30)
        try:
            target.run(data, choice)
            continue
        except target.allowed:
            rejected += 1
            continue
        except Exception as exc:  # the crashes this is looking for, counted by where they came from
            crash = exc
        frame = traceback.extract_tb(crash.__traceback__)[-1]
        kind = (type(crash).__name__, f"{Path(frame.filename).name}:{frame.lineno}")
        crashes[kind] += 1
        examples.setdefault(kind, (data, choice, str(crash)))
    return rejected, crashes, examples, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs per parser (default 100000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--only", help="only the parsers whose name contains this text")
    parser.add_argument("--save", type=Path, help="write each crash's first input to this folder")
    args = parser.parse_args()

    print(f"{args.inputs:,} inputs per parser, seed {args.seed}; the SIP2 codec cycles through "
          f"{len(usable_encodings())} accepted character sets")
    rows, total_crashes, found = [], 0, []
    for target in TARGETS:
        if args.only and args.only not in target.name:
            continue
        rejected, crashes, examples, seconds = fuzz(target, args.inputs, args.seed)
        count = sum(crashes.values())
        total_crashes += count
        rows.append([target.name, args.inputs, rejected, count, len(crashes), seconds])
        for number, (kind, (data, choice, message)) in enumerate(examples.items()):
            found.append(f"{target.name}: {kind[0]} at {kind[1]} ({crashes[kind]}x): {message[:160]}\n"
                         f"    input {data[:160]!r} choice {choice}")
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"{target.name.split()[0]}-{target.name.split()[1]}-{number}.bin").write_bytes(data)
        print(f"  {target.name}: {args.inputs:,} inputs, {count} crashes, {seconds:.0f} s", flush=True)
    print()
    print_table(["parser", "inputs", "rejected (allowed error)", "crashes", "distinct", "seconds"], rows)
    print()
    print("\n".join(found) if found else "no crashes")
    return 1 if total_crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
