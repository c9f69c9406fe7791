"""Task status as of a date (SPEC §6), from each task's latest report up to that date.

With EVIDENCE_REQUIRED (settings.evidence_required) a task reported complete counts as
已完成 only when evidence (佐证材料) is attached to one of its reports up to that date;
until then its status is `awaiting_evidence` (待佐证), which is not counted complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, exists, func, literal, select

from data_model import settings
from data_model.store.models import (
    Action,
    District,
    Evidence,
    Explanation,
    Task,
    TaskLatest,
    TaskSnapshot,
    Unit,
)

STATUSES = (
    "completed",
    "in_progress",
    "behind",
    "overdue",
    "not_started",
    "suspended",
    "awaiting_evidence",
)
BEHIND_MARGIN = 20  # points of progress behind the elapsed share of the schedule


@dataclass(frozen=True)
class TaskFacts:
    progress: float
    stated_status: str
    start_date: date | None
    deadline: date | None
    ongoing: bool
    has_evidence: bool = False


def status_of(facts: TaskFacts, as_of: date, evidence_required: bool = False) -> str:
    """One of STATUSES; the order of the checks is the precedence of SPEC §6."""
    if facts.stated_status == "suspended":
        return "suspended"
    if facts.progress >= 100 or facts.stated_status == "completed":
        if evidence_required and not facts.has_evidence:
            return "awaiting_evidence"
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


def latest_reports(as_of: date):
    """The `task_latest` rows a status on `as_of` reads, as (table, join condition on the
    enclosing query's `Task` row): those of the greatest report period end up to that day,
    one per task reported by then, naming its latest, first and first complete report
    (ties on the period end go to the report stored last, for the first ones to the one
    stored first; see `summaries_tasks`). One index lookup per task.
    """
    rows, ends = TaskLatest.__table__.alias(), TaskLatest.__table__.alias()
    end = select(func.max(ends.c.period_end)).where(ends.c.period_end <= as_of).scalar_subquery()
    return rows, (rows.c.task_code == Task.__table__.c.code) & (rows.c.period_end == end)


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
    "explanation",
]


FIRST_REPORT_COLUMNS = ["first_period", "completed_period", "completed_end"]


def task_status_frame(
    conn: Connection, as_of: date, where: Iterable = (), first_reports: bool = False
) -> pd.DataFrame:
    """One row per task reported on or before `as_of`, with its status, days late and the
    explanation (情况说明, '' if none) stored with its latest report.

    The latest snapshot per task is read from `task_latest` (`latest_reports`); the
    status rules then run on that one row per task, as array operations. `where` adds
    SQL conditions on `Task` (a district or action scope). With `first_reports`, the
    task's first report (`first_period`) and first report showing it complete
    (`completed_period`, `completed_end`; None if none) on or before `as_of` are added.
    """
    task, s = Task.__table__, TaskSnapshot.__table__
    action, unit, d = Action.__table__, Unit.__table__, District.__table__.alias()
    explanation = Explanation.__table__.alias()
    latest, on_latest = latest_reports(as_of)
    evidence_required = settings.evidence_required()
    query = (
        select(
            task.c.code,
            action.c.name.label("action"),
            unit.c.name.label("lead_unit"),
            d.c.name.label("district"),
            task.c.content,
            task.c.owner,
            task.c.start_date,
            task.c.deadline,
            task.c.deadline_text,
            task.c.ongoing,
            s.c.report_period,
            s.c.progress,
            s.c.stated_status,
            func.coalesce(explanation.c.text, "").label("explanation"),
            has_evidence(as_of) if evidence_required else literal(True),
        )
        .select_from(task)
        .join(latest, on_latest)
        .join(s, s.c.id == latest.c.latest_id)
        .join(action, action.c.id == task.c.action_id)
        .join(unit, unit.c.id == task.c.lead_unit_id)
        .join(d, d.c.id == task.c.district_id, isouter=True)
        .join(
            explanation,
            (explanation.c.row_table == "task_snapshot") & (explanation.c.row_id == s.c.id),
            isouter=True,
        )
        .where(task.c.is_current, *where)
        .order_by(action.c.sort_order, task.c.code)
    )
    columns = [
        *(c for c in STATUS_FRAME_COLUMNS if c not in ("status", "days_late")),
        "has_evidence",
    ]
    if first_reports:
        first, done = TaskSnapshot.__table__.alias(), TaskSnapshot.__table__.alias()
        query = (
            query.add_columns(first.c.report_period, done.c.report_period, done.c.period_end)
            .join(first, first.c.id == latest.c.first_id)
            .join(done, done.c.id == latest.c.completed_id, isouter=True)
        )
        columns += FIRST_REPORT_COLUMNS
    frame = pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=columns)
    start, deadline = day_numbers(frame["start_date"]), day_numbers(frame["deadline"])
    as_of_day = float((as_of - EPOCH).days)
    status = statuses_on(
        frame["progress"].to_numpy(dtype=float),
        frame["stated_status"].fillna("").to_numpy(dtype=object),
        start,
        deadline,
        frame["ongoing"].to_numpy(dtype=bool),
        np.full(len(frame), as_of_day),
        frame.pop("has_evidence").to_numpy(dtype=bool) if evidence_required else None,
    )
    overdue = status == STATUSES.index("overdue")
    at = STATUS_FRAME_COLUMNS.index("status")
    frame.insert(at, "status", np.array(STATUSES, dtype=object)[status])
    frame.insert(at + 1, "days_late", np.where(overdue, as_of_day - deadline, 0).astype(int))
    if not evidence_required:
        frame.pop("has_evidence")
    return frame


def has_evidence(as_of: date):
    """SQL: whether evidence is attached to one of the enclosing query's task's reports
    up to `as_of`."""
    evidence = Evidence.__table__
    return (
        exists()
        .where(evidence.c.task_code == Task.__table__.c.code, evidence.c.period_end <= as_of)
        .correlate(Task.__table__)
    )


def evidence_days(conn: Connection) -> dict[str, float]:
    """Task code → the day number (`day_numbers`) of its earliest report with evidence."""
    evidence = Evidence.__table__
    query = select(evidence.c.task_code, func.min(evidence.c.period_end)).group_by(
        evidence.c.task_code
    )
    return {code: float(day_numbers([_as_date(end)])[0]) for code, end in conn.execute(query)}


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


EPOCH = date(1970, 1, 1)


def day_numbers(days: Iterable[date | None]) -> np.ndarray:
    """Days since 1970-01-01 as floats (NaN for a missing date), for `statuses_on`."""
    epoch = EPOCH.toordinal()
    return np.array(
        [d.toordinal() - epoch if isinstance(d, date) else np.nan for d in days], dtype=float
    )


def statuses_on(
    progress: np.ndarray,
    stated_status: np.ndarray,
    start: np.ndarray,
    deadline: np.ndarray,
    ongoing: np.ndarray,
    as_of: np.ndarray,
    has_evidence: np.ndarray | None = None,
) -> np.ndarray:
    """`status_of` for many (task, day) pairs at once: the same rules, as array operations.

    Dates are day numbers (`day_numbers`, NaN when missing); `as_of` holds one day per
    pair. `has_evidence`, given when evidence is required, says per pair whether the task
    has evidence by then (without it a complete task is `awaiting_evidence`). Returns the
    status of each pair as an index into STATUSES. Used where the
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
    complete = (progress >= 100) | (stated_status == "completed")
    choices = [(stated_status == "suspended", "suspended")]
    if has_evidence is not None:
        choices.append((complete & ~np.asarray(has_evidence, dtype=bool), "awaiting_evidence"))
    choices += [
        (complete, "completed"),
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
    awaiting_evidence: int = 0  # reported complete, evidence required and missing

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
        awaiting_evidence=int(counts.get("awaiting_evidence", 0)),
    )
