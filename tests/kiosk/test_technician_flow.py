"""The technician flow without a window: a recording shell around a real runtime on the ACS
emulator, driven as the technician screens would drive it."""

from __future__ import annotations

import pytest

from kiosk.core.runtime import KioskRuntime
from kiosk.core.status_report import StatusReport
from kiosk.demo import demo_config
from kiosk.devices.events import ItemRemoved, Scan

from tests.kiosk.flow_shell import RecordingShell


@pytest.fixture
def kiosk(acs, tmp_path):
    config = demo_config(*acs.address, str(tmp_path), technician={"timeout": 10.0})
    runtime = KioskRuntime(config, with_devices=False)
    runtime.start()
    yield RecordingShell(runtime)
    runtime.stop()


def enter(shell: RecordingShell) -> None:
    shell.technician_flow.check_pin("0000")
    assert shell.current == "technician"


def test_five_quick_taps_open_the_pin_pad_four_or_slow_ones_do_not(kiosk):
    flow = kiosk.technician_flow
    for _ in range(4):
        flow.hidden_tap()
        kiosk.clock += 0.5
    assert kiosk.current == "idle"
    kiosk.clock += 3.0  # too slow: the earlier taps no longer count
    flow.hidden_tap()
    assert kiosk.current == "idle"
    for _ in range(4):
        kiosk.clock += 0.5
        flow.hidden_tap()
    assert kiosk.current == "technician_login" and kiosk.screen.state["entry"] == ""


def test_the_right_pin_shows_the_status_and_a_wrong_one_says_so(kiosk):
    flow = kiosk.technician_flow
    flow.open_login()
    flow.check_pin("1111")
    assert kiosk.current == "technician_login" and kiosk.screen.message == "Wrong PIN."
    assert kiosk.screen.state["message_bad"] and kiosk.screen.state["entry"] == "" and kiosk.sounds == ["error"]
    enter(kiosk)
    (report,), = kiosk.calls("show_report")
    assert isinstance(report, StatusReport) and report.library_system


def test_no_pin_configured_lets_nobody_in(acs, tmp_path):
    config = demo_config(*acs.address, str(tmp_path), technician={"pin_hash": ""})
    shell = RecordingShell(KioskRuntime(config, with_devices=False))
    shell.technician_flow.open_login()
    shell.technician_flow.check_pin("0000")
    assert shell.current == "technician_login" and "No technician PIN" in shell.screen.message


def test_switches_and_tests_answer_on_the_screen(kiosk, tmp_path):
    flow = kiosk.technician_flow
    enter(kiosk)
    flow.toggle_service()
    assert not kiosk.runtime.service.state().in_service
    flow.toggle_service()
    assert kiosk.runtime.service.state().in_service
    flow.sip2_test()
    flow.replay()
    flow.export_refused()
    flow.reload_config()  # the demo configuration has no file to read again
    results = {title: str(answer) for title, answer in kiosk.calls("show_result")}
    assert results["Out of service"] == "back in service"
    assert results["Library system test"].startswith("OK: the library system answered in ")
    assert results["Replay"].startswith("sent 0, done 0, refused 0")
    assert results["Export"].startswith("0 entries written to ") and list(tmp_path.glob("refused-*.csv"))
    assert results["Reload"].startswith("NOT reloaded") and kiosk.exit_code is None


def test_a_valid_configuration_file_restarts_the_kiosk(acs, tmp_path):
    source = tmp_path / "kiosk.toml"
    source.write_text(f'[kiosk]\nid = "k1"\n[sip2]\nhost = "127.0.0.1"\nport = {acs.address[1]}\n'
                      f'[storage]\ndatabase = "{tmp_path / "kiosk.db"}"\n', encoding="utf-8")
    config = demo_config(*acs.address, str(tmp_path))
    shell = RecordingShell(KioskRuntime(config, with_devices=False), config=config)
    object.__setattr__(shell.config_settings, "source", str(source))
    shell.technician_flow.reload_config()
    assert shell.exit_code == 0


def test_technician_mode_closes_after_its_timeout(kiosk):
    enter(kiosk)
    kiosk.patron_flow.activity()
    kiosk.clock += 9
    kiosk.patron_flow.tick()
    assert kiosk.current == "technician"
    kiosk.clock += 2
    kiosk.patron_flow.tick()
    assert kiosk.current == "idle"


def test_device_events_are_kept_for_the_status_page(kiosk):
    flow = kiosk.technician_flow
    flow.note_event(Scan(text="TECH-0001", source="keyboard", symbology="code128"))
    flow.note_event(ItemRemoved(uid="E004", source="pad"))
    assert {name: str(event) for name, event in flow.last_device_events.items()} == {
        "keyboard": "scan 'TECH-0001' (code128)", "pad": "removed E004"}
    assert kiosk.calls("pad_changed") == [()]


def test_reading_the_tags_without_a_pad_shows_what_the_events_said(kiosk):
    flow = kiosk.technician_flow
    enter(kiosk)
    flow.read_tags()
    assert kiosk.calls("show_tags") == [({},)]  # no pad to ask: the list the events built, empty here
