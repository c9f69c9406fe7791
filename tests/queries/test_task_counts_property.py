"""The status rule stated in SQL (`task_counts`) equals the plain rule (`task_rules`, as
`task_queries.scoped_tasks` applies it to every task) on random task lists: schedules
with and without dates, ongoing tasks, reports at the edges of complete, suspended and
behind, judged on days around the deadlines and report period ends, on SQLite and
PostgreSQL. Each example writes through the write path in a transaction rolled back at
its end."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from data_model.queries.task_counts import LISTS, status_counts, task_list
from data_model.queries.task_queries import counts_of, scoped_tasks, totals_of
from data_model.store.storage import create_submission
from data_model.store.storage import write_kind as write_kind_rows
from data_model.task_rules import BEHIND_MARGIN
from tests.conftest import database_examples, task_record
from tests.store.test_task_summary_equivalence import master_ids

PERIODS = ("2024-Q1", "2024-Q2", "2024-03", "2024")
# Days on and next to the schedule's edges: period ends, deadlines, the year's turn.
DAYS = [date(2023, 12, 31), date(2024, 3, 31), date(2024, 4, 1), date(2024, 6, 29)]
DAYS += [date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31), date(2025, 1, 1)]
# Progress at the edges: none, just behind or level with the schedule's margin, complete.
PROGRESS = (0.0, 0.5, 50.0 - BEHIND_MARGIN, 24.75, 49.9, 50.0, 99.9, 100.0, 120.0)

schedules = st.tuples(
    st.sampled_from((None, date(2024, 1, 1), date(2024, 4, 1))),  # start
    st.sampled_from((None, date(2024, 1, 1), date(2024, 6, 30), date(2024, 12, 31))),
    st.booleans(),  # ongoing (常态化)
)
reports = st.dictionaries(
    st.sampled_from(PERIODS),
    st.tuples(st.sampled_from(PROGRESS), st.sampled_from(("", "", "completed", "suspended"))),
    min_size=1,
    max_size=3,
)
task_lists = st.dictionaries(
    st.sampled_from(("T1", "T2", "T3", "T4")),
    st.tuples(schedules, reports, st.sampled_from((None, 0, 1))),
    min_size=1,
    max_size=4,
)


def records(tasks: dict, ids: dict) -> list[dict]:
    return [
        task_record(
            code,
            ids["action"],
            ids["units"][0],
            None if district is None else ids["districts"][district],
            schedule,
            (period, progress, stated),
        )
        for code, (schedule, by_period, district) in tasks.items()
        for period, (progress, stated) in by_period.items()
    ]


@database_examples(30)
@given(tasks=task_lists)
def test_the_status_rule_in_sql_equals_the_plain_rule(db_engine, tasks):
    ids = master_ids(db_engine)
    with db_engine.connect() as conn:
        transaction = conn.begin()
        try:
            submission_id = create_submission(
                conn,
                uploaded_at=datetime(2024, 1, 5, tzinfo=UTC),
                uploader="test",
                file_name="tasks.xlsx",
                sha256="0" * 64,
                kinds="tasks",
                status="accepted",
            )
            write_kind_rows(conn, "tasks", records(tasks, ids), submission_id)
            for as_of in DAYS:
                judged = scoped_tasks(conn, as_of, (), None)
                counted = status_counts(conn, as_of, (), None, grouped=False)
                assert totals_of(counted) == totals_of(counts_of(judged)), as_of
                for kind, statuses in LISTS.items():
                    listed = task_list(conn, as_of, kind, (), None, 50, 0)
                    expected = judged[judged["status"].isin(statuses)]
                    assert sorted(listed["code"]) == sorted(expected["code"]), (as_of, kind)
        finally:
            transaction.rollback()
