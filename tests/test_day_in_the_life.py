"""A day in the life of a kiosk: patrons one after another on the real app, with the library
system going away and coming back, and the kiosk killed and restarted at random moments.

The app runs headless in a process of its own (tests/app/remote_kiosk.py) with a serial
scanner and a Feig RFID pad, both emulators in this process: cards are typed by the scanner
emulator, items are tags placed on the emulated pad, everything else is touches on the
screen. Each patron's session is drawn from a seeded generator: checkouts (some refused, an
item on hold for someone else, a three-disc set), returns, renewals, wrong PINs, cards that
cannot be used. In the middle the ACS emulator stops (the kiosk works offline) and starts
again (the kiosk replays its queue). Between two steps, at seeded moments, the kiosk process
is killed with SIGKILL and started again; the patron walks away.

At the end of the day: the ACS's loans equal the kiosk's journal item by item, every tag's
security matches its loan, every replay the ACS refused is on the staff list, and no PIN or
password is anywhere in the kiosk's logs, database, receipts or answers.

`python -m bench.day_in_the_life` runs a longer day (500 patrons).
"""

from __future__ import annotations

import json
import os
import random
import re
import select
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sip2.emulator import ACSEmulator
from sip2.emulator.demo_data import DEMO, item_barcode, patron_barcode
from sip2.emulator.store import Patron

from kiosk.devices.emulators.rfid_feig import FeigEmulator
from kiosk.devices.emulators.scanner import TypistServer, frame_barcode
from kiosk.devices.emulators.serving import EmulatorServer
from kiosk.devices.emulators.tag_store import TagStore, VirtualTag, make_tag
from kiosk.devices.rfid.security import SecurityPolicy
from kiosk.receipts.printer_emulator import PrinterEmulator
from kiosk.storage import OfflineQueue, open_database
from kiosk.storage.queue import EntryState

from tests.sip2.emulator_peer import fresh_library
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[1]
SEED = 3122026
SIP2_USER, SIP2_PASSWORD = "kiosk-7", "Sip2-Pass-7f3Q"
POLICY = SecurityPolicy()
STEP_TIMEOUT = 20.0


@dataclass
class Figures:
    """What the day did, for the report."""

    sessions: int = 0
    kills: int = 0
    checkouts: int = 0
    returns: int = 0
    renewals: int = 0
    refused: int = 0
    wrong_pins: int = 0
    offline_transactions: int = 0
    refused_replays: int = 0
    loans_compared: int = 0
    tags_compared: int = 0
    secrets_searched: int = 0
    texts_searched: int = 0


@dataclass
class Kiosk:
    """The kiosk process, talked to through its standard input and output."""

    command: list[str]
    log_path: Path
    process: subprocess.Popen | None = None
    answers: list[dict] = field(default_factory=list)

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=log, env={**os.environ, "PYTHONPATH": str(ROOT)})
        log.close()
        first = self._read(90)
        assert first.get("ready"), f"the kiosk did not start: {first}"

    def ask(self, *command) -> dict:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write((json.dumps(list(command)) + "\n").encode())
        self.process.stdin.flush()
        answer = self._read(STEP_TIMEOUT * 3)
        self.answers.append(answer)
        return answer

    def _read(self, timeout: float) -> dict:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else b""
        if not line:
            raise AssertionError(f"the kiosk stopped answering (exit {self.process.poll()}); "
                                 f"log: {self.log_path.read_text(errors='replace')[-3000:]}")
        return json.loads(line)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


class Day:
    """The library, the devices, the kiosk and the patrons of one day."""

    def __init__(self, folder: Path, *, sessions: int, seed: int = SEED, kills: int = 3) -> None:
        self.folder, self.sessions = folder, sessions
        self.rng = random.Random(seed)
        self.figures = Figures()
        self.acs_db = fresh_library(folder)
        self.acs = ACSEmulator(db=self.acs_db, accounts={SIP2_USER: SIP2_PASSWORD}).start()
        self.library = self.acs.library
        self.acs_port = self.acs.address[1]
        self.typist = TypistServer()
        self.tags = TagStore()
        self.pad = EmulatorServer(FeigEmulator(self.tags), pace=False)
        pad_port = self.pad.serve_tcp()
        self.printer = PrinterEmulator().start()
        self.pins: dict[str, str] = {}
        self.patrons = self._patrons()
        self.item_tags: dict[str, list[VirtualTag]] = {}
        self.on_loan: dict[str, str] = {}  # item -> patron, as the kiosk told them
        self.shelf: list[str] = []
        self._items()
        self.wrong_pins: set[str] = set()
        # Offline for a stretch in the middle; kills at seeded steps of seeded sessions.
        self.offline_from, self.offline_until = sessions * 2 // 5, sessions * 3 // 5
        kill_sessions = [n for n in range(1, sessions) if n != self.offline_from]  # that one makes a refused replay
        self.kill_at = {self.rng.choice(kill_sessions): self.rng.randrange(0, 4) for _ in range(kills)}
        config = {
            "kiosk": {"id": "day", "library_name": "Day Library"},
            "sip2": {"host": "127.0.0.1", "port": self.acs.address[1], "username": SIP2_USER,
                     "password": SIP2_PASSWORD, "institution": "DEMO", "location": "kiosk-1",
                     "timeout": 5.0, "connect_timeout": 1.0},
            "offline": {"mode": "all", "probe_interval": 1.0, "cache_patrons": False, "max_items": 10},
            "session": {"double_scan_seconds": 0.0},
            "storage": {"database": str(folder / "kiosk.db")},
            "scanner": [{"driver": "serial", "name": "scanner", "port": self.typist.url}],
            "rfid": {"driver": "feig", "name": "pad", "port": f"socket://127.0.0.1:{pad_port}",
                     "poll_interval": 0.1},
            "printer": {"driver": "network", "host": self.printer.address[0],
                        "port": self.printer.address[1], "timeout": 1.0},
            "app": {"fullscreen": False},
        }
        config_path = folder / "kiosk.json"
        config_path.write_text(json.dumps(config))
        self.kiosk = Kiosk([sys.executable, "-m", "tests.app.remote_kiosk", str(config_path)],
                           folder / "kiosk.log")

    # --- the library's people and things ------------------------------------------------------

    def _patrons(self) -> list[str]:
        """Patrons who may borrow, each given a PIN of eight digits (easy to search for)."""
        chosen = []
        for serial in [1, 12] + list(range(13, 50)):
            record = self.library.patron(patron_barcode(serial))
            if record is None or record.blocked or record.card_lost or record.owed_cents > 0:
                continue
            if len(record.loans) > record.loan_limit - 8:
                continue
            chosen.append(record.id)
        with self.acs.store.session() as session:
            for patron in chosen + [DEMO.blocked_patron]:
                pin = str(self.rng.randrange(10_000_000, 99_999_999))
                session.get(Patron, patron).pin = pin
                self.pins[patron] = pin
        self.pins[DEMO.unknown_patron] = str(self.rng.randrange(10_000_000, 99_999_999))  # typed all the same
        return chosen

    def _items(self) -> None:
        """Tags for the items of the day, secured unless on loan; which are on the shelf."""
        for serial in range(36, 500):
            item = item_barcode(serial)
            record = self.library.item(item)
            if (record is None or not record.circulates or record.lost or record.to_staff
                    or record.parts > 1 or self.library.holds_on(item)):
                continue
            loan = self.library.loan_of(item)
            if loan is not None and loan[0] not in self.patrons:
                continue
            self._tag(item)
            if loan is None:
                self.shelf.append(item)
            else:
                self.on_loan[item] = loan[0]
        for item in (DEMO.reference_item, DEMO.item_on_hold_for_other, DEMO.loaned_item_with_hold):
            self._tag(item)
        self.on_loan[DEMO.loaned_item_with_hold] = DEMO.other_patron
        self._tag(DEMO.multipart_item, parts=3)

    def _tag(self, item: str, parts: int = 1) -> None:
        secured = self.library.loan_of(item) is None
        afi = POLICY.afi_secured if secured else POLICY.afi_on_loan
        self.item_tags[item] = [make_tag("iso28560-3", item, parts=parts, part=n, afi=afi)
                                for n in range(1, parts + 1)]

    # --- the day ---------------------------------------------------------------------------

    def run(self) -> Figures:
        """Every session, then the checks; returns the figures."""
        self.kiosk.start()
        try:
            for index in range(self.sessions):
                self.session_index, self.step = index, 0
                if index == self.offline_from:
                    self.acs.stop()
                elif index == self.offline_until:
                    self._acs_back()
                try:
                    self._one_session()
                except _Killed:
                    pass
                self.figures.sessions += 1
            assert wait_for(lambda: self.kiosk.ask("queue")["counts"]["pending"] == 0
                            and self.kiosk.ask("queue")["counts"]["sending"] == 0, 60), "queue not replayed"
        finally:
            self.kiosk.stop()
        self.check()
        return self.figures

    def close(self) -> None:
        """Stop every emulator."""
        self.kiosk.stop()
        self.acs.stop()
        self.typist.close()
        self.pad.stop()
        self.printer.stop()

    def _acs_back(self) -> None:
        self.acs = ACSEmulator(db=self.acs_db, port=self.acs_port, accounts={SIP2_USER: SIP2_PASSWORD}).start()
        self.library = self.acs.library

    def _step(self, *command) -> dict:
        """One touch or wait; the kiosk is killed here when this step was drawn for it."""
        # Killed between transactions: a wait for an item's result means one may be under way.
        due = self.kill_at.get(self.session_index)
        if due is not None and self.step >= due and command[0] != "wait_items":
            del self.kill_at[self.session_index]
            self.kiosk.kill()
            self.figures.kills += 1
            self.typist.disconnect_clients()
            self.tags.clear()  # the patron walks away with what was on the pad
            self.kiosk.start()
            raise _Killed()
        self.step += 1
        return self.kiosk.ask(*command)

    def _scan_card(self, card: str) -> None:
        assert wait_for(lambda: self.typist.client_count() >= 1, 10)
        self._step("wait_screen", ["idle", "login", "checkout", "returns"], STEP_TIMEOUT)
        self.typist.type(frame_barcode(card))

    def _log_in(self, patron: str, wrong_first: bool) -> bool:
        self._scan_card(patron)
        answer = self._step("wait_screen", ["login"], STEP_TIMEOUT)
        assert answer["ok"], answer
        if wrong_first:
            wrong = str(self.rng.randrange(10_000_000, 99_999_999))
            self.wrong_pins.add(wrong)
            answer = self._step("pin", wrong)
            self.figures.wrong_pins += 1
            if answer["screen"] == "login":
                assert any("PIN" in t for t in answer["texts"]), answer
        if answer["screen"] == "login":
            answer = self._step("pin", self.pins[patron])
        answer = self._step("wait_screen", ["checkout"], STEP_TIMEOUT)
        return answer["ok"]

    def _place(self, items: list[str], expect: int) -> dict:
        """Each item on the pad in turn, off again once the kiosk showed its result."""
        results: dict = {}
        for item in items:
            tags = self.item_tags[item]
            self.tags.place(*tags)
            answer = self._step("wait_items", expect + len(results) + 1, STEP_TIMEOUT)
            self.tags.remove(*(t.uid for t in tags))
            assert answer["ok"], (item, answer)
            results = answer["outcomes"]
        return results

    def _one_session(self) -> None:
        offline = self.offline_from <= self.session_index < self.offline_until
        kind = self.rng.choices(["checkout", "return", "renew", "refused"], [45, 30, 15, 10])[0]
        if offline and self.session_index == self.offline_from:
            return self._refused_patron(DEMO.unknown_patron)  # let in offline, refused on replay
        if kind == "return":
            return self._return_session()
        if kind == "refused":
            return self._refused_patron(self.rng.choice([DEMO.blocked_patron, DEMO.unknown_patron]))
        patron = self.rng.choice(self.patrons)
        wrong_first = self.rng.random() < 0.15 or (not offline and not self.figures.wrong_pins)
        if not self._log_in(patron, wrong_first=wrong_first):
            return
        if kind == "renew" and not offline:
            self._step("press", "Renew")
            self._step("wait_screen", ["renew"], STEP_TIMEOUT)
            self._step("press", "Renew all")
            self._step("wait_text", ["Renewed", "Not done", "no loans", "needs"], STEP_TIMEOUT)
            self.figures.renewals += 1
            self._step("press", "Back")
            self._step("wait_screen", ["checkout"], STEP_TIMEOUT)
        else:
            items = self.rng.sample(self.shelf, min(len(self.shelf), self.rng.randint(1, 3)))
            roll = self.rng.random()
            if roll < 0.12:
                items.append(self.rng.choice([DEMO.reference_item, DEMO.item_on_hold_for_other]))
            elif roll < 0.2 and DEMO.multipart_item not in self.on_loan:
                items.append(DEMO.multipart_item)
            for item, outcome in self._place(items, 0).items():
                self.figures.offline_transactions += outcome["offline"]
                if outcome["ok"]:
                    self.figures.checkouts += 1
                    self.on_loan[item] = patron
                    if item in self.shelf:
                        self.shelf.remove(item)
                else:
                    self.figures.refused += 1
        self._done()

    def _return_session(self) -> None:
        answer = self._step("wait_screen", ["idle"], STEP_TIMEOUT)
        if answer["screen"] == "login":  # the last patron left the PIN pad open
            self._step("press", "Cancel")
            self._step("wait_screen", ["idle"], STEP_TIMEOUT)
        self._step("press", "Return items")
        self._step("wait_screen", ["returns"], STEP_TIMEOUT)
        items = self.rng.sample(sorted(self.on_loan), min(len(self.on_loan), self.rng.randint(1, 3)))
        for item, outcome in self._place(items, 0).items():
            self.figures.offline_transactions += outcome["offline"]
            if outcome["ok"]:
                self.figures.returns += 1
                self.on_loan.pop(item, None)
                if item in self.item_tags and len(self.item_tags[item]) == 1 and item not in (
                        DEMO.reference_item, DEMO.item_on_hold_for_other, DEMO.loaned_item_with_hold):
                    self.shelf.append(item)
            else:
                self.figures.refused += 1
        self._done()

    def _refused_patron(self, card: str) -> None:
        """A card the library refuses; offline it is let in, and its checkout refused on replay."""
        self._scan_card(card)
        self._step("wait_screen", ["login"], STEP_TIMEOUT)
        self._step("pin", self.pins[card])
        answer = self._step("state")
        self.figures.refused += 1
        if answer["screen"] == "login":
            self._step("press", "Cancel")
        elif answer["screen"] == "checkout":  # offline: the card cannot be checked; it is let in
            item = self.rng.choice(self.shelf)
            self.shelf.remove(item)  # given out; the replay's refusal goes to staff
            outcome = self._place([item], 0)[item]
            assert outcome["ok"] and outcome["offline"], outcome
            self.figures.offline_transactions += 1
            self._done()
        self._step("wait_screen", ["idle"], STEP_TIMEOUT)

    def _done(self) -> None:
        self._step("press", "Done")
        answer = self._step("wait_screen", ["idle", "receipt"], STEP_TIMEOUT)
        if answer["screen"] == "receipt":
            self._step("press", "Print a receipt" if self.rng.random() < 0.5 else "No receipt")
            self._step("wait_screen", ["idle"], STEP_TIMEOUT)

    # --- the end of the day ----------------------------------------------------------------

    def check(self) -> None:
        """The ACS against the journal, the tags against the loans, the staff list, the secrets."""
        database = self.folder / "kiosk.db"
        queue = OfflineQueue(open_database(database))
        refused = {e.item_id for e in queue.entries() if e.state is EntryState.REFUSED}
        on_staff_list = {e.item_id for e in queue.refused()}
        assert refused <= on_staff_list, refused - on_staff_list
        self.figures.refused_replays = len(refused)

        holder: dict[str, str | None] = {}
        with sqlite3.connect(database) as db:
            for kind, item, patron, ok in db.execute(
                    "SELECT kind, item_id, patron_id, ok FROM journal ORDER BY id"):
                assert ok is not None, f"{kind} of {item} never settled"
                if ok:
                    holder[item] = patron if kind in ("checkout", "renew") else None
        for item, patron in holder.items():
            loan = self.library.loan_of(item)
            assert (loan[0] if loan else None) == patron, f"{item}: journal {patron}, ACS {loan}"
            self.figures.loans_compared += 1

        for item, tags in self.item_tags.items():
            if item in refused:
                continue  # staff settle these by hand: that is what the list is for
            secured = self.library.loan_of(item) is None
            for tag in tags:
                assert tag.afi == (POLICY.afi_secured if secured else POLICY.afi_on_loan), \
                    f"{item} tag {tag.uid}: AFI 0x{tag.afi:02X}, on loan: {not secured}"
                self.figures.tags_compared += 1
        self.sweep_secrets()

    def sweep_secrets(self) -> None:
        """No PIN or password in the kiosk's log, any row of its database, a receipt or an answer."""
        secrets = set(self.pins.values()) | self.wrong_pins | {SIP2_PASSWORD}
        log = self.kiosk.log_path.read_text(errors="replace")
        assert "SC -> ACS 63" in log, "the kiosk's log lacks the SIP2 lines with PINs to look through"
        texts = [log,
                 self.printer.printed().decode("cp437", "replace")]
        with sqlite3.connect(self.folder / "kiosk.db") as db:
            tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                texts.extend(repr(row) for row in db.execute(f'SELECT * FROM "{table}"'))
        texts.extend(json.dumps(answer) for answer in self.kiosk.answers)
        found = []
        for secret in secrets:
            pattern = re.compile(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])")
            found += [(secret, text[max(0, m.start() - 60):m.end() + 20])
                      for text in texts for m in pattern.finditer(text)]
        assert not found, f"secrets in clear: {found[:5]}"
        self.figures.secrets_searched = len(secrets)
        self.figures.texts_searched = len(texts)


class _Killed(Exception):
    """The kiosk was killed during this session; the patron walked away."""


SESSIONS = 50  # about two minutes on a quiet machine; the bench runs 500


@pytest.mark.timeout(1200)  # a guard against a hang only: a busy machine makes the day long
def test_a_day_in_the_life(tmp_path):
    day = Day(tmp_path, sessions=SESSIONS, kills=3)
    try:
        figures = day.run()
    finally:
        day.close()
    print(figures)
    assert figures.kills >= 2 and figures.checkouts and figures.returns and figures.offline_transactions
    assert figures.refused_replays >= 1 and figures.wrong_pins >= 1
    assert figures.loans_compared >= figures.checkouts // 2 and figures.tags_compared > 100
