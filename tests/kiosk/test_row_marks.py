"""Which mark an item row shows: the rule is pure, so it is checked without a window."""

from kiosk.core.outcomes import Action, Alert, ItemOutcome
from kiosk.screens.marks import ATTENTION, DONE, REFUSED, SAVED, UNCONFIRMED
from kiosk.screens.present import outcome_mark


def test_each_outcome_gets_its_mark():
    checkout = lambda ok, **kw: ItemOutcome(Action.CHECKOUT, "3000", ok, **kw)  # noqa: E731
    assert outcome_mark(checkout(True)) == DONE
    assert outcome_mark(checkout(True, offline=True)) == SAVED
    assert outcome_mark(checkout(True, alerts=(Alert.HOLD_FOR_OTHER,))) == ATTENTION
    assert outcome_mark(checkout(True, offline=True, alerts=(Alert.GIVE_TO_STAFF,))) == ATTENTION
    assert outcome_mark(checkout(False, reason="blocked")) == REFUSED
    assert outcome_mark(checkout(False, offline=True, reason="not while offline")) == REFUSED
    assert outcome_mark(checkout(False, alerts=(Alert.OUTCOME_UNKNOWN,))) == UNCONFIRMED
    assert outcome_mark(ItemOutcome(Action.CHECKIN, "3000", True, alerts=(Alert.NOT_CHECKED_OUT,))) == ATTENTION
