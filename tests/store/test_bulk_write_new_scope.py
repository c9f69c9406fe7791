"""A value file whose periods hold no current row yet is stored as new rows in file
order, and one that also touches a stored period is compared with it, on both engines
(on PostgreSQL the first is copied straight into the table, the second goes through the
staging table: `bulk_write.write_staged`)."""

from __future__ import annotations

from sqlalchemy import select

from data_model.ingest.importer import ImportOptions, import_file
from data_model.store import bulk_write
from data_model.store.models import IndicatorValue
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx

OPTIONS = ImportOptions(require_explanations=False)
DISTRICTS = ["南山区", "福田区", "罗湖区"]


def month_rows(period: str, start: float) -> list[list]:
    return [["YS02", "", d, period, start + n, ""] for n, d in enumerate(DISTRICTS)]


def current(engine) -> list[tuple]:
    v = IndicatorValue
    with engine.connect() as conn:
        query = select(v.period, v.value, v.replaced_id.is_not(None)).where(v.is_current)
        return [tuple(row) for row in conn.execute(query.order_by(v.id))]


def test_new_periods_beside_stored_ones_then_a_file_touching_both(db_engine, monkeypatch):
    import_file(db_engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    staged = []
    original = bulk_write._copy_records
    monkeypatch.setattr(
        bulk_write, "_copy_records", lambda *args: staged.append(1) or original(*args)
    )
    first = import_file(
        db_engine,
        make_xlsx({"指标数据": [VALUE_HEADER, *month_rows("2023-01", 1)]}),
        "a.xlsx",
        OPTIONS,
    )
    second = import_file(
        db_engine,
        make_xlsx(
            {"指标数据": [VALUE_HEADER, *month_rows("2023-03", 30), *month_rows("2023-02", 20)]}
        ),
        "b.xlsx",
        OPTIONS,
    )
    assert (first.rows_new, second.rows_new, second.rows_replaced) == (3, 6, 0)
    assert staged == []  # no current row in those periods: nothing to compare with
    third_rows = [*month_rows("2023-04", 40), *month_rows("2023-02", 20)]
    third_rows[3][4] = 99.0  # 2023-02 南山区 changes; the other two are sent unchanged
    third = import_file(
        db_engine, make_xlsx({"指标数据": [VALUE_HEADER, *third_rows]}), "c.xlsx", OPTIONS
    )
    assert (third.rows_new, third.rows_replaced, third.rows_unchanged) == (3, 1, 2)
    assert len(staged) == (1 if db_engine.dialect.name == "postgresql" else 0)
    assert current(db_engine) == [
        ("2023-01", 1.0, False),
        ("2023-01", 2.0, False),
        ("2023-01", 3.0, False),
        ("2023-03", 30.0, False),
        ("2023-03", 31.0, False),
        ("2023-03", 32.0, False),
        ("2023-02", 21.0, False),
        ("2023-02", 22.0, False),
        ("2023-04", 40.0, False),
        ("2023-04", 41.0, False),
        ("2023-04", 42.0, False),
        ("2023-02", 99.0, True),
    ]
