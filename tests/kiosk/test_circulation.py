"""The circulation core end to end: a real ACS emulator over loopback, a real SQLite queue and
journal, and the simulated RFID pad speaking the 3M protocol."""

from __future__ import annotations

import dataclasses
import socket
import threading
from datetime import date

import pytest

from sip2.connection import Connection
from sip2.emulator import ACSEmulator
from sip2.emulator.demo_data import DEMO
from sip2.messages import ACSStatus, Login, LoginResponse, PatronInformation, PatronInformationResponse, SCStatus

from kiosk.config import parse_config
from kiosk.core.outcomes import Alert, ItemOutcome, LoginResult, LoginStatus, Mode, NotUnderstood, TechnicianCard
from kiosk.core.runtime import KioskRuntime
from kiosk.core.session import SessionState
from kiosk.devices.emulators.tag_store import make_tag
from kiosk.devices.events import ItemPlaced, TagData

from tests.loopback import closed_port
from tests.waiting import wait_for


class FakeClock:
    """Monotonic time the test moves by hand, for session timeouts."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def runtime_for(tmp_path, host: str, port: int, **sections) -> KioskRuntime:
    data = {
        "kiosk": {"library_name": "Springfield Public Library"},
        "sip2": {"host": host, "port": port, "username": "kiosk", "password": "kiosk",
                 "institution": "DEMO", "location": "kiosk-1", "timeout": 2.0, "connect_timeout": 1.0},
        "offline": {"mode": "all", "probe_interval": 1.0, "cache_patrons": False},
        "storage": {"database": str(tmp_path / "kiosk.db")},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return KioskRuntime(parse_config(data))


@pytest.fixture
def kiosk(tmp_path, acs):
    runtime = runtime_for(tmp_path, *acs.address)
    yield runtime
    runtime.stop()


def log_in(kiosk: KioskRuntime, patron: str = DEMO.good_patron, pin: str = DEMO.good_pin) -> LoginResult:
    result = kiosk.handle_scan(patron, pin=pin)
    assert isinstance(result, LoginResult)
    return result


# --- logging in -----------------------------------------------------------------------------

def test_card_then_pin_logs_in(kiosk):
    first = kiosk.handle_scan(DEMO.good_patron)
    assert first.status is LoginStatus.NEED_PIN and kiosk.circulation.session is None
    result = log_in(kiosk)
    assert result.status is LoginStatus.OK and result.name and not result.offline
    assert kiosk.circulation.session.patron_id == DEMO.good_patron


@pytest.mark.parametrize("patron, pin", [
    (DEMO.good_patron, "0000"),
    (DEMO.blocked_patron, DEMO.good_pin),
    (DEMO.expired_patron, DEMO.good_pin),
    (DEMO.lost_card_patron, DEMO.good_pin),
    (DEMO.unknown_patron, DEMO.good_pin),
])
def test_refusals_use_the_library_systems_words(kiosk, patron, pin):
    result = log_in(kiosk, patron, pin)
    assert result.status is LoginStatus.REFUSED and result.reason
    assert kiosk.circulation.session is None


def test_scans_that_are_no_card_get_a_reason(kiosk):
    garbage = kiosk.handle_scan("hello; DROP TABLE")
    assert isinstance(garbage, NotUnderstood) and "not recognised" in garbage.reason
    typo = kiosk.handle_scan(DEMO.good_patron[:-1] + "0")
    assert isinstance(typo, NotUnderstood) and "looks like a library card" in typo.reason


def test_technician_card_is_recognised(tmp_path, acs):
    runtime = runtime_for(tmp_path, *acs.address, technician={"pattern": "TECH-[0-9]{4}"})
    try:
        assert runtime.handle_scan("TECH-0042") == TechnicianCard("TECH-0042")
    finally:
        runtime.stop()


def test_another_patrons_card_ends_the_session(kiosk):
    log_in(kiosk)
    result = log_in(kiosk, DEMO.second_good_patron, DEMO.good_pin)
    assert result.status is LoginStatus.OK
    assert kiosk.circulation.session.patron_id == DEMO.second_good_patron


# --- circulation online ---------------------------------------------------------------------

def test_checkout_return_renew_and_account(kiosk, acs):
    log_in(kiosk)
    item = DEMO.available_items[0]
    out = kiosk.handle_scan(item)
    assert isinstance(out, ItemOutcome) and out.ok and out.title and out.due and not out.offline
    assert acs.library.loan_of(item)[0] == DEMO.good_patron

    account = kiosk.circulation.account()
    assert item in [loan.item_id for loan in account.loans]
    assert all(loan.due is not None for loan in account.loans)

    renewed = kiosk.circulation.renew(item)
    assert renewed.ok and renewed.due

    back = kiosk.handle_scan(item, Mode.RETURN)
    assert back.ok and acs.library.loan_of(item) is None
    journal = kiosk.journal.entries()
    assert [(e.kind, e.item_id, e.ok) for e in journal] == [
        ("checkout", item, True), ("renew", item, True), ("checkin", item, True)]


def test_refused_checkout_says_why_and_flags_holds(kiosk):
    log_in(kiosk)
    held = kiosk.handle_scan(DEMO.item_on_hold_for_other)
    assert not held.ok and held.reason and Alert.HOLD_FOR_OTHER in held.alerts
    reference = kiosk.handle_scan(DEMO.reference_item)
    assert not reference.ok and reference.reason


def test_return_that_goes_to_staff_names_the_sort_bin(kiosk):
    result = kiosk.handle_scan(DEMO.item_to_staff, Mode.RETURN)
    assert Alert.GIVE_TO_STAFF in result.alerts and result.sort_bin == DEMO.staff_sort_bin


def test_double_scan_sends_nothing_twice(kiosk, acs):
    log_in(kiosk)
    item = DEMO.available_items[1]
    first = kiosk.handle_scan(item)
    again = kiosk.handle_scan(item)
    assert first.ok and again.ok and again.repeat and again.due == first.due
    checkouts = [t for t in acs.library.transactions("11") if t.item_id == item]
    assert len(checkouts) == 1


def test_lost_reply_is_reconciled_not_resent(kiosk, acs):
    log_in(kiosk)
    item = DEMO.available_items[2]
    acs.faults.apply_then_drop_next = 1
    result = kiosk.handle_scan(item)
    assert result.ok and result.due  # the 17 said it is charged
    assert len([t for t in acs.library.transactions("11") if t.item_id == item]) == 1


def test_lost_return_reply_is_reconciled_not_resent(kiosk, acs):
    assert kiosk.link.probe()  # connected and logged in: the fault hits the return itself
    acs.faults.apply_then_drop_next = 1
    result = kiosk.handle_scan(DEMO.item_on_loan, Mode.RETURN)
    assert result.ok and acs.library.loan_of(DEMO.item_on_loan) is None
    assert len([t for t in acs.library.transactions("09") if t.item_id == DEMO.item_on_loan]) == 1


def test_session_times_out_with_a_warning_first(kiosk):
    clock = FakeClock()
    kiosk.circulation.clock = clock
    log_in(kiosk)
    assert kiosk.circulation.tick() is SessionState.ACTIVE
    clock.now += 105  # default timeout 120 s, warning in the last 20 s
    assert kiosk.circulation.tick() is SessionState.WARNING
    kiosk.circulation.keep_alive()
    clock.now += 105
    assert kiosk.circulation.tick() is SessionState.WARNING
    clock.now += 20
    assert kiosk.circulation.tick() is SessionState.EXPIRED
    assert kiosk.circulation.session is None


# --- security on the RFID pad ---------------------------------------------------------------

def test_security_follows_the_acs_on_the_pad(tmp_path, acs):
    runtime = runtime_for(tmp_path, *acs.address, rfid={"driver": "sim", "poll_interval": 0.02})
    try:
        runtime.start()
        pad = runtime.devices.devices[-1]
        book = make_tag("iso28560-3", DEMO.available_items[3])
        stuck = make_tag("iso28560-3", DEMO.available_items[4])
        stuck.afi_locked = True
        pad.tag_store.place(book, stuck)
        placed = {}
        assert wait_for(lambda: _collect_placed(runtime, placed) >= 2)
        log_in(runtime)
        ok = runtime.handle_device_event(placed[book.uid])
        assert ok.ok and not ok.alerts and book.afi == 0xC2  # on loan
        refused_bit = runtime.handle_device_event(placed[stuck.uid])
        assert refused_bit.ok and Alert.SECURITY_NOT_CHANGED in refused_bit.alerts
        assert [e.item_id for e in runtime.journal.security_events()] == [DEMO.available_items[4]]
        back = runtime.handle_device_event(placed[book.uid], Mode.RETURN)
        assert back.ok and book.afi == 0x07  # secured again
    finally:
        runtime.stop()


def _collect_placed(runtime: KioskRuntime, placed: dict) -> int:
    while not runtime.events.empty():
        event = runtime.events.get_nowait()
        if isinstance(event, ItemPlaced):
            placed[event.tag.uid] = event
    return len(placed)


def test_a_set_checks_out_only_with_every_part(kiosk, acs):
    log_in(kiosk)
    item = DEMO.available_items[5]
    parts = [TagData(uid=f"E00401000000000{n}", item_id=item, data_model="iso28560-3",
                     parts_in_item=3, part_number=n) for n in (1, 2, 3)]
    first = kiosk.handle_device_event(ItemPlaced(parts[0], "pad"))
    assert not first.ok and Alert.INCOMPLETE_SET in first.alerts and "2, 3" in first.reason
    kiosk.handle_device_event(ItemPlaced(parts[2], "pad"))
    done = kiosk.handle_device_event(ItemPlaced(parts[1], "pad"))
    assert done.ok and acs.library.loan_of(item)[0] == DEMO.good_patron



def test_an_item_on_the_pad_is_an_item_whatever_the_barcode_patterns_say(tmp_path, acs):
    item = DEMO.available_items[9]
    runtime = runtime_for(tmp_path, *acs.address, item={"pattern": "X[0-9]+", "check_digit": "none"})
    try:
        log_in(runtime)
        assert isinstance(runtime.handle_scan(item), NotUnderstood)  # as a barcode it matches nothing
        tag = TagData(uid="E004010000000042", item_id=item, data_model="iso28560-3")
        outcome = runtime.handle_device_event(ItemPlaced(tag, "pad"))
        assert isinstance(outcome, ItemOutcome) and outcome.ok, outcome
        assert acs.library.loan_of(item)[0] == DEMO.good_patron
    finally:
        runtime.stop()

# --- offline ------------------------------------------------------------------------------

def test_outage_in_a_session_then_replay_matches_the_journal(tmp_path, acs):
    host, port = acs.address
    runtime = runtime_for(tmp_path, host, port)
    try:
        log_in(runtime)
        online = runtime.handle_scan(DEMO.available_items[6])
        assert online.ok and not online.offline
        acs.stop()
        offline = runtime.handle_scan(DEMO.available_items[7])
        assert offline.ok and offline.offline and offline.due.date() > date.today()
        returned = runtime.handle_scan(DEMO.item_on_loan, Mode.RETURN)
        assert returned.ok and returned.offline
        assert runtime.queue.counts().waiting == 2

        restarted = ACSEmulator(db=str(tmp_path / "library.db"), port=port, institution_id="DEMO")
        restarted.start()
        try:
            runtime.start()  # probing notices the ACS is back and the replay worker drains the queue
            assert wait_for(lambda: runtime.queue.counts().waiting == 0, timeout=30)
            assert runtime.link.online
            assert restarted.library.loan_of(DEMO.available_items[7])[0] == DEMO.good_patron
            assert restarted.library.loan_of(DEMO.item_on_loan) is None
            no_block = [t for t in restarted.library.transactions() if t.no_block]
            assert {t.item_id for t in no_block} == {DEMO.available_items[7], DEMO.item_on_loan}
            journal = {(e.kind, e.item_id): e for e in runtime.journal.entries()}
            assert journal[("checkout", DEMO.available_items[7])].ok is True
            assert journal[("checkin", DEMO.item_on_loan)].ok is True
        finally:
            restarted.stop()
    finally:
        runtime.stop()


def test_offline_modes_and_caps(tmp_path):
    port = closed_port()  # nothing listens there: the library system is down
    returns_only = runtime_for(tmp_path / "a", "127.0.0.1", port, offline={"mode": "returns"})
    try:
        refused = log_in(returns_only)
        assert refused.status is LoginStatus.REFUSED and refused.offline and "Returns still work" in refused.reason
        assert returns_only.handle_scan(DEMO.available_items[0], Mode.RETURN).ok
    finally:
        returns_only.stop()
    off = runtime_for(tmp_path / "b", "127.0.0.1", port, offline={"mode": "off"})
    try:
        assert not off.handle_scan(DEMO.available_items[0], Mode.RETURN).ok
        assert off.queue.counts().waiting == 0
    finally:
        off.stop()
    capped = runtime_for(tmp_path / "c", "127.0.0.1", port, offline={"mode": "all", "max_items": 2})
    try:
        assert log_in(capped).offline
        results = [capped.handle_scan(item) for item in DEMO.available_items[:3]]
        assert [r.ok for r in results] == [True, True, False] and "at most 2" in results[2].reason
    finally:
        capped.stop()


def test_offline_check_uses_deny_list_and_recent_patrons(tmp_path, acs):
    deny = tmp_path / "deny.txt"
    deny.write_text(f"{DEMO.second_good_patron}  # reported stolen\n")
    host, port = acs.address
    runtime = runtime_for(tmp_path, host, port, offline={"cache_patrons": True, "deny_list": str(deny)})
    try:
        assert log_in(runtime).status is LoginStatus.OK  # seen valid online: remembered (hashed)
        runtime.circulation.end_session()
        acs.stop()
        assert log_in(runtime).offline
        runtime.circulation.end_session()
        assert log_in(runtime, DEMO.second_good_patron).status is LoginStatus.REFUSED  # denied
        assert log_in(runtime, DEMO.small_fines_patron).status is LoginStatus.REFUSED  # never seen
    finally:
        runtime.stop()


# --- an ACS that does not check PINs ----------------------------------------------------------

def test_an_acs_that_never_confirms_the_pin_is_not_trusted(tmp_path):
    with trusting_acs() as port:
        runtime = runtime_for(tmp_path, "127.0.0.1", port)
        try:
            result = log_in(runtime)
            assert result.status is LoginStatus.REFUSED and "did not confirm your PIN" in result.reason
        finally:
            runtime.stop()


def test_nonsense_from_the_acs_is_a_clear_outcome_and_is_journalled(tmp_path):
    with trusting_acs(nonsense=b"12 this is not what a checkout reply looks like\r") as port:
        runtime = runtime_for(tmp_path, "127.0.0.1", port, patron={"require_pin": False})
        try:
            assert log_in(runtime, pin="").status is LoginStatus.OK
            result = runtime.handle_scan(DEMO.available_items[0])
            assert not result.ok and Alert.OUTCOME_UNKNOWN in result.alerts and "staff" in result.reason
            assert [(e.kind, e.ok) for e in runtime.journal.entries()] == [("checkout", False)]
        finally:
            runtime.stop()


class trusting_acs:
    """An ACS that says every patron is valid, without a CQ (valid PIN) field, and answers any
    other request with `nonsense`."""

    def __init__(self, nonsense: bytes = b"") -> None:
        self.nonsense = nonsense

    def __enter__(self) -> int:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        return self.listener.getsockname()[1]

    def __exit__(self, *exc: object) -> None:
        self.listener.close()
        self.thread.join(5)

    def _serve(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(sock,), daemon=True).start()

    def _answer(self, sock: socket.socket) -> None:
        conn = Connection()
        with sock:
            sock.settimeout(10)
            while data := sock.recv(4096):
                conn.receive_data(data)
                while (received := conn.next_received()) is not None:
                    request = received.message
                    if isinstance(request, Login):
                        reply = LoginResponse(ok=True)
                    elif isinstance(request, SCStatus):
                        reply = ACSStatus(online=True, checkout_ok=True, checkin_ok=True,
                                          institution_id="DEMO", supported_messages="Y" * 16)
                    elif isinstance(request, PatronInformation):
                        reply = PatronInformationResponse(institution_id="DEMO", patron_id=request.patron_id,
                                                          personal_name="Anyone", valid_patron="Y")
                    else:
                        if not self.nonsense:
                            return
                        sock.sendall(self.nonsense)
                        continue
                    sock.sendall(conn.reply(reply, received))


def test_maintenance_forgets_card_numbers_after_the_retention_period(kiosk):
    log_in(kiosk)
    assert kiosk.handle_scan(DEMO.available_items[8]).ok
    kiosk.config = dataclasses.replace(kiosk.config, storage=dataclasses.replace(
        kiosk.config.storage, retention_days=1))
    kiosk.maintain()
    assert kiosk.journal.entries()[0].patron_id == DEMO.good_patron  # still within a day
    with kiosk.database.transaction() as conn:
        conn.exec_driver_sql("UPDATE journal SET recorded_at = '2020-01-01T00:00:00.000000'")
    kiosk.maintain()
    assert kiosk.journal.entries()[0].patron_id is None


def test_the_next_patron_is_not_told_already_scanned(kiosk):
    log_in(kiosk)
    item = DEMO.available_items[9]
    assert kiosk.handle_scan(item).ok
    assert kiosk.handle_scan(item, Mode.RETURN).ok
    log_in(kiosk, DEMO.second_good_patron)
    again = kiosk.handle_scan(item)
    assert again.ok and not again.repeat
