"""The task status rule (`task_rules.status_of`) stated in SQL, over a task's `Task` row
and a `task_latest` row (which carries its latest report's progress and stated status).

One statement of the rule for every query that judges tasks in SQL: the pages' counts
and lists (`queries.task_counts`) judge on one day, the summary of the status counts
(`summaries_task_status`, kept by the write path) on each row's own report period end.
The date arithmetic is that of `task_status_arrays.statuses_on` (days as
double-precision numbers); `tests/queries/test_task_counts_property.py` checks the SQL
against the plain rule.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, and_, case, cast, exists, func, literal, not_, or_

from data_model.store.models import Evidence, Task
from data_model.task_rules import BEHIND_MARGIN


def days_between(dialect: str, later, earlier):
    """SQL: the days from `earlier` to `later` (dates) as a double-precision number."""
    if dialect == "postgresql":
        return cast(later - earlier, Float)
    return func.julianday(later) - func.julianday(earlier)


def has_evidence(day, correlate=()):
    """SQL: whether evidence is attached to one of the enclosing query's task's reports
    up to `day` (a date, or a date column of the enclosing query, then named in
    `correlate` with the tables it belongs to), under the task's own district and lead
    unit: a code another owner held before (a rollback freed it) does not count their
    files, as it neither lists nor serves them (`evidence._of_current_task`)."""
    evidence, task = Evidence.__table__, Task.__table__
    return (
        exists()
        .where(*evidence_of_task(evidence, task), evidence.c.period_end <= day)
        .correlate(task, *correlate)
    )


def evidence_of_task(evidence, task) -> tuple:
    """SQL conditions: the `evidence` row (a table or alias of Evidence) is the `task`
    row's (of Task): attached to its code under its district and lead unit
    (`Evidence.district_id`, `lead_unit_id`), as the files are listed, served and counted."""
    return (
        evidence.c.task_code == task.c.code,
        evidence.c.district_id.is_not_distinct_from(task.c.district_id),
        evidence.c.lead_unit_id == task.c.lead_unit_id,
    )


class Judged:
    """The SQL expressions of a task's status on `day` from its `task_latest` row
    `latest` (columns of `Task` and `TaskLatest`). `day`: a date, or a date column of the
    query (the summary judges each row on its own `period_end`).

    `complete`: reported complete (progress 100 or stated 已完成) and not suspended;
    `status`: one of STATUSES, `awaiting_evidence` only with `evidence_required`;
    `expected`: the progress the schedule asks for (`task_queries.expected_progress`),
    or NULL; `days_late` / `days_left`: days from the deadline to `day` and back."""

    def __init__(self, dialect: str, day, latest, evidence_required: bool):
        task = Task.__table__
        if isinstance(day, date):
            day = literal(day, Date)
        progress, stated = latest.c.progress, func.coalesce(latest.c.stated_status, "")
        complete = or_(progress >= 100, stated == "completed")
        span = days_between(dialect, task.c.deadline, task.c.start_date)
        elapsed_days = days_between(dialect, day, task.c.start_date)
        scheduled = and_(
            not_(task.c.ongoing),
            task.c.start_date.is_not(None),
            task.c.deadline.is_not(None),
            task.c.deadline > task.c.start_date,
        )
        elapsed = case(
            (elapsed_days <= 0, 0.0), (elapsed_days >= span, 1.0), else_=elapsed_days / span
        )
        self.expected = case((scheduled, elapsed * 100))
        self.complete = and_(stated != "suspended", complete)
        whens = [(stated == "suspended", "suspended")]
        if evidence_required:
            evidenced = has_evidence(day, (latest,))
            whens.append((and_(complete, not_(evidenced)), "awaiting_evidence"))
        whens += [
            (complete, "completed"),
            (
                and_(not_(task.c.ongoing), task.c.deadline.is_not(None), task.c.deadline < day),
                "overdue",
            ),
            (and_(scheduled, progress < elapsed * 100 - BEHIND_MARGIN), "behind"),
            (progress <= 0, "not_started"),
        ]
        self.status = case(*whens, else_="in_progress")
        self.days_late = days_between(dialect, day, task.c.deadline)
        self.days_left = days_between(dialect, task.c.deadline, day)
