"""区覆盖 District coverage (SPEC §6): does the work reach every district?

Each measure returns one row per geography of the master data, in master-data order:
the districts and functional areas, and the city itself (全市), whose row counts only
what was recorded for the city level (市本级). Columns: district, code, kind, value,
numerator, denominator (both None for counts). Definitions, for a period P:

- submission coverage (报送覆盖率) = values reported / values expected x 100, where a
  geography is expected to report every current indicator once for each period of the
  indicator's frequency inside P (a year holds 12 months, 4 quarters and itself), and a
  value counts only for those periods. None when nothing is expected (for example a
  month and only yearly indicators).
- indicator completeness (指标完整度) = indicators with every expected value reported /
  indicators expected x 100: a stricter view of the same data, where one missing month
  makes the whole indicator incomplete.
- direct-contact coverage (直联覆盖率) = months of P with at least one activity of a
  direct-contact type (`defaults/coverage.json`, default 直联走访) / months of P x 100.
- activities held (开展活动) = activities dated in P.
- issues resolved (诉求办结) = enterprise issues with status resolved and a resolved date in P.

All counting happens in SQL (grouped per geography, with the full district x indicator
and district x brand grids built as cross joins), so it runs on SQLite and PostgreSQL.
The indicator grid and its totals per geography are defined in the store
(`summaries_coverage`), which keeps the totals of every half, quarter and year with values:
a half's, a quarter's or a year's submission coverage and completeness read those rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, and_, func, select, true

from data_model import settings
from data_model.formatting import (
    format_number,
    format_percent,
    join_names,
    local_today,
    unit_word,
)
from data_model.i18n import t
from data_model.periods import months_of, period_end, period_start, sub_periods
from data_model.queries.schedule import not_reported
from data_model.queries.task_counts import status_counts
from data_model.reference.geo import Area, DistrictMap
from data_model.store import summaries_coverage
from data_model.store.models import (
    Action,
    Activity,
    Brand,
    District,
    EnterpriseIssue,
    Indicator,
)
from data_model.task_rules import STATUSES

SETTINGS_FILE = settings.DEFAULTS_DIR / "coverage.json"
RATE_MEASURES = ("submission_coverage", "indicator_completeness", "direct_contact")
COUNT_MEASURES = ("activities", "issues_resolved", "late_reports")
MEASURES = RATE_MEASURES + COUNT_MEASURES
LOWER_IS_BETTER = ("late_reports",)
COLUMNS = ["district", "code", "kind", "value", "numerator", "denominator"]
GAPS = ("no_brand_activity", "brand_gap", "incomplete_indicators", "no_direct_contact")


def direct_contact_types(path: Path = SETTINGS_FILE) -> tuple[str, ...]:
    return tuple(json.loads(path.read_text(encoding="utf-8"))["direct_contact_activity_types"])


def map_areas(conn: Connection) -> tuple[Area, ...]:
    """Every geography of the master data, in its order, as the map needs it."""
    rows = conn.execute(
        select(
            District.code, District.name, District.short_name, District.kind, District.map_code
        ).order_by(District.sort_order, District.id)
    ).all()
    return tuple(Area(*row) for row in rows)


def _bounds(period: str) -> tuple[date, date]:
    return period_start(period), period_end(period)


def _per_district(conn: Connection, counts, value: str) -> pd.DataFrame:
    """Every geography with the `value` column of `counts` (a subquery keyed by district_id)."""
    rows = conn.execute(
        select(
            District.name,
            District.code,
            District.kind,
            func.coalesce(counts.c[value], 0),
        )
        .outerjoin(counts, counts.c.district_id == District.id)
        .order_by(District.sort_order, District.id)
    ).all()
    return pd.DataFrame(
        [(n, c, k, int(v), int(v), None) for n, c, k, v in rows], columns=COLUMNS
    ).astype({"value": "float64", "numerator": "float64", "denominator": "object"})


# --- indicator measures --------------------------------------------------------------


def indicators_expected(conn: Connection, period: str) -> int:
    """How many current indicators every geography owes a value of in `period` (the
    denominator of indicator completeness, the same for each)."""
    expected = summaries_coverage.expected(period)
    query = select(func.count()).select_from(Indicator).where(Indicator.is_current, expected > 0)
    return int(conn.execute(query).scalar_one())


def _indicator_totals(conn: Connection, period: str) -> list:
    """Per geography (all, in order): name, code, kind and its totals in `period`
    (`summaries_coverage.totals`: reported, expected, complete, indicators; None where it
    owes nothing)."""
    totals = summaries_coverage.totals(conn, period)
    return conn.execute(
        select(
            District.name,
            District.code,
            District.kind,
            totals.c.reported,
            totals.c.expected,
            totals.c.complete,
            totals.c.indicators,
        )
        .outerjoin(totals, totals.c.district_id == District.id)
        .order_by(District.sort_order, District.id)
    ).all()


def _rate_frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (district, code, kind, numerator, denominator) → the measure frame."""
    records = []
    for name, code, kind, part, whole in rows:
        if not whole:
            records.append((name, code, kind, None, None, None))
        else:
            # int(): PostgreSQL's SUM of counts is a Decimal; kept rows are ints.
            part, whole = int(part), int(whole)
            records.append((name, code, kind, part / whole * 100, part, whole))
    return pd.DataFrame(records, columns=COLUMNS).astype(
        {"value": "float64", "numerator": "float64", "denominator": "float64"}
    )


def submission_coverage(conn: Connection, period: str) -> pd.DataFrame:
    """Per geography: indicator values reported / expected in `period`, in %."""
    rows = _indicator_totals(conn, period)
    return _rate_frame([(r.name, r.code, r.kind, r.reported, r.expected) for r in rows])


def total_submission_coverage(conn: Connection, period: str) -> float | None:
    """Submission coverage of every geography together (the overview's card, the
    bulletin's and the slide's figure): all indicator values reported / expected in
    `period`, in %; None when nothing is expected."""
    rows = _indicator_totals(conn, period)
    # int(): PostgreSQL's SUM of counts is a Decimal.
    expected = sum(int(r.expected or 0) for r in rows)
    return sum(int(r.reported or 0) for r in rows) / expected * 100 if expected else None


def indicator_completeness(conn: Connection, period: str) -> pd.DataFrame:
    """Per geography: indicators with every expected value in `period` / indicators, in %."""
    rows = _indicator_totals(conn, period)
    return _rate_frame([(r.name, r.code, r.kind, r.complete, r.indicators) for r in rows])


def incomplete_indicators(conn: Connection, period: str) -> pd.DataFrame:
    """(district, indicator_code, indicator, expected, reported) for every missing value."""
    grid = summaries_coverage.indicator_grid(period)
    rows = conn.execute(
        select(
            District.name,
            grid.c.indicator_code,
            grid.c.indicator,
            grid.c.expected,
            grid.c.reported,
        )
        .join(grid, grid.c.district_id == District.id)
        .where(grid.c.reported < grid.c.expected)
        .order_by(District.sort_order, District.id, grid.c.indicator_code)
    ).all()
    return pd.DataFrame(
        [tuple(r) for r in rows],
        columns=["district", "indicator_code", "indicator", "expected", "reported"],
    )


# --- activity and issue measures -----------------------------------------------------


def direct_contact_coverage(
    conn: Connection, period: str, activity_types: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Per geography: months of `period` with a direct-contact activity / months, in %."""
    types = direct_contact_types() if activity_types is None else activity_types
    start, end = _bounds(period)
    month = func.extract("year", Activity.activity_date) * 100 + func.extract(
        "month", Activity.activity_date
    )
    counts = (
        select(
            Activity.district_id,
            func.count(func.distinct(month)).label("months"),
        )
        .where(
            Activity.is_current,
            Activity.activity_date >= start,
            Activity.activity_date <= end,
            Activity.activity_type.in_(types),
        )
        .group_by(Activity.district_id)
        .subquery()
    )
    months = len(months_of(period))
    frame = _per_district(conn, counts, "months")
    return _rate_frame(
        [(r.district, r.code, r.kind, r.numerator, months) for r in frame.itertuples()]
    )


def activities_held(conn: Connection, period: str) -> pd.DataFrame:
    """Per geography: activities dated in `period`."""
    start, end = _bounds(period)
    counts = (
        select(Activity.district_id, func.count(Activity.id).label("activities"))
        .where(Activity.is_current, Activity.activity_date >= start, Activity.activity_date <= end)
        .group_by(Activity.district_id)
        .subquery()
    )
    return _per_district(conn, counts, "activities")


def issues_resolved(conn: Connection, period: str) -> pd.DataFrame:
    """Per geography: issues resolved (status resolved, resolved date in `period`)."""
    start, end = _bounds(period)
    issue = EnterpriseIssue
    counts = (
        select(issue.district_id, func.count(issue.id).label("resolved"))
        .where(
            issue.is_current,
            issue.status == "resolved",
            issue.resolved_date >= start,
            issue.resolved_date <= end,
        )
        .group_by(issue.district_id)
        .subquery()
    )
    return _per_district(conn, counts, "resolved")


def late_reports(conn: Connection, period: str, today: date | None = None) -> pd.DataFrame:
    """Per geography: expected submissions for periods inside `period` that are past due
    today and not reported (the 未报送 list of the schedule)."""
    missing = not_reported(conn, today or local_today())
    inside = set(sub_periods(period))
    counts = missing[missing["period"].isin(inside)].groupby("district").size()
    rows = conn.execute(
        select(District.name, District.code, District.kind).order_by(
            District.sort_order, District.id
        )
    ).all()
    return pd.DataFrame(
        [(n, c, k, float(counts.get(n, 0)), float(counts.get(n, 0)), None) for n, c, k in rows],
        columns=COLUMNS,
    ).astype({"denominator": "object"})


MEASURE_QUERIES = {
    "submission_coverage": submission_coverage,
    "indicator_completeness": indicator_completeness,
    "direct_contact": direct_contact_coverage,
    "activities": activities_held,
    "issues_resolved": issues_resolved,
    "late_reports": late_reports,
}


def coverage_measure(conn: Connection, measure: str, period: str) -> pd.DataFrame:
    """One of MEASURES per geography (see the module docstring for the definitions)."""
    if measure not in MEASURE_QUERIES:
        raise ValueError(f"unknown coverage measure {measure!r}; expected one of {MEASURES}")
    return MEASURE_QUERIES[measure](conn, period)


# --- matrices and gaps ---------------------------------------------------------------


def brand_matrix(conn: Connection, period: str) -> pd.DataFrame:
    """Activities per geography x brand in `period`, zeros included (district, brand, count)."""
    start, end = _bounds(period)
    rows = conn.execute(
        select(District.name, Brand.name, func.count(Activity.id))
        .select_from(District)
        .join(Brand, true())  # cross join: every geography x every brand, zero or not
        .outerjoin(
            Activity,
            and_(
                Activity.district_id == District.id,
                Activity.brand_id == Brand.id,
                Activity.is_current,
                Activity.activity_date >= start,
                Activity.activity_date <= end,
            ),
        )
        .group_by(District.id, District.name, District.sort_order, Brand.id, Brand.name)
        .order_by(District.sort_order, District.id, Brand.sort_order, Brand.id)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["district", "brand", "count"])


def action_matrix(conn: Connection, period: str, today: date | None = None) -> pd.DataFrame:
    """Tasks per geography x action at the end of `period` (or today while it runs).

    A task belongs to its 所属区; a task without one is city-wide and counted for the
    city geography. Suspended tasks are left out, as in every completion rate.
    Columns: district, action, tasks, completed, rate (None where there are no tasks).

    The statuses are judged and counted in SQL (`task_counts.status_counts`, a few
    hundred groups), not one row per task (50,000 at 10x).
    """
    as_of = min(period_end(period), today or local_today())
    counts = status_counts(conn, as_of)
    geographies = conn.execute(
        select(District.name, District.kind).order_by(District.sort_order, District.id)
    ).all()
    actions = conn.execute(select(Action.name).order_by(Action.sort_order, Action.id)).scalars()
    names = [name for name, _ in geographies]
    city = next((name for name, kind in geographies if kind == "city"), None)
    counted = [s for s in STATUSES if s != "suspended"]
    counts = counts.assign(
        district=counts["district"].replace("", city) if city else counts["district"],
        tasks=counts[counted].sum(axis=1),
    )
    counts = counts.groupby(["district", "action"])[["tasks", "completed"]].sum()
    grid = pd.MultiIndex.from_product([names, list(actions)], names=["district", "action"])
    frame = counts.reindex(grid, fill_value=0).reset_index()
    frame["rate"] = [
        completed / total * 100 if total else None
        for completed, total in zip(frame["completed"], frame["tasks"], strict=True)
    ]
    return frame.astype({"tasks": int, "completed": int, "rate": "float64"})


def coverage_gaps(conn: Connection, period: str) -> pd.DataFrame:
    """Geographies with gaps in `period`, one row per (district, gap).

    Gaps (GAPS): no_brand_activity (no activity of any brand), brand_gap (some brands
    without an activity; `items` names them), incomplete_indicators (indicators missing
    a value; `items` names them), no_direct_contact (no direct-contact activity at all).
    Columns: district, code, gap, items (tuple of names), count, total.
    """
    geographies = conn.execute(
        select(District.name, District.code).order_by(District.sort_order, District.id)
    ).all()
    brands = brand_matrix(conn, period)
    missing = incomplete_indicators(conn, period)
    total = indicators_expected(conn, period)  # not the whole completeness measure again
    contact = direct_contact_coverage(conn, period).set_index("district")["numerator"]
    records = []
    for name, code in geographies:
        own = brands[brands["district"] == name]
        without = tuple(own.loc[own["count"] == 0, "brand"])
        if len(own) and len(without) == len(own):
            records.append((name, code, "no_brand_activity", without, len(without), len(own)))
        elif without:
            records.append((name, code, "brand_gap", without, len(without), len(own)))
        incomplete = tuple(missing.loc[missing["district"] == name, "indicator"])
        if incomplete:
            records.append(
                (name, code, "incomplete_indicators", incomplete, len(incomplete), total)
            )
        if contact.get(name, 0) == 0:
            records.append((name, code, "no_direct_contact", (), 0, None))
    return pd.DataFrame(
        records, columns=["district", "code", "gap", "items", "count", "total"]
    ).astype({"count": "int64", "total": "Int64"})


# --- finding sentences the coverage page and the presentation share ----------------------


def measure_texts(values: pd.Series, measure: str, language: str | None = None) -> list[str]:
    """Each value of `measure` as the map labels write it (one decimal, with its unit; a
    rate as `format_percent` writes every rate)."""
    if measure in RATE_MEASURES:
        return [format_percent(v, language) for v in values]
    texts = []
    for value in values:
        shown = None if pd.isna(value) else round(value, 1)
        unit = unit_word(f"coverage.unit_{measure}", shown or 0, language)  # 1 activity
        texts.append(format_number(shown, unit, language))
    return texts


def districts_named(names: pd.Series, language: str | None = None) -> str:
    """`罗湖区、福田区` or, past three, `罗湖区、福田区、南山区等5个地区`."""
    text = join_names(names.iloc[:3], language)
    if len(names) > 3:
        return t("coverage.more_districts", language, items=text, count=len(names))
    return text


def map_notes(
    layout: DistrictMap, shown: Iterable[str], language: str | None = None, brief: bool = False
) -> list[str]:
    """What the map's drawing needs said, for the areas `shown` (names): which areas are
    the `*` tiles beside it and why, and which are drawn as their own part of a district's
    territory (大鹏新区 in 龙岗区). Plain text: the page and the slide show it as written.
    `brief`: in one line under a slide's map (the page's notes took two at 1280 px)."""
    shown = set(shown)
    notes = []
    suffix = "_brief" if brief else ""
    tiles = [name for name in layout.without_shape if name in shown]
    if tiles:
        notes.append(t(f"coverage.tiles_note{suffix}", language, names=join_names(tiles, language)))
    parts = [
        t("coverage.part_item", language, area=area, district=district)
        for area, district in layout.parts
        if area in shown
    ]
    if parts:
        notes.append(t(f"coverage.parts_note{suffix}", language, parts=join_names(parts, language)))
    return notes


def map_finding(values: pd.DataFrame, measure: str, language: str | None = None) -> str:
    """The sentence stating what the map of `measure` shows: for a rate, how many districts
    reach 100% and the lowest; for a count, the total, the most and the least.

    `values`: district, value, text (from `measure_texts`) of the districts on the map;
    districts without a value are left out. At least one must have a value.
    """
    present = values.dropna(subset=["value"]).sort_values("value", kind="stable")
    lowest, highest = present.iloc[0], present.iloc[-1]
    lowest_names = districts_named(
        present.loc[present["value"] == lowest["value"], "district"], language
    )
    count = len(present)
    count_noun = unit_word("format.unit_geographies", count, language)
    if measure in RATE_MEASURES and (present["value"] >= 100).all():
        key = (
            "coverage.rate_finding_all_full_one" if count == 1 else "coverage.rate_finding_all_full"
        )
        return t(key, language, count=count)
    if measure in RATE_MEASURES:
        return t(
            "coverage.rate_finding",
            language,
            count=count,
            count_noun=count_noun,
            full=int((present["value"] >= 100).sum()),
            lowest=lowest_names,
            value=lowest["text"],
        )
    total = present["value"].sum()
    return t(
        "coverage.count_finding",
        language,
        count=count,
        count_noun=count_noun,
        total=format_number(
            total, unit_word(f"coverage.unit_{measure}", total, language), language
        ),
        top=districts_named(
            present.loc[present["value"] == highest["value"], "district"], language
        ),
        top_value=highest["text"],
        bottom=lowest_names,
        bottom_value=lowest["text"],
    )
