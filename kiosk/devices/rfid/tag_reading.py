"""Reading an item's tag with the required commands only: the first blocks, more when asked.

A pad that does not offer system information leaves the DSFID and the memory size unknown;
the first read is the one every pad answers (8 blocks from block 0), and further blocks are
read only when the tag's data model says its content goes on beyond what was read.
"""

from __future__ import annotations

import logging

from kiosk.devices.events import TagData
from kiosk.devices.rfid.errors import NoTag, ReaderError, RfidError
from kiosk.devices.rfid.reader import SystemInfo, TagReader
from kiosk.devices.tags import ContentContinues, TagFormatError, decode_tag

log = logging.getLogger(__name__)
FIRST_BLOCKS = 8  # the read a real 3M 810 pad is seen to answer: 8 blocks from block 0
MAX_BLOCKS = 256  # block numbers are one byte in every read request


def optional_info(reader: TagReader, uid: str) -> SystemInfo | None:
    """The tag's system information, or None when the pad does not give it (NoTag still raised)."""
    try:
        return reader.system_info(uid)
    except NoTag:
        raise
    except RfidError as exc:  # refused, failed or silent: the required commands still read the item
        log.debug("no system information for %s: %s", uid, exc)
        return None


def read_item(reader: TagReader, uid: str, *, info: SystemInfo | None, dsfid: int | None,
              secured: bool | None = None, first_blocks: int = FIRST_BLOCKS,
              blocks_per_read: int = 32) -> tuple[TagData | TagFormatError, bytes]:
    """Read and decode a tag: (the item, or why it does not decode; the bytes read)."""
    end = info.block_count if info is not None else None
    count = min(first_blocks, end) if end is not None else first_blocks
    memory = reader.read_blocks(uid, 0, count)
    block_size, done = len(memory) // count, count
    while True:
        try:
            return decode_tag(uid, memory, dsfid, secured, partial=end is None or done < end), memory
        except ContentContinues:
            pass
        except TagFormatError as exc:
            return exc, memory
        if end is not None:
            more = reader.read_blocks(uid, done, min(blocks_per_read, end - done))
        else:
            more = _read_while_there(reader, uid, done, min(first_blocks, MAX_BLOCKS - done))
        if not more:
            end = done  # the memory ends here: decide on what there is
            continue
        memory += more
        done += len(more) // block_size
        if done >= MAX_BLOCKS:
            end = done


def _read_while_there(reader: TagReader, uid: str, first: int, count: int) -> bytes:
    """Up to `count` blocks from `first` of a tag of unknown size; b"" past its last block."""
    while count >= 1:
        try:
            return reader.read_blocks(uid, first, count)
        except NoTag:
            raise
        except ReaderError:  # beyond the memory: ask for fewer blocks
            count //= 2
    return b""
