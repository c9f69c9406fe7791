"""The summaries kept after a write from the records written (`refresh_written`) equal, to
the last bit, those computed from every current value read back, on SQLite and
PostgreSQL: with values whose sums round (0.1 + 0.2), a second import that adds months to
quarters already holding values, replaces some and leaves others unchanged, and a refresh
whose records are not all the submission wrote (the count check's way back)."""

from __future__ import annotations

from sqlalchemy import select

from data_model.ingest.importer import import_file
from data_model.store import summaries_values
from data_model.store.models import District, IndicatorValue
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx

DISTRICTS = ("南山区", "福田区")


def current_values(conn) -> list[tuple]:
    v = IndicatorValue
    query = select(v.indicator_code, v.district_id, v.period, v.value).where(v.is_current)
    return [tuple(row) for row in conn.execute(query)]


def assert_exact(engine) -> dict:
    """The stored summaries equal `summarise` of every current value and a rebuild, with
    ==: the totals to the last bit."""
    with engine.connect() as conn:
        stored = summaries_values.stored(conn)
        expected = summaries_values.summarise(current_values(conn))
    assert stored == expected
    with engine.begin() as conn:
        summaries_values.rebuild(conn)
    with engine.connect() as conn:
        assert summaries_values.stored(conn) == stored
    return stored


def value_rows(periods, offset: float) -> list[list]:
    """YS02 (monthly) in both districts over `periods`, values with long binary fractions."""
    return [
        ["YS02", "", district, period, round(0.1 * (number + 1) + offset, 6), ""]
        for number, (district, period) in enumerate((d, p) for p in periods for d in DISTRICTS)
    ]


def test_a_second_import_into_the_same_quarters_keeps_them_exact(db_engine):
    import_file(db_engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    first = value_rows(["2023-01", "2023-02", "2023-04", "2022-12"], 0.0)
    report = import_file(db_engine, make_xlsx({"指标数据": [VALUE_HEADER, *first]}), "a.xlsx")
    assert report.rows_new == 8
    assert_exact(db_engine)
    # 2023-01 unchanged, 2023-02 replaced, 2023-03 and 2023-05 new in quarters that hold values.
    second = [
        *first[:2],
        *value_rows(["2023-02"], 0.7),
        *value_rows(["2023-03", "2023-05"], 0.3),
        ["YS03", "", "南山区", "2023-Q1", 0.3, ""],
    ]
    report = import_file(db_engine, make_xlsx({"指标数据": [VALUE_HEADER, *second]}), "b.xlsx")
    assert (report.rows_new, report.rows_replaced, report.rows_unchanged) == (5, 2, 2)
    stored = assert_exact(db_engine)
    with db_engine.connect() as conn:
        nanshan = conn.execute(select(District.id).where(District.name == "南山区")).scalar_one()
    # 2023-01 0.1, 2023-02 0.8, 2023-03 0.4 (rounded to 6 places as written), in that order.
    assert stored[("2023-Q1", "YS02", nanshan, "month")] == (3, 0.1 + 0.8 + 0.4, "2023-03", 0.4)
    assert stored[("2023", "YS03", nanshan, "quarter")] == (1, 0.3, "2023-Q1", 0.3)


def test_records_short_of_what_the_submission_wrote_fall_back_to_reading_every_value(
    db_engine,
):
    import_file(db_engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    rows = value_rows(["2023-01", "2023-02"], 0.05)
    report = import_file(db_engine, make_xlsx({"指标数据": [VALUE_HEADER, *rows]}), "a.xlsx")
    with db_engine.begin() as conn:
        conn.execute(summaries_values.IndicatorValueSummary.__table__.delete())
        written = [
            dict(zip(("indicator_code", "district_id", "period", "value"), row, strict=True))
            for row in current_values(conn)
        ]
        # Told of one record only: the other three rows of the submission in the quarter
        # are not "other" values (they are its own), and the count says so.
        summaries_values.refresh_written(conn, written[:1], report.submission_id)
    with db_engine.connect() as conn:
        stored = summaries_values.stored(conn)
        assert stored == summaries_values.summarise(current_values(conn))
    assert {key[:2] for key in stored} == {("2023-Q1", "YS02"), ("2023", "YS02")}
    assert sum(entry[0] for key, entry in stored.items() if key[0] == "2023-Q1") == 4
