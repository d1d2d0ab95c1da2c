"""Messages as plain JSON-ready dictionaries, for the technician's command line and logs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sip2.codec import Received
from sip2.fields import SECRET_FIELDS
from sip2.message import Message, spec_of


def message_fields(message: Message, *, mask: bool = False) -> dict[str, Any]:
    """Named fields of a message; dates as ISO text; unknown fields under "extra".

    With `mask`, PINs and passwords (AD, AC, CO) are replaced by "***".
    """
    spec = spec_of(type(message))
    out: dict[str, Any] = {}
    for name, _ in spec.fixed:
        out[name] = _plain(getattr(message, name))
    for name, vspec in spec.variable:
        value = getattr(message, name)
        if value is None or value == ():
            continue
        if mask and vspec.id in SECRET_FIELDS and value:
            value = "***"
        out[name] = list(value) if vspec.repeated else value
    if message.extra:
        out["extra"] = [[fid, "***" if mask and fid in SECRET_FIELDS else v] for fid, v in message.extra]
    return out


def received_record(received: Received | None, *, error: str | None = None, mask: bool = False) -> dict[str, Any]:
    """The record `sip2 decode` prints for one line."""
    if received is None:
        return {"code": None, "name": None, "fields": {}, "checksum": None, "sequence": None, "error": error}
    m = received.message
    record: dict[str, Any] = {"code": m.CODE, "name": m.NAME, "fields": message_fields(m, mask=mask),
              "checksum": received.checksum, "sequence": received.sequence, "error": error}
    if received.warnings:
        record["warnings"] = list(received.warnings)
    return record


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
