"""Large value sheets go through the importer in chunks, and PostgreSQL stores them with
COPY into a staging table (data_model/store/bulk_write.py): chunk boundaries change nothing.

Validation works on PLAIN_CHUNK rows at a time and SQLite inserts INSERT_CHUNK rows per
executemany; both are made tiny here so that a ten-row sheet crosses several chunks.
Every test runs on SQLite and on PostgreSQL (tests/conftest.py).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from data_model.i18n import t
from data_model.ingest import validate
from data_model.ingest.importer import ImportOptions, import_file, import_file_in_transaction
from data_model.store import storage
from data_model.store.models import IndicatorValue, Submission
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx

OPTIONS = ImportOptions(require_explanations=False)
DISTRICTS = ["南山区", "福田区", "罗湖区", "宝安区", "龙岗区"]
PERIODS = ["2022-01", "2022-02"]


@pytest.fixture
def engine(db_engine, monkeypatch):
    """A fresh database with the test indicators; chunks of 3 rows (validation) and 2
    rows (SQLite's inserts)."""
    monkeypatch.setattr(validate, "PLAIN_CHUNK", 3)
    monkeypatch.setattr(storage, "INSERT_CHUNK", 2)
    report = import_file(db_engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    assert report.status == "accepted"
    return db_engine


def values_file(rows: list[list]) -> bytes:
    return make_xlsx({"指标数据": [VALUE_HEADER, *rows]})


def ten_rows(value=lambda position: float(position)) -> list[list]:
    """YS02 for five districts and two months: ten keys, values 0..9 in file order."""
    keys = [(district, period) for period in PERIODS for district in DISTRICTS]
    return [
        ["YS02", "", district, period, value(position), ""]
        for position, (district, period) in enumerate(keys)
    ]


def stored(engine) -> list[tuple]:
    """Every stored value row in id order: (id, district id, period, value, current,
    submission, replaced id, superseded by)."""
    table = IndicatorValue.__table__
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(
                    table.c.id,
                    table.c.district_id,
                    table.c.period,
                    table.c.value,
                    table.c.is_current,
                    table.c.submission_id,
                    table.c.replaced_id,
                    table.c.superseded_by_id,
                ).order_by(table.c.id)
            )
        ]


def submission_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Submission)).scalar_one()


def test_ten_rows_across_chunks_are_stored_in_file_order(engine):
    report = import_file(engine, values_file(ten_rows()), "a.xlsx", OPTIONS)
    assert (report.status, report.rows_new, report.rows_replaced, report.rows_unchanged) == (
        "accepted",
        10,
        0,
        0,
    )
    rows = stored(engine)
    assert [row[3] for row in rows] == [float(v) for v in range(10)]  # ids follow the file
    assert {row[4:] for row in rows} == {(True, report.submission_id, None, None)}


def test_a_supersede_across_chunks_links_each_new_row_to_the_row_it_replaces(engine):
    first = import_file(engine, values_file(ten_rows()), "a.xlsx", OPTIONS)
    # Rows 0, 4 and 9 (in three different chunks) change; the others are sent unchanged,
    # and a new district's row comes last.
    changed = {0: 100.0, 4: 104.0, 9: 109.0}
    rows = ten_rows(lambda position: changed.get(position, float(position)))
    rows.append(["YS02", "", "龙华区", "2022-02", 55.0, ""])
    second = import_file(engine, values_file(rows), "b.xlsx", OPTIONS)
    assert (second.status, second.rows_new, second.rows_replaced, second.rows_unchanged) == (
        "accepted",
        1,
        3,
        7,
    )
    before = {row[0]: row for row in stored(engine) if row[5] == first.submission_id}
    after = [row for row in stored(engine) if row[5] == second.submission_id]
    assert [row[3] for row in after] == [100.0, 104.0, 109.0, 55.0]
    first_ids = sorted(before)
    assert [row[6] for row in after] == [first_ids[0], first_ids[4], first_ids[9], None]
    assert all(row[4] for row in after)
    replaced = {first_ids[0], first_ids[4], first_ids[9]}
    for row_id, row in before.items():
        superseded = row_id in replaced
        assert (row[4], row[7]) == (not superseded, second.submission_id if superseded else None)
    assert [
        (e["key"]["district_id"], e["key"]["period"], e["changes"])
        for e in second.replaced_examples
    ] == [
        (before[first_ids[0]][1], "2022-01", {"value": [0.0, 100.0]}),
        (before[first_ids[4]][1], "2022-01", {"value": [4.0, 104.0]}),
        (before[first_ids[9]][1], "2022-02", {"value": [9.0, 109.0]}),
    ]
    assert {e["table"] for e in second.replaced_examples} == {"indicator_value"}


def test_a_bad_row_in_the_last_chunk_leaves_nothing_written(engine):
    rows = ten_rows()
    rows[9][2] = "火星区"  # the last row, alone in the fourth chunk
    submissions = submission_count(engine)
    report = import_file(engine, values_file(rows), "a.xlsx", OPTIONS)
    assert report.status == "rejected"
    assert [(e.sheet, e.row, e.column, e.value) for e in report.errors] == [
        ("指标数据", 11, "区", "火星区")
    ]
    assert stored(engine) == []
    assert submission_count(engine) == submissions


def test_bad_rows_in_the_first_and_last_chunks_are_all_reported(engine):
    rows = ten_rows()
    rows[0][3] = "2022年13月"
    rows[9][2] = "火星区"
    report = import_file(engine, values_file(rows), "a.xlsx", OPTIONS)
    assert report.status == "rejected"
    assert [(e.row, e.column) for e in report.errors] == [(2, "期间"), (11, "区")]
    assert stored(engine) == []


def test_with_valid_rows_only_the_other_chunks_are_stored(engine):
    rows = ten_rows()
    rows[9][2] = "火星区"
    options = ImportOptions(require_explanations=False, valid_rows_only=True)
    report = import_file(engine, values_file(rows), "a.xlsx", options)
    assert (report.status, report.rows_new) == ("partial", 9)
    assert [row[3] for row in stored(engine)] == [float(v) for v in range(9)]


def test_a_key_repeated_in_a_later_chunk_names_the_first_row(engine):
    rows = ten_rows()
    rows[8] = list(rows[1])  # the key of Excel row 3, again in Excel row 10
    report = import_file(engine, values_file(rows), "a.xlsx", OPTIONS)
    assert report.status == "rejected"
    assert [(e.row, e.message) for e in report.errors] == [
        (10, t("importer.duplicate_key", first=t("importer.row_ref", row=3)))
    ]
    assert stored(engine) == []


def test_an_unchanged_file_sent_under_another_name_writes_nothing(engine):
    import_file(engine, values_file(ten_rows()), "a.xlsx", OPTIONS)
    rows_before = stored(engine)
    again = import_file(engine, make_xlsx({"数据": [VALUE_HEADER, *ten_rows()]}), "b.xlsx", OPTIONS)
    assert (again.status, again.rows_new, again.rows_replaced, again.rows_unchanged) == (
        "unchanged",
        0,
        0,
        10,
    )
    assert stored(engine) == rows_before


def test_two_files_in_one_transaction_each_store_their_rows(engine):
    # As the sample data is loaded: the second file finds the first one's rows current.
    second_rows = ten_rows(lambda position: position + 0.5)
    with engine.connect() as conn, conn.begin():
        first = import_file_in_transaction(conn, values_file(ten_rows()), "a.xlsx", OPTIONS)
        second = import_file_in_transaction(conn, values_file(second_rows), "b.xlsx", OPTIONS)
        if conn.dialect.name == "postgresql":  # the staging table is dropped each time
            assert conn.execute(text("SELECT to_regclass('pg_temp.import_stage')")).scalar() is None
    assert (first.rows_new, second.rows_replaced) == (10, 10)
    current = [row[3] for row in stored(engine) if row[4]]
    assert current == [position + 0.5 for position in range(10)]
