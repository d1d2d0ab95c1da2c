"""SIP2 (3M Standard Interchange Protocol 2.00): codec, framer, client and ACS emulator.

The codec modules (`messages`, `codec`, `framer`, `connection`, `dates`, `checksum`,
`dialects`) are pure: bytes in, typed messages out, no I/O. `client` and `emulator` put
sockets on top. Nothing here imports `kiosk`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Where each name of the package lives. They load on first use: a program that needs only
# `sip2.charsets` or `sip2.dialects` (checking a configuration) does not pay for every message class.
_HOMES = {
    "ChecksumMode": "sip2.checksum", "Received": "sip2.codec", "decode": "sip2.codec",
    "encode": "sip2.codec", "mask_secrets": "sip2.codec", "Connection": "sip2.connection",
    "ConnectionSettings": "sip2.connection", "ChecksumError": "sip2.errors", "ClientError": "sip2.errors",
    "CodecError": "sip2.errors", "FrameError": "sip2.errors", "LoginRefused": "sip2.errors",
    "ProtocolError": "sip2.errors", "SIP2Error": "sip2.errors", "TimedOut": "sip2.errors",
    "UnknownOutcome": "sip2.errors", "Unreachable": "sip2.errors", "Framer": "sip2.framer",
    "MESSAGES": "sip2.codec", "Message": "sip2.codec",  # the codec registers every message class
}

__all__ = [
    "ChecksumMode", "Received", "decode", "encode", "mask_secrets", "Connection",
    "ConnectionSettings", "ChecksumError", "ClientError", "CodecError", "FrameError",
    "LoginRefused", "ProtocolError", "SIP2Error", "TimedOut", "UnknownOutcome", "Unreachable",
    "Framer", "MESSAGES", "Message",
]

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    """`sip2.X` for the names above, imported from their module the first time they are asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sip2' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
