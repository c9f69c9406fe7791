"""Supersede-with-history and rollback across submissions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data_model.ingest.importer import import_file
from data_model.store.models import IndicatorValue, Submission, Task, TaskSnapshot
from data_model.store.storage import rollback_submission
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


def values_file(*rows) -> bytes:
    return make_xlsx({"指标数据": [VALUE_HEADER, *rows]})


def current_values(engine) -> dict[tuple[str, str], float]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                IndicatorValue.indicator_code, IndicatorValue.period, IndicatorValue.value
            ).where(IndicatorValue.is_current, IndicatorValue.district_id == 4)
        ).all()
    return {(code, period): value for code, period, value in rows}


def statuses(engine) -> dict[int, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Submission.id, Submission.status)).all())


@pytest.fixture
def with_indicators(engine):
    import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    return engine


def test_rollback_restores_the_values_a_submission_replaced(with_indicators):
    engine = with_indicators
    first = import_file(engine, values_file(["YS02", "", "南山区", "2022-03", 10, ""]), "a.xlsx")
    second = import_file(
        engine,
        values_file(
            ["YS02", "", "南山区", "2022-03", 12, ""], ["YS02", "", "南山区", "2022-04", 7, ""]
        ),
        "b.xlsx",
    )
    assert current_values(engine) == {("YS02", "2022-03"): 12.0, ("YS02", "2022-04"): 7.0}
    assert statuses(engine)[first.submission_id] == "superseded"
    with engine.begin() as conn:
        summary = rollback_submission(conn, second.submission_id, by="admin")
    assert summary == {"indicator_value": 2}
    assert current_values(engine) == {("YS02", "2022-03"): 10.0}
    assert statuses(engine)[first.submission_id] == "accepted"
    assert statuses(engine)[second.submission_id] == "rolled_back"


def test_rolling_back_an_older_submission_skips_it_when_restoring_later(with_indicators):
    engine = with_indicators
    a = import_file(engine, values_file(["YS02", "", "南山区", "2022-03", 1, ""]), "a.xlsx")
    b = import_file(engine, values_file(["YS02", "", "南山区", "2022-03", 2, ""]), "b.xlsx")
    c = import_file(engine, values_file(["YS02", "", "南山区", "2022-03", 3, ""]), "c.xlsx")
    with engine.begin() as conn:
        rollback_submission(conn, b.submission_id, by="admin")
    assert current_values(engine) == {("YS02", "2022-03"): 3.0}  # b was no longer current
    with engine.begin() as conn:
        rollback_submission(conn, c.submission_id, by="admin")
    assert current_values(engine) == {("YS02", "2022-03"): 1.0}  # b is skipped: rolled back
    assert statuses(engine)[a.submission_id] == "accepted"


def test_rollback_twice_is_refused(with_indicators):
    engine = with_indicators
    a = import_file(engine, values_file(["YS02", "", "南山区", "2022-03", 1, ""]), "a.xlsx")
    with engine.begin() as conn:
        rollback_submission(conn, a.submission_id, by="admin")
    with engine.begin() as conn, pytest.raises(ValueError, match="already rolled back"):
        rollback_submission(conn, a.submission_id, by="admin")
    assert current_values(engine) == {}


def test_rolled_back_file_can_be_imported_again(with_indicators):
    engine = with_indicators
    data = values_file(["YS02", "", "南山区", "2022-03", 1, ""])
    a = import_file(engine, data, "a.xlsx")
    with engine.begin() as conn:
        rollback_submission(conn, a.submission_id, by="admin")
    again = import_file(engine, data, "a.xlsx")
    assert again.status == "accepted"
    assert current_values(engine) == {("YS02", "2022-03"): 1.0}


TASK_HEADER = ["任务编号", "所属行动", "任务内容", "牵头单位", "完成时限", "完成进度", "报送期"]


def test_task_attributes_come_from_the_latest_report_period(engine):
    later = make_xlsx(
        {
            "任务清单": [
                TASK_HEADER,
                ["A1-01", "领跑行动", "新内容", "市商务局", "2022年底", 80, "2022-Q3"],
            ]
        }
    )
    earlier = make_xlsx(
        {
            "任务清单": [
                TASK_HEADER,
                ["A1-01", "领跑行动", "旧内容", "市发展改革委", "2022年6月底", 40, "2022-Q1"],
            ]
        }
    )
    import_file(engine, later, "later.xlsx")
    report = import_file(engine, earlier, "earlier.xlsx")
    assert report.status == "accepted"
    with engine.connect() as conn:
        task = conn.execute(select(Task.content, Task.report_period).where(Task.is_current)).one()
        snapshots = conn.execute(
            select(TaskSnapshot.report_period, TaskSnapshot.progress)
            .where(TaskSnapshot.is_current)
            .order_by(TaskSnapshot.period_end)
        ).all()
    assert tuple(task) == ("新内容", "2022-Q3")
    assert [tuple(s) for s in snapshots] == [("2022-Q1", 40.0), ("2022-Q3", 80.0)]
