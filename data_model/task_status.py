"""Task status as of a date (SPEC §6), from each task's latest report up to that date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Connection, func, select
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


def task_status_frame(conn: Connection, as_of: date) -> pd.DataFrame:
    """One row per task reported on or before `as_of`, with its status and days late.

    The latest snapshot per task is chosen in SQL (window function); the status
    rules then run on that one row per task.
    """
    s = TaskSnapshot
    ranked = (
        select(
            s.task_code,
            s.report_period,
            s.progress,
            s.stated_status,
            func.row_number()
            .over(partition_by=s.task_code, order_by=s.period_end.desc())
            .label("rank"),
        )
        .where(s.is_current, s.period_end <= as_of)
        .subquery()
    )
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
            ranked.c.report_period,
            ranked.c.progress,
            ranked.c.stated_status,
        )
        .join(ranked, (ranked.c.task_code == Task.code) & (ranked.c.rank == 1))
        .join(Action, Action.id == Task.action_id)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .join(d, d.id == Task.district_id, isouter=True)
        .where(Task.is_current)
        .order_by(Action.sort_order, Task.code)
    ).mappings()
    records = []
    for row in rows:
        facts = TaskFacts(
            progress=row["progress"],
            stated_status=row["stated_status"] or "",
            start_date=row["start_date"],
            deadline=row["deadline"],
            ongoing=row["ongoing"],
        )
        status = status_of(facts, as_of)
        records.append({**row, "status": status, "days_late": days_late(facts, as_of, status)})
    columns = [
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
    return pd.DataFrame(records, columns=columns)


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
