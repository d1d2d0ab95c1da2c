"""One SIP2 connection's protocol state, without I/O: settings, sequence numbers, checksum policy.

The client and the ACS emulator each keep one `Connection` per socket: bytes read go in
with `receive_data`, messages come out of `next_received`; messages to send go through
`send` (or `reply` on the ACS side) and come out as bytes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from sip2.charsets import check_encoding
from sip2.checksum import ChecksumMode, SequenceCheck, next_sequence, reply_answers
from sip2.codec import Received, decode, encode
from sip2.errors import ChecksumError, CodecError
from sip2.framer import DEFAULT_MAX_LENGTH, Framer
from sip2.message import Message
from sip2.messages import RequestACSResend, RequestSCResend

TERMINATORS: dict[str, bytes] = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n"}


@dataclass(frozen=True)
class ConnectionSettings:
    """How one side speaks SIP2 on one connection.

    `checksums`: ON sends AY/AZ and requires them; VERIFY_IF_PRESENT sends them and checks
    those that arrive; OFF sends none and ignores any. `send_empty` maps a message code to
    optional field ids sent empty when absent (dialects whose ACS insists on them).
    `sequence_check` says which replies count as the answer to a request by their AY.
    """

    encoding: str = "utf-8"
    terminator: bytes = b"\r"
    checksums: ChecksumMode = ChecksumMode.VERIFY_IF_PRESENT
    send_empty: Mapping[str, Collection[str]] = field(default_factory=dict)
    max_length: int = DEFAULT_MAX_LENGTH
    sequence_check: SequenceCheck = SequenceCheck.MATCH

    def __post_init__(self) -> None:
        check_encoding(self.encoding)
        if self.terminator not in TERMINATORS.values():
            raise CodecError(f"terminator must be CR, LF or CRLF, got {self.terminator!r}")


class Connection:
    """Protocol state of one SIP2 connection, for either side."""

    def __init__(self, settings: ConnectionSettings | None = None) -> None:
        self.settings = settings or ConnectionSettings()
        self._framer = Framer(self.settings.max_length)
        self._sequence = -1  # the first request goes out with 0
        self.last_sent: bytes | None = None
        self.last_received: bytes | None = None  # the last whole line read, even one that failed

    @property
    def error_detection(self) -> bool:
        """Whether messages sent on this connection carry AY/AZ."""
        return self.settings.checksums is not ChecksumMode.OFF

    def encode(self, message: Message, sequence: int | None) -> bytes:
        """Encode with this connection's settings; `sequence` None sends a plain AZ (96/97)."""
        s = self.settings
        return encode(message, encoding=s.encoding, terminator=s.terminator,
                      error_detection=self.error_detection,
                      sequence=sequence if self.error_detection else None,
                      send_empty=s.send_empty.get(message.CODE, ()))

    def send(self, message: Message) -> bytes:
        """Bytes for a request, with the next sequence number (0-9, wrapping)."""
        if isinstance(message, (RequestSCResend, RequestACSResend)):
            return self.encode(message, None)
        self._sequence = next_sequence(self._sequence)
        self.last_sent = self.encode(message, self._sequence)
        return self.last_sent

    def reply(self, message: Message, to: Received | None) -> bytes:
        """Bytes for a reply, carrying the sequence number of the request it answers."""
        if isinstance(message, (RequestSCResend, RequestACSResend)):
            return self.encode(message, None)
        sequence = to.sequence if to is not None and to.sequence is not None else 0
        self.last_sent = self.encode(message, sequence)
        return self.last_sent

    def answers_last_request(self, received: Received, *, resent: bool = False) -> bool:
        """Whether a reply's AY fits the last request sent (a stale reply from an earlier,
        timed-out request does not); `resent`: it came after a 97."""
        sent = self._sequence if self.error_detection and self._sequence >= 0 else None
        return reply_answers(self.settings.sequence_check, sent, received.sequence, resent=resent)

    def resend_request(self) -> bytes:
        """Bytes asking the peer to send its last message again (97 from the SC side)."""
        return self.encode(RequestACSResend(), None)

    def receive_data(self, data: bytes) -> None:
        """Add bytes read from the socket."""
        self._framer.feed(data)

    def next_received(self) -> Received | None:
        """The next whole message, or None if more bytes are needed.

        Raises FrameError for an over-long message, CodecError for one that cannot be
        decoded, ChecksumError when the checksum policy refuses it (the message is lost
        either way; the caller decides whether to ask for a resend).
        """
        line = self._framer.next_message()
        if line is None:
            return None
        self.last_received = line
        received = decode(line, encoding=self.settings.encoding)
        mode = self.settings.checksums
        if mode is not ChecksumMode.OFF:
            if received.checksum == "bad":
                raise ChecksumError(f"checksum does not match in {received.message.NAME} "
                                    f"({received.message.CODE})")
            if received.checksum == "absent" and mode is ChecksumMode.ON \
                    and not isinstance(received.message, (RequestSCResend, RequestACSResend)):
                raise ChecksumError(f"{received.message.NAME} ({received.message.CODE}) has no "
                                    "checksum, and checksums are required on this connection")
        return received
