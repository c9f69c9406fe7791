"""The expected-submission schedule (who owes which data for which period, by when) and
the "who has not reported" view built on it."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select

from data_model.periods import (
    granularity,
    period_containing,
    period_end,
    periods_between,
    to_granularity,
)
from data_model.queries.frames import records
from data_model.store.db import as_date
from data_model.store.kind_registry import scheduled_kinds
from data_model.store.models import (
    District,
    ExpectedSubmission,
    ReportedSummary,
    Submission,
    Unit,
)
from data_model.store.storage import take_write_locks

DUE_DAY = 10  # due on the 10th of the month after the period ends
SCHEDULE_COLUMNS = ["id", "district", "unit", "kind", "period", "due_date", "note"]


def due_date_after(period: str, day: int = DUE_DAY) -> date:
    """The `day`-th of the month following the end of `period`."""
    first_of_next = period_end(period) + timedelta(days=1)
    return first_of_next.replace(day=day)


def default_schedule(conn: Connection, first_month: str, last_month: str) -> list[dict]:
    """Every district owes monthly indicator values and a quarterly task-progress report.

    The city level (全市) owes nothing itself: its figures come from the districts
    and the city departments.
    """
    districts = (
        conn.execute(
            select(District.id).where(District.kind != "city").order_by(District.sort_order)
        )
        .scalars()
        .all()
    )
    months = periods_between(first_month, last_month)
    quarters = sorted({to_granularity(m, "quarter") for m in months})
    rows = []
    for district_id in districts:
        for month in months:
            rows.append(_row(district_id, "indicator_values", month))
        for quarter in quarters:
            rows.append(_row(district_id, "tasks", quarter))
    return rows


def _row(district_id: int, kind: str, period: str) -> dict:
    return {
        "district_id": district_id,
        "unit_id": None,
        "kind": kind,
        "period": period,
        "due_date": due_date_after(period),
        "note": "",
    }


def ensure_default_schedule(conn: Connection, first_month: str, last_month: str) -> int:
    """Add the default rows missing for the months given; returns how many were added."""
    take_write_locks(conn, ["schedule"], holder="schedule")
    existing = set(
        conn.execute(
            select(
                ExpectedSubmission.district_id,
                ExpectedSubmission.unit_id,
                ExpectedSubmission.kind,
                ExpectedSubmission.period,
            )
        ).all()
    )
    missing = [
        row
        for row in default_schedule(conn, first_month, last_month)
        if (row["district_id"], row["unit_id"], row["kind"], row["period"]) not in existing
    ]
    if missing:
        conn.execute(insert(ExpectedSubmission), missing)
    return len(missing)


def schedule_frame(conn: Connection) -> pd.DataFrame:
    """The schedule with district and unit names, for display and editing."""
    rows = conn.execute(
        select(
            ExpectedSubmission.id,
            District.name,
            Unit.name,
            ExpectedSubmission.kind,
            ExpectedSubmission.period,
            ExpectedSubmission.due_date,
            ExpectedSubmission.note,
        )
        .join(District, District.id == ExpectedSubmission.district_id, isouter=True)
        .join(Unit, Unit.id == ExpectedSubmission.unit_id, isouter=True)
        .order_by(ExpectedSubmission.period, District.sort_order, ExpectedSubmission.kind)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=SCHEDULE_COLUMNS)


def replace_schedule(conn: Connection, frame: pd.DataFrame) -> int:
    """Store an edited schedule (district and unit by name); returns the row count.

    Raises ValueError naming the first row whose district, unit, kind or period is unknown.
    """
    take_write_locks(conn, ["schedule"], holder="schedule")
    districts = dict(conn.execute(select(District.name, District.id)).all())
    units = dict(conn.execute(select(Unit.name, Unit.id)).all())
    rows = []
    for number, record in enumerate(frame.to_dict("records"), start=1):
        district = record.get("district") or None
        unit = record.get("unit") or None
        if district is not None and district not in districts:
            raise ValueError(f"row {number}: unknown district {district!r}")
        if unit is not None and unit not in units:
            raise ValueError(f"row {number}: unknown unit {unit!r}")
        if record["kind"] not in scheduled_kinds():
            raise ValueError(f"row {number}: unknown kind {record['kind']!r}")
        granularity(str(record["period"]))  # ValueError for a non-canonical period
        due = record["due_date"]
        rows.append(
            {
                "district_id": districts.get(district),
                "unit_id": units.get(unit),
                "kind": record["kind"],
                "period": str(record["period"]),
                "due_date": as_date(due),
                "note": record.get("note") or "",
            }
        )
    conn.execute(delete(ExpectedSubmission))
    if rows:
        conn.execute(insert(ExpectedSubmission), rows)
    return len(rows)


def _value_submissions(conn: Connection) -> dict[tuple[int, str], object]:
    """(district id, month) → first upload time of current indicator values for it.

    Read from the summary of current rows per period, district and submission
    (`summaries_tasks`), a few rows per period, not from the values themselves.
    """
    r = ReportedSummary.__table__
    rows = conn.execute(
        select(r.c.district_id, r.c.period, func.min(Submission.uploaded_at))
        .join(Submission, Submission.id == r.c.submission_id)
        .where(r.c.kind == "indicator_values")
        .group_by(r.c.district_id, r.c.period)
    ).all()
    found: dict[tuple[int, str], object] = {}
    for district_id, period, uploaded in rows:
        for month in _months(period):
            key = (district_id, month)
            found[key] = min(found.get(key, uploaded), uploaded)
    return found


def _months(period: str) -> list[str]:
    """The month a reported period counts for: the month it ends in (Q1 counts for March)."""
    return [period_containing(period_end(period), "month")]


def _task_submissions(conn: Connection) -> dict[tuple[int, str], object]:
    """(district id, report period) → first upload time of a task report for that district.

    A district reported when a report exists for a task in that district or led by
    that district's own unit (its federation). Read from the summary of current reports
    per period, task district, lead unit and submission (`summaries_tasks`).
    """
    found: dict[tuple[int, str], object] = {}
    r = ReportedSummary.__table__
    rows = conn.execute(
        select(r.c.district_id, Unit.district_id, r.c.period, func.min(Submission.uploaded_at))
        .join(Unit, Unit.id == r.c.lead_unit_id)
        .join(Submission, Submission.id == r.c.submission_id)
        .where(r.c.kind == "tasks")
        .group_by(r.c.district_id, Unit.district_id, r.c.period)
    ).all()
    for task_district, unit_district, period, uploaded in rows:
        for district_id in {task_district, unit_district} - {None}:
            key = (district_id, period)
            found[key] = min(found.get(key, uploaded), uploaded)
    return found


def reporting_status(conn: Connection, as_of: date, due_by: date | None = None) -> pd.DataFrame:
    """Every schedule row due by `as_of` (or by `due_by`, to see what falls due soon) with
    when it was first reported by `as_of` and days late.

    Columns: district, unit, kind, period, due_date, reported_on (date or None),
    days_late (for unreported rows: as_of − due date; for late reports: reported − due),
    late (bool: unreported past due, or reported after the due date).
    """
    schedule = schedule_frame(conn)
    schedule = schedule[pd.to_datetime(schedule["due_date"]).dt.date <= (due_by or as_of)]
    district_ids = dict(conn.execute(select(District.name, District.id)).all())
    values, tasks = _value_submissions(conn), _task_submissions(conn)
    rows = []
    for row in records(schedule):
        district_id = district_ids.get(row["district"])
        source = values if row["kind"] == "indicator_values" else tasks
        uploaded = source.get((district_id, row["period"])) if district_id else None
        reported_on = uploaded.date() if uploaded is not None else None
        if reported_on is not None and reported_on > as_of:
            reported_on = None  # not yet reported on the day looked at
        due = row["due_date"]
        end = reported_on or as_of
        days_late = max((end - due).days, 0)
        rows.append(
            {
                **{k: row[k] for k in ("district", "unit", "kind", "period", "due_date")},
                "reported_on": reported_on,
                "days_late": days_late,
                "late": days_late > 0,
            }
        )
    columns = ["district", "unit", "kind", "period", "due_date", "reported_on", "days_late", "late"]
    return pd.DataFrame(rows, columns=columns)


def has_schedule(conn: Connection) -> bool:
    """Whether any expected submission is scheduled: without one, nobody can be late, and
    an empty 未报送 list says nothing about who has reported."""
    return conn.execute(select(ExpectedSubmission.id).limit(1)).first() is not None


def not_reported(conn: Connection, as_of: date) -> pd.DataFrame:
    """The 未报送 list: schedule rows past due with nothing reported, most days late first."""
    status = reporting_status(conn, as_of)
    missing = status[status["reported_on"].isna() & status["late"]]
    return missing.sort_values(["days_late", "district"], ascending=[False, True]).reset_index(
        drop=True
    )
