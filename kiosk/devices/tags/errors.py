"""The one error family of the tag data models."""

from __future__ import annotations


class TagFormatError(ValueError):
    """Tag memory that does not decode to an item: the reason says why, never a guessed id."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BlankTag(TagFormatError):
    """A tag that was never programmed (3M blank tags read as 0x55 everywhere)."""


class ContentContinues(TagFormatError):
    """Only the first blocks were read and the data model says its content goes on beyond them."""
