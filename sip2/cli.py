"""The `sip2` command: decode logged messages, talk to any ACS, run the ACS emulator."""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from sip2.charsets import check_encoding
from sip2.client import SIP2Client, TLSSettings
from sip2.codec import decode, mask_secrets
from sip2.dialects import DIALECTS, dialect
from sip2.errors import SIP2Error, UnknownOutcome
from sip2.fields import SUMMARY_KINDS
from sip2.jsonview import message_fields, received_record
from sip2.message import MESSAGES, Message

# The environment variable both `sip2 client` and `kiosk queue replay` read the login password from.
PASSWORD_VARIABLE = "SIP2_PASSWORD"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sip2` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sip2", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    dec = sub.add_parser("decode", help="decode SIP2 messages, one per line, to JSON lines",
                         description="Reads SIP2 messages (one per line; lines may end in CR, LF or "
                                     "CRLF) from files or standard input and prints one JSON object "
                                     "per line.")
    dec.add_argument("files", nargs="*", help="files to read (default: standard input)")
    dec.add_argument("--encoding", default="utf-8", type=_encoding,
                     help="character set of the messages (default utf-8)")
    dec.add_argument("--mask", action="store_true", help="replace PINs and passwords with ***")
    dec.set_defaults(func=_decode)

    emu = sub.add_parser("emulator", help="run the ACS emulator with demo data")
    emu.add_argument("--port", type=int, default=6001)
    emu.add_argument("--host", default="127.0.0.1")
    emu.add_argument("--db", default=None, help="SQLite file to keep the library in (default: temporary)")
    emu.add_argument("--due-date-format", choices=sorted(_DUE_DATE_FORMATS), default="text",
                     help="due dates (AH) as text, like 2026-12-21 23:59:59 (default), or in the "
                          "18-character SIP2 date form")
    emu.add_argument("-v", "--verbose", action="store_true",
                     help="log every message received and sent (PINs and passwords masked)")
    emu.set_defaults(func=_emulator)

    cli = sub.add_parser("client", help="log in, ask for status, run one command against an ACS",
                         description="Connects to an ACS, logs in (when --user is given), sends a 99 "
                                     "status, then the command, and prints every reply as JSON.")
    cli.add_argument("--host", required=True)
    cli.add_argument("--port", type=int, required=True)
    cli.add_argument("--tls", action="store_true", help="connect with TLS (certificate verified)")
    cli.add_argument("--ca", help="CA bundle to verify the ACS's certificate with")
    cli.add_argument("--cert", help="client certificate (PEM), when the ACS asks for one")
    cli.add_argument("--key", help="key of the client certificate")
    cli.add_argument("--insecure", action="store_true", help="do not verify the ACS's certificate")
    cli.add_argument("--user", help="SIP2 login user id (CN); no login when omitted")
    cli.add_argument("--password", help=f"SIP2 login password (CO); default: ${PASSWORD_VARIABLE}")
    cli.add_argument("--location", help="location code (CP) and checkin location (AP)")
    cli.add_argument("--institution", default="", help="institution id (AO)")
    cli.add_argument("--terminal-password", default="", help="terminal password (AC)")
    cli.add_argument("--dialect", default="generic", choices=sorted(DIALECTS))
    cli.add_argument("--encoding", type=_encoding, help="character set (default: the dialect's)")
    cli.add_argument("--terminator", choices=["cr", "lf", "crlf"], help="line end to send")
    cli.add_argument("--checksums", choices=["on", "off", "verify"], help="AY/AZ error detection")
    cli.add_argument("--sequence-check", choices=["match", "resent-any", "off"],
                     help="which replies answer a request by their AY (default: the dialect's)")
    cli.add_argument("--timeout", type=positive_seconds, default=10.0, help="seconds to wait for each reply")
    cli.add_argument("--trace", action="store_true",
                     help="print every message sent and received on standard error "
                          "(PINs and passwords masked)")
    cmds = cli.add_subparsers(dest="action", required=True)
    for name, params, help_text in _COMMANDS:
        p = cmds.add_parser(name, help=help_text)
        for param in params:
            p.add_argument(param)
        if "patron" in params:
            p.add_argument("--pin", help="the patron's PIN (AD)")
        if name in ("checkout", "checkin", "renew"):
            p.add_argument("--no-block", action="store_true", help="store-and-forward (no block = Y)")
        if name == "patron-info":
            p.add_argument("--summary", choices=SUMMARY_KINDS, help="item list to return")
            p.add_argument("--start", type=int, help="first item (1-based)")
            p.add_argument("--end", type=int, help="last item")
        if name == "hold":
            p.add_argument("--mode", default="+", choices=["+", "-", "*"])
            p.add_argument("--item")
    cli.set_defaults(func=_client)
    return parser


_COMMANDS: list[tuple[str, list[str], str]] = [
    ("status", [], "only log in and send 99"),
    ("patron-status", ["patron"], "23 patron status"),
    ("patron-info", ["patron"], "63 patron information"),
    ("checkout", ["patron", "item"], "11 checkout"),
    ("checkin", ["item"], "09 checkin (return)"),
    ("renew", ["patron", "item"], "29 renew"),
    ("renew-all", ["patron"], "65 renew all"),
    ("item-info", ["item"], "17 item information"),
    ("item-status-update", ["item", "properties"], "19 item status update"),
    ("patron-enable", ["patron"], "25 patron enable"),
    ("hold", ["patron"], "15 hold"),
    ("end-session", ["patron"], "35 end patron session"),
    ("fee-paid", ["patron", "amount"], "37 fee paid"),
    ("block-patron", ["patron", "message"], "01 block patron"),
]


def _encoding(name: str) -> str:
    """An argparse type: a character set that can carry SIP2."""
    try:
        return check_encoding(name)
    except SIP2Error as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def _decode(args: argparse.Namespace) -> int:
    streams: list[BinaryIO] = []
    try:
        streams = [open(f, "rb") for f in args.files] if args.files else [sys.stdin.buffer]
    except OSError as exc:
        print(f"sip2 decode: {exc}", file=sys.stderr)
        return 2
    for stream in streams:
        for line in _lines(stream):
            if not line.strip():
                continue
            try:
                record = received_record(decode(line, encoding=args.encoding), mask=args.mask)
            except SIP2Error as exc:
                record = received_record(None, error=str(exc))
                known = MESSAGES.get(line[:2].decode("ascii", errors="replace"))
                if known is not None:
                    record["code"], record["name"] = known.CODE, known.NAME
                raw = line.decode(args.encoding, errors="replace")
                record["raw"] = mask_secrets(raw) if args.mask else raw
            print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    """The lines of a stream split on CR, LF or CRLF (an ACS's own capture ends lines with CR)."""
    rest = b""
    read = getattr(stream, "read1", stream.read)  # read1: lines as they come from a pipe
    for chunk in iter(lambda: read(65536), b""):
        *whole, rest = _LINE_END.split(rest + chunk)
        yield from whole
    if rest:
        yield rest


_LINE_END = re.compile(rb"\r\n|\r|\n")
# The command line's names for the emulator's due date formats.
_DUE_DATE_FORMATS = {"text": "iso", "sip2": "sip2"}


def _emulator(args: argparse.Namespace) -> int:
    from sip2.emulator import Policy, serve_forever  # the emulator loads SQLAlchemy: only this command pays for it

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(message)s")
    return serve_forever(host=args.host, port=args.port, db=args.db,
                         policy=Policy(due_date_format=_DUE_DATE_FORMATS[args.due_date_format]))


def _client(args: argparse.Namespace) -> int:
    with _traced(args.trace):
        return _run_client(args)


def _run_client(args: argparse.Namespace) -> int:
    profile = dialect(args.dialect)
    tls = None
    if args.tls or args.ca or args.cert:
        tls = TLSSettings(ca_file=args.ca, cert_file=args.cert, key_file=args.key, verify=not args.insecure)
    client = SIP2Client(
        args.host, args.port, tls=tls,
        settings=profile.settings(encoding=args.encoding, terminator=args.terminator, checksums=args.checksums,
                                  sequence_check=args.sequence_check),
        username=args.user, password=args.password or os.environ.get(PASSWORD_VARIABLE),
        location=args.location, institution_id=args.institution,
        terminal_password=args.terminal_password, timeout=args.timeout)
    out: dict[str, Any] = {}
    try:
        with client:
            if args.user is not None:
                out["login"] = {"ok": True}
            out["status"] = message_fields(client.sc_status())
            if args.action != "status":
                reply = _ACTIONS[args.action](client, args)
                out["reply"] = {"code": reply.CODE, "name": reply.NAME, "fields": message_fields(reply)}
    except UnknownOutcome as exc:
        out["error"] = str(exc)
        if exc.item_status is not None:
            out["item_status"] = message_fields(exc.item_status)
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 3
    except SIP2Error as exc:
        out["error"] = str(exc)
        print(json.dumps(out, ensure_ascii=False, indent=2))
        print(f"sip2 client: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


@contextmanager
def _traced(enabled: bool) -> Iterator[None]:
    """With `enabled`, the client's log, every message sent and received included (secrets
    masked), goes to standard error while the block runs."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    trace = logging.getLogger("sip2.client")
    level = trace.level
    trace.addHandler(handler)
    trace.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        trace.removeHandler(handler)
        trace.setLevel(level)


_ACTIONS: dict[str, Callable[[SIP2Client, argparse.Namespace], Message]] = {
    "patron-status": lambda c, a: c.patron_status(a.patron, a.pin),
    "patron-info": lambda c, a: c.patron_information(a.patron, a.pin, summary=a.summary,
                                                     start_item=a.start, end_item=a.end),
    "checkout": lambda c, a: c.checkout(a.patron, a.item, patron_password=a.pin, no_block=a.no_block),
    "checkin": lambda c, a: c.checkin(a.item, no_block=a.no_block),
    "renew": lambda c, a: c.renew(a.patron, a.item, patron_password=a.pin, no_block=a.no_block),
    "renew-all": lambda c, a: c.renew_all(a.patron, a.pin),
    "item-info": lambda c, a: c.item_information(a.item),
    "item-status-update": lambda c, a: c.item_status_update(a.item, a.properties),
    "patron-enable": lambda c, a: c.patron_enable(a.patron, a.pin),
    "hold": lambda c, a: c.hold(a.patron, mode=a.mode, item_id=a.item, patron_password=a.pin),
    "end-session": lambda c, a: c.end_patron_session(a.patron, a.pin),
    "fee-paid": lambda c, a: c.fee_paid(a.patron, a.amount, patron_password=a.pin),
    "block-patron": lambda c, a: c.block_patron(a.patron, a.message),
}


if __name__ == "__main__":
    sys.exit(main())
