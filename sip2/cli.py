"""The `sip2` command: decode logged messages, talk to any ACS, run the ACS emulator."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

from sip2.client import SIP2Client, TLSSettings
from sip2.codec import decode
from sip2.dialects import DIALECTS, dialect
from sip2.errors import SIP2Error, UnknownOutcome
from sip2.fields import SUMMARY_KINDS
from sip2.jsonview import message_fields, received_record
from sip2.message import MESSAGES, Message


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sip2` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sip2", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    dec = sub.add_parser("decode", help="decode SIP2 messages, one per line, to JSON lines",
                         description="Reads SIP2 messages (one per line) from files or standard input "
                                     "and prints one JSON object per line.")
    dec.add_argument("files", nargs="*", help="files to read (default: standard input)")
    dec.add_argument("--encoding", default="utf-8", help="character set of the messages (default utf-8)")
    dec.add_argument("--mask", action="store_true", help="replace PINs and passwords with ***")
    dec.set_defaults(func=_decode)

    emu = sub.add_parser("emulator", help="run the ACS emulator with demo data")
    emu.add_argument("--port", type=int, default=6001)
    emu.add_argument("--host", default="127.0.0.1")
    emu.add_argument("--db", default=None, help="SQLite file to keep the library in (default: temporary)")
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
    cli.add_argument("--password", help="SIP2 login password (CO); default: $SIP2_PASSWORD")
    cli.add_argument("--location", help="location code (CP) and checkin location (AP)")
    cli.add_argument("--institution", default="", help="institution id (AO)")
    cli.add_argument("--terminal-password", default="", help="terminal password (AC)")
    cli.add_argument("--dialect", default="generic", choices=sorted(DIALECTS))
    cli.add_argument("--encoding", help="character set (default: the dialect's)")
    cli.add_argument("--terminator", choices=["cr", "lf", "crlf"], help="line end to send")
    cli.add_argument("--checksums", choices=["on", "off", "verify"], help="AY/AZ error detection")
    cli.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each reply")
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


def _decode(args: argparse.Namespace) -> int:
    streams: list[BinaryIO] = []
    try:
        streams = [open(f, "rb") for f in args.files] if args.files else [sys.stdin.buffer]
    except OSError as exc:
        print(f"sip2 decode: {exc}", file=sys.stderr)
        return 2
    for stream in streams:
        for line in stream:
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            try:
                record = received_record(decode(line, encoding=args.encoding), mask=args.mask)
            except SIP2Error as exc:
                record = received_record(None, error=str(exc))
                known = MESSAGES.get(line[:2].decode("ascii", errors="replace"))
                if known is not None:
                    record["code"], record["name"] = known.CODE, known.NAME
                record["raw"] = line.decode(args.encoding, errors="replace")
            print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def _emulator(args: argparse.Namespace) -> int:
    from sip2.emulator import serve_forever  # the emulator loads SQLAlchemy: only this command pays for it

    return serve_forever(host=args.host, port=args.port, db=args.db)


def _client(args: argparse.Namespace) -> int:
    profile = dialect(args.dialect)
    tls = None
    if args.tls or args.ca or args.cert:
        tls = TLSSettings(ca_file=args.ca, cert_file=args.cert, key_file=args.key, verify=not args.insecure)
    client = SIP2Client(
        args.host, args.port, tls=tls,
        settings=profile.settings(encoding=args.encoding, terminator=args.terminator, checksums=args.checksums),
        username=args.user, password=args.password or os.environ.get("SIP2_PASSWORD"),
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
