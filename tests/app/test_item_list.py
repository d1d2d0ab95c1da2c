"""A long checkout list on the real app: a new item adds one row (the bottom one reused once the
list is long), refused items stay on top, the cue counts every item not in view, and sliding to
the end brings the rest."""

from __future__ import annotations

from kiosk.core.outcomes import Action, ItemOutcome
from kiosk.screens.item_list import MOST_ROWS

from tests.app.test_journeys import log_in


def checked_out(n: int, ok: bool = True) -> ItemOutcome:
    return ItemOutcome(Action.CHECKOUT, f"ITEM{n:03d}", ok, title=f"Book {n}", reason="" if ok else "Refused.")


def listed(app) -> list[str]:
    return [row.item_id for row in reversed(app.screen.ids.rows.box.children)]


def test_a_long_list_makes_only_its_first_rows_and_reuses_the_bottom_one(kiosk_app):
    app = kiosk_app()
    log_in(app)
    screen, rows = app.screen, app.screen.ids.rows
    for n in range(MOST_ROWS):
        screen.add_outcome(checked_out(n))
    app.settle()
    bottom = rows.box.children[0]
    assert bottom.item_id == "ITEM000"

    screen.add_outcome(checked_out(MOST_ROWS))
    app.settle()
    assert len(rows.box.children) == MOST_ROWS and rows.hidden == 1
    assert listed(app)[0] == f"ITEM{MOST_ROWS:03d}" and bottom in rows.box.children  # the old bottom row, reused
    assert bottom.title == f"Book {MOST_ROWS}"
    assert rows.cue.shown and rows.cue.text.startswith(f"{MOST_ROWS + 1 - visible_rows(app)} more below")

    screen.add_outcome(checked_out(99, ok=False))
    screen.add_outcome(checked_out(5, ok=False))  # an item listed as checked out, now refused: its row moves
    app.settle()
    assert listed(app)[:3] == ["ITEM005", "ITEM099", f"ITEM{MOST_ROWS:03d}"]
    assert screen.listed.count("ITEM005") == 1 and screen.count == MOST_ROWS  # 17 checked out, one now refused
    assert len(rows.box.children) == MOST_ROWS and rows.hidden == len(screen.listed) - MOST_ROWS


def test_sliding_to_the_end_brings_the_rows_not_made_yet(kiosk_app):
    app = kiosk_app()
    log_in(app)
    screen, rows = app.screen, app.screen.ids.rows
    for n in range(MOST_ROWS + 5):
        screen.add_outcome(checked_out(n))
    app.settle()
    assert rows.hidden == 5
    rows.view.scroll_y = 0
    app.settle()
    assert rows.hidden == 0 and len(rows.box.children) == MOST_ROWS + 5
    assert listed(app)[-1] == "ITEM000" and listed(app) == screen.listed
    assert 0 < rows.view.scroll_y < 1  # still near where the patron slid to, not back at the top

    app.app.language = "de"  # the rows made so far, again in German
    app.settle()
    assert len(rows.box.children) == MOST_ROWS + 5 and rows.box.children[0].status == "Ausgeliehen"


def visible_rows(app) -> int:
    rows = app.screen.ids.rows
    return sum(1 for row in rows.box.children if row.y >= rows.box.height - rows.view.height - 1)
