"""The patron flow without a window: a recording shell around a real runtime on the ACS emulator
(and a real SMTP server for the receipt), driven as the screens and devices would drive it."""

from __future__ import annotations

import pytest

from sip2.emulator.demo_data import DEMO

from kiosk.core import wording
from kiosk.core.outcomes import Action
from kiosk.core.runtime import KioskRuntime
from kiosk.demo import demo_config
from kiosk.devices.events import ItemPlaced, Scan, TagData, UnreadableTag

from tests.deploy.smtp_server import SMTPServer
from tests.kiosk.flow_shell import RecordingShell
from tests.waiting import wait_for


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def kiosk(acs, smtp, tmp_path):
    """A recording shell around a started runtime (no devices) with e-mail receipts."""
    config = demo_config(*acs.address, str(tmp_path), session={"timeout": 120.0, "warning": 20.0},
                         email={"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                "sender": "kiosk@library.example", "timeout": 5.0},
                         receipts={"choices": ["email", "none"]})
    runtime = KioskRuntime(config, with_devices=False)
    runtime.start()
    shell = RecordingShell(runtime)
    runtime.circulation.clock = shell.now
    yield shell
    runtime.stop()


def log_in(shell: RecordingShell, patron: str = DEMO.good_patron, pin: str = DEMO.good_pin) -> None:
    flow = shell.patron_flow
    flow.on_scan(patron)
    assert shell.current == "login" and shell.screen.state["stage"] == "pin"
    assert flow.pending_login == patron
    flow.login_entered("pin", pin)


def test_card_then_pin_starts_the_session(kiosk):
    log_in(kiosk)
    assert kiosk.current == "checkout" and kiosk.sounds == ["success"]
    (result,), = kiosk.calls("start_session")
    assert result.patron_id == DEMO.good_patron and kiosk.patron_name == result.name
    assert kiosk.patron_flow.pending_login == ""
    assert kiosk.background  # the locale's data is warmed up off the UI thread


def test_refused_card_goes_back_to_idle_in_one_sentence_for_a_few_seconds(kiosk):
    kiosk.language = "de"
    log_in(kiosk, DEMO.blocked_patron)
    assert kiosk.current == "idle" and kiosk.screen.message == ""  # nothing left of an earlier message
    (reason,), = kiosk.calls("show_refusal")  # the idle screen says it in the patron's language
    assert kiosk.words.say(reason) == kiosk.words(wording.CARD_BLOCKED) != wording.CARD_BLOCKED
    assert kiosk.sounds == ["error"] and kiosk.patron_flow.pending_login == ""
    assert kiosk.runtime.circulation.session is None
    assert kiosk.language == "de"  # the same patron reads it, in the language they chose
    seconds, _ = kiosk.timers[0]
    assert 3 <= seconds <= 10
    kiosk.screen.state["message"] = "shown"
    kiosk.run_timers()
    assert kiosk.screen.message == ""


def test_a_newer_idle_message_is_not_cleared_by_an_older_refusal(kiosk):
    log_in(kiosk, DEMO.blocked_patron)
    log_in(kiosk, DEMO.blocked_patron)  # the same card again: its own sentence, its own timer
    first, second = (call for _, call in kiosk.timers)
    kiosk.screen.state["message"] = "shown"
    first()
    assert kiosk.screen.message == "shown"  # still the second refusal's
    second()
    assert kiosk.screen.message == ""


def test_wrong_pin_goes_back_to_idle_too(kiosk):
    log_in(kiosk, pin="9999")
    (reason,), = kiosk.calls("show_refusal")
    assert kiosk.current == "idle" and kiosk.words.say(reason) == wording.WRONG_PIN
    assert "login" not in kiosk.shown[-1:]


def test_no_session_stays_open_behind_the_idle_screen(kiosk):
    log_in(kiosk)
    log_in(kiosk, pin="9999")  # the patron's own card again, then a wrong PIN
    assert kiosk.current == "idle" and kiosk.runtime.circulation.session is None


def test_a_card_scanned_into_the_pin_field_starts_again_with_that_card(kiosk):
    flow = kiosk.patron_flow
    flow.on_scan(DEMO.good_patron)
    flow.login_entered("pin", DEMO.second_good_patron)
    assert kiosk.current == "login" and flow.pending_login == DEMO.second_good_patron


def test_checkout_refusal_and_return_then_summary_and_receipt(kiosk, smtp):
    flow = kiosk.patron_flow
    log_in(kiosk)
    for item in (DEMO.available_items[0], DEMO.reference_item):
        flow.on_scan(item)
    flow.start_returns()
    assert kiosk.calls("clear") == [()]
    flow.on_scan(DEMO.loaned_item_with_hold)
    flow.returns_done()
    assert kiosk.current == "checkout"
    outcomes = [args[0] for args in kiosk.calls("add_outcome", "checkout")]
    assert [(o.item_id, o.ok) for o in outcomes] == [(DEMO.available_items[0], True), (DEMO.reference_item, False)]
    assert kiosk.sounds == ["success", "success", "error", "success"]
    flow.finish_session()
    assert kiosk.current == "receipt" and kiosk.screen.state["choices"] == ["email", "none"]
    assert kiosk.screen.state["delivered"] is False
    (results, refused), = kiosk.calls("show_summary")
    assert {(o.action, o.item_id) for o in results} == {(Action.CHECKOUT, DEMO.available_items[0]),
                                                          (Action.CHECKIN, DEMO.loaned_item_with_hold)}
    assert [o.item_id for o in refused] == [DEMO.reference_item]
    flow.choose_receipt("email")
    assert kiosk.screen.state["delivered"] is True
    (answer, ok), = kiosk.calls("show_answer")
    assert ok and answer.startswith("Your receipt will be sent to")
    assert wait_for(lambda: smtp.received.messages)  # the e-mail goes out behind the answer
    kiosk.run_timers()  # the patron has read the answer
    assert kiosk.current == "idle" and flow.refused == {} and flow.receipt_job is None


def test_an_item_done_after_a_refusal_is_not_sent_to_the_desk(kiosk):
    flow = kiosk.patron_flow
    log_in(kiosk)
    flow.on_scan(DEMO.item_on_hold_for_other)
    assert DEMO.item_on_hold_for_other in flow.refused
    flow.start_returns()
    flow.on_scan(DEMO.item_on_hold_for_other)  # not on loan: refused again, still one entry
    assert list(flow.refused) == [DEMO.item_on_hold_for_other]


def test_nothing_done_means_no_receipt_screen(kiosk):
    log_in(kiosk)
    kiosk.patron_flow.finish_session()
    assert kiosk.current == "idle" and kiosk.resets == 1


def test_the_session_times_out_after_its_warning(kiosk):
    flow = kiosk.patron_flow
    log_in(kiosk)
    flow.open_account()
    assert kiosk.current == "account" and kiosk.calls("loading") and kiosk.calls("show_account")
    kiosk.clock += 105
    flow.tick()
    assert kiosk.warning == 15 and kiosk.sounds[-1] == "error"
    kiosk.clock += 1
    flow.tick()
    assert kiosk.warning == 14 and kiosk.sounds.count("error") == 1  # one sound per warning
    flow.still_here()
    flow.tick()
    assert kiosk.warning is None
    kiosk.clock += 121
    flow.tick()
    assert kiosk.current == "idle" and kiosk.dialogs_closed == 1
    assert kiosk.runtime.circulation.session is None


def test_out_of_service_and_back(kiosk):
    flow = kiosk.patron_flow
    kiosk.runtime.service.switch_off()
    flow.tick()
    assert kiosk.current == "out_of_service" and kiosk.out_of_service_reason
    flow.on_scan(DEMO.good_patron)
    assert kiosk.current == "out_of_service"  # patrons cannot log in meanwhile
    flow.on_scan("TECH-0001")
    assert kiosk.current == "technician_login"
    kiosk.runtime.service.switch_on()
    flow.go_idle()
    assert kiosk.current == "idle"


def test_scans_and_the_pad_go_where_the_screen_says(kiosk):
    flow = kiosk.patron_flow
    kiosk.show("technician")
    flow.on_device_event(Scan(source="keyboard", text="12345"))
    (raw, classified), = kiosk.calls("show_scan")
    assert raw == "12345" and classified.text == "12345"
    assert str(kiosk.technician_flow.last_device_events["keyboard"]) == "scan '12345'"
    kiosk.show("idle")
    tag = TagData(uid="E0040000AAAA", item_id=DEMO.available_items[3], data_model="iso28560-3")
    flow.on_device_event(ItemPlaced(source="pad", tag=tag))
    assert "scan your library card first" in kiosk.screen.message
    assert kiosk.technician_flow.tags_on_pad == {tag.uid: tag}
    log_in(kiosk)
    flow.on_device_event(UnreadableTag(source="pad", uid="E0040000BBBB", raw=b"\x00", reason="bad CRC"))
    assert kiosk.screen.state["message_bad"] and kiosk.sounds[-1] == "error"
    flow.on_device_event(ItemPlaced(source="pad", tag=tag))
    (outcome,), = kiosk.calls("add_outcome")
    assert outcome.ok and outcome.item_id == DEMO.available_items[3]
