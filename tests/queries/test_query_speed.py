"""The fast paths behind the dashboard pages (see `bench/pages.py`) give the same answers
as the plain rules, issue a fixed number of SQL statements, and use their indexes."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots
from sqlalchemy import event, inspect

from data_model.admin.bootstrap import open_database, seed
from data_model.charts.trends import small_multiples
from data_model.queries import task_queries
from data_model.queries.shared import data_year_range, data_years, filter_options
from data_model.queries.task_queries import expected_progress, progress_by_period, scoped_tasks
from data_model.queries.task_status import task_status_frame
from data_model.task_rules import STATUSES, TaskFacts, status_of


@pytest.fixture(scope="module")
def sqlite_sample_engine(database_copies, tmp_path_factory):
    """The sample data on SQLite, for SQLite's query plans and the comparison with PostgreSQL."""
    db = database_copies.copy("sqlite", "sample", tmp_path_factory.mktemp("sqlite-sample"))
    engine = db.open()
    yield engine
    engine.dispose()


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


def statements(conn):
    """A list that collects every (SQL statement, parameters) `conn`'s engine runs."""
    seen: list[tuple] = []

    def record(_conn, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    event.listen(conn.engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(conn.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("as_of", [date(2021, 6, 30), date(2022, 8, 15), date(2023, 12, 31)])
def test_task_status_frame_applies_status_of_to_every_task(sample_engine, as_of):
    with sample_engine.connect() as conn:
        frame = task_status_frame(conn, as_of)
        scoped = scoped_tasks(conn, as_of)
    assert len(frame) > 0
    for row in frame.itertuples():
        task = TaskFacts(row.progress, row.stated_status, row.start_date, row.deadline, row.ongoing)
        assert row.status == status_of(task, as_of), row.code
        late = (as_of - row.deadline).days if row.status == "overdue" else 0
        assert row.days_late == late
    for row in scoped.itertuples():
        wanted = None if row.ongoing else expected_progress(row.start_date, row.deadline, as_of)
        assert (wanted is None and np.isnan(row.expected_progress)) or (
            row.expected_progress == wanted
        ), row.code


# --- progress over quarters: one pass instead of one task query per quarter --------


def per_quarter(conn, as_of, districts=(), action=None):
    """The slow definition: `scoped_tasks` on each quarter's day, counted by status."""
    progress = progress_by_period(conn, as_of, districts, action)
    counted = []
    for day in progress["as_of"]:
        counts = scoped_tasks(conn, day, districts, action)["status"].value_counts()
        counted.append([int(counts.get(status, 0)) for status in STATUSES])
    return progress[list(STATUSES)].to_numpy().tolist(), counted


@pytest.mark.parametrize(
    ("as_of", "districts", "action"),
    [
        (date(2023, 12, 31), (), None),
        (date(2022, 8, 15), ("南山区", "福田区"), None),
        (date(2023, 12, 31), (), "领跑行动"),
    ],
)
def test_progress_by_period_matches_scoped_tasks_on_each_quarter(
    sample_engine, as_of, districts, action
):
    with sample_engine.connect() as conn:
        fast, slow = per_quarter(conn, as_of, districts, action)
    assert fast == slow
    assert sum(map(sum, fast)) > 0


def test_progress_carries_reports_forward_over_gaps(task_list_conn):
    # K03 reported 2022-Q2 and 2022-Q4 (nothing in Q3); K01 stopped after Q2 (done).
    fast, slow = per_quarter(task_list_conn, date(2022, 12, 31))
    assert fast == slow


def test_progress_shows_the_last_quarters_and_carries_earlier_reports_into_them(
    task_list_conn, monkeypatch
):
    full = progress_by_period(task_list_conn, date(2022, 12, 31))
    monkeypatch.setattr(task_queries, "PROGRESS_QUARTERS", 2)
    window = progress_by_period(task_list_conn, date(2022, 12, 31))
    assert full["period"].tolist() == ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]
    assert window["period"].tolist() == ["2022-Q3", "2022-Q4"]
    # K01, done in Q2 and not reported since, still counts as completed in Q3 and Q4.
    pd.testing.assert_frame_equal(window, full.tail(2).reset_index(drop=True))
    fast, slow = per_quarter(task_list_conn, date(2022, 12, 31))
    assert fast == slow


def test_progress_starts_no_earlier_than_the_first_report(sample_engine):
    with sample_engine.connect() as conn:
        progress = progress_by_period(conn, date(2023, 12, 31))
    assert progress["period"].tolist()[0] == "2021-Q1"  # 12 quarters of sample data
    assert len(progress) == task_queries.PROGRESS_QUARTERS == 12


def test_task_queries_issue_a_fixed_number_of_statements(sample_engine):
    with sample_engine.connect() as conn:
        seen, stop = statements(conn)
        progress_by_period(conn, date(2023, 12, 31))  # 12 quarters of sample data
        after_progress = len(seen)
        scoped_tasks(conn, date(2023, 12, 31))
        stop()
    # first report, which quarter ends are report period ends, their summarised counts:
    # not one per quarter
    assert after_progress <= 4
    assert len(seen) - after_progress == 1  # statuses and first reports in one query


# --- indexes and plans ----------------------------------------------------------------


def test_migrations_leave_no_is_current_only_index_and_add_the_task_report_index(engine):
    indexes = {
        table: {
            index["name"]: index["column_names"] for index in inspect(engine).get_indexes(table)
        }
        for table in ("indicator", "indicator_value", "task", "task_snapshot", "activity")
    }
    for table, found in indexes.items():
        assert f"ix_{table}_is_current" not in found, table
    snapshot = indexes["task_snapshot"]
    assert snapshot["ix_task_snapshot_task_reports"] == [
        "task_code",
        "is_current",
        "period_end",
        "id",
        "progress",
        "stated_status",
    ]
    assert "ix_task_snapshot_task_period" not in snapshot  # replaced by the covering one


def last_statement_plan(conn, query, *args) -> str:
    """SQLite's query plan of the last statement `query(conn, *args)` runs."""
    seen, stop = statements(conn)
    query(conn, *args)
    stop()
    statement, parameters = seen[-1]
    plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return " ".join(str(row[-1]) for row in plan)


def test_the_latest_report_is_an_index_lookup_per_task(sqlite_sample_engine):
    with sqlite_sample_engine.connect() as conn:
        plan = last_statement_plan(conn, task_status_frame, date(2023, 12, 31))
    # The rows of one report period end in the `task_latest` summary (migration 0013),
    # which carries the latest report's values and period (migration 0016): no report read.
    assert "SEARCH task_latest_1 USING INDEX sqlite_autoindex_task_latest_1 (period_end=?)" in plan
    assert "task_snapshot" not in plan, plan


def test_the_progress_over_quarters_reads_the_summarised_counts(sqlite_sample_engine):
    with sqlite_sample_engine.connect() as conn:
        plan = last_statement_plan(conn, progress_by_period, date(2023, 12, 31))
    assert "SEARCH task_status_summary USING INDEX ix_task_status_summary_end" in plan, plan
    assert "task_snapshot" not in plan and "task_latest" not in plan, plan


# --- the filters' year range -----------------------------------------------------------


def test_year_range_is_the_first_and_last_data_year(sample_engine, engine):
    with sample_engine.connect() as conn:
        years = data_years(conn)
        assert data_year_range(conn) == (years[0], years[-1]) == (2021, 2023)
        assert filter_options(conn).first_year == 2021
    with engine.connect() as conn:  # master data only
        assert data_year_range(conn) is None
        assert filter_options(conn) is None


# --- small multiples assembled from dicts ------------------------------------------


def test_small_multiples_pass_plotly_validation_with_make_subplots_domains():
    codes = [f"C{i}" for i in range(7)]
    frame = [
        (code, label, district, float(n))
        for n, (code, district, label) in enumerate(
            (c, d, q) for c in codes for d in ("南山区", "福田区") for q in ("Q1", "Q2")
        )
    ]
    frame = pd.DataFrame(frame, columns=["indicator_code", "label", "district", "value"])
    figure = small_multiples(frame, {c: f"{c} 指标" for c in codes}, {"C0": 1.0, "C3": 2.0})
    validated = go.Figure(figure.to_dict())  # raises on any invalid property
    assert validated.to_plotly_json() == go.Figure(figure).to_plotly_json()
    grid = make_subplots(rows=3, cols=3, vertical_spacing=0.35 / 3, horizontal_spacing=0.06)
    for n in range(1, len(codes) + 1):
        suffix = "" if n == 1 else str(n)
        for axis in (f"xaxis{suffix}", f"yaxis{suffix}"):
            assert tuple(figure.layout[axis].domain) == tuple(grid.layout[axis].domain), axis
    assert [trace.showlegend for trace in figure.data[:3]] == [True, True, False]
    assert len(figure.data) == 14 and len(figure.layout.shapes) == 2
    assert figure.data[2].xaxis == "x2" and list(figure.data[2].y) == [4.0, 5.0]


# --- the same answers on PostgreSQL ---------------------------------------------------


def test_the_fast_paths_answer_the_same_on_postgresql(pg_url, sqlite_sample_engine):
    from data_model.evaluation.aggregation import aggregate
    from data_model.evaluation.scoring import district_scores
    from data_model.queries.coverage_queries import coverage_measure, incomplete_indicators

    postgres = open_database(pg_url)
    assert [r.status for r in seed(postgres)] == ["accepted"] * 5
    as_of = date(2023, 12, 31)
    calls = [
        (task_status_frame, (as_of,)),
        (scoped_tasks, (date(2022, 8, 15), ("南山区", "福田区"))),
        (progress_by_period, (as_of,)),
        (aggregate, (["2023-Q1", "2023-Q2"],)),
        (district_scores, ("2023",)),
        (coverage_measure, ("submission_coverage", "2023")),
        (incomplete_indicators, ("2023-Q4",)),
    ]
    with sqlite_sample_engine.connect() as lite, postgres.connect() as pg:
        assert data_year_range(pg) == data_year_range(lite)
        for function, args in calls:
            expected, found = function(lite, *args), function(pg, *args)
            pd.testing.assert_frame_equal(found, expected, check_dtype=False, obj=function.__name__)
    postgres.dispose()


@pytest.mark.parametrize(("period", "districts"), [("2023", ("全市",)), ("2022-Q3", ())])
def test_changes_of_many_indicators_equal_one_query_per_indicator(sample_engine, period, districts):
    from data_model.evaluation.scoring import indicator_table
    from data_model.queries.trends_queries import changes_of_indicators, indicator_changes

    with sample_engine.connect() as conn:
        codes = tuple(indicator_table(conn)["code"])
        together = changes_of_indicators(conn, codes, period, districts)
        one_by_one = [
            indicator_changes(conn, code, period, districts).assign(indicator_code=code)
            for code in codes
        ]
    expected = pd.concat([f for f in one_by_one if not f.empty], ignore_index=True)
    assert len(together) > 20
    pd.testing.assert_frame_equal(together, expected[together.columns], check_dtype=False)
