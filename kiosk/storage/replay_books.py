"""The replay's books: which entries may be sent now, and the commits that record what was sent.

Two rules keep a replay exactly-once across crashes:

1. An entry is sent only once it is durably marked "sending".
2. An entry is sent only once every earlier entry of the same item has its outcome durably
   recorded.

After a crash, then, at most one entry per item may have reached the library system without
its outcome on disk, and it is the oldest one of its item still "sending"; the later ones of
that item never left the kiosk. Reconciling them oldest first, each from a fresh 17 about its
item, settles every one (see `kiosk.storage.reconcile`).

Within those rules the disk's syncs run in a helper thread while requests go out: outcomes
are committed in groups, together with the marking of the next entries (a batch that doubles
up to `max_batch`), and the replay waits for a commit only when the next entry's item has an
outcome not yet on disk, or nothing marked is left to send. A commit starts early when one
of the next few entries will need it, when few marked entries are left, or when a group of
outcomes waits: up to GROUP, fewer as the entries left to send run out, so the last commit,
which the replay waits for, holds few (and a crash leaves few to ask about). SQLite and the
disk sync release the interpreter's lock, so requests go on while the helper waits for the
disk; the helper runs only SQL, and the rows it marks become `Outgoing` entries here.

A reply is turned into its outcome while the next request goes out (`hold`, then
`record_held` while the library system answers), unless the next entry is of the same item:
then the outcome is recorded, and committed, first (rule 2).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from itertools import islice
from typing import Any

from kiosk.storage.entries import Outgoing, Settlement
from kiosk.storage.journal import Journal
from kiosk.storage.queue import OfflineQueue, outgoing

FIRST_BATCH = 32  # entries marked before the first request: the only sync the replay always waits for
GROWTH = 4  # each marking asks for this many times more, up to `max_batch`: few waits while they grow
LOOKAHEAD = 4  # commit early when one of the next this many entries waits for an outcome on disk
GROUP = 64  # outcomes committed together when no entry needs them sooner (a sync costs as much CPU as a few requests)


class ReplayBooks:
    """Entries marked "sending" and not sent yet, outcomes not yet on disk, and the commit in
    progress. Use as a context manager: leaving it records the last outcomes and puts entries
    marked but never sent back to pending (unless it is left by an exception, when whatever
    is still "sending" is reconciled by the next replay)."""

    def __init__(self, queue: OfflineQueue, journal: Journal | None, *, max_batch: int) -> None:
        self.queue = queue
        self.journal = journal
        self.max_batch = max_batch
        self._batch = min(FIRST_BATCH, max_batch)
        self._marked: deque[Outgoing] = deque()
        self._exhausted = False  # the last marking found fewer pending entries than it asked for
        self._answered: list[tuple[str, Settlement]] = []  # (item, outcome) not yet in a commit
        self._answered_items: set[str] = set()
        self._committing: list[tuple[str, Settlement]] = []  # in the commit in progress
        self._unsettled: Counter[str] = Counter()  # items with an outcome not on disk yet
        self._commit: Future[list[tuple[Any, ...]]] | None = None  # rows marked, for `outgoing`
        self._asked = 0  # entries the commit in progress was asked to mark
        self._held: tuple[Outgoing, Callable[[], Settlement]] | None = None  # answered, not yet recorded
        # An in-memory database is one per thread, so its commits stay in the caller's thread.
        self._pool = None if queue.db.path == ":memory:" else _commit_thread()
        self._resources = ExitStack()
        self._connection: sqlite3.Connection | None = None

    def __enter__(self) -> ReplayBooks:
        # every commit of the replay on one connection
        self._connection = self._resources.enter_context(self.queue.db.held_connection())
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            if exc_type is None:
                self.record_held()
                self._wait()
                if self._answered or self._marked:
                    self._commit_here(take=0, release=[entry.id for entry in self._marked])
        finally:
            if self._commit is not None:  # left by an error: the commit in progress still ends first
                wait([self._commit])
            self._resources.close()

    def next_entry(self) -> Outgoing | None:
        """The next entry to send, once rules 1 and 2 allow it; None when nothing is left."""
        while True:
            if self._marked:
                entry = self._marked[0]
                if self._held is not None and self._held[0].item_id == entry.item_id:
                    self.record_held()  # rule 2: its outcome goes to disk before the entry goes out
                if not self._unsettled[entry.item_id]:
                    return self._marked.popleft()
                self._wait()
                if entry.item_id in self._answered_items:  # its earlier outcome is not in a commit yet
                    self._commit_here(take=self._next_take())
            elif self._commit is not None:
                self._wait()
            elif self._held is not None:  # its outcome goes with the next commit
                self.record_held()
            else:  # mark more, recording what was answered, and wait: nothing can go out before
                self._commit_here(take=self._grow())
                if not self._marked:
                    return None

    def record(self, entry: Outgoing, settlement: Settlement) -> None:
        """What became of `entry` (sent, or given up): committed with a later group."""
        self._answered.append((entry.item_id, settlement))
        self._answered_items.add(entry.item_id)
        self._unsettled[entry.item_id] += 1
        if self._commit is not None:
            if not self._commit.done():
                return
            self._wait()
        if (self._short() or len(self._answered) >= self._group()
                or any(e.item_id in self._answered_items for e in islice(self._marked, LOOKAHEAD))):
            self._start(take=self._next_take())

    def hold(self, entry: Outgoing, settle: Callable[[], Settlement]) -> None:
        """Keep an answered entry, with the call that makes its settlement, to be recorded by
        `record_held` while the next request goes out (or before, when the next entry needs it)."""
        self.record_held()
        self._held = (entry, settle)

    def record_held(self) -> None:
        """Record the entry kept by `hold`, if any (the replay calls it while the ACS answers)."""
        if self._held is not None:
            entry, settle = self._held
            self._held = None
            self.record(entry, settle())

    def _group(self) -> int:
        """Outcomes worth a commit of their own: up to GROUP, fewer as the entries left to send
        run out, so the last commit, which the replay waits for, holds few; never more than
        `max_batch` (what a crash leaves to ask about)."""
        return min(GROUP, self.max_batch, len(self._marked) + 1)

    def _short(self) -> bool:
        """Whether to mark more now: fewer are marked than the next batch, so the marking
        commits run far ahead of the requests while the batches grow."""
        return len(self._marked) < self._batch and not self._exhausted

    def _next_take(self) -> int:
        """How many entries to mark with a commit that is needed anyway."""
        return self._grow() if self._short() else 0

    def _grow(self) -> int:
        take, self._batch = self._batch, min(GROWTH * self._batch, self.max_batch)
        return take

    def _commit_here(self, *, take: int, release: list[int] | None = None) -> None:
        """`_start` and `_wait`, in this thread: the replay waits for it anyway, and handing it to
        the helper would add the time the helper takes to wake up."""
        self._start(take=take, release=release, here=True)
        self._wait()

    def _start(self, *, take: int, release: list[int] | None = None, here: bool = False) -> None:
        """Commit the outcomes answered so far and mark up to `take` more entries, in the helper
        (or `here`, in this thread)."""
        assert self._commit is None
        self._committing, self._answered = self._answered, []
        self._answered_items = set()
        self._asked = take
        settlements = [s for _, s in self._committing]
        if self._pool is not None and not here:
            self._commit = self._pool.submit(self.queue.advance_rows, settlements, release=release or (),
                                             take=take, journal=self.journal, connection=self._connection)
            return
        self._commit = Future()
        try:
            self._commit.set_result(self.queue.advance_rows(settlements, release=release or (), take=take,
                                                            journal=self.journal, connection=self._connection))
        except Exception as exc:  # raised by `_wait`, as from the helper thread
            self._commit.set_exception(exc)

    def _wait(self) -> None:
        """Wait for the commit in progress (its errors are raised here) and take in what it marked."""
        if self._commit is None:
            return
        commit, self._commit = self._commit, None
        marked = commit.result()
        self._marked.extend(map(outgoing, marked))  # here, not in the helper: it holds the interpreter's lock
        if self._asked:
            self._exhausted = len(marked) < self._asked
        for item, _ in self._committing:
            self._unsettled[item] -= 1
        self._committing = []


_helper: ThreadPoolExecutor | None = None
_helper_lock = threading.Lock()


def _commit_thread() -> ThreadPoolExecutor:
    """The thread that runs the replays' commits, started once per process: starting a thread
    takes milliseconds on a busy machine, as long as a replay of hundreds of entries."""
    global _helper
    with _helper_lock:
        if _helper is None:
            _helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="queue-commit")
        return _helper
