"""Every network and ACS fault, for each of checkout, return and renew, through the kiosk core.

A fault proxy (tests/fault_proxy.py) sits between the kiosk and the ACS emulator on real
sockets. For each fault and action: the patron is told either the true outcome or that it
could not be confirmed (never a wrong one); the next transaction works again without anyone
doing anything; and the emulator's loans equal what the kiosk's journal says, nothing doubled.

`python -m tests.kiosk.test_fault_proxy` prints the whole matrix: what the patron was told.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from sip2.emulator import ACSEmulator
from sip2.emulator.demo_data import DEMO

from kiosk.core.outcomes import Action, Alert, ItemOutcome
from kiosk.core.runtime import KioskRuntime
from kiosk.demo import demo_config

from tests.fault_proxy import Fault, FaultProxy
from tests.sip2.emulator_peer import fresh_library
from tests.waiting import wait_for

KIOSK_TIMEOUT = 2.0  # seconds the kiosk waits for a reply; Fault.TIMEOUT waits longer
PATRON, PIN = DEMO.good_patron, DEMO.good_pin
# (item the fault hits, item of the next transaction that must simply work)
ITEMS = {
    Action.CHECKOUT: (DEMO.available_items[0], DEMO.available_items[1]),
    Action.CHECKIN: (DEMO.good_patron_loans[0], DEMO.item_on_loan),
    Action.RENEW: (DEMO.good_patron_loans[1], DEMO.good_patron_loans[0]),
}
SIP2_CODE = {Action.CHECKOUT: "11", Action.CHECKIN: "09", Action.RENEW: "29"}


@dataclass(frozen=True)
class Result:
    """One cell of the matrix."""

    fault: Fault
    action: Action
    told: ItemOutcome
    applied: bool  # the ACS made the change
    recovered: ItemOutcome


def unconfirmed(outcome: ItemOutcome) -> bool:
    """The patron was told the library system did not confirm it (and to see staff)."""
    return not outcome.ok and (Alert.OUTCOME_UNKNOWN in outcome.alerts or "confirm" in outcome.reason.lower())


def run_case(fault: Fault, action: Action, folder: Path) -> Result:
    """One fault on one action, then a clean transaction; checks every invariant on the way."""
    acs = ACSEmulator(db=fresh_library(folder), institution_id="DEMO").start()
    proxy = FaultProxy(acs.address, delay=KIOSK_TIMEOUT / 3, late=KIOSK_TIMEOUT * 1.5)
    config = demo_config(*proxy.address, str(folder), sip2={"timeout": KIOSK_TIMEOUT, "connect_timeout": 1.0},
                         offline={"mode": "all", "probe_interval": 1.0, "cache_patrons": False},
                         session={"double_scan_seconds": 0.0})
    runtime = KioskRuntime(config, with_devices=False)
    runtime.start()
    try:
        item, next_item = ITEMS[action]
        before_loan = acs.library.loan_of(item)
        before_renewals = acs.library.renewals_of(item)
        assert runtime.circulation.log_in(PATRON, PIN).status.value == "ok"
        proxy.arm(fault)
        told = _do(runtime, action, item)
        assert told.reason or told.ok, f"{fault.value} {action.value}: refused without a reason"

        proxy.heal()
        # Recovery by itself: the link comes back, anything queued meanwhile is replayed.
        assert wait_for(lambda: runtime.link.online, 15), f"{fault.value}: the link stayed offline"
        assert wait_for(lambda: runtime.queue.counts().waiting == 0, 15), f"{fault.value}: the queue was not replayed"
        if runtime.circulation.session is None:
            runtime.circulation.log_in(PATRON, PIN)
        recovered = _do(runtime, action, next_item)
        assert recovered.ok and not recovered.offline, (fault, action, recovered)

        loan = acs.library.loan_of(item)
        applied = {
            Action.CHECKOUT: loan is not None and loan[0] == PATRON,
            Action.CHECKIN: loan is None,
            Action.RENEW: acs.library.renewals_of(item) != before_renewals,
        }[action]
        if told.ok:
            assert applied, f"{fault.value}: the patron was told {action.value} done, the ACS did not do it"
        elif not unconfirmed(told):
            assert not applied, f"{fault.value}: the patron was told {action.value} failed, the ACS did it"
        assert before_loan is not None or action is Action.CHECKOUT
        _nothing_doubled(acs, action, item)
        _journal_matches_emulator(runtime, acs, told)
        return Result(fault, action, told, applied, recovered)
    finally:
        runtime.stop()
        proxy.stop()
        acs.stop()


def _do(runtime: KioskRuntime, action: Action, item: str) -> ItemOutcome:
    circulation = runtime.circulation
    if action is Action.CHECKOUT:
        return circulation.checkout(item)
    if action is Action.CHECKIN:
        return circulation.checkin(item)
    return circulation.renew(item)


def _nothing_doubled(acs: ACSEmulator, action: Action, item: str) -> None:
    applied = [t for t in acs.library.transactions(SIP2_CODE[action]) if t.item_id == item and t.ok]
    assert len(applied) <= 1, f"{action.value} of {item} applied {len(applied)} times: {applied}"


def _journal_matches_emulator(runtime: KioskRuntime, acs: ACSEmulator, told: ItemOutcome) -> None:
    """Every item the journal has a settled answer for is where the journal says it is."""
    state: dict[str, str | None] = {}
    for entry in runtime.journal.entries():
        assert entry.ok is not None, f"still waiting after the replay: {entry}"
        if not entry.ok:
            continue
        if entry.kind in ("checkout", "renew"):
            state[entry.item_id] = entry.patron_id
        else:
            state[entry.item_id] = None
    for item, patron in state.items():
        loan = acs.library.loan_of(item)
        assert (loan[0] if loan else None) == patron, f"journal says {item} is with {patron}, ACS says {loan}"
    if unconfirmed(told):
        last = [e for e in runtime.journal.entries() if e.item_id == told.item_id][-1]
        assert last.ok is False  # the journal never claims what the ACS did not confirm


CASES = [(fault, action) for fault in Fault for action in ITEMS]


@pytest.mark.parametrize("fault, action", CASES, ids=[f"{f.name.lower()}-{a.value}" for f, a in CASES])
def test_fault_between_kiosk_and_acs(fault, action, tmp_path):
    run_case(fault, action, tmp_path)


def main() -> int:
    """Print the matrix: for each fault and action, what the patron was told."""
    print(f"{'fault':<18} {'action':<9} {'told':<12} {'ACS applied':<12} what the patron read")
    for fault, action in CASES:
        with tempfile.TemporaryDirectory() as folder:
            result = run_case(fault, action, Path(folder))
        told = result.told
        verdict = "done" if told.ok else ("unconfirmed" if unconfirmed(told) else "not done")
        text = told.reason or (f"due {told.due_text}" if told.due_text else "ok")
        print(f"{fault.value:<18} {action.value:<9} {verdict:<12} {str(result.applied):<12} {text}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
