"""One family of errors for everything SIP2, each with a message a technician understands."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the messages are only named here, in type hints
    from sip2.message import Message
    from sip2.messages import ItemInformationResponse


class SIP2Error(Exception):
    """Base of every error raised by the `sip2` package."""


class CodecError(SIP2Error):
    """Bytes that are not a valid SIP2 message, or a message that cannot be encoded."""


class FrameError(CodecError):
    """The byte stream itself is broken (a message too long, no terminator in sight)."""


class ChecksumError(CodecError):
    """A message whose AZ checksum is wrong or missing where checksums are required."""


class ClientError(SIP2Error):
    """Base of the errors the client raises while talking to an ACS."""


class Unreachable(ClientError):
    """The ACS could not be reached (connection refused, DNS, TLS handshake failure)."""


class TimedOut(ClientError):
    """The ACS did not answer within the configured timeout."""


class LoginRefused(ClientError):
    """The ACS answered the 93 login with ok = 0: wrong SIP2 user id, password or location."""


class ProtocolError(ClientError):
    """The ACS answered, but with something a SIP2 client cannot use."""


class UnknownOutcome(ClientError):
    """A checkout or renew was sent but its result could not be learnt.

    The request may or may not have been applied by the ACS. `request` is the message that
    was sent; `item_status` is the 18 reply to the follow-up 17 item information query when
    one could be obtained (None otherwise), so the caller can reconcile.
    """

    def __init__(self, message: str, request: Message, item_status: ItemInformationResponse | None = None) -> None:
        super().__init__(message)
        self.request = request
        self.item_status = item_status
