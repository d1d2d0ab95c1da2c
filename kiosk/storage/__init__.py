"""The kiosk's local storage: the durable offline queue, its replay, and the transaction journal.

One SQLite file holds both (WAL, synchronous=FULL):

    db = open_database(config.storage.database)
    queue, journal = OfflineQueue(db), Journal(db)
    entry = queue.enqueue("checkout", item_id=..., patron_id=..., transaction_date=...,
                          due_date=...)           # on disk when this returns
    journal.record(outcome, patron_id=..., queue_entry_id=entry.id)

    replayer = Replayer(queue, connect_with(host=..., port=..., username=..., password=...),
                        journal=journal)
    worker = ReplayWorker(replayer, interval=config.offline.probe_interval,
                          alert_after=timedelta(hours=config.offline.alert_after_hours),
                          on_alert=...)
    worker.start()                                # and worker.acs_is_back() when the link is
                                                  # online again, worker.stop() at shutdown
    # daily: queue.purge(timedelta(days=30));
    #        journal.forget_patrons(timedelta(days=config.storage.retention_days))
"""

from kiosk.storage.db import Database, open_database
from kiosk.storage.entries import EntryState, Kind, QueueCounts, QueueEntry, Settlement
from kiosk.storage.errors import QueueError, StorageError
from kiosk.storage.journal import Journal, JournalEntry, SecurityEvent
from kiosk.storage.queue import OfflineQueue
from kiosk.storage.replay import QueueAlert, Replayer, ReplayReport, ReplayWorker, connect_with

__all__ = [
    "Database", "open_database", "QueueError", "StorageError", "Journal", "JournalEntry",
    "SecurityEvent", "EntryState", "Kind", "OfflineQueue", "QueueCounts", "QueueEntry",
    "Settlement", "QueueAlert", "Replayer", "ReplayReport", "ReplayWorker", "connect_with",
]
