"""A full disk under the kiosk's database, and a damaged database file.

The kiosk goes out of service with a reason a technician can act on, tells the patron the
truth about the transaction that could not be recorded, and keeps everything already
committed. The full disk is a real one: a 2 MB tmpfs mounted for the test (skipped where
mounting is not allowed).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from sip2.emulator.demo_data import DEMO, item_barcode

import kiosk.storage.db as db_module
from kiosk.config import parse_config
from kiosk.core.outcomes import Mode
from kiosk.core.runtime import KioskRuntime
from kiosk.demo import demo_config
from kiosk.storage import Journal, OfflineQueue, StorageError, open_database

from tests.loopback import closed_port


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB file system of its own (tmpfs), unmounted afterwards."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(folder: Path) -> Path:
    """Write a file in `folder` until the disk is full; returns it (delete it to free the space)."""
    filler = folder / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


def offline_runtime(folder: Path) -> KioskRuntime:
    """A kiosk whose library system is unreachable: transactions go to the offline queue."""
    config = parse_config({
        "sip2": {"host": "127.0.0.1", "port": closed_port(), "connect_timeout": 0.5},
        "patron": {"require_pin": False},
        "offline": {"mode": "all", "max_items": 100, "cache_patrons": False},
        "session": {"double_scan_seconds": 0.0},
        "storage": {"database": str(folder / "kiosk.db")},
    })
    return KioskRuntime(config, with_devices=False)


def test_full_disk_under_the_queue_out_of_service_and_nothing_committed_lost(small_disk, monkeypatch):
    monkeypatch.setattr(db_module, "RECHECK_SECONDS", 0.0)
    runtime = offline_runtime(small_disk)
    assert runtime.handle_scan(DEMO.good_patron).offline
    stored = [item_barcode(n) for n in range(1, 6)]
    for item in stored:
        assert runtime.handle_scan(item, Mode.CHECKOUT).ok
    assert runtime.service.state().in_service

    filler = fill(small_disk)
    refused = [runtime.handle_scan(item_barcode(n), Mode.CHECKOUT) for n in range(6, 40)]
    told_ok = [o.item_id for o in refused if o.ok]
    failed = [o for o in refused if not o.ok]
    assert failed, "the disk never filled up"
    assert all("could not be recorded" in o.reason and "staff" in o.reason for o in failed)
    state = runtime.service.state()
    assert not state.in_service
    assert "is full" in state.reason and str(small_disk) in state.reason, state.reason

    filler.unlink()
    assert runtime.service.state().in_service  # room again: back in service by itself
    runtime.stop()
    # Everything the patron was told was stored is there, once, and the file is sound.
    entries = OfflineQueue(open_database(small_disk / "kiosk.db")).entries()
    assert [e.item_id for e in entries] == stored + told_ok
    with sqlite3.connect(small_disk / "kiosk.db") as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_full_disk_under_the_journal_online_goes_out_of_service(small_disk, acs):
    runtime = KioskRuntime(demo_config(*acs.address, str(small_disk)), with_devices=False)
    assert runtime.handle_scan(DEMO.good_patron, pin=DEMO.good_pin).status.value == "ok"
    assert runtime.handle_scan(DEMO.available_items[0]).ok
    fill(small_disk)
    outcome = runtime.handle_scan(DEMO.available_items[1])
    assert outcome.ok  # the library system made the loan; the patron has the item
    assert acs.library.loan_of(DEMO.available_items[1])[0] == DEMO.good_patron
    state = runtime.service.state()
    assert not state.in_service and "is full" in state.reason
    runtime.stop()
    records = Journal(open_database(small_disk / "kiosk.db")).entries()
    assert DEMO.available_items[0] in [r.item_id for r in records]


def test_damaged_database_file_refuses_to_start_with_a_reason(tmp_path):
    database = tmp_path / "kiosk.db"
    database.write_bytes(b"this is not what the kiosk wrote\n" * 200)
    with pytest.raises(StorageError) as refused:
        offline_runtime(tmp_path)
    reason = str(refused.value)
    assert "damaged" in reason and str(database) in reason and "move it aside" in reason, reason
    assert database.read_bytes().startswith(b"this is not")  # left alone for recovery


def test_database_damaged_while_running_takes_the_kiosk_out_of_service(tmp_path):
    runtime = offline_runtime(tmp_path)
    runtime.handle_scan(DEMO.good_patron)
    for n in range(1, 30):
        assert runtime.handle_scan(item_barcode(n), Mode.CHECKOUT).ok
    runtime.database.close()
    with sqlite3.connect(tmp_path / "kiosk.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / "kiosk.db"
    with open(path, "r+b") as damaged:  # every page after the first overwritten
        size = path.stat().st_size
        damaged.seek(4096)
        damaged.write(os.urandom(size - 4096))
    try:
        outcome = runtime.handle_scan(item_barcode(40), Mode.CHECKOUT)
        assert not outcome.ok and "staff" in outcome.reason
        state = runtime.service.state()
        assert not state.in_service and "damaged" in state.reason, state.reason
    finally:
        runtime.database.close()
