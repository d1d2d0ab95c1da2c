"""SIP2 encode + decode speed: our codec against pysip2's and against the PyPI `sip2` client.

Two workloads over the same realistic mix (login, SC status, patron information with item
lists, checkout, checkin with an alert, renew, item information; cp850, with AY/AZ):

- "SC side": what a self-check does per exchange: build and encode the 7 requests from
  plain values, decode (checksum checked) and parse the 7 replies. All three libraries.
  The PyPI `sip2` client only builds requests and parses replies, so this is where it competes.
- "both ways": encode all 14 messages from ready-made message objects and decode all 14
  from bytes. Ours against pysip2 (the PyPI `sip2` client cannot parse requests or build replies).

A "message" in the figures is one message handled: encoded (outgoing) or decoded (incoming)
in "SC side"; encoded *and* decoded in "both ways". Rounds are interleaved; medians and bests
are printed, with the ratio ours / fastest peer.

Run: .venv/bin/python -m bench.bench_codec [--rounds N] [--seconds S]
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sip2, not an installed one

import pysip2  # noqa: E402
from pysip2 import models as pm  # noqa: E402
from Sip2.sip2 import Sip2  # noqa: E402

from sip2.codec import decode, encode  # noqa: E402
from sip2.message import Message  # noqa: E402
from sip2.messages import (  # noqa: E402
    ACSStatus,
    Checkin,
    CheckinResponse,
    Checkout,
    CheckoutResponse,
    ItemInformation,
    ItemInformationResponse,
    Login,
    LoginResponse,
    PatronInformation,
    PatronInformationResponse,
    Renew,
    RenewResponse,
    SCStatus,
)

from bench.timing import interleaved_rates, median, print_table  # noqa: E402

ENCODING = "cp850"
WHEN = datetime(2026, 1, 30, 10, 15, 0)
WHEN_TEXT = "20260130    101500"
DUE = "20260227    235959"
USER, PASSWORD, LOCATION = "kiosk-1", "s3cret", "Lobby"
INSTITUTION, TERMINAL_PASSWORD = "Central Library", "term-pw"
PATRON, PIN, ITEM = "23000001", "1234", "39000000123"
TITLE = "Café crème: a history of coffee in Europe"
CHARGED = tuple(f"3900000{n:04d}" for n in range(1, 6))


# --- the mix: 7 requests and the replies they get -------------------------------------------

def ours_requests() -> list[Message]:
    """The 7 requests, built from plain values as the client builds them."""
    return [
        Login(login_user_id=USER, login_password=PASSWORD, location_code=LOCATION),
        SCStatus(max_print_width=40),
        PatronInformation(transaction_date=WHEN, summary="  Y       ", institution_id=INSTITUTION,
                          patron_id=PATRON, terminal_password=TERMINAL_PASSWORD,
                          patron_password=PIN, start_item="1", end_item="5"),
        Checkout(transaction_date=WHEN, nb_due_date=WHEN, institution_id=INSTITUTION,
                 patron_id=PATRON, item_id=ITEM, terminal_password=TERMINAL_PASSWORD,
                 patron_password=PIN),
        Checkin(transaction_date=WHEN, return_date=WHEN, current_location=LOCATION,
                institution_id=INSTITUTION, item_id=ITEM, terminal_password=TERMINAL_PASSWORD),
        Renew(transaction_date=WHEN, nb_due_date=WHEN, institution_id=INSTITUTION, patron_id=PATRON,
              patron_password=PIN, item_id=ITEM, terminal_password=TERMINAL_PASSWORD),
        ItemInformation(transaction_date=WHEN, institution_id=INSTITUTION, item_id=ITEM,
                        terminal_password=TERMINAL_PASSWORD),
    ]


def pysip2_requests() -> list[pm.SIPRequest]:
    """The same 7 requests as pysip2 models (dates handed over already formatted)."""
    return [
        pm.LoginRequest(uid_algorithm="0", pwd_algorithm="0", login_user_id=USER,
                        login_password=PASSWORD, location_code=LOCATION),
        pm.SCStatusRequest(status_code="0", max_print_width="040", protocol_version="2.00"),
        pm.PatronInformationRequest(language="000", transaction_date=WHEN_TEXT, summary="  Y       ",
                                    institution_id=INSTITUTION, patron_identifier=PATRON,
                                    terminal_password=TERMINAL_PASSWORD, patron_password=PIN,
                                    start_item="1", end_item="5"),
        pm.CheckoutRequest(sc_renewal_policy="N", no_block="N", transaction_date=WHEN_TEXT,
                           nb_due_date=WHEN_TEXT, institution_id=INSTITUTION,
                           patron_identifier=PATRON, item_identifier=ITEM,
                           terminal_password=TERMINAL_PASSWORD, patron_password=PIN),
        pm.CheckinRequest(no_block="N", transaction_date=WHEN_TEXT, return_date=WHEN_TEXT,
                          current_location=LOCATION, institution_id=INSTITUTION,
                          item_identifier=ITEM, terminal_password=TERMINAL_PASSWORD),
        pm.RenewRequest(third_party_allowed="N", no_block="N", transaction_date=WHEN_TEXT,
                        nb_due_date=WHEN_TEXT, institution_id=INSTITUTION, patron_identifier=PATRON,
                        patron_password=PIN, item_identifier=ITEM,
                        terminal_password=TERMINAL_PASSWORD),
        pm.ItemInformationRequest(transaction_date=WHEN_TEXT, institution_id=INSTITUTION,
                                  item_identifier=ITEM, terminal_password=TERMINAL_PASSWORD),
    ]


REPLIES: list[Message] = [
    LoginResponse(ok=True),
    ACSStatus(online=True, checkin_ok=True, checkout_ok=True, renewal_policy=True,
              status_update_ok=False, offline_ok=True, timeout_period=30, retries_allowed=3,
              date_time_sync=WHEN, institution_id=INSTITUTION, library_name="Central Library",
              supported_messages="YYYNYYYYYNYNNYYY", terminal_location=LOCATION),
    PatronInformationResponse(
        patron_status=" " * 14, language="001", transaction_date=WHEN, hold_items_count=2,
        overdue_items_count=1, charged_items_count=len(CHARGED), institution_id=INSTITUTION,
        patron_id=PATRON, personal_name="Zoë Ødegård", charged_items_limit="0020",
        valid_patron="Y", valid_patron_password="Y", currency_type="EUR", fee_amount="2.50",
        hold_items=("39000000201", "39000000202"), overdue_items=("39000000301",),
        charged_items=CHARGED, home_address="1 Main Street, Springfield",
        email="zoe@example.org", home_phone="555-0100", screen_messages=("Welcome back",)),
    CheckoutResponse(ok=True, renewal_ok=False, magnetic_media=False, desensitize=True,
                     transaction_date=WHEN, institution_id=INSTITUTION, patron_id=PATRON,
                     item_id=ITEM, title=TITLE, due_date=DUE, media_type="001",
                     screen_messages=("Due 27 February 2026",), print_lines=(TITLE, "Due 27/02/2026")),
    CheckinResponse(ok=True, resensitize=True, magnetic_media=False, alert=True,
                    transaction_date=WHEN, institution_id=INSTITUTION, item_id=ITEM,
                    permanent_location="Stacks 2", title=TITLE, sort_bin="B3",
                    patron_id="23000099", media_type="001",
                    screen_messages=("On hold for another patron: put it on the hold shelf",),
                    print_lines=("HOLD 23000099",)),
    RenewResponse(ok=True, renewal_ok=True, magnetic_media=False, desensitize=True,
                  transaction_date=WHEN, institution_id=INSTITUTION, patron_id=PATRON, item_id=ITEM,
                  title=TITLE, due_date=DUE, screen_messages=("Renewed",)),
    ItemInformationResponse(circulation_status="04", security_marker="02", fee_type="01",
                            transaction_date=WHEN, hold_queue_length="1", due_date=DUE,
                            item_id=ITEM, title=TITLE, owner="Central", media_type="001",
                            permanent_location="Stacks 2", current_location=LOCATION),
]
REQUESTS = ours_requests()
REQUEST_BYTES = [encode(m, encoding=ENCODING, sequence=i % 10, error_detection=True)
                 for i, m in enumerate(REQUESTS)]
REPLY_BYTES = [encode(m, encoding=ENCODING, sequence=i % 10, error_detection=True)
               for i, m in enumerate(REPLIES)]
ALL_MESSAGES = REQUESTS + REPLIES
ALL_BYTES = REQUEST_BYTES + REPLY_BYTES
PYSIP2_ALL = [pysip2.decode_message(b, encoding=ENCODING).message for b in ALL_BYTES]


# --- the PyPI `sip2` client, as a kiosk would drive it -----------------------------------------

class QuietSip2(Sip2):
    """The PyPI `sip2` client without its log file and its print on garbage collection."""

    def __init__(self) -> None:
        super().__init__()
        self.log = logging.getLogger("bench.sip2")
        self.log.disabled = True
        self.hostEncoding = ENCODING
        self.institutionId, self.terminalPassword = INSTITUTION, TERMINAL_PASSWORD
        self.scLocation, self.patron, self.patronpwd = LOCATION, PATRON, PIN

    def __del__(self) -> None:
        pass

    def _datestamp(self, timestamp: str | float = "") -> str:
        # Our side is handed its dates ready-made; reading the clock is no part of encoding.
        return WHEN_TEXT if timestamp == "" else super()._datestamp(timestamp)


def sip2_client_builders(client: QuietSip2) -> list[Callable[[], str]]:
    """The 7 requests built by the PyPI `sip2` client, stamped with the same ready-made date as ours."""
    return [
        lambda: client.sip_login_request(USER, PASSWORD),
        lambda: client.sip_sc_status_request(0, "040", 2),
        lambda: client.sip_patron_information_request("charged"),
        lambda: client.sip_checkout_request(ITEM),
        lambda: client.sip_checkin_request(ITEM),
        lambda: client.sip_renew_request(ITEM),
        lambda: client.sip_item_information_request(ITEM),
    ]


def sip2_client_parsers(client: QuietSip2) -> list[Callable[[str], dict]]:
    """The 7 reply parsers of the PyPI `sip2` client, in the order of REPLIES."""
    return [client.sip_login_response, client.sip_sc_status_response,
            client.sip_patron_information_response, client.sip_checkout_response,
            client.sip_checkin_response, client.sip_renew_response,
            client.sip_item_information_response]


# --- one pass over the mix, per library and workload ---------------------------------------

def ours_sc_side() -> int:
    for sequence, request in enumerate(ours_requests()):
        encode(request, encoding=ENCODING, sequence=sequence, error_detection=True)
    for data in REPLY_BYTES:
        decode(data, encoding=ENCODING)
    return len(REQUESTS) + len(REPLY_BYTES)


def pysip2_sc_side() -> int:
    for sequence, request in enumerate(pysip2_requests()):
        pysip2.encode_message(request, sequence_number=sequence, checksum=True, encoding=ENCODING)
    for data in REPLY_BYTES:
        pysip2.decode_message(data, encoding=ENCODING)
    return len(REQUESTS) + len(REPLY_BYTES)


def make_sip2_client_sc_side() -> Callable[[], int]:
    client = QuietSip2()
    builders, parsers = sip2_client_builders(client), sip2_client_parsers(client)
    pairs = list(zip(parsers, REPLY_BYTES))

    def run() -> int:
        for build in builders:
            build().encode(ENCODING)
        for parse, data in pairs:
            text = data.decode(ENCODING)
            client._crc_verify(text)  # as its get_response() does before handing the text over
            parse(text)
        return len(builders) + len(pairs)

    return run


def ours_both_ways() -> int:
    for sequence, (message, data) in enumerate(zip(ALL_MESSAGES, ALL_BYTES)):
        encode(message, encoding=ENCODING, sequence=sequence % 10, error_detection=True)
        decode(data, encoding=ENCODING)
    return len(ALL_MESSAGES)


def pysip2_both_ways() -> int:
    for sequence, (message, data) in enumerate(zip(PYSIP2_ALL, ALL_BYTES)):
        pysip2.encode_message(message, sequence_number=sequence % 10, checksum=True, encoding=ENCODING)
        pysip2.decode_message(data, encoding=ENCODING)
    return len(PYSIP2_ALL)


# --- checks that every library does the full job before it is timed ---------------------------

def check_outputs_agree() -> None:
    """Fail loudly if any library mis-handles the mix: a fast wrong answer is no figure."""
    for message, data in zip(ALL_MESSAGES, ALL_BYTES):
        received = decode(data, encoding=ENCODING)
        assert received.message == message and received.checksum == "ok", data
    for sequence, request in enumerate(pysip2_requests()):
        data = pysip2.encode_message(request, sequence_number=sequence, checksum=True, encoding=ENCODING)
        assert decode(data, encoding=ENCODING).message == REQUESTS[sequence], data
    client = QuietSip2()
    for build, expected in zip(sip2_client_builders(client), REQUESTS):
        received = decode(build().encode(ENCODING), encoding=ENCODING)
        assert type(received.message) is type(expected), received
    for parse, data, _reply in zip(sip2_client_parsers(client), REPLY_BYTES, REPLIES):
        text = data.decode(ENCODING)
        assert client._crc_verify(text)
        parsed = parse(text)
        institution = parsed["variable"].get("AO")
        assert institution in (None, [INSTITUTION]), parsed
    patron_info = sip2_client_parsers(client)[2](REPLY_BYTES[2].decode(ENCODING))
    assert patron_info["variable"]["AU"] == list(CHARGED)


def report(title: str, rates: dict[str, list[float]]) -> None:
    """Print one workload's table and the ratio ours / fastest peer.

    Ratios are taken round by round (the candidates of a round ran back to back, so a burst of
    load elsewhere hits them alike) and the median of those is shown.
    """
    print(f"\n{title}")
    ours = rates["ours"]
    ratios = {name: median([a / b for a, b in zip(ours, r)]) for name, r in rates.items()}
    print_table(["codec", "median msg/s", "best msg/s", "worst msg/s", "ours / this"],
                [[name, median(r), max(r), min(r), ratios[name]] for name, r in rates.items()])
    peers = {name: median(r) for name, r in rates.items() if name != "ours"}
    fastest = max(peers, key=peers.__getitem__)
    per_round = [a / b for a, b in zip(ours, rates[fastest])]
    print(f"ours / fastest peer ({fastest}): {ratios[fastest]:.2f}x (median of per-round ratios; "
          f"rounds {min(per_round):.2f}-{max(per_round):.2f}: " + ", ".join(f"{r:.2f}" for r in per_round) + ")")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    parser.add_argument("--seconds", type=float, default=0.2, help="seconds per candidate per round (default 0.2)")
    args = parser.parse_args()

    check_outputs_agree()
    print(f"SIP2 codec bench: {len(REQUESTS)} requests + {len(REPLIES)} replies, {ENCODING}, "
          f"with AY/AZ; {args.rounds} interleaved rounds of {args.seconds:g} s each")
    report("SC side (build + encode requests, decode + parse replies):",
           interleaved_rates({"ours": ours_sc_side, "pysip2": pysip2_sc_side,
                              "sip2 (PyPI client)": make_sip2_client_sc_side()},
                             rounds=args.rounds, seconds=args.seconds))
    report("Both ways (encode and decode every message of the mix):",
           interleaved_rates({"ours": ours_both_ways, "pysip2": pysip2_both_ways},
                             rounds=args.rounds, seconds=args.seconds))


if __name__ == "__main__":
    main()
