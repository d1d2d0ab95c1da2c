"""The two-letter variable field identifiers of SIP2 2.00 and their names."""

from __future__ import annotations

FIELD_NAMES: dict[str, str] = {
    "AA": "patron_id",
    "AB": "item_id",
    "AC": "terminal_password",
    "AD": "patron_password",
    "AE": "personal_name",
    "AF": "screen_message",
    "AG": "print_line",
    "AH": "due_date",
    "AJ": "title",
    "AL": "blocked_card_message",
    "AM": "library_name",
    "AN": "terminal_location",
    "AO": "institution_id",
    "AP": "current_location",
    "AQ": "permanent_location",
    "AS": "hold_items",
    "AT": "overdue_items",
    "AU": "charged_items",
    "AV": "fine_items",
    "AY": "sequence_number",
    "AZ": "checksum",
    "BD": "home_address",
    "BE": "email",
    "BF": "home_phone",
    "BG": "owner",
    "BH": "currency_type",
    "BI": "cancel",
    "BK": "transaction_id",
    "BL": "valid_patron",
    "BM": "renewed_items",
    "BN": "unrenewed_items",
    "BO": "fee_acknowledged",
    "BP": "start_item",
    "BQ": "end_item",
    "BR": "queue_position",
    "BS": "pickup_location",
    "BT": "fee_type",
    "BU": "recall_items",
    "BV": "fee_amount",
    "BW": "expiration_date",
    "BX": "supported_messages",
    "BY": "hold_type",
    "BZ": "hold_items_limit",
    "CA": "overdue_items_limit",
    "CB": "charged_items_limit",
    "CC": "fee_limit",
    "CD": "unavailable_hold_items",
    "CF": "hold_queue_length",
    "CG": "fee_identifier",
    "CH": "item_properties",
    "CI": "security_inhibit",
    "CJ": "recall_date",
    "CK": "media_type",
    "CL": "sort_bin",
    "CM": "hold_pickup_date",
    "CN": "login_user_id",
    "CO": "login_password",
    "CP": "location_code",
    "CQ": "valid_patron_password",
}

# Secrets that must never reach a log: patron PIN, terminal password, login password.
SECRET_FIELDS = frozenset({"AD", "AC", "CO"})

PATRON_STATUS_FLAGS: tuple[str, ...] = (
    "charge privileges denied",
    "renewal privileges denied",
    "recall privileges denied",
    "hold privileges denied",
    "card reported lost",
    "too many items charged",
    "too many items overdue",
    "too many renewals",
    "too many claims of items returned",
    "too many items lost",
    "excessive outstanding fines",
    "excessive outstanding fees",
    "recall overdue",
    "too many items billed",
)

SUMMARY_KINDS: tuple[str, ...] = (
    "hold_items",
    "overdue_items",
    "charged_items",
    "fine_items",
    "recall_items",
    "unavailable_hold_items",
)

CIRCULATION_STATUS: dict[str, str] = {
    "01": "other",
    "02": "on order",
    "03": "available",
    "04": "charged",
    "05": "charged; not to be recalled until earliest recall date",
    "06": "in process",
    "07": "recalled",
    "08": "waiting on hold shelf",
    "09": "waiting to be re-shelved",
    "10": "in transit between library locations",
    "11": "claimed returned",
    "12": "lost",
    "13": "missing",
}

MEDIA_TYPES: dict[str, str] = {
    "000": "other",
    "001": "book",
    "002": "magazine",
    "003": "bound journal",
    "004": "audio tape",
    "005": "video tape",
    "006": "CD/CDROM",
    "007": "diskette",
    "008": "book with diskette",
    "009": "book with compact disc",
    "010": "book with audio tape",
}

# Order of the 16 flags in the 98 reply's BX field.
SUPPORTED_MESSAGES: tuple[str, ...] = (
    "patron_status", "checkout", "checkin", "block_patron", "sc_acs_status", "request_resend",
    "login", "patron_information", "end_patron_session", "fee_paid", "item_information",
    "item_status_update", "patron_enable", "hold", "renew", "renew_all",
)


def denied_privileges(patron_status: str) -> list[str]:
    """Name the flags set ('Y') in a 14-character patron status; a 'Y' means denied."""
    return [name for name, flag in zip(PATRON_STATUS_FLAGS, patron_status) if flag.upper() == "Y"]


def summary_for(kind: str | None) -> str:
    """The 10-character summary of a 63 request asking for one item list (or none)."""
    chars = [" "] * 10
    if kind is not None:
        chars[SUMMARY_KINDS.index(kind)] = "Y"
    return "".join(chars)
