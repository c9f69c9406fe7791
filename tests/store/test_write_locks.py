"""A writer that waits for another's write lock gives up after the same time on both
engines (SQLite's busy timeout; PostgreSQL waited without end) and says so."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from data_model.i18n import t
from data_model.ingest.importer import import_file
from data_model.store import db, storage
from data_model.store.models import Submission
from data_model.store.storage import WriterBusy, take_write_locks
from tests.conftest import ACTIVITY_HEADER, make_xlsx

WAIT = 1


@pytest.fixture
def engines(empty_db, monkeypatch):
    """Two engines (two writers) on one migrated database, waiting WAIT seconds."""
    monkeypatch.setattr(db, "LOCK_WAIT_SECONDS", WAIT)
    monkeypatch.setattr(storage, "LOCK_WAIT_SECONDS", WAIT)
    first, second = empty_db.open(), empty_db.open()
    yield first, second
    first.dispose()
    second.dispose()


def test_a_writer_gives_up_after_the_wait_and_its_transaction_stays_usable(engines):
    first, second = engines
    with first.begin() as holding:
        take_write_locks(holding, ["activities"], holder="first")
        with second.connect() as conn, conn.begin():
            started = time.monotonic()
            with pytest.raises(WriterBusy):
                take_write_locks(conn, ["activities"], holder="second")
            assert time.monotonic() - started >= WAIT * 0.9  # it waited, then gave up
            assert conn.execute(select(1)).scalar() == 1


def test_an_import_blocked_by_another_writer_is_refused_with_nothing_written(engines):
    first, second = engines
    row = [dt.datetime(2021, 6, 15), "南山区", "政策宣讲会", "宣讲会", "", 3, 8]
    data = make_xlsx({"活动台账": [ACTIVITY_HEADER, row]})
    with first.begin() as holding:
        take_write_locks(holding, ["activities"], holder="first")
        report = import_file(second, data, "a.xlsx")
    assert (report.status, report.message) == ("rejected", t("importer.writer_busy"))
    with second.connect() as conn:
        assert conn.execute(select(Submission.id)).all() == []
    assert import_file(second, data, "a.xlsx").status == "accepted"  # once the first is done
