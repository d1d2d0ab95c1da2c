"""The kiosk's local storage: the durable offline queue, its replay, and the transaction journal.

    db = open_database("/var/lib/kiosk/kiosk.sqlite")
    queue, journal = OfflineQueue(db), Journal(db)
    queue.enqueue("checkout", item_id=..., patron_id=..., transaction_date=..., due_date=...,
                  journal=journal)
    Replayer(queue, connect_with(host=..., port=...), journal=journal).replay_once()
"""

from kiosk.storage.db import Database, open_database
from kiosk.storage.errors import QueueError, StorageError
from kiosk.storage.journal import Journal, JournalEntry, SecurityEvent
from kiosk.storage.queue import EntryState, Kind, OfflineQueue, QueueCounts, QueueEntry, Settlement
from kiosk.storage.replay import QueueAlert, Replayer, ReplayReport, ReplayWorker, connect_with

__all__ = [
    "Database", "open_database", "QueueError", "StorageError", "Journal", "JournalEntry",
    "SecurityEvent", "EntryState", "Kind", "OfflineQueue", "QueueCounts", "QueueEntry",
    "Settlement", "QueueAlert", "Replayer", "ReplayReport", "ReplayWorker", "connect_with",
]
