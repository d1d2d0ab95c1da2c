"""The three CRC-16 variants the RFID readers and tag data models use (pure functions)."""

from __future__ import annotations


def _msb_first_table(poly: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table.append(crc)
    return table


def _lsb_first_table(reflected_poly: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ reflected_poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CCITT = _msb_first_table(0x1021)
_MCRF = _lsb_first_table(0x8408)


def _crc_msb_first(data: bytes, init: int) -> int:
    crc = init
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CCITT[(crc >> 8) ^ byte]
    return crc


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor (ISO 28560-3)."""
    return _crc_msb_first(data, 0xFFFF)


def crc16_genibus(data: bytes) -> int:
    """CRC-16/GENIBUS: as CCITT-FALSE with a final xor of 0xFFFF (3M 810 frames)."""
    return _crc_msb_first(data, 0xFFFF) ^ 0xFFFF


def crc16_mcrf4xx(data: bytes) -> int:
    """CRC-16/MCRF4XX: reflected poly 0x8408, preset 0xFFFF, no final xor (Feig frames)."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ _MCRF[(crc ^ byte) & 0xFF]
    return crc
