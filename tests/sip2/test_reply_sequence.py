"""Which reply answers a request: the AY sequence number, checked against scripted servers."""

from __future__ import annotations

import pytest

from sip2.checksum import ChecksumMode, SequenceCheck, reply_answers
from sip2.client import SIP2Client
from sip2.connection import Connection, ConnectionSettings
from sip2.dialects import dialect
from sip2.emulator.server import corrupt_checksum
from sip2.errors import TimedOut, UnknownOutcome
from sip2.messages import ACSStatus, CheckoutResponse, ItemInformationResponse, RequestACSResend

from tests.sip2.scripted_acs import ScriptedACS

WIRE = Connection()


def status(library: str) -> ACSStatus:
    return ACSStatus(online=True, checkout_ok=True, institution_id="DEMO", library_name=library,
                     supported_messages="Y" * 16)


def encoded(message, sequence: int | None) -> bytes:
    return WIRE.encode(message, sequence)


def client(acs: ScriptedACS, settings: ConnectionSettings | None = None, timeout: float = 5.0) -> SIP2Client:
    return SIP2Client(*acs.address, settings=settings, institution_id="DEMO", timeout=timeout)


def test_the_rule():
    assert reply_answers(SequenceCheck.MATCH, 3, 3, resent=False)
    assert not reply_answers(SequenceCheck.MATCH, 3, 2, resent=False)
    assert not reply_answers(SequenceCheck.MATCH, 3, 0, resent=True)
    assert reply_answers(SequenceCheck.RESENT_ANY, 3, 0, resent=True)
    assert not reply_answers(SequenceCheck.RESENT_ANY, 3, 0, resent=False)
    assert reply_answers(SequenceCheck.OFF, 3, 0, resent=False)
    assert reply_answers(SequenceCheck.MATCH, 3, None, resent=False)  # an ACS that sends no AY
    assert reply_answers(SequenceCheck.MATCH, None, 5, resent=False)  # we sent none


def test_a_stale_reply_is_discarded_and_the_answer_taken():
    def answer(received):
        stale = (received.sequence - 1) % 10
        return [encoded(status("stale"), stale), encoded(status("fresh"), received.sequence)]

    with ScriptedACS(answer) as acs, client(acs) as sc:
        assert sc.sc_status().library_name == "fresh"
        assert sc.sc_status().library_name == "fresh"


def test_only_a_stale_reply_is_no_answer():
    def answer(received):
        if isinstance(received.message, RequestACSResend):
            return []
        return [encoded(CheckoutResponse(ok=True, institution_id="DEMO", patron_id="p", item_id="i",
                                         title="Stale", due_date="2026-12-24"), (received.sequence + 5) % 10)]

    with ScriptedACS(answer) as acs, client(acs, timeout=0.3) as sc:
        with pytest.raises(UnknownOutcome):  # the checkout's answer never came
            sc.checkout("p", "i")


def test_an_acs_that_always_answers_ay0_needs_the_check_off():
    def answer(received):
        return [encoded(status("zero"), 0)]

    with ScriptedACS(answer) as acs:
        with client(acs, dialect("generic").settings(sequence_check="off")) as sc:
            assert [sc.sc_status().library_name for _ in range(3)] == ["zero"] * 3
        with client(acs, timeout=0.3) as sc:
            sc.sc_status()  # sequence 0: taken
            with pytest.raises(TimedOut):
                sc.sc_status()


def test_an_acs_that_never_sends_ay_keeps_working():
    plain = Connection(ConnectionSettings(checksums=ChecksumMode.OFF))

    def answer(received):
        return [plain.encode(status("no AY"), None)]

    with ScriptedACS(answer) as acs, client(acs) as sc:
        assert [sc.sc_status().library_name for _ in range(3)] == ["no AY"] * 3


@pytest.mark.parametrize("name, taken", [("evergreen", True), ("generic", False)])
def test_a_reply_resent_with_ay0_after_a_97(name, taken):
    """Evergreen and Koha rebuild a resent reply with AY0, whatever the request's number was."""
    def answer(received):
        if isinstance(received.message, RequestACSResend):
            return [encoded(ItemInformationResponse(circulation_status="03", item_id="i", title="Resent"), 0)]
        if received.sequence == 0:
            return [encoded(status("first"), 0)]
        return [corrupt_checksum(encoded(ItemInformationResponse(circulation_status="03", item_id="i",
                                                                 title="Resent"), received.sequence))]

    with ScriptedACS(answer) as acs, client(acs, dialect(name).settings(), timeout=0.3) as sc:
        sc.sc_status()
        if taken:
            assert sc.item_information("i").title == "Resent"
        else:
            with pytest.raises(TimedOut):
                sc.item_information("i")

