"""The expected-submission schedule and the late list on fixed dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import update

from data_model.queries.schedule import (
    due_date_after,
    ensure_default_schedule,
    not_reported,
    replace_schedule,
    reporting_status,
    schedule_frame,
)
from data_model.store.models import Submission
from tests.conftest import (
    import_indicators,
    import_values,
)


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


def test_due_dates_are_the_tenth_of_the_next_month():
    assert due_date_after("2022-03") == date(2022, 4, 10)
    assert due_date_after("2022-Q4") == date(2023, 1, 10)


def test_default_schedule_covers_every_district_monthly_and_quarterly(engine):
    with engine.begin() as conn:
        assert ensure_default_schedule(conn, "2022-01", "2022-03") == 11 * 3 + 11
        assert ensure_default_schedule(conn, "2022-01", "2022-03") == 0
        frame = schedule_frame(conn)
    assert "全市" not in set(frame["district"])
    assert sorted(set(frame["kind"])) == ["indicator_values", "tasks"]


def values_due(district: str, period: str, due_date: date) -> dict:
    """A schedule row: `district`'s indicator values for `period` are due on `due_date`."""
    return {
        "district": district,
        "unit": None,
        "kind": "indicator_values",
        "period": period,
        "due_date": due_date,
        "note": "",
    }


def test_late_list_on_fixed_dates(engine):
    import_indicators(engine)
    import_values(engine, "v.xlsx", ["YS02", "", "南山区", "2022-03", 1, ""])
    with engine.begin() as conn:
        # 南山区 reported on 5 April 2022, before its due date.
        conn.execute(update(Submission).values(uploaded_at=datetime(2022, 4, 5, 9, tzinfo=UTC)))
        replace_schedule(
            conn,
            pd.DataFrame(
                [
                    values_due("南山区", "2022-03", date(2022, 4, 10)),
                    values_due("福田区", "2022-03", date(2022, 4, 10)),
                    values_due("福田区", "2022-04", date(2022, 5, 10)),
                ]
            ),
        )
        before_due = not_reported(conn, date(2022, 4, 10))
        late = not_reported(conn, date(2022, 4, 25))
        status = reporting_status(conn, date(2022, 4, 25))
    assert before_due.empty
    assert late[["district", "period", "days_late"]].values.tolist() == [["福田区", "2022-03", 15]]
    nanshan = status[status["district"] == "南山区"].iloc[0]
    assert (nanshan["reported_on"], nanshan["late"]) == (date(2022, 4, 5), False)


def test_schedule_rows_with_unknown_names_are_refused(engine):
    frame = pd.DataFrame(
        [
            {
                "district": "火星区",
                "unit": None,
                "kind": "tasks",
                "period": "2022-Q1",
                "due_date": "2022-04-10",
                "note": "",
            }
        ]
    )
    with engine.begin() as conn, pytest.raises(ValueError, match="火星区"):
        replace_schedule(conn, frame)


def test_values_can_be_traced_to_their_submission(engine):
    from data_model.store.submissions import value_provenance

    import_indicators(engine)
    first = import_values(engine, "a.xlsx", ["YS02", "", "南山区", "2022-03", 1, ""])
    second = import_values(engine, "b.xlsx", ["YS02", "", "福田区", "2022-03", 2, ""])
    with engine.connect() as conn:
        sources = value_provenance(conn, "YS02", ("2022-03",))
    assert sources[["district", "value", "submission_id", "file_name"]].values.tolist() == [
        ["福田区", 2.0, second.submission_id, "b.xlsx"],
        ["南山区", 1.0, first.submission_id, "a.xlsx"],
    ]


def test_coverage_map_measure_counts_overdue_reports_per_district(engine):
    from data_model.queries.coverage_queries import coverage_measure

    import_indicators(engine)
    import_values(engine, "v.xlsx", ["YS02", "", "南山区", "2022-03", 1, ""])
    with engine.begin() as conn:
        ensure_default_schedule(conn, "2022-03", "2022-03")
    with engine.connect() as conn:
        late = coverage_measure(conn, "late_reports", "2022").set_index("district")["value"]
    assert late["南山区"] == 1  # values reported, the Q1 task report not
    assert late["福田区"] == 2
    assert late["全市"] == 0
