"""A task report counts for its own period and every later one until the task's next
report, so a closed period refuses a report of an earlier, open period that would change
its figures: one that becomes (or stops being) a task's latest report at the closed
period's end, or its first complete one. On both engines, with the task list of
tests/task_workbook.py (its figures as of 2022-12-31: 5 completed, 4 on time, 1 overdue)
and tasks closed for 2022-Q4."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data_model.accounts.permissions import guarded_import
from data_model.admin.period_closing import close_period, reopen_period
from data_model.errors import InputError
from data_model.ingest.importer import ImportOptions, import_file
from data_model.queries.task_counts import status_counts
from data_model.store.closed_periods import PeriodClosed
from data_model.store.models import Submission, TaskSnapshot
from data_model.store.storage import rollback_submission
from data_model.workflow.review import approve
from tests.accounts.test_permissions import ADMIN
from tests.conftest import make_xlsx
from tests.task_workbook import TASK_HEADER, TASKS, task_workbook
from tests.workflow.test_review import NANSHAN_REVIEWER, NANSHAN_STAFF, require_review

CLOSED_END = dt.date(2022, 12, 31)
FIGURES = ("completed", "in_progress", "behind", "overdue", "suspended", "on_time")


def report_row(code: str, period: str, progress: float, status: str = "", like: str = "") -> list:
    """A 任务清单 row of `code` (a new code takes the attributes of task `like`)."""
    action, content, unit, owner, start, deadline, district = TASKS[like or code]
    return [code, action, content, unit, owner, start, deadline, progress, status, district, period]


def tasks_xlsx(*rows: list) -> bytes:
    return make_xlsx({"任务清单": [TASK_HEADER, *rows]})


def figures(engine) -> dict[str, float]:
    """The closed quarter's task figures: counts per status and on time, city-wide."""
    with engine.connect() as conn:
        totals = status_counts(conn, CLOSED_END, grouped=False).iloc[0]
    return {name: int(totals[name]) for name in FIGURES}


def reports(engine, code: str) -> dict[str, float]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(TaskSnapshot.report_period, TaskSnapshot.progress).where(
                TaskSnapshot.task_code == code, TaskSnapshot.is_current
            )
        ).all()
    return dict(rows)


def close(engine, period: str = "2022-Q4") -> None:
    with engine.begin() as conn:
        close_period(conn, ADMIN, "tasks", period)


@pytest.fixture
def engine(db_engine):
    report = import_file(db_engine, task_workbook(), "tasks.xlsx")
    assert report.status == "accepted", report.message
    return db_engine


PUBLISHED = {
    "completed": 5,
    "in_progress": 1,
    "behind": 1,
    "overdue": 1,
    "suspended": 1,
    "on_time": 4,
}


def test_a_report_carried_into_a_closed_quarter_is_refused_naming_its_row(engine):
    """K02 reports 2022-Q2 and Q3 (已完成), nothing in Q4: its Q3 report is its latest at
    the closed quarter's end, so a 50% Q3 report would turn a completed task overdue."""
    close(engine)
    assert figures(engine) == PUBLISHED
    report = import_file(
        engine,
        tasks_xlsx(report_row("K03", "2023-Q1", 80), report_row("K02", "2022-Q3", 50)),
        "late.xlsx",
    )
    assert report.status == "rejected"
    [problem] = report.errors
    assert problem.row == 3 and problem.code == "closed_periods.refused"
    assert "2022年第四季度" in problem.message and "chen" in problem.message
    assert figures(engine) == PUBLISHED
    assert reports(engine, "K02") == {"2022-Q2": 80, "2022-Q3": 100}

    partial = import_file(
        engine,
        tasks_xlsx(report_row("K03", "2023-Q1", 80), report_row("K02", "2022-Q3", 50)),
        "late2.xlsx",
        ImportOptions(valid_rows_only=True),
    )
    assert partial.status == "partial"
    assert reports(engine, "K02") == {"2022-Q2": 80, "2022-Q3": 100}
    assert reports(engine, "K03")["2023-Q1"] == 80
    assert figures(engine) == PUBLISHED


def test_a_new_task_reported_before_the_closed_quarter_is_refused(engine):
    close(engine)
    report = import_file(
        engine, tasks_xlsx(report_row("K10", "2022-Q3", 10, like="K05")), "new.xlsx"
    )
    assert report.status == "rejected"
    [problem] = report.errors
    assert problem.row == 2 and "2022年第四季度" in problem.message
    assert reports(engine, "K10") == {}
    assert figures(engine) == PUBLISHED
    # After the closed quarter it is a new task like any other.
    assert (
        import_file(
            engine, tasks_xlsx(report_row("K10", "2023-Q1", 10, like="K05")), "new2.xlsx"
        ).status
        == "accepted"
    )


def test_an_earlier_report_of_a_task_that_reports_in_the_closed_quarter_is_accepted(engine):
    """K03 reports 2022-Q2 and Q4: a Q3 report is never its latest at the quarter's end."""
    close(engine)
    report = import_file(engine, tasks_xlsx(report_row("K03", "2022-Q3", 60)), "q3.xlsx")
    assert report.status == "accepted", report.message
    assert reports(engine, "K03") == {"2022-Q2": 50, "2022-Q3": 60, "2022-Q4": 70}
    assert figures(engine) == PUBLISHED


def test_a_report_that_would_be_the_first_complete_one_is_refused(engine):
    """K02 first reports complete in 2022-Q3, after its 6-30 deadline (late): a complete
    Q2 report would make it on time in the closed quarter's figures (4 → 5)."""
    close(engine)
    report = import_file(engine, tasks_xlsx(report_row("K02", "2022-Q2", 100, "已完成")), "q2.xlsx")
    assert report.status == "rejected"
    assert "2022年第四季度" in report.errors[0].message
    assert figures(engine) == PUBLISHED
    # A report of a period before the first complete one that is not complete: accepted.
    assert (
        import_file(engine, tasks_xlsx(report_row("K02", "2022-Q1", 20)), "q1.xlsx").status
        == "accepted"
    )
    assert figures(engine) == PUBLISHED


def test_a_closed_year_refuses_a_report_carried_into_its_first_quarter(engine):
    """Closing 2023 closes its quarters: K04's 2022-Q4 report is its latest on 2023-03-31
    once it reports again in 2023-Q3, so it stays refused."""
    assert (
        import_file(engine, tasks_xlsx(report_row("K04", "2023-Q3", 40)), "k04.xlsx").status
        == "accepted"
    )
    close(engine, "2023")
    report = import_file(engine, tasks_xlsx(report_row("K04", "2022-Q4", 9)), "k04b.xlsx")
    assert report.status == "rejected" and "2023年" in report.errors[0].message
    assert reports(engine, "K04")["2022-Q4"] == 5


def submission_of(engine, filename: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(Submission.id).where(Submission.filename == filename)
        ).scalar_one()


def test_a_rollback_that_would_withdraw_a_carried_report_is_refused(engine):
    """Before the close: K02's Q3 report replaced (90%, still its latest at the quarter's
    end) and a Q3 report for K03 (which reports in Q4). After it, rolling back the first
    would restore 100% in the closed quarter; the second changes nothing there."""
    carried = import_file(engine, tasks_xlsx(report_row("K02", "2022-Q3", 90)), "k02.xlsx")
    earlier = import_file(engine, tasks_xlsx(report_row("K03", "2022-Q3", 60)), "k03.xlsx")
    assert (carried.status, earlier.status) == ("accepted", "accepted")
    close(engine)
    published = figures(engine)
    with engine.begin() as conn, pytest.raises(PeriodClosed) as refused:
        rollback_submission(conn, carried.submission_id, "chen")
    assert "2022年第四季度" in refused.value.message() and "chen" in refused.value.message()
    assert reports(engine, "K02")["2022-Q3"] == 90
    with engine.begin() as conn:
        rollback_submission(conn, earlier.submission_id, "chen")
    assert reports(engine, "K03") == {"2022-Q2": 50, "2022-Q4": 70}
    assert figures(engine) == published

    with engine.begin() as conn:
        reopen_period(conn, ADMIN, "tasks", "2022-Q4", "K02三季度进度更正")
        rollback_submission(conn, carried.submission_id, "chen")
    assert reports(engine, "K02")["2022-Q3"] == 100


def test_a_closed_quarter_refuses_approving_a_report_carried_into_it(engine):
    """K01 (南山区) reports 2022-Q1 and Q2 (已完成): a Q2 report held for review is its
    latest at the closed quarter's end, so its approval waits for a reopen."""
    require_review(engine, "tasks")
    held = guarded_import(
        engine, NANSHAN_STAFF, tasks_xlsx(report_row("K01", "2022-Q2", 90)), "k01.xlsx"
    )
    assert held.status == "pending", held.message
    close(engine)
    with pytest.raises(InputError) as refused:
        approve(engine, NANSHAN_REVIEWER, held.submission_id)
    assert "2022年第四季度" in refused.value.message() and "chen" in refused.value.message()
    assert reports(engine, "K01") == {"2022-Q1": 50, "2022-Q2": 100}
    assert figures(engine) == PUBLISHED
    with engine.begin() as conn:
        reopen_period(conn, ADMIN, "tasks", "2022-Q4", "K01二季度进度更正")
    approve(engine, NANSHAN_REVIEWER, held.submission_id)
    assert reports(engine, "K01") == {"2022-Q1": 50, "2022-Q2": 90}
