"""Fixtures of the kiosk tests."""

from __future__ import annotations

import pytest

from kiosk.storage import Journal, OfflineQueue, open_database


@pytest.fixture
def store(tmp_path):
    """The offline queue and the journal of a new kiosk database, closed after the test."""
    db = open_database(tmp_path / "kiosk.sqlite")
    yield OfflineQueue(db), Journal(db)
    db.close()
