"""The "sim" pad: a 3M 810 emulator in this process, reached through the real 3M framing.

The demo places and removes virtual items through `pad.tag_store` (a TagStore).
"""

from __future__ import annotations

from kiosk.devices.emulators.rfid_3m810 import M3M810Emulator
from kiosk.devices.emulators.serving import LoopbackPort
from kiosk.devices.emulators.tag_store import Faults, TagStore
from kiosk.devices.rfid.config import PadSettings
from kiosk.devices.rfid.reader import OptionalCommands
from kiosk.devices.rfid.reader_3m810 import M3M810Reader


class SimulatedPad:
    """Opens a 3M 810 reader on an in-memory port wired to an emulator; tags survive reopening."""

    def __init__(self, settings: PadSettings) -> None:
        self.settings = settings
        self.store = TagStore()
        self.faults = Faults()
        self.optional = OptionalCommands()

    def __call__(self) -> M3M810Reader:
        emulator = M3M810Emulator(self.store, self.faults)
        return M3M810Reader(LoopbackPort(emulator), self.settings.reply_timeout, optional=self.optional)


def reader_factory(settings: PadSettings) -> SimulatedPad:
    """The opener the pad loop calls (again after every error)."""
    return SimulatedPad(settings)
