"""Read-side queries the pages and the CLI share. Aggregation happens in SQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Date, Table, func, select

from data_model import settings
from data_model.formatting import local_today
from data_model.periods import period_end, period_start, sort_key, sub_periods
from data_model.queries.filters import FilterOptions
from data_model.queries.task_counts import status_counts, summary_of, task_list
from data_model.queries.task_status import TaskSummary
from data_model.store import summaries_coverage
from data_model.store.db import as_date
from data_model.store.kind_registry import REGISTRY
from data_model.store.models import (
    Action,
    Activity,
    ActivityType,
    Brand,
    District,
    EnterpriseIssue,
    Indicator,
    IndicatorValue,
    IssueCategory,
    Submission,
    TaskSnapshot,
    Unit,
)
from data_model.store.storage import NOT_LIVE, write_versions

HIGHLIGHTS_FILE = settings.DEFAULTS_DIR / "highlights.json"
# The kind of data (`first_reported`) each highlight measure counts.
HIGHLIGHT_KINDS = {
    "activity_type_count": "activities",
    "brand_activity_count": "activities",
    "issues_resolved": "issues",
    "indicator_period_end": "indicator_values",
}


def data_version(conn: Connection) -> tuple:
    """The pages' cache key: changes with every committed write a page shows (an import,
    a rollback, a schedule or master data change), in this process or another one."""
    return write_versions(conn)


def has_data(conn: Connection) -> bool:
    return (
        conn.execute(
            select(Submission.id).where(Submission.status.not_in(NOT_LIVE)).limit(1)
        ).first()
        is not None
    )


def _period_columns() -> list[tuple[Table, ColumnElement, bool]]:
    """Each kind with periods: its table, the column of its first period field, and
    whether that column is a date (else a period text starting with the year)."""
    found = []
    for rule in REGISTRY.values():
        if rule.period_fields:
            table = rule.table.__table__
            column = table.c[rule.period_fields[0]]
            found.append((table, column, isinstance(column.type, Date)))
    return found


def data_years(conn: Connection) -> list[int]:
    """Years in which any activity, issue, indicator value or task report falls (any
    kind's first period field)."""
    years: set[int] = set()
    for table, column, is_date in _period_columns():
        if not is_date:
            for (value,) in conn.execute(
                select(func.substr(column, 1, 4)).where(table.c.is_current).distinct()
            ):
                years.add(int(value))
            continue
        low, high = conn.execute(
            select(func.min(column), func.max(column)).where(table.c.is_current)
        ).one()
        if low is not None:
            years.update(range(as_date(low).year, as_date(high).year + 1))
    return sorted(years)


def data_year_range(conn: Connection) -> tuple[int, int] | None:
    """The first and last of `data_years` (None without data), from each kind's smallest
    and largest period or date: a few index lookups, where `data_years` reads every value."""
    years: list[int] = []
    for table, column, is_date in _period_columns():
        # Separate MIN and MAX subqueries: each is one index lookup on SQLite.
        low, high = conn.execute(
            select(
                select(func.min(column)).where(table.c.is_current).scalar_subquery(),
                select(func.max(column)).where(table.c.is_current).scalar_subquery(),
            )
        ).one()
        if low is not None:
            years += [as_date(v).year if is_date else int(v[:4]) for v in (low, high)]
    return (min(years), max(years)) if years else None


def first_reported(conn: Connection) -> dict[str, date | None]:
    """Per kind (`tasks`, `activities`, `issues`, `indicator_values`), the first day its
    data covers: the earliest activity date, issue's received date, or start of a task
    report period or indicator value period; None while the kind holds nothing.

    A period ending before that day holds no data of the kind, so a change against it
    means nothing (the overview's first year shows no change instead of +132).
    """
    first: dict[str, date | None] = {}
    for kind, model, column in (
        ("activities", Activity, Activity.activity_date),
        ("issues", EnterpriseIssue, EnterpriseIssue.received_date),
    ):
        low = conn.execute(select(func.min(column)).where(model.is_current)).scalar()
        first[kind] = None if low is None else as_date(low)
    for kind, model, column in (
        ("tasks", TaskSnapshot, TaskSnapshot.report_period),
        ("indicator_values", IndicatorValue, IndicatorValue.period),
    ):
        first[kind] = _first_period_start(conn, model, column)
    return first


def _first_period_start(conn: Connection, model, column) -> date | None:
    """The earliest start of a current row's period in `column`, from a few index seeks
    (not a scan of every row): the smallest text is the first year, not the first period
    (`2021-H2` sorts before `2021-Q1`), so that year's distinct periods are stepped
    through one seek each and compared by their start."""
    current = model.is_current == True  # noqa: E712  (= true: the indexes lead with it)
    lowest = conn.execute(select(func.min(column)).where(current)).scalar()
    if lowest is None:
        return None
    year, periods = lowest[:4], [lowest]
    while True:
        following = conn.execute(
            select(func.min(column)).where(
                current, column > periods[-1], column < str(int(year) + 1)
            )
        ).scalar()
        if following is None:
            return min(period_start(p) for p in periods)
        periods.append(following)


def holds_data(first: date | None, period: str) -> bool:
    """Whether a kind whose data starts on `first` (`first_reported`) covers `period`."""
    return first is not None and first <= period_end(period)


def _bounds(period: str) -> tuple[date, date]:
    return period_start(period), period_end(period)


def activity_count(
    conn: Connection, period: str, activity_type: str | None = None, brand: str | None = None
) -> int:
    start, end = _bounds(period)
    query = select(func.count(Activity.id)).where(
        Activity.is_current, Activity.activity_date >= start, Activity.activity_date <= end
    )
    if activity_type is not None:
        query = query.where(Activity.activity_type == activity_type)
    if brand is not None:
        query = query.join(Brand, Brand.id == Activity.brand_id).where(Brand.name == brand)
    return conn.execute(query).scalar_one()


def issues_resolved(conn: Connection, period: str) -> int:
    start, end = _bounds(period)
    return conn.execute(
        select(func.count(EnterpriseIssue.id)).where(
            EnterpriseIssue.is_current,
            EnterpriseIssue.status == "resolved",
            EnterpriseIssue.resolved_date >= start,
            EnterpriseIssue.resolved_date <= end,
        )
    ).scalar_one()


def indicator_period_end(conn: Connection, code: str, geography: str, period: str) -> float | None:
    """The value of the last period within `period` reported for one indicator and geography."""
    rows = conn.execute(
        select(IndicatorValue.period, IndicatorValue.value)
        .join(District, District.id == IndicatorValue.district_id)
        .where(
            IndicatorValue.is_current,
            IndicatorValue.indicator_code == code,
            District.name == geography,
            IndicatorValue.period.in_(sub_periods(period)),
        )
    ).all()
    if not rows:
        return None
    return max(rows, key=lambda r: (period_end(r.period), sort_key(r.period))).value


def tasks_at_period_end(conn: Connection, period: str, today: date | None = None) -> TaskSummary:
    """Task summary at the end of `period`, or today while the period is still running,
    counted in SQL (`task_counts.status_counts`)."""
    as_of = min(period_end(period), today or local_today())
    return summary_of(status_counts(conn, as_of, grouped=False))


def late_tasks_at_period_end(
    conn: Connection, period: str, today: date | None = None, limit: int | None = None
) -> pd.DataFrame:
    """The overdue and behind tasks at the end of `period` (or today while it runs) with
    their explanations (情况说明): code, content, lead_unit, status, days_late,
    explanation; overdue first, longest late first; the first `limit` (all with None)."""
    as_of = min(period_end(period), today or local_today())
    late = task_list(conn, as_of, "late", limit=limit)
    columns = ["code", "content", "lead_unit", "status", "days_late", "explanation"]
    return late[columns]


@dataclass(frozen=True)
class Highlight:
    """A configured headline figure. `unit`: catalogue key of what it counts
    (`format.unit_activities`); `kind`: the data it is counted from (`first_reported`)."""

    key: str
    value: float | None
    unit: str
    kind: str


def highlights(conn: Connection, period: str, path: Path = HIGHLIGHTS_FILE) -> list[Highlight]:
    """The configured headline figures of a period (SPEC §6: 16 policy briefings in 2021...).

    A figure whose kind of data holds nothing for the period (`holds_data`: none dated in
    or before it) is None, never 0: not submitted is not zero."""
    first = first_reported(conn)
    result = []
    for spec in json.loads(path.read_text(encoding="utf-8")):
        measure = spec["measure"]
        if measure == "activity_type_count":
            value = activity_count(conn, period, activity_type=spec["value"])
        elif measure == "brand_activity_count":
            value = activity_count(conn, period, brand=spec["value"])
        elif measure == "issues_resolved":
            value = issues_resolved(conn, period)
        elif measure == "indicator_period_end":
            value = indicator_period_end(conn, spec["value"], spec["geography"], period)
        else:
            raise ValueError(f"unknown highlight measure {measure!r} in {path}")
        unit = f"format.unit_{spec['unit']}"
        kind = HIGHLIGHT_KINDS[measure]
        if not holds_data(first[kind], period):
            value = None
        result.append(Highlight(spec["key"], value, unit, kind))
    return result


def activities_by_month(conn: Connection, period: str) -> pd.DataFrame:
    """Activities held per month of `period` by brand ('' for activities outside the brands)."""
    start, end = _bounds(period)
    month = func.extract("month", Activity.activity_date)
    rows = conn.execute(
        select(
            month.label("month"),
            func.coalesce(Brand.name, "").label("brand"),
            func.count(Activity.id),
        )
        .join(Brand, Brand.id == Activity.brand_id, isouter=True)
        .where(Activity.is_current, Activity.activity_date >= start, Activity.activity_date <= end)
        # Brand.name, not the COALESCE: PostgreSQL matches GROUP BY expressions by their
        # text, and each "" becomes a parameter of its own.
        .group_by(month, Brand.name)
    ).all()
    frame = pd.DataFrame([(int(m), b, n) for m, b, n in rows], columns=["month", "brand", "count"])
    # Sorted here, not by ORDER BY: brand names would sort by the database's collation
    # (pinyin on a zh_CN PostgreSQL, code points on SQLite), and the chart's stacking
    # order follows this order.
    return frame.sort_values(["month", "brand"], ignore_index=True)


def filter_options(conn: Connection) -> FilterOptions | None:
    """The choices the global filters offer; None while there is no data."""
    years = data_year_range(conn)
    if years is None:
        return None
    districts = conn.execute(
        select(District.name, District.code).order_by(District.sort_order)
    ).all()
    actions = conn.execute(select(Action.name, Action.code).order_by(Action.sort_order)).all()
    # Sorted in Python: ORDER BY would follow the database's collation (pinyin on a
    # zh_CN PostgreSQL, code points on SQLite).
    dimensions = sorted(
        conn.execute(select(Indicator.dimension).where(Indicator.is_current).distinct()).scalars()
    )
    year_coverage = summaries_coverage.coverage_of(
        conn, [str(year) for year in range(years[0], years[-1] + 1)]
    )
    return FilterOptions(
        first_year=years[0],
        last_period_day=date(years[-1], 12, 31),
        districts=tuple(name for name, _ in districts),
        district_codes=dict(districts),
        dimensions=tuple(dimensions),
        actions=tuple(name for name, _ in actions),
        action_codes=dict(actions),
        year_coverage=year_coverage,
    )


def district_names(conn: Connection) -> dict[int, str]:
    return dict(
        conn.execute(select(District.id, District.name).order_by(District.sort_order)).all()
    )


def master_lists(conn: Connection) -> dict[str, list[str]]:
    """Names of the active entries, for template dropdowns, upload choices and bindings
    (a deactivated entry keeps its history but is offered nowhere new)."""

    def names(model) -> list[str]:
        return list(
            conn.execute(
                select(model.name).where(model.is_active).order_by(model.sort_order, model.id)
            ).scalars()
        )

    return {
        "districts": names(District),
        "actions": names(Action),
        "units": names(Unit),
        "brands": names(Brand),
        "activity_types": names(ActivityType),
        "issue_categories": names(IssueCategory),
    }
