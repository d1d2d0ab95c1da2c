"""Errors of the kiosk's local storage, each with a message a technician can act on."""

from __future__ import annotations


class StorageError(Exception):
    """The database cannot be opened or used (wrong file, newer schema, disk trouble)."""


class QueueError(StorageError, ValueError):
    """A request to the queue or journal that makes no sense (unknown kind, missing item, bad state)."""
