"""Which mark an item row shows for an outcome: a pure rule, so it is tested without a window."""

from __future__ import annotations

from kiosk.core.outcomes import Alert, ItemOutcome

DONE = "done"  # it went through
ATTENTION = "attention"  # it went through, and the note says what to do (a hold, give it to staff)
SAVED = "saved"  # stored while offline, sent when the library system is back
REFUSED = "refused"  # it did not go through; the note says why
UNCONFIRMED = "unconfirmed"  # sent, but the library system never said how it went
MARKS = (DONE, ATTENTION, SAVED, REFUSED, UNCONFIRMED)


def outcome_mark(outcome: ItemOutcome) -> str:
    """The mark for one checkout, return or renewal."""
    if Alert.OUTCOME_UNKNOWN in outcome.alerts:
        return UNCONFIRMED
    if not outcome.ok:
        return REFUSED
    if outcome.alerts:
        return ATTENTION
    return SAVED if outcome.offline else DONE
