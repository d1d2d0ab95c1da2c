"""Reading and programming library tags on a pad, one tag at a time: the technician's tag tool
(`kiosk tag read|write`) over any `TagReader`, with the commands every pad answers (system
information and DSFID writes only where the pad offers them)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from kiosk.devices.events import TagData
from kiosk.devices.rfid.errors import NoTag, RfidError, Unsupported
from kiosk.devices.rfid.reader import SystemInfo, TagReader
from kiosk.devices.rfid.tag_reading import optional_info, read_item
from kiosk.devices.tags import TagFormatError, decode_tag, encode_tag


class TagWriteError(RfidError):
    """A tag was not programmed as asked; the message says why and what to do."""


def describe_tag(reader: TagReader, uid: str, dsfid: int | None) -> dict[str, Any]:
    """What one tag holds: its system information where the pad gives it (None where it does not)
    and decoded data (or why it cannot be decoded, with the raw memory read in hex)."""
    info = optional_info(reader, uid)
    if info is not None and info.dsfid is not None:
        dsfid = info.dsfid
    afi = info.afi if info is not None and info.afi is not None else _afi_or_none(reader, uid)
    outcome, memory = read_item(reader, uid, info=info, dsfid=dsfid)
    report: dict[str, Any] = {"uid": uid, "dsfid": dsfid, "afi": afi,
                              "blocks": info.block_count if info else None,
                              "block_size": info.block_size if info else None}
    if isinstance(outcome, TagFormatError):
        report["error"] = outcome.reason
        report["memory"] = memory.hex()
    else:
        report["tag"] = asdict(outcome)
    return report


def _afi_or_none(reader: TagReader, uid: str) -> int | None:
    try:
        return reader.get_afi(uid)
    except NoTag:
        raise
    except RfidError:  # shown as unknown; the item itself may still read
        return None


def program_tag(reader: TagReader, *, item: str, model: str, parts: int = 1, part: int = 1,
                isil: str = "", uid: str | None = None) -> TagData:
    """Write `item` in data model `model` on the one tag on the pad (or the tag `uid`), clear the
    rest of its memory where its size is known, read it back and check it; raise TagWriteError
    when it did not hold."""
    uids = [entry.uid for entry in reader.inventory()]
    if uid:
        uid = uid.upper()
        if uid not in uids:
            raise TagWriteError(f"tag {uid} is not on the pad")
    elif len(uids) != 1:
        raise TagWriteError(f"put exactly one tag on the pad (found {len(uids)}), or name it with --uid")
    else:
        uid = uids[0]
    info = optional_info(reader, uid)
    block_size = info.block_size if info else len(reader.read_blocks(uid, 0, 1))
    data, dsfid = encode_tag(model, item, parts=parts, part=part, isil=isil, block_size=block_size)
    if info is not None:
        if len(data) > info.block_size * info.block_count:
            raise TagWriteError(f"{len(data)} bytes do not fit on the tag ({info.block_count} blocks)")
        # clear the rest of the memory so old data cannot be mistaken for extension blocks
        data += bytes(info.block_size * info.block_count - len(data))
    if info is None or info.dsfid != dsfid:
        try:  # before the data, so a pad that cannot set the DSFID leaves the tag as it was
            reader.write_dsfid(uid, dsfid)
        except Unsupported as exc:
            if dsfid:
                raise TagWriteError(f"this pad cannot set the DSFID 0x{dsfid:02X} that {model} needs: {exc}") from None
    reader.write_blocks(uid, 0, data)
    written = SystemInfo(uid, dsfid, None, block_size, len(data) // block_size)
    back = reader.read_memory(uid, written)
    back_info = optional_info(reader, uid)
    if back != data or (back_info is not None and back_info.dsfid != dsfid):
        raise TagWriteError(f"verification failed: tag {uid} reads back different bytes or DSFID")
    tag = decode_tag(uid, back, dsfid)
    if tag.item_id != item:
        raise TagWriteError(f"verification failed: tag {uid} decodes to item {tag.item_id}")
    return tag
