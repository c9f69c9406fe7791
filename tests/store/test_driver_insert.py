"""`db.driver_insert` (executemany on SQLite, one COPY on PostgreSQL) stores plain rows
exactly, floats to the last bit, and fails as SQLAlchemy's IntegrityError on a repeated
key, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from data_model.store import summaries_values
from data_model.store.db import driver_insert
from data_model.store.models import IndicatorValueSummary

TABLE = IndicatorValueSummary.__table__
COLUMNS = list(summaries_values.COLUMNS)


def test_rows_are_stored_exactly(db_engine):
    rows = [
        ("2023-Q1", "YS01", 1, "month", 3, 0.1 + 0.2, "2023-03", 1 / 3),
        ("2023", "YS01", 1, "month", 7, 1e-300, "2023-11", -2.5e17),
    ]
    with db_engine.begin() as conn:
        driver_insert(conn, TABLE, COLUMNS, iter(rows), 1)
    with db_engine.connect() as conn:
        stored = summaries_values.stored(conn)
    assert stored == {row[:4]: row[4:] for row in rows}
    assert stored[("2023-Q1", "YS01", 1, "month")][1] == 0.1 + 0.2 != 0.3


def test_a_repeated_key_is_an_integrity_error(db_engine):
    row = ("2023-Q1", "YS01", 1, "month", 1, 2.0, "2023-01", 2.0)
    with pytest.raises(IntegrityError), db_engine.begin() as conn:
        driver_insert(conn, TABLE, COLUMNS, [row, row], 10)
    with db_engine.connect() as conn:
        assert summaries_values.stored(conn) == {}
