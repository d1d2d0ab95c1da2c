"""Store and forward: replay the offline queue to the library system, in order, exactly once.

`Replayer.replay_once()` sends the pending entries with no block and their original dates.
Before an entry is sent it is marked "sending" and committed, and the outcome of the previous
entry of its item is committed too; outcomes are committed in groups, together with the
marking of the next entries, by a helper thread while requests go out, and each reply is
made into its outcome while the library system answers the next request (see
`kiosk.storage.replay_books`). An entry found "sending" (the kiosk was killed, or the reply
was lost) is reconciled with a 17 item information before anything else is sent (see
`kiosk.storage.reconcile`): it is never sent twice when it may have been applied.

`ReplayWorker` runs replays in a background thread: every `interval` seconds while there is
something to send, backing off while the library system is unreachable, waking early when
told it is back, and raising an alert (once) while the oldest waiting entry is too old.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from sip2.client import Meanwhile, SIP2Client
from sip2.errors import ClientError, CodecError, LoginRefused, UnknownOutcome, Unreachable
from sip2.messages import CheckinResponse, CheckoutResponse, ItemInformationResponse, RenewResponse

from kiosk.backoff import Backoff
from kiosk.storage.entries import EntryState, EntryToSend, Kind, QueueEntry, Settlement
from kiosk.storage.journal import Journal
from kiosk.storage.queue import OfflineQueue
from kiosk.storage.reconcile import Verdict, reconcile, unknown_outcome_reason
from kiosk.storage.replay_books import ReplayBooks

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 5
# Entries marked "sending" per commit, doubling up to this: fewer disk syncs, while a crash costs
# one 17 per entry in flight (so a replay that fails early costs few).
DEFAULT_BATCH_SIZE = 512
ClientFactory = Callable[[], SIP2Client]


@dataclass
class ReplayReport:
    """What one replay did. `stopped_by` says why it stopped before the queue was empty."""

    sent: int = 0
    done: int = 0
    refused: int = 0
    reconciled: int = 0
    stopped_by: str | None = None

    @property
    def completed(self) -> bool:
        """Whether the replay went on until nothing was left to send."""
        return self.stopped_by is None


class Replayer:
    """Replays one queue through SIP2 clients made by `client_factory`.

    `client_factory()` returns a connected `SIP2Client` or raises `Unreachable` (or another
    `sip2.errors.ClientError`). Outcomes are also written to `journal` when given. An entry
    sent `max_attempts` times without a usable answer goes to staff as refused. Up to
    `batch_size` entries are marked "sending" in one commit, and outcomes are committed in
    groups with the next marking (`kiosk.storage.replay_books.ReplayBooks`). Only one
    replay of a database runs at a time, across threads and processes (a lock file next to
    the database, released by the system if the process dies).
    """

    def __init__(self, queue: OfflineQueue, client_factory: ClientFactory, *,
                 journal: Journal | None = None, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
                 batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        if max_attempts < 1 or batch_size < 1:
            raise ValueError("max_attempts and batch_size must be at least 1")
        self.batch_size = batch_size
        self.queue = queue
        self.client_factory = client_factory
        self.journal = journal
        self.max_attempts = max_attempts

    def replay_once(self, stop: threading.Event | None = None) -> ReplayReport:
        """Send everything pending, oldest first, until done, the ACS fails, or `stop` is set."""
        report = ReplayReport()
        if not self.queue.anything_waiting():
            return report
        with _exclusive(self.queue.db.path) as mine:
            if not mine:
                report.stopped_by = "another replay of this queue is running"
                return report
            try:
                client = self.client_factory()
            except ClientError as exc:
                report.stopped_by = str(exc)
                return report
            try:
                self._replay(client, report, stop or threading.Event())
            finally:
                client.close()
        log.info("replay: %d sent, %d done, %d refused, %d reconciled%s", report.sent, report.done,
                 report.refused, report.reconciled,
                 f"; stopped: {report.stopped_by}" if report.stopped_by else "")
        return report

    def _replay(self, client: SIP2Client, report: ReplayReport, stop: threading.Event) -> None:
        for entry in self.queue.in_flight():
            if stop.is_set() or not self._reconcile_in_flight(client, entry, report):
                return
        with ReplayBooks(self.queue, self.journal, max_batch=self.batch_size) as books:
            while not stop.is_set() and (upcoming := books.next_entry()) is not None:
                given_up = self._give_up(upcoming)
                if given_up is not None:
                    books.record(upcoming, given_up)
                    _count(report, given_up)
                    continue
                # The previous reply is turned into its outcome while the ACS answers this request.
                reply = self._send(client, upcoming, report, meanwhile=books.record_held)
                if reply is None:  # the ACS failed; this entry's state is already recorded
                    return
                books.hold(upcoming, partial(_counted, report, upcoming, reply))

    def _reconcile_in_flight(self, client: SIP2Client, entry: QueueEntry, report: ReplayReport) -> bool:
        """Settle or resend an entry left "sending"; False when the replay must stop."""
        try:
            status = client.item_information(entry.item_id)
        except CodecError as exc:  # the item id cannot be written in SIP2: staff must look
            refused = Settlement(entry.id, EntryState.REFUSED,
                                 reason=unknown_outcome_reason(entry, f"cannot ask about it: {exc}"))
            self.queue.settle(refused, journal=self.journal)
            _count(report, refused)
            return True
        except ClientError as exc:
            self.queue.note_error(entry.id, f"could not ask about the item: {exc}")
            report.stopped_by = str(exc)
            return False
        settlement = self._judge(entry, status, "")
        if settlement is None:  # certainly not applied: send it again
            entry = self.queue.resend(entry.id)
            settlement = self._give_up(entry)
            if settlement is None:
                reply = self._send(client, entry, report)
                if reply is None:
                    return False
                settlement = _settlement(entry, reply)
        else:
            report.reconciled += 1
        self.queue.settle(settlement, journal=self.journal)
        _count(report, settlement)
        return True

    def _judge(self, entry: EntryToSend, status: ItemInformationResponse, error: str) -> Settlement | None:
        """A settlement from the item's status, or None when the entry must be sent again."""
        judged = reconcile(entry, status)
        log.info("queue entry %d (%s of %s): %s", entry.id, entry.kind, entry.item_id, judged.explanation)
        note = f"{error}; " if error else ""
        if judged.verdict is Verdict.DONE:
            return Settlement(entry.id, EntryState.DONE, acs_due_date=status.due_date,
                              title=status.title or None, last_error=f"{note}reconciled: {judged.explanation}")
        if judged.verdict is Verdict.UNKNOWN:
            return Settlement(entry.id, EntryState.REFUSED, title=status.title or None,
                              reason=unknown_outcome_reason(entry, judged.explanation),
                              last_error=error or None)
        return None

    def _give_up(self, entry: EntryToSend) -> Settlement | None:
        """Refuse an entry that was tried too often (no endless resend loop)."""
        if entry.attempts <= self.max_attempts:
            return None
        return Settlement(entry.id, EntryState.REFUSED, reason=(
            f"not replayed after {self.max_attempts} attempts ({entry.last_error or 'no usable answer'}): "
            f"check item {entry.item_id} by hand"))

    def _send(self, client: SIP2Client, entry: EntryToSend, report: ReplayReport,
              meanwhile: Meanwhile | None = None) -> Reply | Settlement | None:
        """Send one entry in flight, running `meanwhile` while the ACS answers: the reply, a
        settlement when it could not be sent at all, or None (replay stops) when the ACS failed."""
        report.sent += 1
        try:
            return _request(client, entry, meanwhile)
        except UnknownOutcome as exc:
            report.stopped_by = str(exc)
            status = exc.item_status
            if not isinstance(status, ItemInformationResponse):
                self.queue.note_error(entry.id, str(exc))
                return None
            settlement = self._judge(entry, status, str(exc))
            if settlement is None:
                self.queue.retry_later(entry.id, str(exc))
            else:
                self.queue.settle(settlement, journal=self.journal)
                _count(report, settlement)
            return None
        except (Unreachable, LoginRefused) as exc:
            # Nothing was sent: a request lost after sending raises UnknownOutcome instead.
            self.queue.retry_later(entry.id, str(exc))
            report.stopped_by = str(exc)
            return None
        except ClientError as exc:  # timed out or garbled: it may have been applied
            self.queue.note_error(entry.id, str(exc))
            report.stopped_by = str(exc)
            return None
        except CodecError as exc:  # refused by the encoder, so nothing left the kiosk
            return Settlement(entry.id, EntryState.REFUSED,
                              reason=f"cannot be sent to the library system ({exc}): check item "
                                     f"{entry.item_id} by hand")


Reply = CheckoutResponse | CheckinResponse | RenewResponse


def _request(client: SIP2Client, entry: EntryToSend, meanwhile: Meanwhile | None) -> Reply:
    """Send an entry with no block and its original dates."""
    if entry.kind is Kind.CHECKOUT:
        return client.checkout(entry.patron_id or "", entry.item_id, no_block=True,
                               transaction_date=entry.transaction_date, nb_due_date=entry.due_date,
                               meanwhile=meanwhile)
    if entry.kind is Kind.RENEW:
        return client.renew(entry.patron_id or "", entry.item_id, no_block=True,
                            transaction_date=entry.transaction_date, nb_due_date=entry.due_date,
                            meanwhile=meanwhile)
    return client.checkin(entry.item_id, no_block=True, transaction_date=entry.transaction_date,
                          return_date=entry.transaction_date, meanwhile=meanwhile)


def _settlement(entry: EntryToSend, reply: Reply | Settlement) -> Settlement:
    """What the library system's reply to an entry means for it."""
    if isinstance(reply, Settlement):  # it never left the kiosk
        return reply
    messages = tuple(reply.screen_messages)
    due = getattr(reply, "due_date", None) or None
    if reply.ok:
        return Settlement(entry.id, EntryState.DONE, acs_messages=messages, acs_due_date=due,
                          title=reply.title or None)
    reason = " / ".join(m for m in messages if m) or "refused by the library system (no message given)"
    return Settlement(entry.id, EntryState.REFUSED, reason=reason, acs_messages=messages,
                      title=reply.title or None)


def _counted(report: ReplayReport, entry: EntryToSend, reply: Reply | Settlement) -> Settlement:
    """`_settlement`, counted in the report."""
    settlement = _settlement(entry, reply)
    _count(report, settlement)
    return settlement


def _count(report: ReplayReport, settlement: Settlement) -> None:
    if settlement.state is EntryState.DONE:
        report.done += 1
    else:
        report.refused += 1


@contextmanager
def _exclusive(db_path: str) -> Iterator[bool]:
    """Hold the replay lock of a database file; yields False when someone else holds it."""
    if db_path == ":memory:":
        yield True
        return
    fd = os.open(f"{db_path}.replay-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock


def connect_with(**client_settings: object) -> ClientFactory:
    """A client factory: a new `SIP2Client(**client_settings)`, connected and logged in."""

    def factory() -> SIP2Client:
        client = SIP2Client(**client_settings)  # type: ignore[arg-type]
        client.connect()
        return client

    return factory


@dataclass(frozen=True)
class QueueAlert:
    """Raised (once) when the oldest waiting entry is older than the configured age; cleared
    (once) when the queue has drained."""

    raised: bool
    oldest_age: timedelta | None
    waiting: int


class ReplayWorker:
    """Replays in a daemon thread: every `interval` seconds while entries wait, with back-off
    (up to `max_interval`) while the library system is unreachable.

    Call `acs_is_back()` (for example when an online transaction just succeeded) or `wake()`
    (after queueing) to replay at once. `on_alert` gets a `QueueAlert`; `on_report` every
    `ReplayReport`. Callbacks run in the worker's thread and must not block for long.
    """

    def __init__(self, replayer: Replayer, *, interval: float = 30.0, max_interval: float = 600.0,
                 alert_after: timedelta | None = None,
                 on_alert: Callable[[QueueAlert], None] | None = None,
                 on_report: Callable[[ReplayReport], None] | None = None) -> None:
        self.replayer = replayer
        self.interval = interval
        self.backoff = Backoff(first=interval, factor=2.0, maximum=max(interval, max_interval))
        self.alert_after = alert_after
        self.on_alert = on_alert
        self.on_report = on_report
        self.alert_raised = False
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start replaying in the background; returns at once."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="queue-replay", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the entry being sent now, and wait for the thread."""
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def wake(self) -> None:
        """Replay now instead of at the next interval."""
        self._wake.set()

    def acs_is_back(self) -> None:
        """The library system answers again: forget the back-off and replay now."""
        self.backoff.reset()
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                report = self.replayer.replay_once(stop=self._stopping)
            except Exception as exc:  # a bug or a disk error must not end the worker
                log.exception("replay failed")
                report = ReplayReport(stopped_by=f"replay failed: {exc}")
            self._notify(self.on_report, report)
            self._check_alert()
            if report.completed:
                self.backoff.reset()
                delay = self.interval
            else:
                delay = self.backoff.next_delay()
            self._wake.wait(delay)

    def _check_alert(self) -> None:
        if self.alert_after is None or self.on_alert is None:
            return
        try:
            queue = self.replayer.queue
            waiting = queue.counts().waiting
            age = queue.oldest_pending_age()
        except Exception:
            log.exception("could not read the queue to check its age")
            return
        if not self.alert_raised and age is not None and age > self.alert_after:
            self.alert_raised = True
            self._notify(self.on_alert, QueueAlert(True, age, waiting))
        elif self.alert_raised and waiting == 0:
            self.alert_raised = False
            self._notify(self.on_alert, QueueAlert(False, None, 0))

    @staticmethod
    def _notify(callback: Callable | None, value: object) -> None:
        if callback is None:
            return
        try:
            callback(value)
        except Exception:
            log.exception("queue callback %r failed", callback)
