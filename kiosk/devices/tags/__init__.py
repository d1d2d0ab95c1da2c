"""Library tag data models: decode tag memory to a `TagData`, or say clearly why not.

`decode_tag` picks the model from the DSFID and the data itself: ISO 28560-2 when the DSFID
says so (0x06), ISO 28560-3 when a layout's CRC passes, 3M RFID501 when block 0 has its
marker, and ISO 28560-2 again when the DSFID is unknown (a pad that does not report it) and
the data sets decode. Tags without a CRC are only accepted when their structure is fully
consistent.
"""

from __future__ import annotations

from kiosk.devices.events import TagData
from kiosk.devices.tags import iso28560_2, iso28560_3, rfid501
from kiosk.devices.tags.errors import BlankTag, ContentContinues, TagFormatError
from kiosk.devices.tags.usage import usage_name

__all__ = ["BlankTag", "ContentContinues", "TagFormatError", "decode_tag", "encode_tag", "MODELS"]

MODELS = ("iso28560-3", "iso28560-2", "3m-rfid501")


def decode_tag(uid: str, memory: bytes, dsfid: int | None = None,
               secured: bool | None = None, partial: bool = False) -> TagData:
    """Decode a tag's memory into a TagData; raise TagFormatError (or BlankTag) otherwise.

    `dsfid` None means the pad did not say. `partial` says only the first blocks were read:
    when the data model's content goes on beyond them, ContentContinues asks the caller to
    read more, rather than giving an incomplete answer.
    """
    memory = bytes(memory)
    if rfid501.is_blank(memory):
        raise BlankTag("blank tag (3M blank pattern 0x55)")
    if memory and (memory == bytes(len(memory)) or memory == b"\xff" * len(memory)):
        raise BlankTag("blank tag (memory never written)")
    if dsfid == iso28560_2.DSFID:
        try:
            return _object_tag(uid, iso28560_2.decode(memory, partial), secured)
        except ContentContinues:
            raise
        except TagFormatError as exc:
            danish = _try_danish(uid, memory, secured)
            if danish is None:
                raise TagFormatError(f"DSFID 0x06 but ISO 28560-2 fails: {exc.reason}") from None
            return danish
    danish = _try_danish(uid, memory, secured)
    if danish is not None:
        return danish
    if partial and iso28560_3.may_continue(memory):
        raise ContentContinues("an ISO 28560-3 basic block may continue beyond the blocks read")
    if memory[:1] == bytes([rfid501.MARKER]):
        tag = rfid501.decode(memory)
        return TagData(uid=uid, item_id=tag.item_id, data_model="3m-rfid501",
                       parts_in_item=tag.parts_in_item, part_number=tag.part_number,
                       owner_library=f"{tag.branch}/{tag.library}",
                       type_of_usage=f"3m-item-type-{tag.item_type}", secured=secured)
    if dsfid is None and iso28560_2.starts_with_item_id(memory):
        try:
            return _object_tag(uid, iso28560_2.decode(memory, partial), secured)
        except ContentContinues:
            raise
        except TagFormatError:
            pass
    shown = "unknown" if dsfid is None else f"0x{dsfid:02X}"
    raise TagFormatError(f"unknown data format (DSFID {shown}, first bytes {memory[:4].hex()})")


def _object_tag(uid: str, obj: iso28560_2.ObjectTag, secured: bool | None) -> TagData:
    return TagData(uid=uid, item_id=obj.item_id, data_model="iso28560-2",
                   parts_in_item=obj.parts_in_item, part_number=obj.part_number,
                   owner_library=obj.owner_library, type_of_usage=obj.usage_name,
                   secured=secured)


def _try_danish(uid: str, memory: bytes, secured: bool | None) -> TagData | None:
    try:
        tag = iso28560_3.decode(memory)
    except TagFormatError:
        return None
    return TagData(uid=uid, item_id=tag.item_id, data_model="iso28560-3",
                   parts_in_item=tag.parts_in_item, part_number=tag.part_number,
                   owner_library=tag.owner_library, type_of_usage=usage_name(tag.usage),
                   secured=secured)


def encode_tag(model: str, item_id: str, *, parts: int = 1, part: int = 1, isil: str = "",
               usage: int = 1, block_size: int = 4) -> tuple[bytes, int]:
    """Encode an item for writing: (memory padded to whole blocks, DSFID to set)."""
    if model == "iso28560-3":
        data = iso28560_3.encode(iso28560_3.DanishTag(item_id=item_id, usage=usage,
                                                      parts_in_item=parts, part_number=part,
                                                      owner_library=isil))
        return data + bytes(-len(data) % block_size), 0x00
    if model == "iso28560-2":
        tag = iso28560_2.ObjectTag(item_id=item_id, owner_library=isil, parts_in_item=parts,
                                   part_number=part, usage=usage)
        return iso28560_2.encode(tag, block_size), iso28560_2.DSFID
    if model == "3m-rfid501":
        if isil:
            raise ValueError("RFID501 has no ISIL; it stores branch and library numbers")
        data = rfid501.encode(rfid501.Rfid501Tag(item_id=item_id, part_number=part, parts_in_item=parts))
        return data + bytes(-len(data) % block_size), 0x00
    raise ValueError(f"unknown data model {model!r}; use one of {', '.join(MODELS)}")
