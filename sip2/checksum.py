"""SIP2 error detection: the AZ checksum and the AY sequence number."""

from __future__ import annotations

import enum


class ChecksumMode(enum.Enum):
    """What a connection does with checksums: send and require, send nothing, or check when present."""

    ON = "on"
    OFF = "off"
    VERIFY_IF_PRESENT = "verify"


def checksum(data: bytes) -> str:
    """The 4 hex digits that make the byte sum of `data` plus the checksum 0 modulo 65536.

    `data` runs from the message's first character through the letters `AZ`.
    """
    return f"{(-sum(data)) & 0xFFFF:04X}"


def checksum_matches(data: bytes, digits: bytes) -> bool:
    """Whether `digits` (upper- or lower-case hex) is the checksum of `data`."""
    return (sum(data) + int(digits, 16)) & 0xFFFF == 0


def next_sequence(sequence: int) -> int:
    """The sequence number after `sequence`: 0-9, wrapping to 0."""
    return (sequence + 1) % 10
