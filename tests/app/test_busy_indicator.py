"""The progress indicator over a screen while an operation takes long: it moves while shown, at
BUSY_STEPS_PER_SECOND (each step is a frame drawn), and stops when hidden."""

from __future__ import annotations

import time

from kiosk.screens.widgets import BUSY_STEPS_PER_SECOND, BusyIndicator


def steps_in(app, seconds: float) -> int:
    indicator = next(w for w in app.widgets(app.app.root) if isinstance(w, BusyIndicator))
    phases = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.pump(0.005)
        phases.append(indicator.phase)
    return sum(1 for before, after in zip(phases, phases[1:]) if after != before)


def test_the_indicator_moves_while_shown_and_no_more_often_than_its_steps(kiosk_app):
    app = kiosk_app()
    app.app.busy_text, app.app.busy = "Checking...", True
    moved = steps_in(app, 1.0)
    assert 2 <= moved <= BUSY_STEPS_PER_SECOND + 1
    app.app.busy = False
    app.pump(0.1)
    assert steps_in(app, 0.3) == 0
