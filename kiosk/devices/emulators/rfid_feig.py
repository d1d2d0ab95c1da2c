"""Emulated Feig reader (ISO host protocol): real frames on a pty or TCP port, virtual tags inside.

With `strict` (`--strict` on the command line) it answers only the ISO host commands the
driver needs from Feig's manuals (B0 01 inventory, B0 23 read, B0 24 write, B0 27 write AFI,
B0 2B system info) and refuses every other one with status 80 (unknown command).

Run `python -m kiosk.devices.emulators.rfid_feig --help` for the bench-test program.
"""

from __future__ import annotations

import sys

from kiosk.devices.emulators.serving import ReaderEmulator, run_cli
from kiosk.devices.emulators.tag_store import VirtualTag
from kiosk.devices.rfid import protocol_feig as p
from kiosk.devices.rfid.framing import Deframer
from kiosk.devices.rfid.protocol_3m810 import uid_bytes, uid_text

ADDRESS = 0x00
MAX_TAGS_PER_REPLY = 24  # more tags than this take a "more data" round, as on the real reader
ISO_ERROR_NOT_SUPPORTED = 0x0F
ISO_ERROR_LOCKED = 0x12
WRITE_ERROR = 0x03
DOCUMENTED = frozenset({p.INVENTORY, p.READ, p.WRITE, p.WRITE_AFI, p.SYSTEM_INFO})


class FeigEmulator(ReaderEmulator[p.Frame]):
    """Answers Feig ISO-host requests from the tag store."""

    default_baudrate = 38400

    def __init__(self, *args, address: int = ADDRESS, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.address = address
        self.documented = DOCUMENTED  # what strict mode answers; a bench test may narrow it
        self._unsent: list[VirtualTag] = []

    def new_deframer(self) -> Deframer[p.Frame]:
        """Feig requests share the reply layout."""
        return p.deframer()

    def frame_size(self, frame: p.Frame) -> int:
        """LEN, ADR, command, data, CRC (2)."""
        return len(frame.data) + 5

    def _reply(self, command: int, status: int, data: bytes = b"") -> bytes:
        return p.encode_frame(self.address, command, bytes([status]) + data)

    def handle(self, frame: p.Frame) -> bytes:
        """Dispatch one request."""
        if self.strict and not (frame.command == p.ISO_COMMAND and frame.data[:1]
                                and frame.data[0] in self.documented):
            return self._reply(frame.command, p.UNKNOWN_COMMAND)
        if frame.command == p.ISO_COMMAND and frame.data:
            return self._iso(frame.data[0], frame.data[1:])
        if frame.command == p.CUSTOM_COMMAND and len(frame.data) >= 11:
            return self._custom(frame.data)
        return self._reply(frame.command, p.ISO_ERROR, bytes([ISO_ERROR_NOT_SUPPORTED]))

    def _inventory(self, mode: int) -> bytes:
        if not mode & p.MODE_MORE:
            self._unsent = self.store.tags()
        batch, self._unsent = self._unsent[:MAX_TAGS_PER_REPLY], self._unsent[MAX_TAGS_PER_REPLY:]
        if not batch:
            return self._reply(p.ISO_COMMAND, p.NO_TAG)
        entries = b"".join(bytes([p.TR_TYPE_ISO15693, t.dsfid]) + uid_bytes(t.uid) for t in batch)
        status = p.MORE_DATA if self._unsent else p.OK
        return self._reply(p.ISO_COMMAND, status, bytes([len(batch)]) + entries)

    def _iso(self, sub: int, args: bytes) -> bytes:
        if sub == p.INVENTORY:
            return self._inventory(args[0] if args else 0)
        if len(args) < 9 or args[0] != p.MODE_ADDRESSED:
            return self._reply(p.ISO_COMMAND, p.ISO_ERROR, bytes([ISO_ERROR_NOT_SUPPORTED]))
        tag = self.store.get(uid_text(args[1:9]))
        if tag is None:
            return self._reply(p.ISO_COMMAND, p.NO_TAG)
        rest = args[9:]
        if sub == p.READ and len(rest) >= 2:
            first, count = rest[0], rest[1]
            data = tag.read(first, count)
            if data is None:
                return self._reply(p.ISO_COMMAND, p.ISO_ERROR, bytes([ISO_ERROR_NOT_SUPPORTED]))
            size = tag.block_size
            blocks = b"".join(b"\x00" + data[n * size:(n + 1) * size][::-1] for n in range(count))
            return self._reply(p.ISO_COMMAND, p.OK, bytes([count, size]) + blocks)
        if sub == p.WRITE and len(rest) >= 3:
            first, count, size = rest[0], rest[1], rest[2]
            payload = rest[3:]
            data = b"".join(payload[n * size:(n + 1) * size][::-1] for n in range(count))
            if size != tag.block_size or len(payload) != count * size or not tag.write(first, data):
                return self._reply(p.ISO_COMMAND, WRITE_ERROR)
            return self._reply(p.ISO_COMMAND, p.OK)
        if sub == p.WRITE_AFI and rest:
            if tag.afi_locked:
                return self._reply(p.ISO_COMMAND, p.ISO_ERROR, bytes([ISO_ERROR_LOCKED]))
            if not tag.ignores_writes:
                tag.afi = rest[0]
            return self._reply(p.ISO_COMMAND, p.OK)
        if sub == p.WRITE_DSFID and rest:
            if not tag.ignores_writes:
                tag.dsfid = rest[0]
            return self._reply(p.ISO_COMMAND, p.OK)
        if sub == p.SYSTEM_INFO:
            info = (bytes([tag.dsfid]) + uid_bytes(tag.uid)
                    + bytes([tag.afi, tag.block_size - 1, tag.block_count - 1, 0x01]))
            return self._reply(p.ISO_COMMAND, p.OK, info)
        return self._reply(p.ISO_COMMAND, p.ISO_ERROR, bytes([ISO_ERROR_NOT_SUPPORTED]))

    def _custom(self, data: bytes) -> bytes:
        manufacturer, command, mode = data[0], data[1], data[2]
        tag = self.store.get(uid_text(data[3:11]))
        if manufacturer != p.NXP or mode != p.MODE_ADDRESSED:
            return self._reply(p.CUSTOM_COMMAND, p.ISO_ERROR, bytes([ISO_ERROR_NOT_SUPPORTED]))
        if tag is None:
            return self._reply(p.CUSTOM_COMMAND, p.NO_TAG)
        if command in (p.NXP_SET_EAS, p.NXP_RESET_EAS):
            if not tag.ignores_writes:
                tag.eas = command == p.NXP_SET_EAS
            return self._reply(p.CUSTOM_COMMAND, p.OK)
        if command == p.NXP_EAS_ALARM:
            # a tag answers the EAS alarm only while its EAS bit is set
            return self._reply(p.CUSTOM_COMMAND, p.OK, bytes(32)) if tag.eas else self._reply(p.CUSTOM_COMMAND, p.NO_TAG)
        return self._reply(p.CUSTOM_COMMAND, p.ISO_ERROR, bytes([ISO_ERROR_NOT_SUPPORTED]))


def main(argv: list[str] | None = None) -> int:
    """Bench-test program: a Feig reader on a pty (or TCP port) with tags managed from stdin."""
    return run_cli(FeigEmulator, "Feig ISO-host reader emulator", argv)


if __name__ == "__main__":
    sys.exit(main())
