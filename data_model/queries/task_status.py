"""Task status as of a date (SPEC §6), from each task's latest report up to that date:
the rule itself is `task_rules.status_of`; here SQL picks each task's latest report and
the rule runs on all of them at once (`task_status_arrays.statuses_on`).

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
from sqlalchemy import Connection, func, literal, select

from data_model import settings
from data_model.queries.task_status_arrays import EPOCH, day_numbers, statuses_on
from data_model.store.models import (
    Action,
    District,
    Explanation,
    Task,
    TaskLatest,
    Unit,
)
from data_model.store.task_status_sql import has_evidence
from data_model.task_rules import STATUSES


def latest_reports(as_of: date, rows=None):
    """The `task_latest` rows a status on `as_of` reads, as (table, join condition on the
    enclosing query's `Task` row): those of the greatest report period end up to that day,
    one per task reported by then, naming its latest, first and first complete report
    (ties on the period end go to the report stored last, for the first ones to the one
    stored first; see `summaries_tasks`) and carrying the latest report's progress and
    stated status. One index lookup per task. `rows`: the alias to use (a new one if None).
    """
    ends = TaskLatest.__table__.alias()
    rows = TaskLatest.__table__.alias() if rows is None else rows
    end = select(func.max(ends.c.period_end)).where(ends.c.period_end <= as_of).scalar_subquery()
    return rows, (rows.c.task_code == Task.__table__.c.code) & (rows.c.period_end == end)


def with_latest_report(query, as_of: date, report, names: tuple, latest=None):
    """`query` over `Task` joined with each task's latest report on `as_of` (`report`, a
    `TaskSnapshot` table, or None for only its `task_latest` row) and, `names` = (action,
    unit, district, explanation) tables, its action, lead unit, district (outer) and the
    report's explanation (outer); with the `task_latest` alias it read the report through
    (`latest`, or a new one: `latest_reports`)."""
    task = Task.__table__
    action, unit, district, explanation = names
    latest, on_latest = latest_reports(as_of, latest)
    joined = query.select_from(task).join(latest, on_latest)
    if report is not None:
        joined = joined.join(report, report.c.id == latest.c.latest_id)
    joined = (
        joined.join(action, action.c.id == task.c.action_id)
        .join(unit, unit.c.id == task.c.lead_unit_id)
        .join(district, district.c.id == task.c.district_id, isouter=True)
        .join(
            explanation,
            (explanation.c.row_table == "task_snapshot")
            & (explanation.c.row_id == latest.c.latest_id),
            isouter=True,
        )
    )
    return joined, latest


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

    Each task's latest report (its period, progress and stated status) is read from its
    `task_latest` row (`latest_reports`), with no join of `task_snapshot`; the status
    rules then run on that one row per task, as array operations. `where` adds
    SQL conditions on `Task` (a district or action scope). With `first_reports`, the
    task's first report (`first_period`) and first report showing it complete
    (`completed_period`, `completed_end`; None if none) on or before `as_of` are added.
    """
    task = Task.__table__
    action, unit, d = Action.__table__, Unit.__table__, District.__table__.alias()
    latest = TaskLatest.__table__.alias()
    explanation = Explanation.__table__.alias()
    evidence_required = settings.evidence_required()
    query, latest = with_latest_report(
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
            latest.c.latest_period,
            latest.c.progress,
            latest.c.stated_status,
            func.coalesce(explanation.c.text, "").label("explanation"),
            has_evidence(as_of) if evidence_required else literal(True),
        ),
        as_of,
        None,
        (action, unit, d, explanation),
        latest,
    )
    query = query.where(task.c.is_current, *where).order_by(action.c.sort_order, task.c.code)
    columns = [
        *(c for c in STATUS_FRAME_COLUMNS if c not in ("status", "days_late")),
        "has_evidence",
    ]
    if first_reports:
        query = query.add_columns(
            latest.c.first_period, latest.c.completed_period, latest.c.completed_end
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
