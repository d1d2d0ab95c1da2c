"""Emulated 3M 810 / Model 210 pad: the real frames on a pty or TCP port, virtual tags inside.

With `strict` (`--strict` on the command line) it answers only what public captures of a
real pad show (the D5 probe, FE inventory, 02 read, 04 write, 0A get AFI, 09 write AFI) and
refuses every other command with status 02, as a pad that does not know it would.

Run `python -m kiosk.devices.emulators.rfid_3m810 --help` for the bench-test program.
"""

from __future__ import annotations

import sys

from kiosk.devices.emulators.serving import ReaderEmulator, run_cli
from kiosk.devices.emulators.tag_store import VirtualTag
from kiosk.devices.rfid import protocol_3m810 as p
from kiosk.devices.rfid.framing import Deframer

STATUS_ERROR = 0x01  # any non-zero status that is not "no transponder"
VERSION_REPLY = bytes([0x00, 0x0A, 0x05, 0x02, 0x1B])  # vendor 0A, version 5.2.27
HARDWARE_VERSION = bytes([0x0A, 0x05, 0x00, 0x02])  # as a captured pad answers the D5 probe
CAPTURED = frozenset({p.INVENTORY, p.READ, p.WRITE, p.GET_AFI, p.WRITE_AFI})


class M3M810Emulator(ReaderEmulator[p.Frame]):
    """Answers 3M 810 requests from the tag store."""

    default_baudrate = 19200

    def new_deframer(self) -> Deframer[p.Frame]:
        """3M request frames look like reply frames."""
        return p.deframer()

    def frame_size(self, frame: p.Frame) -> int:
        """D6, LEN (2), command, data, BCC (2)."""
        return len(frame.data) + 6

    def handle(self, frame: p.Frame) -> bytes:
        """Dispatch one request."""
        command, data = frame.command, frame.data
        if frame.start == p.PROBE_START:
            return self._probe(frame)
        if self.strict and command not in CAPTURED:
            return p.encode_frame(command, bytes([p.STATUS_NOT_SUPPORTED]))
        if command == p.INVENTORY:
            return self._inventory(data)
        if command == p.VERSION:
            return p.encode_frame(command, VERSION_REPLY)
        if len(data) < 8:
            return p.encode_frame(command, bytes([STATUS_ERROR]))
        uid_raw, args = data[:8], data[8:]
        tag = self.store.get(p.uid_text(uid_raw))
        if tag is None:
            return p.encode_frame(command, bytes([p.STATUS_NO_TAG]) + uid_raw)
        reply = self._addressed(command, tag, args)
        if reply is None:
            return p.encode_frame(command, bytes([STATUS_ERROR]) + uid_raw)
        return p.encode_frame(command, bytes([p.STATUS_OK]) + uid_raw + reply)

    def _probe(self, frame: p.Frame) -> bytes:
        if frame.command == p.PROBE and frame.data == p.PROBE_VERSION:
            return p.encode_frame(p.PROBE, p.PROBE_VERSION + HARDWARE_VERSION, p.PROBE_START)
        return p.encode_frame(frame.command, bytes([p.STATUS_NOT_SUPPORTED]), p.PROBE_START)

    def _inventory(self, data: bytes) -> bytes:
        afi, options = (data[0], data[1]) if len(data) >= 2 else (0, p.INVENTORY_OPTIONS)
        tags = [t for t in self.store.tags() if afi == 0 or t.afi == afi]
        entries = b"".join((bytes([t.dsfid]) if options & p.OPT_DSFID else b"")
                           + (p.uid_bytes(t.uid) if options & p.OPT_UID else b"") for t in tags)
        return p.encode_frame(p.INVENTORY, bytes([p.STATUS_OK, afi, options, len(tags)]) + entries)

    def _addressed(self, command: int, tag: VirtualTag, args: bytes) -> bytes | None:
        if command == p.READ and len(args) >= 2:
            first, count = args[0], args[1]
            data = tag.read(first, count)
            if data is None:
                return None
            return bytes([count]) + b"".join(
                (first + n).to_bytes(2, "little") + data[n * 4:(n + 1) * 4] for n in range(count))
        if command == p.WRITE and len(args) >= 3:
            first, count, payload = args[0], args[1], args[3:]
            if len(payload) != count * 4 or not tag.write(first, payload):
                return None
            return bytes([first + count])
        if command == p.GET_AFI:
            return bytes([tag.afi])
        if command == p.WRITE_AFI and args:
            if tag.afi_locked:
                return None
            if not tag.ignores_writes:
                tag.afi = args[0]
            return b""
        if command == p.LOCK_AFI:
            tag.afi_locked = True
            return b""
        if command == p.CHECK_EAS:
            return bytes([int(tag.eas)])
        if command == p.EAS_CONTROL and args:
            if not tag.ignores_writes:
                tag.eas = bool(args[0])
            return b""
        if command == p.WRITE_DSFID and args:
            if not tag.ignores_writes:
                tag.dsfid = args[0]
            return b""
        if command == p.GET_DSFID:
            return bytes([tag.dsfid])
        if command == p.TAG_INFO and args:
            wanted = args[0] & (p.INFO_DSFID | p.INFO_AFI | p.INFO_MEMORY)
            out = bytes([wanted])
            if wanted & p.INFO_DSFID:
                out += bytes([tag.dsfid])
            if wanted & p.INFO_AFI:
                out += bytes([tag.afi])
            if wanted & p.INFO_MEMORY:
                out += bytes([tag.block_size - 1, tag.block_count - 1])
            return out
        return None


def main(argv: list[str] | None = None) -> int:
    """Bench-test program: a 3M 810 pad on a pty (or TCP port) with tags managed from stdin."""
    return run_cli(M3M810Emulator, "3M 810 pad emulator", argv)


if __name__ == "__main__":
    sys.exit(main())
