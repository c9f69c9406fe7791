"""Task statuses judged in SQL, for pages that show tens of thousands of tasks as a few
figures and a page of a table: the counts per action x lead unit x district
(`status_counts`) and one page of a list, most urgent first (`task_list`).

The status rule is `task_rules.status_of`. `task_status_sql.Judged` states it as one SQL
CASE over each task's `task_latest` row (`task_status.latest_reports`), which carries its
latest report's progress and stated status and its reports' periods, with the date
arithmetic of `task_status_arrays.statuses_on` (days as double-precision numbers), so SQL
returns a few hundred counted groups and a page of rows instead of one row per task. On a
report period end the counts are read from the summary of them the write path keeps
(`summaries_task_status`).
`tests/queries/test_task_counts.py` checks on both engines that the counts and the lists
equal a recomputation from `task_queries.scoped_tasks`, which judges every task in Python.
"""

from __future__ import annotations

from datetime import date
from itertools import accumulate

import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    and_,
    case,
    func,
    literal,
    not_,
    or_,
    select,
)

from data_model import settings
from data_model.queries.task_status import TaskSummary, latest_reports, with_latest_report
from data_model.store.db import as_date
from data_model.store.models import (
    Action,
    District,
    Explanation,
    Task,
    TaskLatest,
    TaskStatusSummary,
    Unit,
)
from data_model.store.task_status_sql import Judged
from data_model.task_rules import STATUSES

GROUP_COLUMNS = ["action", "lead_unit", "district"]
# Per group: one count per status, the completed tasks done on time, and the sums the
# lists' headings average (progress of the overdue tasks, points behind of the behind).
COUNT_COLUMNS = [*GROUP_COLUMNS, *STATUSES, "on_time", "overdue_progress", "behind_gap"]


def scope_conditions(districts: tuple[str, ...], action: str | None, table=None) -> list:
    """SQL conditions on `Task` (or `table`, with its `district_id` and `action_id`) for
    a scope: tasks of these districts (city-wide tasks, without a district, are left out
    when any is named) and of this action."""
    task = Task.__table__ if table is None else table
    district, actions = District.__table__, Action.__table__
    conditions = []
    if districts:
        names = select(district.c.id).where(district.c.name.in_(list(districts)))
        conditions.append(task.c.district_id.in_(names))
    if action:
        named = select(actions.c.id).where(actions.c.name == action)
        conditions.append(task.c.action_id.in_(named))
    return conditions


def _judged_rows(conn: Connection, as_of: date, districts: tuple[str, ...], action: str | None):
    """SELECT one row per task of the scope reported by `as_of`: its code, group ids,
    status, progress, expected progress and the end of its first complete report."""
    task = Task.__table__
    latest, on_latest = latest_reports(as_of)
    judged = Judged(conn.dialect.name, as_of, latest, settings.evidence_required())
    return (
        select(
            task.c.code,
            task.c.action_id,
            task.c.lead_unit_id,
            task.c.district_id,
            task.c.ongoing,
            task.c.deadline,
            judged.status.label("status"),
            latest.c.progress,
            judged.expected.label("expected_progress"),
            latest.c.completed_end,
        )
        .select_from(task)
        .join(latest, on_latest)
        .where(task.c.is_current, *scope_conditions(districts, action))
        .subquery("judged")
    )


def status_counts(
    conn: Connection,
    as_of: date,
    districts: tuple[str, ...] = (),
    action: str | None = None,
    grouped: bool = True,
) -> pd.DataFrame:
    """The tasks of a scope reported by `as_of`, counted per action, lead unit and
    district (COUNT_COLUMNS; district '' for city-wide tasks).

    One column per status (STATUSES); `on_time`: completed tasks whose first complete
    report ends on or before the deadline, or without one (see `task_queries`);
    `overdue_progress`: the sum of the overdue tasks' progress; `behind_gap`: the sum of
    the behind tasks' points behind schedule. Rows in the order of the groups' first task
    (action order, then code), as `task_queries.scoped_tasks` lists the tasks. Not
    `grouped`: one row of the scope's totals, its group columns ''.

    On a report period end (a day of `task_latest`) the counts are read from the
    summary the write path keeps (`summaries_task_status`) instead of judging the tasks.
    """
    if _summarised(conn, [as_of]):
        return _summary_counts(conn, as_of, districts, action, grouped)
    rows = _judged_rows(conn, as_of, districts, action)
    ids = (rows.c.action_id, rows.c.lead_unit_id, rows.c.district_id) if grouped else ()
    status = rows.c.status

    def count(condition, value=1):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    on_time = and_(
        status == "completed",
        or_(
            rows.c.ongoing,
            rows.c.deadline.is_(None),
            rows.c.completed_end <= rows.c.deadline,
        ),
    )
    groups = (
        select(
            *ids,
            *(count(status == name).label(name) for name in STATUSES),
            count(on_time).label("on_time"),
            count(status == "overdue", rows.c.progress).label("overdue_progress"),
            count(status == "behind", rows.c.expected_progress - rows.c.progress).label(
                "behind_gap"
            ),
            func.min(rows.c.code).label("first_code"),
        )
        .group_by(*ids)
        .subquery("groups")
    )
    action_, unit, district = Action.__table__, Unit.__table__, District.__table__
    query = select(*(literal("") for _ in GROUP_COLUMNS), *(groups.c[c] for c in COUNT_COLUMNS[3:]))
    if grouped:
        query = (
            select(
                action_.c.name,
                unit.c.name,
                func.coalesce(district.c.name, ""),
                *(groups.c[name] for name in COUNT_COLUMNS[3:]),
            )
            .join(action_, action_.c.id == groups.c.action_id)
            .join(unit, unit.c.id == groups.c.lead_unit_id)
            .join(district, district.c.id == groups.c.district_id, isouter=True)
            .order_by(action_.c.sort_order, groups.c.first_code)
        )
    return _typed(pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=COUNT_COLUMNS))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    counts = [*STATUSES, "on_time"]
    frame[counts] = frame[counts].astype(int)
    frame[["overdue_progress", "behind_gap"]] = frame[["overdue_progress", "behind_gap"]].astype(
        float
    )
    return frame


def _summarised(conn: Connection, days: list[date]) -> set[date]:
    """The `days` whose status counts are in the summary: the report period ends (days
    of `task_latest`), in one statement of one index lookup per day (the greatest end up
    to the day, as `latest_reports` finds it: an EXISTS may scan the table on PostgreSQL)."""
    latest = TaskLatest.__table__
    ends = (
        select(func.max(latest.c.period_end)).where(latest.c.period_end <= day).scalar_subquery()
        for day in days
    )
    found = conn.execute(select(*ends)).one()
    return {
        day for day, end in zip(days, found, strict=True) if end is not None and as_date(end) == day
    }


def _summary_columns(summary) -> list:
    """The summary's columns as `status_counts` counts (STATUSES, on_time and the two
    sums), with EVIDENCE_REQUIRED applied: the complete tasks without evidence by the
    day are 待佐证 when evidence is required, else completed."""
    c = summary.c
    if settings.evidence_required():
        completed, awaiting = c.completed_with_evidence, c.completed_without_evidence
        on_time = c.on_time_with_evidence
    else:
        completed = c.completed_with_evidence + c.completed_without_evidence
        awaiting, on_time = literal(0), c.on_time_with_evidence + c.on_time_without_evidence
    named = {"completed": completed, "awaiting_evidence": awaiting}
    return [
        *(named[name] if name in named else c[name] for name in STATUSES),
        on_time,
        c.overdue_progress,
        c.behind_gap,
    ]


def _summary_counts(
    conn: Connection, day: date, districts: tuple[str, ...], action: str | None, grouped: bool
) -> pd.DataFrame:
    """`status_counts` on a report period end, from the summary's rows of that day."""
    summary = TaskStatusSummary.__table__
    scope = [summary.c.period_end == day, *scope_conditions(districts, action, summary)]
    columns = _summary_columns(summary)
    if not grouped:
        query = select(
            *(literal("") for _ in GROUP_COLUMNS),
            *(func.coalesce(func.sum(column), 0) for column in columns),
        ).where(*scope)
    else:
        action_, unit, district = Action.__table__, Unit.__table__, District.__table__
        query = (
            select(action_.c.name, unit.c.name, func.coalesce(district.c.name, ""), *columns)
            .select_from(summary)
            .join(action_, action_.c.id == summary.c.action_id)
            .join(unit, unit.c.id == summary.c.lead_unit_id)
            .join(district, district.c.id == summary.c.district_id, isouter=True)
            .where(*scope)
            .order_by(action_.c.sort_order, summary.c.first_code)
        )
    return _typed(pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=COUNT_COLUMNS))


def totals_by_day(
    conn: Connection, days: list[date], districts: tuple[str, ...] = (), action: str | None = None
) -> pd.DataFrame:
    """`status_counts(…, grouped=False)` of a scope on each of `days`: one row per day, in
    their order, its day in `as_of` and the counts (COUNT_COLUMNS less the group columns).
    The days on a report period end are read from the summary in one query, the others
    judged (`status_counts`)."""
    summary = TaskStatusSummary.__table__
    held = _summarised(conn, days) if days else set()
    rows: dict[date, tuple] = {}
    if held:
        query = (
            select(
                summary.c.period_end,
                *(func.coalesce(func.sum(column), 0) for column in _summary_columns(summary)),
            )
            .where(
                summary.c.period_end.in_(sorted(held)),
                *scope_conditions(districts, action, summary),
            )
            .group_by(summary.c.period_end)
        )
        rows = {as_date(row[0]): tuple(row[1:]) for row in conn.execute(query)}
    zero = (0,) * (len(COUNT_COLUMNS) - len(GROUP_COLUMNS))
    frames = [
        pd.DataFrame([("", "", "", *rows.get(day, zero))], columns=COUNT_COLUMNS)
        if day in held
        else status_counts(conn, day, districts, action, grouped=False)
        for day in days
    ]
    frame = (
        _typed(pd.concat(frames, ignore_index=True))
        if frames
        else _typed(pd.DataFrame(columns=COUNT_COLUMNS))
    )
    frame.insert(0, "as_of", list(days))
    return frame.drop(columns=GROUP_COLUMNS)


# What each list holds and its order, most urgent first.
LISTS = {
    "overdue": ("overdue",),  # longest overdue first
    "behind": ("behind",),  # furthest behind schedule first
    "late": ("overdue", "behind"),  # overdue (longest first), then behind, by code
    "awaiting_evidence": ("awaiting_evidence",),  # in action order, then code
}
# A task as the lists show it (`task_queries.overdue_tasks` too).
TASK_COLUMNS = [
    "code",
    "content",
    "action",
    "lead_unit",
    "district",
    "owner",
    "start_date",
    "deadline",
    "deadline_text",
    "progress",
    "explanation",
]
LIST_COLUMNS = [
    *TASK_COLUMNS,
    "status",
    "days_late",
    "expected_progress",
    "gap",
    "days_left",
]


def task_list(
    conn: Connection,
    as_of: date,
    kind: str,
    districts: tuple[str, ...] = (),
    action: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> pd.DataFrame:
    """One page (`limit` rows from `offset`; all with None) of the tasks of a scope in a
    list of LISTS, judged on `as_of`, most urgent first (LIST_COLUMNS).

    `days_late` is 0 but for overdue tasks; `expected_progress` (%), `gap` (points behind)
    and `days_left` (days to the deadline) are given for behind tasks, NaN for others.
    The list's length is in `status_counts`.
    """
    if kind not in LISTS:
        raise ValueError(f"unknown list {kind!r}; expected one of {tuple(LISTS)}")
    task, latest = Task.__table__, TaskLatest.__table__.alias()
    action_, unit, district = Action.__table__, Unit.__table__, District.__table__
    explanation = Explanation.__table__
    judged = Judged(conn.dialect.name, as_of, latest, settings.evidence_required())
    overdue = judged.status == "overdue"
    days_late = case((overdue, judged.days_late), else_=0)
    gap = judged.expected - latest.c.progress
    order = {
        "overdue": [days_late.desc(), task.c.code],
        "behind": [gap.desc(), task.c.code],
        "late": [case((overdue, 0), else_=1), days_late.desc(), task.c.code],
        "awaiting_evidence": [action_.c.sort_order, task.c.code],
    }[kind]
    behind = judged.status == "behind"
    query = with_latest_report(
        select(
            task.c.code,
            task.c.content,
            action_.c.name,
            unit.c.name,
            func.coalesce(district.c.name, ""),
            task.c.owner,
            task.c.start_date,
            task.c.deadline,
            task.c.deadline_text,
            latest.c.progress,
            func.coalesce(explanation.c.text, ""),
            judged.status,
            days_late,
            case((behind, judged.expected)),
            case((behind, gap)),
            case((behind, judged.days_left)),
        ),
        as_of,
        None,
        (action_, unit, district, explanation),
        latest,
    )[0]
    query = (
        query.where(
            task.c.is_current,
            *scope_conditions(districts, action),
            judged.status.in_(LISTS[kind]),
        )
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    frame = pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=LIST_COLUMNS)
    frame["days_late"] = frame["days_late"].astype(float).round().astype(int)
    frame["progress"] = frame["progress"].astype(float)
    for column in ("expected_progress", "gap", "days_left"):
        frame[column] = frame[column].astype(float)
    for column in ("start_date", "deadline"):
        frame[column] = pd.Series(
            [None if pd.isna(value) else value for value in frame[column]], dtype=object
        )
    return frame


TIMELINE_COLUMNS = [
    "code",
    "content",
    "lead_unit",
    "status",
    "progress",
    "deadline_text",
    "start_date",
    "first_period",
    "deadline",
    "ongoing",
]


def timeline_tasks(
    conn: Connection,
    as_of: date,
    since: date | None,
    due_soon_days: int,
    districts: tuple[str, ...] = (),
    action: str | None = None,
    limit: int | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The tasks of a scope active in [`since`, `as_of`] for the deadline timeline
    (`task_queries.deadline_timeline` draws them): with `limit`, those ending (deadline, or
    `as_of` for a task without one) by the `limit`-th end, ties included; and their counts: `tasks` active,
    `overdue` among them, `due_soon` (open, due within `due_soon_days` of `as_of`).

    Active: started by `as_of` and, with `since`, still overdue, without a deadline, or
    due, started or first reported from `since` on. (A task without a start date counts
    from its first report's period; one whose first report period begins before `since`
    and ends after it is counted here and left off the chart by `deadline_timeline`.)
    """
    task, unit = Task.__table__, Unit.__table__
    latest, on_latest = latest_reports(as_of)
    judged = Judged(conn.dialect.name, as_of, latest, settings.evidence_required())
    day = literal(as_of, Date)
    open_ended = or_(task.c.ongoing, task.c.deadline.is_(None))
    active = [task.c.start_date.is_(None) | (task.c.start_date <= day)]
    if since is not None:
        active.append(
            or_(
                open_ended,
                judged.status == "overdue",
                task.c.deadline >= since,
                task.c.start_date >= since,
                task.c.start_date.is_(None) & (latest.c.first_end >= since),
            )
        )
    joined = (
        select()
        .select_from(task)
        .join(latest, on_latest)
        .where(task.c.is_current, *scope_conditions(districts, action), *active)
    )
    due_soon = and_(
        judged.status.not_in(["completed", "suspended"]),
        not_(open_ended),
        task.c.deadline >= day,
        judged.days_left <= due_soon_days,
    )
    end = case((open_ended, day), else_=task.c.deadline)
    # The counts per end day, in one pass over the tasks: their sums are the counts, and
    # the `limit`-th end is where they add up to `limit` (a query ordered by end would
    # look up the latest report of every early-ending task, most of them left out).
    by_end = conn.execute(
        joined.add_columns(
            end,
            func.count(),
            func.coalesce(func.sum(case((judged.status == "overdue", 1), else_=0)), 0),
            func.coalesce(func.sum(case((due_soon, 1), else_=0)), 0),
        )
        .group_by(end)
        .order_by(end)
    ).all()
    counts = {
        name: sum(int(row[at]) for row in by_end)
        for at, name in enumerate(("tasks", "overdue", "due_soon"), start=1)
    }
    query = joined.add_columns(
        task.c.code,
        task.c.content,
        unit.c.name,
        judged.status,
        latest.c.progress,
        task.c.deadline_text,
        task.c.start_date,
        latest.c.first_period,
        task.c.deadline,
        task.c.ongoing,
    )
    query = query.join(unit, unit.c.id == task.c.lead_unit_id)
    if limit is not None and counts["tasks"] > limit:
        # Every task ending by the `limit`-th end: the chart orders ties on the end by
        # start (a start date, else the first report period's), which SQL does not know.
        ended = accumulate(int(row[1]) for row in by_end)  # tasks ending by each end day
        last_end = next(row[0] for row, tasks in zip(by_end, ended, strict=True) if tasks >= limit)
        query = query.where(end <= last_end)
    frame = pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=TIMELINE_COLUMNS)
    for column in ("start_date", "deadline"):
        frame[column] = pd.Series(
            [None if pd.isna(value) else value for value in frame[column]], dtype=object
        )
    return frame, counts


OPEN_TASK_COLUMNS = ["code", "content", "lead_unit", "district", "deadline"]


def open_tasks_due_by(conn: Connection, as_of: date, due_by: date) -> pd.DataFrame:
    """The tasks reported by `as_of` that are open on `as_of` (neither completed nor
    suspended), not ongoing and due by `due_by` (OPEN_TASK_COLUMNS, by code; district ''
    for a city-wide task): those due before `as_of` are overdue, the others due soon."""
    task, unit, district = Task.__table__, Unit.__table__, District.__table__
    latest, on_latest = latest_reports(as_of)
    judged = Judged(conn.dialect.name, as_of, latest, settings.evidence_required())
    query = (
        select(
            task.c.code,
            task.c.content,
            unit.c.name,
            func.coalesce(district.c.name, ""),
            task.c.deadline,
        )
        .select_from(task)
        .join(latest, on_latest)
        .join(unit, unit.c.id == task.c.lead_unit_id)
        .join(district, district.c.id == task.c.district_id, isouter=True)
        .where(
            task.c.is_current,
            not_(task.c.ongoing),
            task.c.deadline.is_not(None),
            task.c.deadline <= due_by,
            judged.status.not_in(["completed", "suspended"]),
        )
        .order_by(task.c.code)
    )
    return pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=OPEN_TASK_COLUMNS)


def summary_of(counts: pd.DataFrame) -> TaskSummary:
    """The `TaskSummary` (counts per status) of a counts frame (`status_counts`)."""
    sums = {name: int(counts[name].sum()) for name in STATUSES}
    return TaskSummary(
        total=sum(sums.values()) - sums["suspended"],
        completed=sums["completed"],
        overdue=sums["overdue"],
        behind=sums["behind"],
        suspended=sums["suspended"],
        awaiting_evidence=sums["awaiting_evidence"],
    )
