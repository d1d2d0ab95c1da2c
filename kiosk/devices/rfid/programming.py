"""Reading and programming library tags on a pad, one tag at a time: the technician's tag tool
(`kiosk tag read|write`) over any `TagReader`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from kiosk.devices.events import TagData
from kiosk.devices.rfid.errors import RfidError
from kiosk.devices.rfid.reader import TagReader
from kiosk.devices.tags import TagFormatError, decode_tag, encode_tag


class TagWriteError(RfidError):
    """A tag was not programmed as asked; the message says why and what to do."""


def describe_tag(reader: TagReader, uid: str, dsfid: int | None) -> dict[str, Any]:
    """What one tag holds: its system information and decoded data (or why it cannot be decoded,
    with its raw memory in hex)."""
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


def program_tag(reader: TagReader, *, item: str, model: str, parts: int = 1, part: int = 1,
                isil: str = "", uid: str | None = None) -> TagData:
    """Write `item` in data model `model` on the one tag on the pad (or the tag `uid`), clear the
    rest of its memory, read it back and check it; raise TagWriteError when it did not hold."""
    uids = [entry.uid for entry in reader.inventory()]
    if uid:
        uid = uid.upper()
        if uid not in uids:
            raise TagWriteError(f"tag {uid} is not on the pad")
    elif len(uids) != 1:
        raise TagWriteError(f"put exactly one tag on the pad (found {len(uids)}), or name it with --uid")
    else:
        uid = uids[0]
    info = reader.system_info(uid)
    data, dsfid = encode_tag(model, item, parts=parts, part=part, isil=isil, block_size=info.block_size)
    if len(data) > info.block_size * info.block_count:
        raise TagWriteError(f"{len(data)} bytes do not fit on the tag ({info.block_count} blocks)")
    # clear the rest of the memory so old data cannot be mistaken for extension blocks
    data += bytes(info.block_size * info.block_count - len(data))
    reader.write_blocks(uid, 0, data)
    if info.dsfid != dsfid:
        reader.write_dsfid(uid, dsfid)
    back_info = reader.system_info(uid)
    back = reader.read_memory(uid, back_info)
    if back != data or back_info.dsfid != dsfid:
        raise TagWriteError(f"verification failed: tag {uid} reads back different bytes or DSFID")
    tag = decode_tag(uid, back, back_info.dsfid)
    if tag.item_id != item:
        raise TagWriteError(f"verification failed: tag {uid} decodes to item {tag.item_id}")
    return tag
