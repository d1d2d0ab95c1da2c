"""`kiosk tag read` and `kiosk tag write`: the technician's tag tool against a real or emulated pad
(see `kiosk.devices.rfid.programming`)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from kiosk.config.table import ConfigError
from kiosk.devices.rfid import reader_factory
from kiosk.devices.rfid.config import parse_settings
from kiosk.devices.rfid.errors import RfidError
from kiosk.devices.rfid.programming import TagWriteError, describe_tag, program_tag
from kiosk.devices.rfid.reader import TagReader
from kiosk.devices.tags import MODELS

READER_DRIVERS = ("3m810", "feig")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `kiosk tag read|write` to the `kiosk` command."""
    tag = subparsers.add_parser("tag", help="read or program library RFID tags on a pad")
    actions = tag.add_subparsers(dest="tag_command", required=True)

    read = actions.add_parser("read", help="decode every tag on the pad")
    _reader_options(read)
    read.add_argument("--json", action="store_true", help="one JSON object per tag")
    read.set_defaults(func=_read_command)

    write = actions.add_parser("write", help="program the one tag on the pad, then verify it")
    _reader_options(write)
    write.add_argument("--item", required=True, help="primary item id (the barcode)")
    write.add_argument("--model", choices=MODELS, default="iso28560-3", help="data model (default iso28560-3)")
    write.add_argument("--parts", type=int, default=1, help="parts in the item (default 1)")
    write.add_argument("--part", type=int, default=1, help="number of this part (default 1)")
    write.add_argument("--isil", default="", help="owner library ISIL, e.g. DK-710100")
    write.add_argument("--uid", help="tag to write when several are on the pad")
    write.set_defaults(func=_write_command)


def _reader_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", required=True, help="serial port or URL (socket://127.0.0.1:PORT)")
    parser.add_argument("--driver", choices=READER_DRIVERS, default="3m810", help="reader model (default 3m810)")
    parser.add_argument("--baudrate", type=int, help="override the reader's default rate")
    parser.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for a reply (default 1)")


def _open(args: argparse.Namespace) -> TagReader | None:
    """The reader the arguments name, or None once it has said why it cannot be opened."""
    table: dict[str, Any] = {"driver": args.driver, "port": args.port, "reply_timeout": args.timeout}
    if args.baudrate:
        table["baudrate"] = args.baudrate
    try:
        return reader_factory(parse_settings(table))()
    except (OSError, ConfigError) as exc:
        print(f"cannot open the reader: {exc}")
        return None


def _read_command(args: argparse.Namespace) -> int:
    reader = _open(args)
    if reader is None:
        return 2
    try:
        entries = reader.inventory()
        if not entries and not args.json:
            print("no tags on the pad")
        for entry in entries:
            try:
                report = describe_tag(reader, entry.uid, entry.dsfid)
            except RfidError as exc:
                report = {"uid": entry.uid, "error": f"could not read: {exc}"}
            print(json.dumps(report) if args.json else _text(report))
        return 0
    except RfidError as exc:
        print(f"reader error: {exc}")
        return 1
    finally:
        reader.close()


def _text(report: dict[str, Any]) -> str:
    head = f"{report['uid']}  AFI {_hex(report.get('afi'))}  DSFID {_hex(report.get('dsfid'))}"
    if "tag" in report:
        tag = report["tag"]
        return (f"{head}  {tag['data_model']}  item {tag['item_id']}  part {tag['part_number']}/"
                f"{tag['parts_in_item']}  owner {tag['owner_library'] or '-'}  {tag['type_of_usage']}")
    return f"{head}  UNREADABLE: {report['error']}" + (f"  memory {report['memory']}" if "memory" in report else "")


def _hex(value: int | None) -> str:
    return "??" if value is None else f"{value:02X}"  # None: the pad does not say


def _write_command(args: argparse.Namespace) -> int:
    reader = _open(args)
    if reader is None:
        return 2
    try:
        tag = program_tag(reader, item=args.item, model=args.model, parts=args.parts, part=args.part,
                          isil=args.isil, uid=args.uid)
    except TagWriteError as exc:
        print(exc)
        return 1
    except (RfidError, ValueError) as exc:
        print(f"write failed: {exc}")
        return 1
    finally:
        reader.close()
    print(f"wrote and verified {tag.uid}: {tag.data_model} item {tag.item_id} part {tag.part_number}/{tag.parts_in_item}")
    return 0
