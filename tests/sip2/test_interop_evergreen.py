"""Interoperability with Evergreen's SIPServer (its sample ILS): what it really sent, byte for byte.

The capture in tests/sip2/data holds 49 requests and Evergreen's replies, quirks included
(extension fields BL/PB/PC/PI/AQ, magnetic media `U`, AO after AA in renew replies, empty
AJ/AH). Every message must decode with its checksum right and encode back to the same bytes.
"""

from __future__ import annotations

import pytest

from sip2.codec import decode, encode
from sip2.messages import CheckoutResponse, PatronInformationResponse, RenewResponse

from tests.sip2.captured_acs import read_capture

EXCHANGES = read_capture("evergreen-sipserver-sample-ils.txt")
MESSAGES = [raw for e in EXCHANGES for raw in (e.request, e.reply)]


def test_the_capture_is_complete():
    assert len(EXCHANGES) == 49


@pytest.mark.parametrize("raw", MESSAGES, ids=lambda raw: raw[:2].decode())
def test_every_message_decodes_with_its_checksum_and_round_trips(raw):
    received = decode(raw, encoding="utf-8")
    assert received.checksum == "ok" and not received.warnings
    again = encode(received.message, encoding="utf-8", sequence=received.sequence,
                   error_detection=True, terminator=b"")
    assert again == raw


def test_evergreens_quirks_are_understood():
    replies = [decode(e.reply, encoding="utf-8").message for e in EXCHANGES]
    info = next(r for r in replies if isinstance(r, PatronInformationResponse) and r.email)
    assert info.personal_name == "David J. Fiander" and info.valid_patron == "Y"
    assert {"PA", "PB", "PC", "PI", "AQ"} <= {field_id for field_id, _ in info.extra}
    refused = next(r for r in replies if isinstance(r, RenewResponse) and not r.ok)
    assert refused.magnetic_media is None and refused.screen_messages == (
        "Item not checked out to David J. Fiander",)  # magnetic media "U": unknown
    lent = next(r for r in replies if isinstance(r, CheckoutResponse) and r.ok)
    assert lent.title == "Perl 5 desktop reference" and lent.due_date == "20261217    145900"
