"""The end-of-session summary: what was checked out (with due dates), renewed and returned, and
what to take to the desk. Pure functions from outcomes to display text, like `present`: no Kivy."""

from __future__ import annotations

from dataclasses import dataclass, replace

from kiosk.core.outcomes import Action, ItemOutcome
from kiosk.i18n import Words
from kiosk.screens.present import ItemLine, item_line

# Rows in the order a patron acts on them: the desk first, then what goes home, then returns.
ORDER = (Action.CHECKOUT, Action.RENEW, Action.CHECKIN)


@dataclass(frozen=True)
class Summary:
    """A finished session in rows, with its counts."""

    rows: list[ItemLine]
    checked_out: int
    returned: int
    to_the_desk: int


def session_summary(results: list[ItemOutcome], refused: list[ItemOutcome], words: Words) -> Summary:
    """The rows of the summary: items to take to the desk first (refused, unconfirmed, or returned
    with a note for staff), then checked out and renewed with their due dates, then returned.
    `results` is what the session recorded, `refused` what the library system turned down."""
    latest = {(o.action, o.item_id): o for o in [*refused, *results]}  # the recorded result wins
    desk = [o for o in latest.values() if not o.ok]
    desk_rows = [replace(item_line(o, words), status=words("Take to the desk")) for o in desk]
    desk_rows += [line for line in (item_line(o, words) for o in latest.values() if o.ok) if line.warn]
    desk_ids = {line.item_id for line in desk_rows}
    rest = sorted((o for o in latest.values() if o.ok and o.item_id not in desk_ids),
                  key=lambda o: ORDER.index(o.action))
    done = [o for o in latest.values() if o.ok]
    return Summary(rows=desk_rows + [item_line(o, words) for o in rest],
                   checked_out=sum(1 for o in done if o.action is Action.CHECKOUT),
                   returned=sum(1 for o in done if o.action is Action.CHECKIN),
                   to_the_desk=len(desk_rows))
