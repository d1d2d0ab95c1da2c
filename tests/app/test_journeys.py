"""Whole patron journeys on the real app in a real (offscreen) window against the ACS emulator:
touches on the screen, scans through the keyboard scanner and the simulated RFID pad, and
assertions on what the screen shows."""

from __future__ import annotations

import pytest

from sip2.emulator.demo_data import DEMO

from kiosk.devices.emulators.rfid_3m810 import M3M810Emulator
from kiosk.devices.emulators.rfid_feig import FeigEmulator
from kiosk.devices.emulators.serving import EmulatorServer
from kiosk.devices.emulators.tag_store import make_tag


def log_in(app, patron: str = DEMO.good_patron, pin: str = DEMO.good_pin) -> None:
    app.scan(patron)
    app.wait_for(lambda: app.screen_name == "login", what="the PIN pad")
    assert app.shows("Enter your PIN")
    app.type_on_pad(pin)
    app.wait_for(lambda: app.screen.entry == pin)
    assert app.screen.ids.entry.text == " ".join("\u2022" * len(pin))  # the PIN itself is never on screen
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "checkout", what="the checkout screen")


def test_checkout_three_items_one_refused_then_receipt_by_email(kiosk_app, receipt_devices):
    tables, printer, smtp = receipt_devices
    app = kiosk_app(**tables)
    assert app.shows("Scan your library card") and app.shows("Springfield Public Library")
    log_in(app)
    assert app.shows("Hello, ") and app.shows("Items checked out: 0")
    for item in (DEMO.available_items[0], DEMO.available_items[1], DEMO.reference_item):
        app.scan(item)
    app.wait_shows("Items checked out: 2")
    app.settle()
    rows = {row.item_id: row for row in app.widgets() if type(row).__name__ == "ItemRow"}
    assert set(rows) == {DEMO.available_items[0], DEMO.available_items[1], DEMO.reference_item}
    assert rows[DEMO.available_items[0]].ok and "Due back" in rows[DEMO.available_items[0]].detail
    refused = rows[DEMO.reference_item]
    assert not refused.ok and refused.status == "Not checked out" and refused.detail  # the ACS's reason
    titles = [rows[i].title for i in DEMO.available_items[:2]]
    app.wait_for(lambda: "print" in app.runtime.receipts.choices(), what="the printer's first status")
    address = app.runtime.circulation.session.email  # the address the ACS gave
    app.press("Done")
    app.wait_for(lambda: app.screen_name == "receipt", what="the receipt screen")
    assert app.shows("Would you like a receipt?") and app.shows("Print a receipt") and app.shows("No receipt")
    summary = {row.item_id: row for row in app.screen.ids.summary.box.children}  # the session summed up
    assert [row.item_id for row in reversed(app.screen.ids.summary.box.children)][0] == DEMO.reference_item
    assert summary[DEMO.reference_item].status == "Take to the desk" and not summary[DEMO.reference_item].ok
    assert all(summary[i].title == t and "Due back" in summary[i].detail for i, t in zip(DEMO.available_items, titles))
    assert app.shows("Items checked out: 2") and app.shows("Take 1 item to the desk.")
    email_button = next(t for t in app.texts() if t.startswith("E-mail it to "))
    assert "@" in address and address not in email_button and address[-8:] in email_button  # masked
    app.press("E-mail it to")
    app.wait_shows("Your receipt will be sent to")
    assert not app.shows("Would you like a receipt?")
    app.wait_for(lambda: smtp.received.messages, what="the e-mail at the SMTP server")
    sender, recipients, content = smtp.received.messages[0]
    body = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    assert recipients == [address] and all(title in body for title in titles)
    assert printer.printed() == b""  # e-mail only
    app.press("Finish")
    app.wait_for(lambda: app.screen_name == "idle")
    assert app.runtime.circulation.session is None


def test_printed_receipt(kiosk_app, receipt_devices):
    tables, printer, smtp = receipt_devices
    app = kiosk_app(**tables)
    log_in(app)
    app.scan(DEMO.available_items[3])
    app.wait_shows("Items checked out: 1")
    app.wait_for(lambda: "print" in app.runtime.receipts.choices(), what="the printer's first status")
    app.press("Done")
    app.wait_for(lambda: app.screen_name == "receipt")
    app.press("Print a receipt")
    app.wait_shows("Please take your receipt.")
    app.wait_for(lambda: printer.printed().endswith(b"\x1dV\x00"), what="the receipt cut")
    app.wait_for(lambda: app.screen_name == "idle", timeout=10, what="idle after the receipt")


def test_without_receipt_service_done_goes_straight_back_to_idle(kiosk_app):
    app = kiosk_app()
    log_in(app)
    app.scan(DEMO.available_items[4])
    app.wait_shows("Items checked out: 1")
    app.press("Done")
    app.wait_for(lambda: app.screen_name == "idle")
    assert app.shows("Welcome!")


def test_return_with_hold_and_staff_messages(kiosk_app):
    app = kiosk_app()
    app.press("Return items")
    app.wait_for(lambda: app.screen_name == "returns")
    app.scan(DEMO.loaned_item_with_hold)
    app.scan(DEMO.item_to_staff)
    app.wait_for(lambda: len(app.screen.outcomes) == 2, what="two returns")
    app.settle()
    assert app.shows("Please give this item to staff.")
    assert not app.shows(DEMO.staff_sort_bin)  # bins are for staff, not the patron
    held = app.screen.outcomes[DEMO.loaned_item_with_hold]
    assert held.ok
    row_texts = " ".join(app.texts())
    assert "Returned" in row_texts
    app.press("Done")
    app.wait_for(lambda: app.screen_name == "idle")


def test_renew_selected_and_all(kiosk_app):
    app = kiosk_app()
    log_in(app)
    app.press("Renew")
    app.wait_for(lambda: app.screen_name == "renew")
    app.settle()
    loans = [b for b in app.widgets() if type(b).__name__ == "BigToggle"]
    assert {b.item_id for b in loans} >= set(DEMO.good_patron_loans)
    assert all("Due back" in b.text for b in loans)
    app.press("Renew selected")
    assert app.shows("Touch the loans you want to renew first.")
    first = next(b for b in loans if b.item_id == DEMO.good_patron_loans[0])
    app.touch(first)
    assert first.state == "down"
    app.press("Renew selected")
    app.wait_shows("Renewed: 1 of 1")
    assert not app.shows("Renew all")  # again, it would renew the same loans a second time
    app.press("Back")
    app.press("Renew")
    app.wait_for(lambda: app.screen_name == "renew" and app.screen._account is not None)
    app.press("Renew all")
    app.wait_shows("Renewed: 2 of 3")  # renew all's own answer, not the "1 of 1" before it
    assert app.shows("Not renewed")  # the loan at its renewal limit says why
    app.press("Back")
    app.wait_for(lambda: app.screen_name == "checkout")


def test_account_shows_holds_ready_and_overdue_and_fines(kiosk_app):
    app = kiosk_app()
    log_in(app, DEMO.holds_ready_patron)
    app.press("My account")
    app.wait_for(lambda: app.screen_name == "account")
    app.wait_shows("Ready for you to pick up: 2")
    assert app.shows("Ready for pickup")
    app.press("Back")
    app.wait_for(lambda: app.screen_name == "checkout")
    app.scan(DEMO.overdue_patron)  # another patron's card ends this session and starts theirs
    app.wait_for(lambda: app.screen_name == "login")
    app.type_on_pad(DEMO.good_pin)
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "checkout")
    assert app.runtime.circulation.session.patron_id == DEMO.overdue_patron
    app.press("My account")
    app.wait_shows("Overdue: ")
    assert app.shows("Overdue")


def test_refused_card_goes_back_to_idle_with_one_sentence(kiosk_app):
    app = kiosk_app()
    app.press("Deutsch")
    app.scan(DEMO.blocked_patron)
    app.wait_for(lambda: app.screen_name == "login")
    app.type_on_pad(DEMO.good_pin)
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "idle", what="idle after the refusal")
    said = app.app.tr("Your card is blocked. Please see staff.", "de")
    assert said != "Your card is blocked. Please see staff."
    app.wait_shows(said)  # in the patron's language, said once
    assert app.screen.message == said and app.screen.message_bad
    assert app.app.last_sound == "error" and app.runtime.circulation.session is None
    assert app.app.patron_flow.pending_login == ""  # no PIN pad waits for the next patron
    app.press("English")  # the patron changes the language: the sentence follows
    app.wait_shows("Your card is blocked. Please see staff.")
    app.scan(DEMO.good_patron)  # the next patron
    app.wait_for(lambda: app.screen_name == "login")
    app.settle()  # the idle screen leaves the window at the next frame
    assert not app.shows("blocked")


def test_card_scanned_into_the_pin_field_is_caught(kiosk_app):
    app = kiosk_app()
    app.scan(DEMO.good_patron)
    app.wait_for(lambda: app.screen_name == "login")
    app.type_on_pad("12")
    app.scan(DEMO.second_good_patron)  # the wedge types the card where the PIN goes
    app.wait_for(lambda: app.app.patron_flow.pending_login == DEMO.second_good_patron, what="the new card")
    assert app.screen.stage == "pin" and app.screen.entry == ""
    app.type_on_pad(DEMO.good_pin)
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "checkout")
    assert app.runtime.circulation.session.patron_id == DEMO.second_good_patron


def test_typed_card_number_then_pin(kiosk_app):
    app = kiosk_app()
    app.press("Type my card number")
    app.wait_for(lambda: app.screen_name == "login")
    assert app.shows("Type your card number")
    app.type_on_pad(DEMO.good_patron)
    app.press("OK")
    app.wait_shows("Enter your PIN")
    app.type_on_pad(DEMO.good_pin)
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "checkout")


def test_no_pin_required_logs_in_on_the_idle_screen(kiosk_app):
    app = kiosk_app(patron={"require_pin": False})
    app.scan(DEMO.good_patron)
    app.wait_for(lambda: app.screen_name == "checkout")
    assert app.shows("Hello, ")


def test_rfid_stack_checked_out_at_once_and_incomplete_set_flagged(kiosk_app):
    app = kiosk_app()
    log_in(app)
    store = app.runtime.pad.tag_store
    stack = [make_tag("iso28560-3", item) for item in DEMO.available_items[5:8]]
    store.place(*stack)
    app.wait_shows("Items checked out: 3")
    discs = [make_tag("iso28560-3", DEMO.multipart_item, parts=3, part=n) for n in (1, 2)]
    store.place(*discs)
    app.wait_for(lambda: DEMO.multipart_item in app.screen.outcomes, what="the set's row")
    app.settle()
    assert app.shows("Parts of this item are missing")
    assert not app.screen.outcomes[DEMO.multipart_item].ok



@pytest.mark.parametrize("driver,emulator_class", [("3m810", M3M810Emulator), ("feig", FeigEmulator)])
def test_five_items_on_a_pad_that_knows_only_the_real_commands(kiosk_app, driver, emulator_class):
    emulator = emulator_class(strict=True)
    server = EmulatorServer(emulator, pace=False)
    url = f"socket://127.0.0.1:{server.serve_tcp(0)}"
    try:
        app = kiosk_app(rfid={"driver": driver, "port": url, "poll_interval": 0.05})
        log_in(app)
        items = DEMO.available_items[10:15]
        tags = [make_tag("iso28560-3", item, isil="US-SPL") for item in items]
        emulator.store.place(*tags)
        app.wait_shows("Items checked out: 5")
        app.settle()
        assert all(app.screen.outcomes[item].ok for item in items)
        assert not app.shows("could not be read")
        assert [tag.afi for tag in tags] == [0xC2] * 5  # released, and read back by the kiosk
        assert app.runtime.journal.security_events() == []  # every release held on read-back
    finally:
        server.stop()

def test_timeout_in_the_middle_of_a_dialog_returns_to_idle(kiosk_app):
    app = kiosk_app()
    log_in(app)
    app.press("My account")
    app.wait_for(lambda: app.screen_name == "account")
    app.press("Deutsch") if app.shows("Deutsch") else None
    app.clock.now += 105  # 120 s timeout, the last 20 s counted down
    app.wait_shows("Are you still there?")
    assert app.shows("Your session ends in 15 seconds.")
    app.press("I am still here")
    app.wait_for(lambda: app.app.warning is None)
    app.clock.now += 105
    app.wait_shows("Are you still there?")
    app.clock.now += 20
    app.wait_for(lambda: app.screen_name == "idle", what="idle after the timeout")
    app.settle()
    assert app.runtime.circulation.session is None and not app.shows("Are you still there?")


def test_language_is_chosen_per_session_and_reset(kiosk_app):
    app = kiosk_app()
    app.press("Deutsch")
    app.wait_shows("Willkommen!")
    log_in_de = app.button("Ausweisnummer eintippen")
    assert log_in_de
    app.scan(DEMO.good_patron)
    app.wait_shows("PIN eingeben")
    app.type_on_pad(DEMO.good_pin)
    app.touch(app.button("OK"))
    app.wait_shows("Hallo, ")
    app.press("Fertig")
    app.wait_for(lambda: app.screen_name == "idle")
    app.wait_shows("Welcome!")
    app.press("Français")
    app.wait_shows("Bienvenue\u00a0!")


def test_high_contrast_and_larger_text(kiosk_app):
    app = kiosk_app()
    heading = next(w for w in app.widgets() if getattr(w, "text", "").startswith("Welcome!"))
    size = heading.font_size
    app.press("Larger text")
    app.press("High contrast")
    app.pump(0.1)
    assert heading.font_size > size * 1.2
    assert tuple(app.app.color_bg[:3]) == (0, 0, 0)


def test_offline_checkout_needs_no_extra_touch(kiosk_app, acs):
    app = kiosk_app()
    acs.stop()
    app.runtime.link.probe()
    app.wait_shows("The library system is offline")
    app.scan(DEMO.good_patron)
    app.wait_for(lambda: app.screen_name == "login")
    app.type_on_pad(DEMO.good_pin)
    app.press("OK")
    app.wait_for(lambda: app.screen_name == "checkout")
    assert app.shows("your loans are saved and sent when it is back")
    app.scan(DEMO.available_items[9])
    app.wait_shows("Items checked out: 1")
    assert not app.shows("Saved: it will be sent")  # the banner says it once
    assert app.runtime.queue.counts().waiting == 1


def test_out_of_service_when_the_acs_is_down_and_offline_mode_is_off(kiosk_app, acs):
    app = kiosk_app(offline={"mode": "off", "probe_interval": 1.0, "cache_patrons": False})
    acs.stop()
    app.runtime.link.probe()
    app.wait_shows("Out of service")
    assert app.shows("The library system cannot be reached, and this kiosk needs it.")


def test_keyboard_cannot_close_the_kiosk(kiosk_app):
    from kivy.core.window import Window

    app = kiosk_app()
    for key in (27, 282, 292):  # Escape, F1, F11
        assert Window.dispatch("on_keyboard", key, 0, None, []) is True
    assert app.app._refuse_close() is True
    assert app.screen_name == "idle"


def test_demo_panel_places_emulated_items_on_the_pad(kiosk_app):
    app = kiosk_app(demo=True)
    log_in(app)
    app.press(DEMO.available_items[0])  # "Place: Book" with its barcode
    app.wait_shows("Items checked out: 1")
    app.press("3-disc set")  # two discs of three: flagged, not checked out
    app.wait_for(lambda: DEMO.multipart_item in app.screen.outcomes, what="the set's row")
    app.settle()
    assert app.shows("Parts of this item are missing")
    app.press("Take all off the pad")
    app.wait_for(lambda: not app.runtime.pad.tag_store.tags())


def test_kiosk_run_shows_the_idle_screen_before_the_runtime_is_built(tmp_path, acs):
    from kiosk.core.runtime import KioskRuntime
    from kiosk.demo import demo_config

    from tests.app.harness import Driver

    config = demo_config(*acs.address, str(tmp_path))
    app = Driver(lambda: KioskRuntime(config), config=config)
    try:
        assert app.idle_before_runtime and app.shows("Welcome!")
        log_in(app)
    finally:
        app.close()
