"""Barcodes, the store and the deterministic demo library."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date, datetime

import pytest
from sqlalchemy import select

from sip2.emulator import demo_data
from sip2.emulator.barcodes import check_digit, is_valid, make_barcode
from sip2.emulator.demo_data import DEMO
from sip2.emulator.library import Library
from sip2.emulator.records import RECORDS, Loan, Patron
from sip2.emulator.store import Base, Store

TODAY = date(2026, 3, 14)


@pytest.mark.parametrize("barcode", ["30234000517861", "33191000105864"])
def test_published_barcodes_validate(barcode):
    assert is_valid(barcode)
    assert check_digit(barcode[:13]) == barcode[13]


@pytest.mark.parametrize("barcode", ["30234000517862", "3023400051786", "3023400051786x", "",
                                     "３0234000517861"])
def test_wrong_barcodes_do_not_validate(barcode):
    assert not is_valid(barcode)


def test_check_digit_refuses_bad_input():
    with pytest.raises(ValueError):
        check_digit("12")
    with pytest.raises(ValueError):
        make_barcode("4", 1, 1)
    with pytest.raises(ValueError):
        make_barcode("2", 1, 10**8)


def test_every_demo_barcode_is_valid_with_the_right_prefix():
    with seeded_library(None) as library:
        counts = library.counts()
    assert counts["patrons"] == demo_data.PATRON_COUNT == 50
    assert counts["items"] == demo_data.ITEM_COUNT == 500
    for serial in range(1, demo_data.PATRON_COUNT + 1):
        barcode = demo_data.patron_barcode(serial)
        assert is_valid(barcode) and barcode.startswith("20001")
    for serial in range(1, demo_data.ITEM_COUNT + 1):
        barcode = demo_data.item_barcode(serial)
        assert is_valid(barcode) and barcode.startswith("30001")


def _dump(store: Store) -> dict[str, list[tuple]]:
    with store.session() as session:
        out = {}
        for table in Base.metadata.sorted_tables:
            rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(row) for row in rows]
        return out


def test_two_fresh_databases_hold_the_same_demo_library(tmp_path):
    stores = [Store(tmp_path / "a.sqlite"), Store(tmp_path / "b.sqlite")]
    try:
        for store in stores:
            demo_data.seed(store, TODAY)
        first, second = (_dump(s) for s in stores)
        assert first == second
        assert len(first["loans"]) > 60 and first["holds"] and first["fines"]
    finally:
        for store in stores:
            store.close()


def test_an_existing_database_is_reopened_not_reseeded(tmp_path):
    path = tmp_path / "library.sqlite"
    store = Store(path)
    demo_data.seed(store, TODAY)
    store.close()
    reopened = Store(path)
    try:
        assert not reopened.is_empty()
        assert Library(reopened).counts()["patrons"] == 50
    finally:
        reopened.close()


def test_temporary_database_is_removed_on_close():
    store = Store()
    path = store.path
    store.close()
    assert not os.path.exists(path)


def test_demo_library_has_every_special_case():
    with seeded_library(TODAY) as library:
        good = library.patron(DEMO.good_patron)
        assert good.pin == DEMO.good_pin and good.owed_cents == 0 and not good.blocked
        assert library.patron(DEMO.blocked_patron).blocked
        assert library.patron(DEMO.fined_patron).owed_cents > 1000
        assert 0 < library.patron(DEMO.small_fines_patron).owed_cents < 1000
        assert library.patron(DEMO.expired_patron).expires < TODAY
        assert library.patron(DEMO.lost_card_patron).card_lost
        limit = library.patron(DEMO.limit_patron)
        assert len(limit.loans) == limit.loan_limit
        assert library.patron(DEMO.unknown_patron) is None
        for barcode in DEMO.available_items:
            assert library.loan_of(barcode) is None and not library.holds_on(barcode)
        assert library.holds_on(DEMO.item_on_hold_for_other)[0].ready
        assert library.loan_of(DEMO.item_on_loan)[0] == DEMO.other_patron
        assert library.item(DEMO.item_to_staff).to_staff
        assert library.item(DEMO.magnetic_item).magnetic
        assert [library.item(b).properties for b in DEMO.multipart_set] == \
            ["disc 1 of 3", "disc 2 of 3", "disc 3 of 3"]
        assert not library.item(DEMO.reference_item).circulates
        assert library.item(DEMO.lost_item).lost
        assert "Émile Zola" in library.item(DEMO.non_ascii_item).title
        assert library.item(DEMO.unknown_item) is None
        assert len({library.patron(demo_data.patron_barcode(n)).email for n in range(1, 51)}) == 50


@contextmanager
def seeded_library(today: date | None) -> Iterator[Library]:
    """A temporary store seeded with the demo library, read through a Library."""
    store = Store()
    try:
        demo_data.seed(store, today)
        yield Library(store)
    finally:
        store.close()


def test_records_have_the_columns_of_their_tables():
    tables = Base.metadata.tables
    for kind in RECORDS:
        assert [f.name for f in fields(kind)] == [c.name for c in tables[kind.TABLE].columns]


def test_records_read_back_what_they_and_the_orm_wrote():
    store = Store()
    try:
        demo_data.seed(store, TODAY)
        with store.records() as db:
            patron = db.get(Patron, DEMO.good_patron)
            loan = db.insert(Loan(id=None, item_id=DEMO.available_items[0], patron_id=patron.id,
                                  checked_out=datetime(2026, 3, 14, 9, 30), due=datetime(2026, 4, 4, 23, 59, 59),
                                  renewals=0))
            assert isinstance(patron.expires, date) and patron.blocked is False and loan.id is not None
        assert Library(store).loan_of(DEMO.available_items[0]) == (DEMO.good_patron, datetime(2026, 4, 4, 23, 59, 59))
        with store.records() as db:
            assert db.first(Loan, "item_id = ?", (DEMO.available_items[0],)) == loan
    finally:
        store.close()
