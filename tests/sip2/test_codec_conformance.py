"""Every public vector decodes and re-encodes byte for byte; bad ones are caught."""

from datetime import datetime, timezone

import pytest

from sip2 import ChecksumError, CodecError, Connection, ConnectionSettings, decode, encode, mask_secrets
from sip2.checksum import ChecksumMode, checksum, next_sequence
from sip2.messages import (
    ACSStatus,
    Checkin,
    CheckinResponse,
    Checkout,
    CheckoutResponse,
    EndSessionResponse,
    Login,
    LoginResponse,
    PatronInformationResponse,
    RequestACSResend,
    RequestSCResend,
    SCStatus,
)

from tests.sip2.vectors import BAD_CHECKSUM, VALID


def reencode(data: bytes) -> bytes:
    r = decode(data)
    return encode(r.message, sequence=r.sequence, error_detection=r.checksum != "absent", terminator=b"")


@pytest.mark.parametrize("vector", VALID, ids=lambda v: v[:12].decode())
def test_public_vector_round_trips_byte_identically(vector):
    received = decode(vector)
    assert received.checksum == "ok"
    assert reencode(vector) == vector


@pytest.mark.parametrize("vector", BAD_CHECKSUM, ids=lambda v: v[:12].decode())
def test_wrong_checksums_are_reported_and_refused(vector):
    assert decode(vector).checksum == "bad"
    conn = Connection(ConnectionSettings(checksums=ChecksumMode.VERIFY_IF_PRESENT))
    conn.receive_data(vector + b"\r")
    with pytest.raises(ChecksumError):
        conn.next_received()


def test_vectors_decode_to_named_fields():
    assert decode(VALID[0]).message == RequestSCResend()
    assert decode(VALID[1]).message == RequestACSResend()
    assert decode(VALID[2]).message == LoginResponse(ok=True)
    assert decode(VALID[3]).message == LoginResponse(ok=False)
    login = decode(VALID[5]).message
    assert login == Login(login_user_id="LoginUserID", login_password="LoginPassword",
                          location_code="LocationCode")
    status = decode(VALID[6]).message
    assert isinstance(status, SCStatus) and status.max_print_width == 40 and status.protocol_version == "2.00"
    checkout = decode(VALID[7]).message
    assert isinstance(checkout, Checkout)
    assert (checkout.renewal_policy, checkout.no_block) == (True, False)
    assert checkout.transaction_date == datetime(1996, 2, 12, 10, 5, 14)
    assert checkout.patron_id == "104000000105" and checkout.item_id == "000000000005792"
    assert checkout.terminal_password == "" and checkout.patron_password is None
    checkin = decode(VALID[8]).message
    assert isinstance(checkin, Checkin) and checkin.return_date is None and checkin.cancel == "N"
    reply = decode(VALID[9]).message
    assert isinstance(reply, CheckinResponse)
    assert reply.ok and reply.resensitize and reply.magnetic_media is False and reply.alert is False
    assert reply.sort_bin == "sort bin A1" and reply.media_type == "001"
    assert reply.screen_messages == ("Screen Message for CheckInBook",)
    end = decode(VALID[10]).message
    assert isinstance(end, EndSessionResponse) and end.end_session and len(end.screen_messages) == 3
    assert len(end.print_lines) == 3


def test_checksum_arithmetic_and_lower_case_hex():
    body = b"9300CNuser_id|COpassw0rd|AY1AZ"
    assert checksum(body) == "F594"
    assert decode(body + b"f594").checksum == "ok"
    assert (sum(body) + 0xF594) & 0xFFFF == 0


def test_sequence_numbers_wrap_from_9_to_0():
    assert [next_sequence(i) for i in range(10)] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]
    conn = Connection()
    seqs = [decode(conn.send(SCStatus())).sequence for _ in range(12)]
    assert seqs == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_resend_messages_carry_no_sequence_number():
    conn = Connection()
    assert conn.send(RequestACSResend()) == b"97AZFEF5\r"
    assert conn.resend_request() == b"97AZFEF5\r"
    conn.receive_data(b"96AZFEF6\r")
    assert conn.next_received().message == RequestSCResend()


def test_checksum_modes():
    plain = b"941\r"
    on = Connection(ConnectionSettings(checksums=ChecksumMode.ON))
    on.receive_data(plain)
    with pytest.raises(ChecksumError, match="no checksum"):
        on.next_received()
    verify = Connection(ConnectionSettings(checksums=ChecksumMode.VERIFY_IF_PRESENT))
    verify.receive_data(plain)
    assert verify.next_received().message == LoginResponse(ok=True)
    off = Connection(ConnectionSettings(checksums=ChecksumMode.OFF))
    off.receive_data(BAD_CHECKSUM[0] + b"\r")
    assert off.next_received().checksum == "bad"
    assert off.send(SCStatus()) == b"990 402.00\r".replace(b" 40", b"040")


def test_terminators_in_and_out():
    for terminator in (b"\r", b"\n", b"\r\n"):
        conn = Connection(ConnectionSettings(terminator=terminator))
        assert conn.send(SCStatus()).endswith(terminator)
        assert not conn.send(SCStatus())[:-len(terminator)].endswith((b"\r", b"\n"))
    conn = Connection()
    conn.receive_data(b"941AY0AZFDFD\r\n\n940AY0AZFDFE\n941AY0AZFDFD\r")
    assert [conn.next_received().message.ok for _ in range(3)] == [True, False, True]
    assert conn.next_received() is None


@pytest.mark.parametrize("encoding", ["utf-8", "cp850", "latin-1", "ascii"])
def test_character_sets_and_checksum_over_encoded_bytes(encoding):
    title = "Emile Zola" if encoding == "ascii" else "Émile Zola: L'Assommoir"
    reply = CheckoutResponse(ok=True, institution_id="X", patron_id="P", item_id="I", title=title,
                             due_date="2026-12-24 23:59:59", transaction_date=datetime(2026, 11, 30, 9, 0))
    data = encode(reply, encoding=encoding, sequence=4, error_detection=True)
    received = decode(data, encoding=encoding)
    assert received.checksum == "ok" and received.message == reply
    assert title.encode(encoding) in data


def test_characters_the_character_set_cannot_carry_are_refused_clearly():
    with pytest.raises(CodecError, match="cannot be sent in ascii"):
        encode(Login(login_user_id="kiosk", login_password="pässword"), encoding="ascii")


def test_field_separator_in_a_value_is_refused():
    # A patron typing '|' must never be able to inject fields into a request.
    with pytest.raises(CodecError, match="cannot be sent"):
        encode(Checkout(patron_id="123|ACsecret", item_id="1"))


def test_fixed_fields_are_validated_on_encode():
    with pytest.raises(CodecError, match="max_print_width"):
        encode(SCStatus(max_print_width=1000))
    with pytest.raises(CodecError, match="protocol_version"):
        encode(SCStatus(protocol_version="2"))
    with pytest.raises(CodecError, match="transaction_date"):
        encode(Checkout(transaction_date="yesterday"))


def test_unknown_and_vendor_fields_are_kept_in_order():
    data = (b"64              00020261130    090000000000010001000000000000AODEMO|AA2000100000013|"
            b"AEAnn Reader|PAkoha-extension|BLY|CQY|AUitem one|AUitem two|PB\x01ctl|BEann@example.org|"
            b"AY1AZ")
    from sip2.checksum import checksum as cks
    data += cks(data).encode()
    received = decode(data)
    msg = received.message
    assert isinstance(msg, PatronInformationResponse)
    assert msg.extra == (("PA", "koha-extension"), ("PB", "\x01ctl"))
    assert msg.charged_items == ("item one", "item two") and msg.email == "ann@example.org"
    assert msg.charged_items_count == 1 and msg.hold_items_count == 0
    assert reencode(data) == data


def test_field_order_of_the_sender_is_kept():
    # Evergreen puts AO after AA in renew replies.
    body = b"301YNN20261130    090000AAP1|AOINST|ABI1|AJT|AH2026-12-24 23:59:59|"
    assert reencode(body) == body
    assert decode(body).message.institution_id == "INST"


def test_built_messages_use_the_specification_order():
    msg = CheckinResponse(ok=True, institution_id="I", item_id="B", permanent_location="L",
                          screen_messages=["one", "two"], extra=[("ZZ", "v")])
    assert encode(msg, terminator=b"").endswith(b"AOI|ABB|AQL|AFone|AFtwo|ZZv|")


def test_changed_value_is_not_hidden_by_the_original_spelling():
    received = decode(b"990 402.00AY1AZFCB4")
    changed = received.message.replace(max_print_width=32)
    assert encode(changed, terminator=b"") == b"9900322.00"


def test_transaction_dates_local_and_utc():
    utc = datetime(2026, 11, 30, 9, 15, 0, tzinfo=timezone.utc)
    data = encode(SCStatus(), terminator=b"")
    assert data == b"9900402.00"
    reply = ACSStatus(online=True, date_time_sync=utc, institution_id="X", supported_messages="Y" * 16)
    encoded = encode(reply, terminator=b"")
    assert b"20261130   Z091500" in encoded
    assert decode(encoded).message.date_time_sync == utc
    local = reply.replace(date_time_sync=datetime(2026, 11, 30, 9, 15))
    assert b"20261130    091500" in encode(local)


def test_mask_secrets_hides_pins_and_passwords():
    text = mask_secrets(VALID[5])
    assert "LoginPassword" not in text and "CO***" in text and "LoginUserID" in text
    assert "TPWord" not in mask_secrets(VALID[8])
    pin = encode(Checkout(patron_id="P", item_id="I", patron_password="1234", terminal_password="tp"))
    masked = mask_secrets(pin)
    assert "1234" not in masked and "tp|" not in masked and "AAP|" in masked
    assert "secret" not in mask_secrets(b"XXgarbage ADsecret|")


@pytest.mark.parametrize("data, reason", [
    (b"", "too short"),
    (b"9", "too short"),
    (b"XY123", "unknown SIP2 message code"),
    (b"11YN1996", "fixed fields need 38 characters"),
    (b"12X", "fixed fields"),
    (b"94X", "ok: expected 0 or 1"),
    (b"64              00020261130    0900000000000100010000000000A0AOX|", "expected digits"),
    (b"17" + b"2026113x    090000" + b"AOX|ABI|", "not a SIP2 date"),
    (b"941|X|", "is not a field"),
])
def test_malformed_messages_raise_codec_errors_with_reasons(data, reason):
    with pytest.raises(CodecError, match=reason):
        decode(data)


def test_invalid_bytes_for_the_character_set_are_tolerated_and_reported():
    data = b"24              00020261130    090000AOX|AAP|AEZ\xe9la|"
    received = decode(data, encoding="utf-8")
    assert received.message.personal_name == "Z\ufffdla" and received.warnings
    assert decode(data, encoding="latin-1").message.personal_name == "Zéla"


def test_checksum_over_code_points_is_tolerated():
    text = "24              00020261130    090000AOX|AAP|AEZéla|AY0AZ"
    wrong = f"{(-sum(map(ord, text))) & 0xFFFF:04X}"
    received = decode((text + wrong).encode("utf-8"))
    assert received.checksum == "ok" and received.warnings
