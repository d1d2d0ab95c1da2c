"""SIP2 (3M Standard Interchange Protocol 2.00): codec, framer, client and ACS emulator.

The codec modules (`messages`, `codec`, `framer`, `connection`, `dates`, `checksum`,
`dialects`) are pure: bytes in, typed messages out, no I/O. `client` and `emulator` put
sockets on top. Nothing here imports `kiosk`.
"""

from sip2.checksum import ChecksumMode
from sip2.codec import Received, decode, encode, mask_secrets
from sip2.connection import Connection, ConnectionSettings
from sip2.errors import (
    ChecksumError,
    ClientError,
    CodecError,
    FrameError,
    LoginRefused,
    ProtocolError,
    SIP2Error,
    TimedOut,
    UnknownOutcome,
    Unreachable,
)
from sip2.framer import Framer
from sip2.message import MESSAGES, Message

__all__ = [
    "ChecksumMode", "Received", "decode", "encode", "mask_secrets", "Connection",
    "ConnectionSettings", "ChecksumError", "ClientError", "CodecError", "FrameError",
    "LoginRefused", "ProtocolError", "SIP2Error", "TimedOut", "UnknownOutcome", "Unreachable",
    "Framer", "MESSAGES", "Message",
]
