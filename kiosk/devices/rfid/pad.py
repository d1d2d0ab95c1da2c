"""The pad loop: inventory the pad, decode new tags, report items placed, removed and unreadable.

Runs in its own thread (a `DeviceWorker`): a tag missing from `missing_rounds` inventories in a
row counts as removed; a tag that cannot be read after `read_attempts` rounds, or whose data
does not decode, is reported as `UnreadableTag` (raw bytes logged) and never as an item; parts
of a multi-part item on the pad without the others give `IncompleteSet`. A tag placed costs one
read (its first blocks, more only when its data model goes on): its security state is not read
then, as checking an item out or in writes it and reads it back anyway; `read_tags` reads it for
technicians. `set_security` and `read_tags` may be called from any thread: the request runs on
the loop's thread between two reader exchanges, at once when the loop is waiting for its next
inventory.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import TypeVar

from kiosk.backoff import Backoff
from kiosk.devices.base import DeviceWorker
from kiosk.devices.events import EventSink, IncompleteSet, ItemPlaced, ItemRemoved, TagData, UnreadableTag
from kiosk.devices.rfid.config import PadSettings
from kiosk.devices.rfid.errors import NoTag, RfidError
from kiosk.devices.rfid.reader import InventoryEntry, TagReader
from kiosk.devices.rfid.security import SecurityPolicy, SecurityResult, read_security, set_security
from kiosk.devices.rfid.tag_reading import read_item
from kiosk.devices.tags import TagFormatError

log = logging.getLogger(__name__)
T = TypeVar("T")
SECURITY_WAIT = 5.0  # seconds set_security and read_tags wait for the loop before giving up
EMPTY_PAD_POLL = 0.02  # seconds between inventories of an empty pad: a stack placed is seen at once


def _is_uid(uid: object) -> bool:
    if not isinstance(uid, str) or len(uid) != 16:
        return False
    try:
        bytes.fromhex(uid)
    except ValueError:
        return False
    return True


@dataclass
class _OnPad:
    """What the loop knows about one tag in the field."""

    uid: str
    dsfid: int | None
    missing: int = 0
    attempts: int = 0
    reported: bool = False
    tag: TagData | None = None
    unreadable: UnreadableTag | None = None


class PadLoop(DeviceWorker):
    """A library RFID pad served by its own thread, delivering item events to the sink."""

    def __init__(self, settings: PadSettings, open_reader: Callable[[], TagReader],
                 sink: EventSink, backoff: Backoff | None = None) -> None:
        super().__init__(settings.name, sink, backoff)
        self.settings = settings
        self.policy = SecurityPolicy(settings.security, settings.afi_secured, settings.afi_on_loan)
        self.tag_store = None  # the virtual tags of the "sim" driver, None for real readers
        self.rounds = 0  # inventory rounds completed, for technicians and tests
        self._open_reader = open_reader
        self._reader: TagReader | None = None
        self._jobs: queue.Queue[tuple[Callable[[TagReader], object], Future]] = queue.Queue()
        self._wake = threading.Event()  # a security job queued, or stopping: end the pause now
        self._on_pad: dict[str, _OnPad] = {}
        self._incomplete: dict[tuple[str, str], tuple[int, ...]] = {}

    # ---- DeviceWorker ------------------------------------------------------------------

    def open(self) -> None:
        """Open the reader; any failure is reported as the device being unavailable."""
        try:
            self._reader = self._open_reader()
        except OSError:
            raise
        except Exception as exc:  # e.g. a malformed port URL: report it like a missing device
            raise OSError(f"cannot open {self.settings.port or self.settings.driver}: {exc}") from exc

    def close(self) -> None:
        """Close the reader and fail any security request still waiting."""
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()
        self._fail_jobs("reader not connected")

    def serve(self) -> None:
        """Inventory rounds until stopped; OSError after repeated failures so the port reopens."""
        failures = 0
        while not self.stopping.is_set():
            try:
                entries = self._exchange(lambda reader: reader.inventory())
            except RfidError as exc:
                failures += 1
                log.warning("%s: inventory failed (%d in a row): %s", self.name, failures, exc)
                if failures >= self.settings.failures_before_reopen:
                    raise OSError(f"reader not answering: {exc}") from exc
                self._pause(self.settings.poll_interval)
                continue
            failures = 0
            self._update(entries)
            self.rounds += 1
            self._run_jobs()
            self._pause(min(self.settings.poll_interval, EMPTY_PAD_POLL) if not self._on_pad
                        else self.settings.poll_interval)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the loop (ending its pause at once) and wait for its thread."""
        self.stopping.set()
        self._wake.set()
        super().stop(timeout)

    def _pause(self, seconds: float) -> None:
        """Wait between inventories, running each job as soon as it is queued; a stop ends the wait.

        The next inventory still waits for the end of the interval, so that a job queued just
        after another (the next item of a stack) finds the reader free rather than busy with
        an inventory of the whole stack."""
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if self._wake.wait(left):
                self._wake.clear()
                self._run_jobs()

    # ---- security, from any thread -----------------------------------------------------

    def set_security(self, uid: str, secured: bool) -> SecurityResult:
        """Secure (True) or release (False) a tag, verified by reading back; never raises."""
        if not _is_uid(uid):
            return SecurityResult(uid, secured, self.policy.method, False, "not a tag UID (16 hex digits)")
        return self._on_loop(lambda reader: set_security(reader, uid, secured, self.policy),
                             lambda why: SecurityResult(uid, secured, self.policy.method, False, why))

    def read_tags(self) -> dict[str, TagData | UnreadableTag]:
        """Every tag reported on the pad by UID: items with their security state read from the tag
        now (None where it cannot be read), unreadable tags as reported; never raises.

        For technicians: the patron's path never needs it. When the reader cannot be asked,
        the items come as reported, their security state unknown."""
        return self._on_loop(self._tags_with_security, lambda why: self._reported(lambda state: None))

    def _tags_with_security(self, reader: TagReader) -> dict[str, TagData | UnreadableTag]:
        def security(state: _OnPad) -> bool | None:
            try:
                return read_security(reader, state.uid, self.policy)
            except RfidError as exc:
                log.info("%s: security state of %s unknown: %s", self.name, state.uid, exc)
                return None
        return self._reported(security)

    def _reported(self, security: Callable[[_OnPad], bool | None]) -> dict[str, TagData | UnreadableTag]:
        tags: dict[str, TagData | UnreadableTag] = {}
        for state in list(self._on_pad.values()):
            if state.tag is not None:
                tags[state.uid] = replace(state.tag, secured=security(state))
            elif state.unreadable is not None:
                tags[state.uid] = state.unreadable
        return tags

    def _on_loop(self, job: Callable[[TagReader], T], failed: Callable[[str], T]) -> T:
        """Run `job` on the loop's thread and wait for its result; `failed(why)` when it cannot."""
        if self._reader is None or self.stopping.is_set():
            return failed("reader not connected")
        future: Future = Future()
        self._jobs.put((job, future))
        self._wake.set()
        try:
            try:
                return future.result(SECURITY_WAIT)
            except FutureTimeout:
                if future.cancel():  # never started, so it never will: nothing was written
                    return failed("reader busy: timed out, nothing written")
                return future.result(SECURITY_WAIT)  # already talking to the tag: let it finish
        except FutureTimeout:
            return failed("reader did not finish in time; the tag's state is unknown")
        except Exception as exc:  # the job failed on the loop's thread (e.g. the port was lost)
            return failed(f"failed: {exc}")

    def _run_jobs(self) -> None:
        while self._reader is not None:
            try:
                job, future = self._jobs.get_nowait()
            except queue.Empty:
                return
            if not future.set_running_or_notify_cancel():
                continue  # the caller gave up waiting
            try:
                future.set_result(job(self._reader))
            except Exception as exc:  # the caller gets the failure; a lost port also ends serving
                future.set_exception(exc)
                if isinstance(exc, OSError):
                    raise

    def _fail_jobs(self, why: str) -> None:
        while True:
            try:
                _, future = self._jobs.get_nowait()
            except queue.Empty:
                return
            if future.set_running_or_notify_cancel():
                future.set_exception(OSError(why))

    def _exchange(self, job: Callable[[TagReader], T]) -> T:
        self._run_jobs()
        if self._reader is None:
            raise OSError("reader not connected")
        return job(self._reader)

    # ---- one inventory round ------------------------------------------------------------

    def _update(self, entries: list[InventoryEntry]) -> None:
        seen = {entry.uid: entry for entry in entries}
        for uid, state in list(self._on_pad.items()):
            if uid in seen:
                state.missing = 0
                continue
            state.missing += 1
            if state.missing >= self.settings.missing_rounds:
                del self._on_pad[uid]
                if state.reported:
                    self.sink(ItemRemoved(uid=uid, source=self.name, tag=state.tag))
        for uid, entry in seen.items():
            state = self._on_pad.setdefault(uid, _OnPad(uid, entry.dsfid))
            if not state.reported:
                self._read(state)
        self._check_sets()

    def _read(self, state: _OnPad) -> None:
        try:
            outcome, memory = self._exchange(lambda reader: read_item(
                reader, state.uid, info=None, dsfid=state.dsfid,
                first_blocks=self.settings.first_read_blocks, blocks_per_read=self.settings.blocks_per_read))
        except NoTag:
            del self._on_pad[state.uid]  # it left between the inventory and the read
            return
        except RfidError as exc:
            state.attempts += 1
            if state.attempts >= self.settings.read_attempts:
                self._unreadable(state, UnreadableTag(uid=state.uid, reason=f"could not read the tag: {exc}",
                                                      source=self.name))
            return
        if isinstance(outcome, TagFormatError):
            log.warning("%s: unreadable tag %s (%s), DSFID %s, memory %s", self.name, state.uid,
                        outcome.reason, state.dsfid, memory.hex())
            self._unreadable(state, UnreadableTag(uid=state.uid, reason=outcome.reason, source=self.name,
                                                  raw=memory))
            return
        state.reported = True
        state.tag = outcome
        self.sink(ItemPlaced(tag=outcome, source=self.name))

    def _unreadable(self, state: _OnPad, event: UnreadableTag) -> None:
        state.reported = True
        state.unreadable = event
        self.sink(event)

    def _check_sets(self) -> None:
        sets: dict[tuple[str, str], tuple[int, set[int]]] = {}
        for state in self._on_pad.values():
            tag = state.tag
            if tag is not None and tag.parts_in_item > 1:
                key = (tag.owner_library, tag.item_id)
                sets.setdefault(key, (tag.parts_in_item, set()))[1].add(tag.part_number)
        incomplete = {}
        for key, (parts, present) in sets.items():
            if len(present) < parts:
                incomplete[key] = tuple(sorted(present))
                if self._incomplete.get(key) != incomplete[key]:
                    missing = tuple(n for n in range(1, parts + 1) if n not in present)
                    self.sink(IncompleteSet(item_id=key[1], parts_in_item=parts,
                                            present=incomplete[key], missing=missing,
                                            source=self.name))
        self._incomplete = incomplete
