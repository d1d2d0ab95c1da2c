"""A SIP2 ACS emulator with a demo library: the kiosk's embedded default and its test peer.

    from sip2.emulator import ACSEmulator
    with ACSEmulator(port=0) as emu:
        host, port = emu.address

See docs/emulator.md for the demo accounts and the fault switches.
"""

from sip2.emulator.demo_data import DEMO
from sip2.emulator.faults import Faults
from sip2.emulator.policy import Policy
from sip2.emulator.server import ACSEmulator, serve_forever

__all__ = ["ACSEmulator", "DEMO", "Faults", "Policy", "serve_forever"]
