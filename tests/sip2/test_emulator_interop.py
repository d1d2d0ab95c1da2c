"""The emulator against an independent, strict SIP2 codec (PyPI pysip2): its requests in, its
decoder on every reply. A reply field the specification forbids, or a wrong width, fails here."""

from __future__ import annotations

from datetime import datetime

import pytest

from sip2.emulator import DEMO, ACSEmulator

from tests.sip2.emulator_peer import INSTITUTION, SC

pysip2 = pytest.importorskip("pysip2")

BOOK = DEMO.available_items[0]


def sip_date() -> str:
    return datetime.now().strftime("%Y%m%d    %H%M%S")


def requests() -> list[tuple[object, type]]:
    """(request built with pysip2, pysip2 reply type expected), in a meaningful order."""
    p, d, ao = pysip2, sip_date(), INSTITUTION
    nb = d  # pysip2 refuses a blank date; unused when no block is N
    return [
        (p.LoginRequest(uid_algorithm="0", pwd_algorithm="0", login_user_id="kiosk",
                        login_password="kiosk", location_code="Kiosk 1"), p.LoginResponse),
        (p.SCStatusRequest(status_code="0", max_print_width="040", protocol_version="2.00"),
         p.ACSStatusResponse),
        (p.PatronStatusRequest(language="000", transaction_date=d, institution_id=ao,
                               patron_identifier=DEMO.good_patron, terminal_password="",
                               patron_password=DEMO.good_pin), p.PatronStatusResponse),
        (p.PatronStatusRequest(language="000", transaction_date=d, institution_id=ao,
                               patron_identifier=DEMO.unknown_patron, terminal_password="",
                               patron_password=""), p.PatronStatusResponse),
        (p.PatronInformationRequest(language="000", transaction_date=d, summary="  Y       ",
                                    institution_id=ao, patron_identifier=DEMO.good_patron,
                                    patron_password=DEMO.good_pin, start_item="1", end_item="5"),
         p.PatronInformationResponse),
        (p.PatronInformationRequest(language="000", transaction_date=d, summary="   Y      ",
                                    institution_id=ao, patron_identifier=DEMO.fined_patron),
         p.PatronInformationResponse),
        (p.CheckoutRequest(sc_renewal_policy="Y", no_block="N", transaction_date=d, nb_due_date=nb,
                           institution_id=ao, patron_identifier=DEMO.good_patron,
                           item_identifier=BOOK, terminal_password=""), p.CheckoutResponse),
        (p.CheckoutRequest(sc_renewal_policy="Y", no_block="N", transaction_date=d, nb_due_date=nb,
                           institution_id=ao, patron_identifier=DEMO.blocked_patron,
                           item_identifier=DEMO.magnetic_item, terminal_password=""), p.CheckoutResponse),
        (p.ItemInformationRequest(transaction_date=d, institution_id=ao, item_identifier=BOOK),
         p.ItemInformationResponse),
        (p.ItemInformationRequest(transaction_date=d, institution_id=ao,
                                  item_identifier=DEMO.item_on_hold_for_other), p.ItemInformationResponse),
        (p.ItemInformationRequest(transaction_date=d, institution_id=ao,
                                  item_identifier=DEMO.unknown_item), p.ItemInformationResponse),
        (p.RenewRequest(third_party_allowed="N", no_block="N", transaction_date=d, nb_due_date=nb,
                        institution_id=ao, patron_identifier=DEMO.good_patron, item_identifier=BOOK),
         p.RenewResponse),
        (p.RenewAllRequest(transaction_date=d, institution_id=ao, patron_identifier=DEMO.good_patron),
         p.RenewAllResponse),
        (p.CheckinRequest(no_block="N", transaction_date=d, return_date=nb, current_location="Kiosk 1",
                          institution_id=ao, item_identifier=BOOK, terminal_password=""),
         p.CheckinResponse),
        (p.CheckinRequest(no_block="N", transaction_date=d, return_date=nb, current_location="Kiosk 1",
                          institution_id=ao, item_identifier=DEMO.loaned_item_with_hold,
                          terminal_password=""), p.CheckinResponse),
        (p.ItemStatusUpdateRequest(transaction_date=d, institution_id=ao, item_identifier=BOOK,
                                   item_properties="relabelled"), p.ItemStatusUpdateResponse),
        (p.PatronEnableRequest(transaction_date=d, institution_id=ao,
                               patron_identifier=DEMO.blocked_patron), p.PatronEnableResponse),
        (p.HoldRequest(hold_mode="+", transaction_date=d, institution_id=ao,
                       patron_identifier=DEMO.good_patron, item_identifier=DEMO.item_on_loan,
                       pickup_location="Main"), p.HoldResponse),
        (p.FeePaidRequest(transaction_date=d, fee_type="01", payment_type="00", currency_type="USD",
                          fee_amount="2.50", institution_id=ao, patron_identifier=DEMO.fined_patron),
         p.FeePaidResponse),
        (p.BlockPatronRequest(card_retained="N", transaction_date=d, institution_id=ao,
                              blocked_card_message="Card misuse", patron_identifier=DEMO.second_good_patron,
                              terminal_password=""), p.PatronStatusResponse),
        (p.EndPatronSessionRequest(transaction_date=d, institution_id=ao,
                                   patron_identifier=DEMO.good_patron), p.EndSessionResponse),
    ]


@pytest.mark.parametrize("encoding, checksum", [("utf-8", True), ("utf-8", False)])
def test_every_reply_decodes_with_an_independent_strict_codec(encoding, checksum):
    with ACSEmulator() as emu, SC(emu.address) as sc:
        for sequence, (request, expected) in enumerate(requests()):
            sent = pysip2.encode_message(request, sequence_number=sequence % 10 if checksum else None,
                                         checksum=checksum, encoding=encoding)
            sc.send_raw(sent)
            raw = sc.read_raw()
            decoded = pysip2.decode_message(raw, encoding=encoding)
            assert type(decoded.message) is expected, raw
            assert pysip2.verify_checksum(raw[:-1]), raw
            if checksum:
                assert decoded.sequence_number == sequence % 10
        codes = [entry.code for entry in emu.library.transactions()]
    assert codes == ["93", "99", "23", "23", "63", "63", "11", "11", "17", "17", "17", "29", "65",
                     "09", "09", "19", "25", "15", "37", "01", "35"]


def test_independent_codec_reads_the_meaning_of_a_checkout():
    p = pysip2
    with ACSEmulator() as emu, SC(emu.address) as sc:
        sc.send_raw(p.encode_message(p.LoginRequest(uid_algorithm="0", pwd_algorithm="0",
                                                    login_user_id="kiosk", login_password="kiosk"),
                                     encoding="utf-8"))
        assert p.decode_message(sc.read_raw(), encoding="utf-8").message.ok == "1"
        sc.send_raw(p.encode_message(p.CheckoutRequest(
            sc_renewal_policy="N", no_block="N", transaction_date=sip_date(), nb_due_date=sip_date(),
            institution_id=INSTITUTION, patron_identifier=DEMO.good_patron,
            item_identifier=DEMO.non_ascii_item, terminal_password=""), encoding="utf-8"))
        reply = p.decode_message(sc.read_raw(), encoding="utf-8").message
    assert reply.ok == "1" and reply.title_identifier.startswith("Émile Zola")
    assert reply.item_identifier == DEMO.non_ascii_item and reply.due_date
