"""Loopback addresses for tests: a port on 127.0.0.1 where nothing listens."""

from __future__ import annotations

import socket


def closed_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago: connecting to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
