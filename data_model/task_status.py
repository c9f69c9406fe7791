"""Task status as of a date (SPEC §6), from each task's latest report up to that date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from data_model.models import Action, District, Task, TaskSnapshot, Unit

STATUSES = ("completed", "in_progress", "behind", "overdue", "not_started", "suspended")
BEHIND_MARGIN = 20  # points of progress behind the elapsed share of the schedule


@dataclass(frozen=True)
class TaskFacts:
    progress: float
    stated_status: str
    start_date: date | None
    deadline: date | None
    ongoing: bool


def status_of(facts: TaskFacts, as_of: date) -> str:
    """One of STATUSES; the order of the checks is the precedence of SPEC §6."""
    if facts.stated_status == "suspended":
        return "suspended"
    if facts.progress >= 100 or facts.stated_status == "completed":
        return "completed"
    if not facts.ongoing and facts.deadline is not None and facts.deadline < as_of:
        return "overdue"
    if _behind_schedule(facts, as_of):
        return "behind"
    if facts.progress <= 0:
        return "not_started"
    return "in_progress"


def _behind_schedule(facts: TaskFacts, as_of: date) -> bool:
    if facts.ongoing or facts.start_date is None or facts.deadline is None:
        return False
    span = (facts.deadline - facts.start_date).days
    if span <= 0:
        return False
    elapsed = min(max((as_of - facts.start_date).days / span, 0.0), 1.0)
    return facts.progress < elapsed * 100 - BEHIND_MARGIN


def days_late(facts: TaskFacts, as_of: date, status: str) -> int:
    if status != "overdue" or facts.deadline is None:
        return 0
    return (as_of - facts.deadline).days


def latest_report_id(as_of: date, first: bool = False, completed_only: bool = False):
    """SQL: the id of a task's latest current report on or before `as_of` (its first with
    `first`; with `completed_only`, only reports showing it complete), correlated with
    the enclosing query's `Task` row.

    One index lookup per task (`ix_task_snapshot_task_period`); ties on the period end
    go to the report stored last.
    """
    s = aliased(TaskSnapshot)
    query = select(s.id).where(s.task_code == Task.code, s.is_current, s.period_end <= as_of)
    if completed_only:
        query = query.where((s.progress >= 100) | (s.stated_status == "completed"))
    order = (s.period_end.asc(), s.id.asc()) if first else (s.period_end.desc(), s.id.desc())
    return query.order_by(*order).limit(1).correlate(Task).scalar_subquery()


STATUS_FRAME_COLUMNS = [
    "code",
    "action",
    "lead_unit",
    "district",
    "content",
    "owner",
    "start_date",
    "deadline",
    "deadline_text",
    "ongoing",
    "report_period",
    "progress",
    "stated_status",
    "status",
    "days_late",
]


def task_status_frame(conn: Connection, as_of: date) -> pd.DataFrame:
    """One row per task reported on or before `as_of`, with its status and days late.

    The latest snapshot per task is chosen in SQL (one index lookup per task); the
    status rules then run on that one row per task.
    """
    s = TaskSnapshot
    d = aliased(District)
    rows = conn.execute(
        select(
            Task.code,
            Action.name.label("action"),
            Unit.name.label("lead_unit"),
            d.name.label("district"),
            Task.content,
            Task.owner,
            Task.start_date,
            Task.deadline,
            Task.deadline_text,
            Task.ongoing,
            s.report_period,
            s.progress,
            s.stated_status,
        )
        .select_from(Task)
        .join(s, s.id == latest_report_id(as_of))
        .join(Action, Action.id == Task.action_id)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .join(d, d.id == Task.district_id, isouter=True)
        .where(Task.is_current)
        .order_by(Action.sort_order, Task.code)
    ).all()
    records = []
    for row in rows:
        facts = TaskFacts(
            progress=row.progress,
            stated_status=row.stated_status or "",
            start_date=row.start_date,
            deadline=row.deadline,
            ongoing=row.ongoing,
        )
        status = status_of(facts, as_of)
        records.append((*row, status, days_late(facts, as_of, status)))
    return pd.DataFrame(records, columns=STATUS_FRAME_COLUMNS)


EPOCH = date(1970, 1, 1)


def day_numbers(days: Iterable[date | None]) -> np.ndarray:
    """Days since 1970-01-01 as floats (NaN for a missing date), for `statuses_on`."""
    return np.array([np.nan if d is None else (d - EPOCH).days for d in days], dtype=float)


def statuses_on(
    progress: np.ndarray,
    stated_status: np.ndarray,
    start: np.ndarray,
    deadline: np.ndarray,
    ongoing: np.ndarray,
    as_of: np.ndarray,
) -> np.ndarray:
    """`status_of` for many (task, day) pairs at once: the same rules, as array operations.

    Dates are day numbers (`day_numbers`, NaN when missing); `as_of` holds one day per
    pair. Returns the status of each pair as an index into STATUSES. Used where the
    statuses of thousands of tasks on dozens of days are counted; a test checks that it
    agrees with `status_of`.
    """
    progress = np.asarray(progress, dtype=float)
    stated_status = np.asarray(stated_status, dtype=object)
    ongoing = np.asarray(ongoing, dtype=bool)
    scheduled = ~ongoing & ~np.isnan(start) & ~np.isnan(deadline) & (deadline > start)
    with np.errstate(invalid="ignore", divide="ignore"):
        elapsed = np.clip((as_of - start) / (deadline - start), 0.0, 1.0)
    behind = scheduled & (progress < elapsed * 100 - BEHIND_MARGIN)
    choices = [
        (stated_status == "suspended", "suspended"),
        ((progress >= 100) | (stated_status == "completed"), "completed"),
        (~ongoing & ~np.isnan(deadline) & (deadline < as_of), "overdue"),
        (behind, "behind"),
        (progress <= 0, "not_started"),
    ]
    return np.select(
        [condition for condition, _ in choices],
        [STATUSES.index(status) for _, status in choices],
        default=STATUSES.index("in_progress"),
    )


@dataclass(frozen=True)
class TaskSummary:
    total: int  # tasks counted in rates (suspended excluded)
    completed: int
    overdue: int
    behind: int
    suspended: int

    @property
    def completion_rate(self) -> float | None:
        return None if self.total == 0 else self.completed / self.total * 100


def summarize(frame: pd.DataFrame) -> TaskSummary:
    counts = frame["status"].value_counts() if not frame.empty else {}
    suspended = int(counts.get("suspended", 0))
    return TaskSummary(
        total=len(frame) - suspended,
        completed=int(counts.get("completed", 0)),
        overdue=int(counts.get("overdue", 0)),
        behind=int(counts.get("behind", 0)),
        suspended=suspended,
    )
