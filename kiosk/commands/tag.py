"""Technicians' tag tool: `kiosk tag read` and `kiosk tag write` against a real or emulated pad."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from kiosk.config.table import ConfigError
from kiosk.devices.rfid.config import parse_settings
from kiosk.devices.rfid.errors import RfidError
from kiosk.devices.rfid.reader import TagReader
from kiosk.devices.tags import MODELS, TagFormatError, decode_tag, encode_tag

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


def _open(args: argparse.Namespace) -> TagReader:
    from kiosk.devices.rfid import reader_factory

    table: dict[str, Any] = {"driver": args.driver, "port": args.port, "reply_timeout": args.timeout}
    if args.baudrate:
        table["baudrate"] = args.baudrate
    return reader_factory(parse_settings(table))()


def _describe(reader: TagReader, uid: str, dsfid: int | None) -> dict[str, Any]:
    info = reader.system_info(uid)
    memory = reader.read_memory(uid, info)
    report: dict[str, Any] = {"uid": uid, "dsfid": info.dsfid if info.dsfid is not None else dsfid,
                              "afi": info.afi, "blocks": info.block_count,
                              "block_size": info.block_size}
    try:
        report["tag"] = asdict(decode_tag(uid, memory, report["dsfid"]))
    except TagFormatError as exc:
        report["error"] = exc.reason
        report["memory"] = memory.hex()
    return report


def _read_command(args: argparse.Namespace) -> int:
    try:
        reader = _open(args)
    except (OSError, ConfigError) as exc:
        print(f"cannot open the reader: {exc}")
        return 2
    try:
        entries = reader.inventory()
        if not entries and not args.json:
            print("no tags on the pad")
        for entry in entries:
            try:
                report = _describe(reader, entry.uid, entry.dsfid)
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
    head = f"{report['uid']}  AFI {report.get('afi', 0) or 0:02X}  DSFID {report.get('dsfid') or 0:02X}"
    if "tag" in report:
        tag = report["tag"]
        return (f"{head}  {tag['data_model']}  item {tag['item_id']}  part {tag['part_number']}/"
                f"{tag['parts_in_item']}  owner {tag['owner_library'] or '-'}  {tag['type_of_usage']}")
    return f"{head}  UNREADABLE: {report['error']}" + (f"  memory {report['memory']}" if "memory" in report else "")


def _write_command(args: argparse.Namespace) -> int:
    try:
        reader = _open(args)
    except (OSError, ConfigError) as exc:
        print(f"cannot open the reader: {exc}")
        return 2
    try:
        return _write(reader, args)
    except (RfidError, ValueError) as exc:
        print(f"write failed: {exc}")
        return 1
    finally:
        reader.close()


def _write(reader: TagReader, args: argparse.Namespace) -> int:
    uids = [entry.uid for entry in reader.inventory()]
    if args.uid:
        uid = args.uid.upper()
        if uid not in uids:
            print(f"tag {uid} is not on the pad")
            return 1
    elif len(uids) != 1:
        print(f"put exactly one tag on the pad (found {len(uids)}), or name it with --uid")
        return 1
    else:
        uid = uids[0]
    info = reader.system_info(uid)
    data, dsfid = encode_tag(args.model, args.item, parts=args.parts, part=args.part,
                             isil=args.isil, block_size=info.block_size)
    if len(data) > info.block_size * info.block_count:
        print(f"{len(data)} bytes do not fit on the tag ({info.block_count} blocks)")
        return 1
    # clear the rest of the memory so old data cannot be mistaken for extension blocks
    data += bytes(info.block_size * info.block_count - len(data))
    reader.write_blocks(uid, 0, data)
    if info.dsfid != dsfid:
        reader.write_dsfid(uid, dsfid)
    back_info = reader.system_info(uid)
    back = reader.read_memory(uid, back_info)
    if back != data or back_info.dsfid != dsfid:
        print(f"verification failed: tag {uid} reads back different bytes or DSFID")
        return 1
    tag = decode_tag(uid, back, back_info.dsfid)
    if tag.item_id != args.item:
        print(f"verification failed: tag {uid} decodes to item {tag.item_id}")
        return 1
    print(f"wrote and verified {uid}: {tag.data_model} item {tag.item_id} part {tag.part_number}/{tag.parts_in_item}")
    return 0
