"""Replay what a real ACS once said: a capture of requests and replies, served on 127.0.0.1.

A capture file holds `> request` and `< reply` lines (and `#` comments), byte for byte as a
TCP proxy saw them. `CapturedACS` answers each request with the captured reply of the same
request (same message, patron, PIN, item, summary; dates differ), taking the next one in
the capture's order, so a conversation that moves on (checked out, then renewed, then
returned) gets the replies that did. A request the capture has no reply to closes the
connection: that is how the captured server answered a return of an unknown item.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sip2.codec import Received, decode, encode
from sip2.message import Message

from tests.sip2.scripted_acs import ScriptedACS

DATA = Path(__file__).resolve().parent / "data"
# The request fields that say what is asked (dates and sequence numbers do not).
_KEY_FIELDS = ("login_user_id", "login_password", "patron_id", "patron_password", "item_id",
               "summary", "hold_mode")


@dataclass(frozen=True)
class Exchange:
    """One request and the reply the ACS sent, raw (without the line end)."""

    request: bytes
    reply: bytes


def read_capture(name: str) -> list[Exchange]:
    """The exchanges of a capture file in tests/sip2/data."""
    exchanges, request = [], None
    for line in (DATA / name).read_bytes().split(b"\n"):
        if line.startswith(b"> "):
            request = line[2:]
        elif line.startswith(b"< "):
            assert request is not None, f"{name}: a reply before any request"
            exchanges.append(Exchange(request, line[2:]))
            request = None
    return exchanges


def request_key(message: Message) -> tuple:
    """What a request asks, for finding the captured request that asked the same."""
    return (message.CODE, *(getattr(message, name, None) for name in _KEY_FIELDS))


class CapturedACS(ScriptedACS):
    """A scripted ACS answering from a capture (see the module's description)."""

    def __init__(self, exchanges: list[Exchange], encoding: str = "utf-8") -> None:
        self.exchanges = exchanges
        self.encoding = encoding
        self._keys = [request_key(decode(e.request, encoding=encoding).message) for e in exchanges]
        self._next = 0
        super().__init__(self._answer)

    def _answer(self, received: Received) -> list[bytes] | None:
        key = request_key(received.message)
        matching = [i for i, k in enumerate(self._keys) if k == key]
        if not matching:
            return None
        chosen = next((i for i in matching if i >= self._next), matching[0])
        self._next = chosen + 1
        return [self._as_answer_to(self.exchanges[chosen].reply, received) + b"\r"]

    def _as_answer_to(self, reply: bytes, request: Received) -> bytes:
        """The captured reply, carrying this request's sequence number as the real ACS's does."""
        captured = decode(reply, encoding=self.encoding)
        if captured.sequence is None or captured.sequence == request.sequence or request.sequence is None:
            return reply
        return encode(captured.message, encoding=self.encoding, sequence=request.sequence,
                      error_detection=True, terminator=b"")
