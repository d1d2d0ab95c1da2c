"""Measuring on a shared, noisy machine: interleaved rounds, medians and percentiles, plain tables.

Every bench compares candidates run in the same process, in alternating order, round after
round, so that a burst of load from elsewhere hits all of them alike; figures are read as
ratios, not as absolute speeds.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence


def interleaved_rates(candidates: dict[str, Callable[[], int]], *, rounds: int,
                      seconds: float) -> dict[str, list[float]]:
    """Items per second of each candidate, one figure per round.

    A candidate is called repeatedly for about `seconds` in each round and returns how many
    items one call handled. The order of the candidates alternates between rounds.
    """
    rates: dict[str, list[float]] = {name: [] for name in candidates}
    names = list(candidates)
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else reversed(names):
            run = candidates[name]
            gc.collect()
            done, start = 0, time.perf_counter()
            deadline = start + seconds
            while True:
                done += run()
                now = time.perf_counter()
                if now >= deadline:
                    break
            rates[name].append(done / (now - start))
    return rates


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the samples lie (nearest rank)."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def median(samples: Sequence[float]) -> float:
    """The median of the samples."""
    return statistics.median(samples)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print rows under headers, columns aligned: text to the left, numbers to the right."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(isinstance(row[i], (int, float)) for row in rows) for i in range(len(headers))]
    for index, row in enumerate(cells):
        print("  ".join(c.rjust(w) if numeric[i] else c.ljust(w)
                        for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
