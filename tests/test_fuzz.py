"""A short fuzzing run of every parser that reads outside input (bench/fuzz.py runs the long one).

The targets, their allowed errors and the promises checked are in tests/fuzz_targets.py: no
parser may raise anything else, or show a PIN in clear, whatever bytes it is given.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.fuzz_targets import TARGETS, Target, run_one


def inputs(target: Target) -> st.SearchStrategy[bytes]:
    """Plain random bytes, or the target's own inputs (mutated seeds, generated documents)."""
    return st.one_of(st.binary(max_size=300), st.randoms(use_true_random=False).map(target.make_input))


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_no_parser_crashes_on_any_input(target):
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=inputs(target), choice=st.integers(0, 2**30))
    def feed(data: bytes, choice: int) -> None:
        crash = run_one(target, data, choice)
        if crash is not None:
            raise crash

    feed()
