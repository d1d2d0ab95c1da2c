"""Technician mode on the running app: a technician card or the hidden gesture, then the PIN;
status, tests and the kiosk's switches, as a technician sees them."""

from __future__ import annotations

from sip2.emulator.demo_data import DEMO

from kiosk.devices.emulators.tag_store import make_tag


def enter(app, pin: str = "0000") -> None:
    app.scan("TECH-0001")
    app.wait_for(lambda: app.screen_name == "technician_login", what="the technician PIN pad")
    app.type_on_pad(pin)
    app.press("OK")


def test_wrong_pin_keeps_the_door_shut(kiosk_app):
    app = kiosk_app()
    enter(app, "9999")
    app.wait_shows("Wrong PIN.")
    assert app.screen_name == "technician_login"
    app.press("Cancel")
    app.wait_for(lambda: app.screen_name == "idle")


def test_status_scan_decoding_and_tags_on_the_pad(kiosk_app):
    app = kiosk_app()
    tag = make_tag("iso28560-3", DEMO.available_items[15])
    app.runtime.pad.tag_store.place(tag)
    enter(app)
    app.wait_for(lambda: app.screen_name == "technician")
    app.wait_shows("ACS flags: online yes")  # after the link's first status probe
    assert app.shows("waiting: 0") and app.shows("IP address")
    assert app.shows("pad (RFID pad, sim): connected")
    app.scan(DEMO.available_items[3])
    app.wait_shows("decoded: item")
    app.wait_shows(f"last event: scan '{DEMO.available_items[3]}'")
    assert app.runtime.circulation.session is None  # nothing was checked out
    app.press("Read the tags on the pad")
    app.wait_shows(f"item {DEMO.available_items[15]} (iso28560-3)")
    assert app.shows(tag.uid) and app.shows("secured")  # read from the tag: placing it did not
    on_loan = make_tag("iso28560-3", DEMO.available_items[16], afi=0xC2)
    app.runtime.pad.tag_store.place(on_loan)  # the list on show follows the pad
    app.wait_shows(f"item {DEMO.available_items[16]} (iso28560-3)")
    app.wait_shows("released")
    assert app.shows("secured")


def test_sip2_test_and_out_of_service_switch(kiosk_app):
    app = kiosk_app()
    enter(app)
    app.wait_for(lambda: app.screen_name == "technician")
    app.press("Test the library system connection")
    app.wait_shows("OK: the library system answered in")
    app.press("Out of service on/off")
    app.wait_shows("out of service until switched on again")
    app.press("Leave technician mode")
    app.wait_for(lambda: app.screen_name == "out_of_service")
    assert app.shows("Out of service") and app.shows("Switched off by staff.")
    app.scan(DEMO.good_patron)  # patrons cannot log in meanwhile
    app.pump(0.3)
    assert app.screen_name == "out_of_service" and app.runtime.circulation.session is None
    enter(app)
    app.wait_for(lambda: app.screen_name == "technician")
    app.press("Out of service on/off")
    app.wait_shows("back in service")
    app.press("Leave technician mode")
    app.wait_for(lambda: app.screen_name == "idle")


def test_hidden_gesture_opens_the_pin_pad(kiosk_app):
    app = kiosk_app()
    corner = app.screen.ids.hidden_corner
    for _ in range(5):
        app.touch(corner)
    app.wait_for(lambda: app.screen_name == "technician_login")


def test_replay_and_export_report_what_they_did(kiosk_app, tmp_path):
    app = kiosk_app()
    enter(app)
    app.wait_for(lambda: app.screen_name == "technician")
    app.press("Replay the offline queue now")
    app.wait_shows("sent 0, done 0, refused 0")
    app.press("Export refused entries")
    app.wait_shows("0 entries written to")
    assert list(tmp_path.glob("refused-*.csv"))


def test_technician_mode_closes_by_itself(kiosk_app):
    app = kiosk_app(technician={"pattern": "TECH-[0-9]{4}", "check_digit": "none", "timeout": 10.0,
                                "pin_hash": "scrypt$16384$8$1$00$00"})
    app.scan("TECH-0001")
    app.wait_for(lambda: app.screen_name == "technician_login")
    app.app.patron_flow.last_activity -= 11
    app.wait_for(lambda: app.screen_name == "idle", what="technician timeout")


def test_reload_refuses_a_configuration_that_does_not_load(kiosk_app):
    app = kiosk_app()  # the demo's configuration is built in memory: there is no file to reload
    enter(app)
    app.wait_for(lambda: app.screen_name == "technician")
    app.press("Reload the configuration")
    app.wait_shows("NOT reloaded")
    assert app.screen_name == "technician"


def test_an_app_stopped_in_technician_mode_leaves_no_timer_and_no_kv_binding(kiosk_app):
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.lang.parser import global_idmap

    first = kiosk_app()
    enter(first)
    first.wait_for(lambda: first.screen_name == "technician")
    screen = first.app.manager.get_screen("technician")
    first.wait_for(lambda: getattr(screen, "_refresh", None) is not None, what="the status refresh")
    first.app.dispatch("on_stop")  # the app on its own, as `kiosk run` stops it
    assert screen._refresh is None
    first.close()
    leftovers = [event.get_callback() for event in Clock.get_events()]
    assert not [c for c in leftovers if "Technician" in repr(c) or getattr(c, "__self__", None) is first.app]
    assert App.get_running_app() is None
    assert object.__getattribute__(global_idmap["app"], "_obj") is None  # kv's `app` finds the next one

    second = kiosk_app()
    enter(second)
    second.wait_for(lambda: second.screen_name == "technician")
    assert global_idmap["app"].technician_flow.shell is second.app
    second.press("Reload the configuration")
    second.wait_shows("NOT reloaded")
