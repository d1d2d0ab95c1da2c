"""Work of the caller's run while the ACS answers (`meanwhile`): after the request left, before
its reply is read, one request outstanding; its errors are the caller's, never a lost reply."""

from __future__ import annotations

import threading

import pytest

from sip2.client import SIP2Client
from sip2.connection import Connection
from sip2.emulator import ACSEmulator
from sip2.emulator.demo_data import DEMO
from sip2.errors import TimedOut
from sip2.messages import ACSStatus, CheckoutResponse, SCStatus

from tests.sip2.scripted_acs import ScriptedACS

WIRE = Connection()
WAIT = 30.0  # only reached when the order is wrong: the test then fails instead of hanging


def status(library: str) -> ACSStatus:
    return ACSStatus(online=True, checkout_ok=True, institution_id="DEMO", library_name=library,
                     supported_messages="Y" * 16)


def test_meanwhile_runs_once_the_request_is_on_the_wire_and_before_its_reply():
    arrived, may_answer = threading.Event(), threading.Event()
    order: list[str] = []

    def answer(received):
        arrived.set()
        may_answer.wait(WAIT)  # the ACS answers only once the caller's work has run
        order.append("answered")
        return [WIRE.encode(status("Main"), received.sequence)]

    def meanwhile() -> None:
        assert arrived.wait(WAIT), "meanwhile ran before the request reached the ACS"
        order.append("meanwhile")
        may_answer.set()

    with ScriptedACS(answer) as acs, SIP2Client(*acs.address, institution_id="DEMO", timeout=WAIT) as sc:
        reply = sc.request(SCStatus(status_code="0", max_print_width=40), meanwhile=meanwhile)
    assert isinstance(reply, ACSStatus) and reply.library_name == "Main"
    assert order == ["meanwhile", "answered"]


def test_checkout_with_meanwhile_gets_its_own_reply():
    seen: list[int] = []
    with ACSEmulator(institution_id="DEMO") as emu:
        with SIP2Client(*emu.address, username="kiosk", password="kiosk", institution_id="DEMO",
                        timeout=5.0) as sc:
            reply = sc.checkout(DEMO.good_patron, DEMO.available_items[0], meanwhile=lambda: seen.append(1))
            back = sc.checkin(DEMO.available_items[0], meanwhile=lambda: seen.append(2))
    assert isinstance(reply, CheckoutResponse) and reply.ok and back.ok
    assert seen == [1, 2]


@pytest.mark.parametrize("error", [ValueError("the disk is full"), TimedOut("the caller's own timeout")],
                         ids=["other", "client-error"])
def test_an_error_of_meanwhile_is_raised_as_it_is_and_the_reply_abandoned(error):
    def answer(received):
        return [WIRE.encode(status(f"reply {received.sequence}"), received.sequence)]

    def failing() -> None:
        raise error

    with ScriptedACS(answer) as acs, SIP2Client(*acs.address, institution_id="DEMO", timeout=5.0) as sc:
        with pytest.raises(type(error)) as caught:
            sc.request(SCStatus(status_code="0", max_print_width=40), meanwhile=failing)
        assert caught.value is error  # not turned into a lost reply (no 17, no UnknownOutcome)
        assert not sc.connected  # the unread reply cannot answer the next request
        assert sc.sc_status().library_name == "reply 0"  # a fresh connection
    assert len(acs.requests) == 2
