"""Make a reply sendable in the connection's character set, as an ACS with a narrow one does:
a letter it cannot send loses its accent (ş -> s), anything else becomes '?'."""

from __future__ import annotations

import dataclasses
import unicodedata

from sip2.message import Message


def fit_text(text: str, encoding: str) -> str:
    """`text` with every character `encoding` cannot carry replaced by its base letter or '?'."""
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text:
        try:
            char.encode(encoding)
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)[:1]
            out.append(base if base != char and _encodable(base, encoding) else "?")
    return "".join(out)


def fit_message(message: Message, encoding: str) -> Message:
    """The message with every text field passed through `fit_text` (unchanged if all fit)."""
    changes: dict[str, str | tuple[str, ...]] = {}
    for f in dataclasses.fields(message):
        value = getattr(message, f.name)
        fitted: str | tuple[str, ...]
        if isinstance(value, str):
            fitted = fit_text(value, encoding)
        elif isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
            fitted = tuple(fit_text(v, encoding) for v in value)
        else:
            continue
        if fitted != value:
            changes[f.name] = fitted
    return message.replace(**changes) if changes else message


def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False
