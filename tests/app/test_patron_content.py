"""What the patron reads on the renew and account screens, on the real app against the ACS
emulator: titles and one reason per refused renewal, loans that cannot be renewed marked before
the patron tries, holds by title, fines as kind, title and amount in the patron's locale."""

from __future__ import annotations

from sip2.emulator.demo_data import DEMO

from tests.app.test_journeys import log_in


def rows(app) -> dict[str, object]:
    return {w.item_id: w for w in app.widgets() if type(w).__name__ == "ItemRow" and app.visible(w)}


def toggles(app) -> dict[str, object]:
    return {w.item_id: w for w in app.widgets() if type(w).__name__ == "BigToggle" and app.visible(w)}


def open_renew(app) -> None:
    app.press(app.app.tr("Renew"))
    app.wait_for(lambda: app.screen_name == "renew" and app.screen._account is not None)
    app.settle()


def test_renew_results_keep_titles_and_say_why_each_failed(kiosk_app):
    app = kiosk_app()
    log_in(app)
    open_renew(app)
    assert set(toggles(app)) == {*DEMO.good_patron_loans, DEMO.renewal_limit_item}
    app.touch(toggles(app)[DEMO.renewal_limit_item])
    app.press("Renew selected")
    app.wait_shows("Renewed: 0 of 1")
    app.settle()
    refused = rows(app)[DEMO.renewal_limit_item]
    assert not refused.ok and not refused.title.startswith("Barcode ")
    assert refused.detail == "This item has been renewed as often as allowed."
    assert not app.shows("Renew selected"), [t for t in app.texts() if "Renew selected" in t]
    assert app.screen.ids.renew_selected.parent is None  # out of the row: it takes no room
    assert not app.shows("Renew all")  # only "Back": renewing all again would renew twice

    app.press("Back")
    app.wait_for(lambda: app.screen_name == "checkout")
    open_renew(app)
    assert set(toggles(app)) == set(DEMO.good_patron_loans)  # the refused one cannot be chosen now
    marked = rows(app)[DEMO.renewal_limit_item]
    assert marked.status == "Cannot be renewed" and "renewed as often as allowed" in marked.detail
    assert app.button("Renew selected")

    app.press("Renew all")
    app.wait_shows("Renewed: 2 of 3")
    app.settle()
    refused = rows(app)[DEMO.renewal_limit_item]
    assert refused.title == marked.title and refused.detail == "This item has been renewed as often as allowed."
    assert not app.shows("not renewed.")  # the 66's summary is no item's reason


def test_a_loan_on_hold_for_someone_else_is_marked_in_german(kiosk_app):
    app = kiosk_app()
    log_in(app, DEMO.other_patron)
    app.app.set_language("de")
    open_renew(app)
    assert set(toggles(app)) == {DEMO.item_on_loan}
    held = rows(app)[DEMO.loaned_item_with_hold]
    assert held.title == "Winter Letters" and held.status == "Nicht verlängerbar"
    assert "vorgemerkt" in held.detail


def test_account_shows_hold_titles_and_fines_in_locale_money(kiosk_app):
    app = kiosk_app()
    log_in(app, DEMO.hold_patron)
    app.press("My account")
    app.wait_shows("The Clockmaker's Daughter")
    assert app.shows("Birds of the Wetlands") and app.shows("Winter Letters")
    assert not any(DEMO.item_on_hold_for_other in text for text in app.texts())
    app.press("Back")
    app.wait_for(lambda: app.screen_name == "checkout")
    app.scan(DEMO.overdue_patron)
    app.wait_for(lambda: app.screen_name == "login")
    app.type_on_pad(DEMO.good_pin)
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "checkout")
    app.app.set_language("fr")
    app.press("Mon compte")
    app.wait_for(lambda: any(t.startswith("En retard\xa0: ") for t in app.texts()), what="the fine's row")
    fines = [text for text in app.texts() if text.startswith("En retard\xa0: ")]
    assert fines[0].endswith(", 1,50\xa0$US"), fines
    assert not any("30001" in text for text in fines)  # the title, not the barcode


def test_the_technician_screen_speaks_french(kiosk_app):
    from tests.app.test_technician import enter

    app = kiosk_app()
    app.app.set_language("fr")
    enter(app)
    app.wait_for(lambda: app.screen_name == "technician")
    app.wait_shows("Indicateurs ACS\xa0: en ligne oui")
    assert app.shows("en attente\xa0: 0") and app.shows("Adresse IP\xa0: ") and app.shows("Système de la bibliothèque")
    app.press("Tester la connexion")
    app.wait_shows("OK\xa0: le système de la bibliothèque a répondu en ")  # the app's answer, said in French
    app.scan(DEMO.available_items[3])
    app.wait_shows("décodé\xa0: document")
    app.press("Lire les étiquettes sur le plateau")
    app.wait_shows("Étiquettes sur le plateau")
    app.app.set_language("de")  # what is on show is said again in the new language
    app.wait_shows("Etiketten auf der Ablage")
    assert app.shows("Offline-Warteschlange") and not app.shows("Tags on the pad")


def test_renew_all_refused_as_a_whole_keeps_the_loans_and_says_why(kiosk_app):
    app = kiosk_app()
    log_in(app)
    open_renew(app)
    app.runtime.link.call(lambda c: c.block_patron(DEMO.good_patron, "Card reported stolen"))
    app.press("Renew all")
    app.wait_shows("Your card is blocked. Please see staff.")
    assert set(toggles(app)) == {*DEMO.good_patron_loans, DEMO.renewal_limit_item}
    assert not any(text.startswith("Barcode ") for text in app.texts())


def test_a_folded_away_part_of_a_screen_costs_no_spacing(kiosk_app):
    app = kiosk_app()
    app.app.large_text = True
    log_in(app)
    for item in DEMO.available_items[:3]:
        app.scan(item)
    app.wait_for(lambda: len(app.screen.outcomes) == 3)
    app.settle()
    column = app.screen.children[0]
    shown = [c for c in column.children if c.height > 0]
    folded = [c for c in column.children if c.height == 0]
    assert folded, "no banner, no message and no instruction while the list is on show"
    for lower, upper in zip(shown, shown[1:]):  # children run bottom to top
        assert abs(upper.y - lower.top - column.spacing) < 1, (upper, lower)
