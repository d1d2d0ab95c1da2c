"""Long lists on the real app. Checkout: a new item adds one row (the bottom one reused once the
list is long), refused items stay on top, the cue counts every item not in view, and sliding to
the end brings the rest. The account and renew lists make their rows a page at a time too."""

from __future__ import annotations

from kiosk.core.outcomes import Account, Action, ItemOutcome, LoanLine
from kiosk.screens.item_list import MOST_ROWS
from kiosk.screens.widgets import ROWS_AT_ONCE

from tests.app.harness import Window
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


def many_loans(count: int) -> Account:
    return Account("P1", "Jane", loans=tuple(LoanLine(f"LOAN{n:03d}", title=f"Book {n}", due_text="24/12/2026")
                                             for n in range(count)))


def showing_loans(kiosk_app, button: str, screen_name: str, count: int):
    """The app on `screen_name` (opened with `button`) showing an account of `count` loans, and its list."""
    app = kiosk_app()
    log_in(app)
    app.press(button)
    app.wait_for(lambda: app.screen_name == screen_name and app.screen._account is not None)
    app.screen.show_account(many_loans(count))
    app.settle()
    rows = app.screen.ids.account if screen_name == "account" else app.screen.ids.loans
    assert len(rows.box.children) == ROWS_AT_ONCE and rows.hidden == count - ROWS_AT_ONCE
    return app, rows


def test_a_long_account_makes_a_page_of_rows_and_the_next_on_sliding(kiosk_app):
    app, rows = showing_loans(kiosk_app, "My account", "account", 40)
    assert rows.cue.shown and "more below" in rows.cue.text

    rows.view.scroll_y = 0
    app.settle()
    assert len(rows.box.children) == 2 * ROWS_AT_ONCE and rows.hidden == 40 - 2 * ROWS_AT_ONCE

    app.app.language = "fr"  # the same rows again in French, as many made as before
    app.settle()
    assert len(rows.box.children) == 2 * ROWS_AT_ONCE and rows.box.children[-1].title == "Book 0"


def test_a_long_account_on_a_large_screen_makes_one_page_too(kiosk_app):
    # New rows get their heights only as their text is drawn: the list must not take them for
    # too few to fill the screen and make the next page at once.
    Window.size = (1920, 1080)
    try:
        app, rows = showing_loans(kiosk_app, "My account", "account", 40)
        app.app.language = "de"
        app.settle()
        assert len(rows.box.children) == ROWS_AT_ONCE and rows.hidden == 40 - ROWS_AT_ONCE
    finally:
        Window.size = (800, 480)


def test_a_long_renew_list_keeps_the_loans_chosen_across_pages_and_languages(kiosk_app):
    app, rows = showing_loans(kiosk_app, "Renew", "renew", 30)
    toggles = list(reversed(rows.box.children))
    toggles[1].state = "down"
    rows.view.scroll_y = 0
    app.settle()
    assert rows.hidden == 0 and len(rows.box.children) == 30
    list(reversed(rows.box.children))[-1].state = "down"
    app.app.language = "de"
    app.settle()
    assert app.screen.chosen() == ["LOAN001", "LOAN029"] and len(rows.box.children) == 30
