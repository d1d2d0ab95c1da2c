"""Every SIP2 2.00 message, request and reply, with its fields named as the specification names them.

Fixed fields come first, in wire order; variable fields follow in the specification's order
(the order used when encoding a message that was built rather than decoded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sip2.message import Kind, Message, fixed, message, repeated, var

F01, YN, YNU, INT, DATE, TEXT = Kind.FLAG01, Kind.YN, Kind.YNU, Kind.INT, Kind.DATE, Kind.TEXT


# --- Session and status -------------------------------------------------------------------

@message("93", "login")
class Login(Message):
    uid_algorithm: str = fixed(1, TEXT, "0")
    pwd_algorithm: str = fixed(1, TEXT, "0")
    login_user_id: str = var("CN", required=True)
    login_password: str = var("CO", required=True)
    location_code: str | None = var("CP")


@message("94", "login_response")
class LoginResponse(Message):
    ok: bool = fixed(1, F01)


@message("99", "sc_status")
class SCStatus(Message):
    status_code: str = fixed(1, TEXT, "0")  # 0 ok, 1 printer out of paper, 2 about to shut down
    max_print_width: int = fixed(3, INT, 40)
    protocol_version: str = fixed(4, TEXT, "2.00")


@message("98", "acs_status")
class ACSStatus(Message):
    online: bool = fixed(1, YN)
    checkin_ok: bool = fixed(1, YN)
    checkout_ok: bool = fixed(1, YN)
    renewal_policy: bool = fixed(1, YN)
    status_update_ok: bool = fixed(1, YN)
    offline_ok: bool = fixed(1, YN)
    timeout_period: int = fixed(3, INT)
    retries_allowed: int = fixed(3, INT)
    date_time_sync: datetime | None = fixed(18, DATE)
    protocol_version: str = fixed(4, TEXT, "2.00")
    institution_id: str = var("AO", required=True)
    library_name: str | None = var("AM")
    supported_messages: str = var("BX", required=True)
    terminal_location: str | None = var("AN")
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")


@message("96", "request_sc_resend")
class RequestSCResend(Message):
    """The ACS asks the SC to send its last message again."""


@message("97", "request_acs_resend")
class RequestACSResend(Message):
    """The SC asks the ACS to send its last message again."""


# --- Patrons ------------------------------------------------------------------------------

@message("23", "patron_status")
class PatronStatusRequest(Message):
    language: str = fixed(3, TEXT, "000")
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    terminal_password: str = var("AC", required=True)
    patron_password: str = var("AD", required=True)


@message("24", "patron_status_response")
class PatronStatusResponse(Message):
    patron_status: str = fixed(14, TEXT)  # a 'Y' denies a privilege: see fields.denied_privileges
    language: str = fixed(3, TEXT, "000")
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    personal_name: str = var("AE", required=True)
    valid_patron: str | None = var("BL")
    valid_patron_password: str | None = var("CQ")
    currency_type: str | None = var("BH")
    fee_amount: str | None = var("BV")
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")


@message("63", "patron_information")
class PatronInformation(Message):
    language: str = fixed(3, TEXT, "000")
    transaction_date: datetime | None = fixed(18, DATE)
    summary: str = fixed(10, TEXT)  # one 'Y' picks the item list to return: see fields.summary_for
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    terminal_password: str | None = var("AC")
    patron_password: str | None = var("AD")
    start_item: str | None = var("BP")
    end_item: str | None = var("BQ")


@message("64", "patron_information_response")
class PatronInformationResponse(Message):
    patron_status: str = fixed(14, TEXT)
    language: str = fixed(3, TEXT, "000")
    transaction_date: datetime | None = fixed(18, DATE)
    hold_items_count: int = fixed(4, INT)
    overdue_items_count: int = fixed(4, INT)
    charged_items_count: int = fixed(4, INT)
    fine_items_count: int = fixed(4, INT)
    recall_items_count: int = fixed(4, INT)
    unavailable_holds_count: int = fixed(4, INT)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    personal_name: str = var("AE", required=True)
    hold_items_limit: str | None = var("BZ")
    overdue_items_limit: str | None = var("CA")
    charged_items_limit: str | None = var("CB")
    valid_patron: str | None = var("BL")
    valid_patron_password: str | None = var("CQ")
    currency_type: str | None = var("BH")
    fee_amount: str | None = var("BV")
    fee_limit: str | None = var("CC")
    hold_items: tuple[str, ...] = repeated("AS")
    overdue_items: tuple[str, ...] = repeated("AT")
    charged_items: tuple[str, ...] = repeated("AU")
    fine_items: tuple[str, ...] = repeated("AV")
    recall_items: tuple[str, ...] = repeated("BU")
    unavailable_hold_items: tuple[str, ...] = repeated("CD")
    home_address: str | None = var("BD")
    email: str | None = var("BE")
    home_phone: str | None = var("BF")
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")


@message("25", "patron_enable")
class PatronEnable(Message):
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    terminal_password: str | None = var("AC")
    patron_password: str | None = var("AD")


@message("26", "patron_enable_response")
class PatronEnableResponse(Message):
    patron_status: str = fixed(14, TEXT)
    language: str = fixed(3, TEXT, "000")
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    personal_name: str = var("AE", required=True)
    valid_patron: str | None = var("BL")
    valid_patron_password: str | None = var("CQ")
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")


@message("01", "block_patron")
class BlockPatron(Message):
    card_retained: bool = fixed(1, YN)
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    blocked_card_message: str = var("AL", required=True)
    patron_id: str = var("AA", required=True)
    terminal_password: str = var("AC", required=True)


@message("35", "end_patron_session")
class EndPatronSession(Message):
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    terminal_password: str | None = var("AC")
    patron_password: str | None = var("AD")


@message("36", "end_session_response")
class EndSessionResponse(Message):
    end_session: bool = fixed(1, YN)
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")


@message("37", "fee_paid")
class FeePaid(Message):
    transaction_date: datetime | None = fixed(18, DATE)
    fee_type: str = fixed(2, TEXT, "01")
    payment_type: str = fixed(2, TEXT, "00")
    currency_type: str = fixed(3, TEXT, "USD")
    fee_amount: str = var("BV", required=True)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    terminal_password: str | None = var("AC")
    patron_password: str | None = var("AD")
    fee_identifier: str | None = var("CG")
    transaction_id: str | None = var("BK")


@message("38", "fee_paid_response")
class FeePaidResponse(Message):
    payment_accepted: bool = fixed(1, YN)
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    transaction_id: str | None = var("BK")
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")


# --- Items --------------------------------------------------------------------------------

@message("11", "checkout")
class Checkout(Message):
    renewal_policy: bool = fixed(1, YN)  # the SC allows a checkout of an item already out to be a renewal
    no_block: bool = fixed(1, YN)  # store-and-forward: the ACS must accept it
    transaction_date: datetime | None = fixed(18, DATE)
    nb_due_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    item_id: str = var("AB", required=True)
    terminal_password: str = var("AC", required=True)
    item_properties: str | None = var("CH")
    patron_password: str | None = var("AD")
    fee_acknowledged: str | None = var("BO")
    cancel: str | None = var("BI")


@dataclass(frozen=True, init=False)
class _LoanReply(Message):
    """The layout 12 (checkout) and 30 (renew) replies share, as the specification gives it."""

    ok: bool = fixed(1, F01)
    renewal_ok: bool = fixed(1, YN)
    magnetic_media: bool | None = fixed(1, YNU)
    desensitize: bool | None = fixed(1, YNU)
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    item_id: str = var("AB", required=True)
    title: str = var("AJ", required=True)
    due_date: str = var("AH", required=True)
    fee_type: str | None = var("BT")
    security_inhibit: str | None = var("CI")
    currency_type: str | None = var("BH")
    fee_amount: str | None = var("BV")
    media_type: str | None = var("CK")
    item_properties: str | None = var("CH")
    transaction_id: str | None = var("BK")
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")



@message("12", "checkout_response")
class CheckoutResponse(_LoanReply):
    """The ACS's answer to a checkout (11)."""

@message("09", "checkin")
class Checkin(Message):
    no_block: bool = fixed(1, YN)
    transaction_date: datetime | None = fixed(18, DATE)
    return_date: datetime | None = fixed(18, DATE)
    current_location: str = var("AP", required=True)
    institution_id: str = var("AO", required=True)
    item_id: str = var("AB", required=True)
    terminal_password: str = var("AC", required=True)
    item_properties: str | None = var("CH")
    cancel: str | None = var("BI")


@message("10", "checkin_response")
class CheckinResponse(Message):
    ok: bool = fixed(1, F01)
    resensitize: bool = fixed(1, YN)
    magnetic_media: bool | None = fixed(1, YNU)
    alert: bool = fixed(1, YN)
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    item_id: str = var("AB", required=True)
    permanent_location: str = var("AQ", required=True)
    title: str | None = var("AJ")
    sort_bin: str | None = var("CL")
    patron_id: str | None = var("AA")
    media_type: str | None = var("CK")
    item_properties: str | None = var("CH")
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")


@message("29", "renew")
class Renew(Message):
    third_party_allowed: bool = fixed(1, YN)
    no_block: bool = fixed(1, YN)
    transaction_date: datetime | None = fixed(18, DATE)
    nb_due_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    patron_password: str | None = var("AD")
    item_id: str | None = var("AB")
    title: str | None = var("AJ")
    terminal_password: str | None = var("AC")
    item_properties: str | None = var("CH")
    fee_acknowledged: str | None = var("BO")


@message("30", "renew_response")
class RenewResponse(_LoanReply):
    """The ACS's answer to a renew (29)."""

@message("65", "renew_all")
class RenewAll(Message):
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    patron_password: str | None = var("AD")
    terminal_password: str | None = var("AC")
    fee_acknowledged: str | None = var("BO")


@message("66", "renew_all_response")
class RenewAllResponse(Message):
    ok: bool = fixed(1, F01)
    renewed_count: int = fixed(4, INT)
    unrenewed_count: int = fixed(4, INT)
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    renewed_items: tuple[str, ...] = repeated("BM")
    unrenewed_items: tuple[str, ...] = repeated("BN")
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")


@message("17", "item_information")
class ItemInformation(Message):
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    item_id: str = var("AB", required=True)
    terminal_password: str | None = var("AC")


@message("18", "item_information_response")
class ItemInformationResponse(Message):
    circulation_status: str = fixed(2, TEXT, "01")  # see fields.CIRCULATION_STATUS
    security_marker: str = fixed(2, TEXT, "00")  # 00 other, 01 none, 02 3M Tattle-Tape, 03 3M whisper tape
    fee_type: str = fixed(2, TEXT, "01")
    transaction_date: datetime | None = fixed(18, DATE)
    hold_queue_length: str | None = var("CF")
    due_date: str | None = var("AH")
    recall_date: str | None = var("CJ")
    hold_pickup_date: str | None = var("CM")
    item_id: str = var("AB", required=True)
    title: str = var("AJ", required=True)
    owner: str | None = var("BG")
    currency_type: str | None = var("BH")
    fee_amount: str | None = var("BV")
    media_type: str | None = var("CK")
    permanent_location: str | None = var("AQ")
    current_location: str | None = var("AP")
    item_properties: str | None = var("CH")
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")


@message("19", "item_status_update")
class ItemStatusUpdate(Message):
    transaction_date: datetime | None = fixed(18, DATE)
    institution_id: str = var("AO", required=True)
    item_id: str = var("AB", required=True)
    terminal_password: str | None = var("AC")
    item_properties: str = var("CH", required=True)


@message("20", "item_status_update_response")
class ItemStatusUpdateResponse(Message):
    item_properties_ok: bool = fixed(1, F01)
    transaction_date: datetime | None = fixed(18, DATE)
    item_id: str = var("AB", required=True)
    title: str | None = var("AJ")
    item_properties: str | None = var("CH")
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")


@message("15", "hold")
class Hold(Message):
    hold_mode: str = fixed(1, TEXT, "+")  # + add, - delete, * change
    transaction_date: datetime | None = fixed(18, DATE)
    expiration_date: str | None = var("BW")
    pickup_location: str | None = var("BS")
    hold_type: str | None = var("BY")
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    patron_password: str | None = var("AD")
    item_id: str | None = var("AB")
    title: str | None = var("AJ")
    terminal_password: str | None = var("AC")
    fee_acknowledged: str | None = var("BO")


@message("16", "hold_response")
class HoldResponse(Message):
    ok: bool = fixed(1, F01)
    available: bool = fixed(1, YN)
    transaction_date: datetime | None = fixed(18, DATE)
    expiration_date: str | None = var("BW")
    queue_position: str | None = var("BR")
    pickup_location: str | None = var("BS")
    institution_id: str = var("AO", required=True)
    patron_id: str = var("AA", required=True)
    item_id: str | None = var("AB")
    title: str | None = var("AJ")
    screen_messages: tuple[str, ...] = repeated("AF")
    print_lines: tuple[str, ...] = repeated("AG")


# The reply each request expects; block patron is answered with a patron status response.
REPLY_TO: dict[type[Message], type[Message]] = {
    Login: LoginResponse,
    SCStatus: ACSStatus,
    PatronStatusRequest: PatronStatusResponse,
    PatronInformation: PatronInformationResponse,
    PatronEnable: PatronEnableResponse,
    BlockPatron: PatronStatusResponse,
    EndPatronSession: EndSessionResponse,
    FeePaid: FeePaidResponse,
    Checkout: CheckoutResponse,
    Checkin: CheckinResponse,
    Renew: RenewResponse,
    RenewAll: RenewAllResponse,
    ItemInformation: ItemInformationResponse,
    ItemStatusUpdate: ItemStatusUpdateResponse,
    Hold: HoldResponse,
}
