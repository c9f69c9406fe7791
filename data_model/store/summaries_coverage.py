"""Summaries of the indicator coverage per half, quarter and year (`period_coverage_summary`),
and the one SQL definition of that coverage.

A geography owes every current indicator one value for each period of the indicator's
frequency inside a period P (a year holds 12 months, 4 quarters and itself), and a value
counts only for those periods (`indicator_grid`: one row per geography × indicator
expected in P). Per geography, `totals` gives the values reported and expected, the
indicators with every expected value (`complete`) and the indicators expected: what
submission coverage and indicator completeness (`queries.coverage_queries`) are made of.

For every half, quarter and year holding a current value (`summaries_scores.periods_holding`:
the periods whose scores are kept), one row per geography (every District row, the city
too) holds those totals, so a page reads a dozen rows instead of the geography ×
indicator grid (36,000 cells with 3,000 indicators). `totals` reads them for such a
period and computes the grid for any other (a month, a period without values,
where every indicator is still expected).

The rows are derived data, kept exact in the transaction that changes what they are
counted from, with the district scores (`summaries_periods`):

- `values_changed(conn, periods)` after a write or a rollback of indicator values, with
  the periods of the values (after the value summaries, which it reads);
- `rebuild(conn)`: every period again, after a write or a rollback of indicators (which
  are current, their frequencies), a change of the District rows (added, deleted,
  merged), the migration that adds the table and a backup restore.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    Connection,
    String,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.sql.expression import Select

from data_model.periods import granularity, sub_periods
from data_model.store import summaries_values
from data_model.store.db import driver_rows
from data_model.store.models import (
    District,
    Indicator,
    IndicatorValue,
    IndicatorValueSummary,
    PeriodCoverageSummary,
)
from data_model.store.summaries_scores import LEVELS, kept_periods, periods_holding

FREQUENCIES = ("month", "quarter", "year")  # the indicator frequencies owed a value
COLUMNS = ("period", "district_id", "reported", "expected", "complete", "indicators")
CHUNK = 100  # periods per statement


def expected_periods(period: str) -> dict[str, list[str]]:
    """Per indicator frequency, the periods of that frequency inside `period`."""
    inside = sub_periods(period)
    return {freq: [p for p in inside if granularity(p) == freq] for freq in FREQUENCIES}


def expected(period: str):
    """How many values of a current indicator a geography owes in `period` (the same
    for every period of its granularity), by the indicator's frequency."""
    return case(
        *(
            (Indicator.frequency == freq, len(found))
            for freq, found in expected_periods(period).items()
        ),
        else_=0,
    )


def _periods_table(periods: list[str]):
    """`periods` (at least two) as a one-column subquery (`period`)."""
    return union_all(*(select(literal(p, String).label("period")) for p in periods)).subquery()


def _reported(periods: list[str]):
    """Per period of `periods` (one granularity), geography, indicator and frequency of
    the values' periods, how many current values count: period, district_id,
    indicator_code, frequency, reported. Counted before meeting the indicators (joining
    the indicator to each of 40k values first cost 0.2 s). A quarter or a year reads the
    value summaries (a row per quarter or year, not per month) and its own values; a
    half its two quarters' summaries and values; a month its own values."""
    level = granularity(periods[0])
    v, s = IndicatorValue, IndicatorValueSummary
    if level in summaries_values.LEVELS:
        inside = select(s.period, s.district_id, s.indicator_code, s.frequency, s.reported).where(
            s.period.in_(periods)
        )
        itself = select(
            v.period,
            v.district_id,
            v.indicator_code,
            literal(level, String).label("frequency"),
            literal(1).label("reported"),
        ).where(v.is_current, v.period.in_(periods))
        return union_all(inside, itself).subquery()
    if level == "half":  # no indicator is reported by half: its quarters hold all it owes
        half_of = summaries_values.parts_of(periods)  # quarter → half
        half = case(half_of, value=s.period)
        inside = select(
            half.label("period"), s.district_id, s.indicator_code, s.frequency, s.reported
        ).where(s.period.in_(list(half_of)))
        quarters = select(
            case(half_of, value=v.period).label("period"),
            v.district_id,
            v.indicator_code,
            literal("quarter", String).label("frequency"),
            literal(1).label("reported"),
        ).where(v.is_current, v.period.in_(list(half_of)))
        parts = union_all(inside, quarters).subquery()
        keys = [parts.c.period, parts.c.district_id, parts.c.indicator_code, parts.c.frequency]
        return (
            select(*keys, func.sum(parts.c.reported).label("reported")).group_by(*keys).subquery()
        )
    months = {m: p for p in periods for m in expected_periods(p)["month"]}
    keys = [v.district_id, v.indicator_code, literal("month", String).label("frequency")]
    if len(periods) > 1:  # one period: named outside the grouping, not per value
        keys.insert(0, case(months, value=v.period).label("period"))
    values = select(*keys).where(v.is_current, v.period.in_(list(months) or [""])).subquery()
    grouped = [values.c[key.name] for key in keys]
    named = [values.c.period] if len(periods) > 1 else [literal(periods[0], String).label("period")]
    return (
        select(*named, *grouped[-3:], func.count().label("reported")).group_by(*grouped).subquery()
    )


def indicator_grid(period: str):
    """Every geography × current indicator with a value expected in `period`: period,
    district_id, indicator_code, indicator, expected, reported (a subquery)."""
    owed = expected(period)
    reported = _reported([period])
    return (
        select(
            literal(period, String).label("period"),
            District.id.label("district_id"),
            Indicator.code.label("indicator_code"),
            Indicator.name.label("indicator"),
            owed.label("expected"),
            func.coalesce(reported.c.reported, 0).label("reported"),
        )
        .select_from(District)
        .join(Indicator, true())  # cross join: every geography owes every indicator
        .outerjoin(
            # Not on the period: with it, SQLite plans the counts once per cell (a
            # hundred seconds for a year of 3,000 indicators).
            reported,
            and_(
                reported.c.district_id == District.id,
                reported.c.indicator_code == Indicator.code,
                reported.c.frequency == Indicator.frequency,
            ),
        )
        .where(Indicator.is_current, owed > 0)
        .subquery()
    )


def computed_totals(periods: list[str]) -> Select:
    """Per period of `periods` (one granularity) and geography, the sums of its grid
    (`indicator_grid`): period, district_id, reported, expected, complete, indicators;
    no rows when no current indicator is owed a value.

    Summed from the counts that meet an indicator owed, not from the grid's cells: a
    cell meets one count at most, and a cell without one (0 reported of at least 1) adds
    nothing to `reported` nor `complete`; `expected` and `indicators` are the same for
    every geography. So the cost follows the values reported, not geographies × indicators.
    """
    owed = expected(periods[0])
    reported = _reported(periods)
    counted = (
        select(
            reported.c.period,
            reported.c.district_id,
            func.sum(reported.c.reported).label("reported"),
            func.sum(case((reported.c.reported >= owed, 1), else_=0)).label("complete"),
        )
        .join(
            Indicator,
            and_(
                Indicator.code == reported.c.indicator_code,
                Indicator.frequency == reported.c.frequency,
            ),
        )
        .where(Indicator.is_current, owed > 0)
        .group_by(reported.c.period, reported.c.district_id)
        .subquery()
    )
    owing = select(Indicator.id).where(Indicator.is_current, owed > 0)
    expected_sum = select(func.sum(owed)).where(Indicator.is_current, owed > 0)
    meets = [counted.c.district_id == District.id]
    if len(periods) == 1:  # no table of periods to meet (see `indicator_grid`)
        grid = select(literal(periods[0], String).label("period")).select_from(District)
    else:
        chosen = _periods_table(periods)
        meets.append(counted.c.period == chosen.c.period)
        grid = select(chosen.c.period).select_from(chosen).join(District, true())
    return (
        grid.add_columns(
            District.id.label("district_id"),
            func.coalesce(counted.c.reported, 0).label("reported"),
            expected_sum.scalar_subquery().label("expected"),
            func.coalesce(counted.c.complete, 0).label("complete"),
            select(func.count())
            .select_from(owing.subquery())
            .scalar_subquery()
            .label("indicators"),
        )
        .outerjoin(counted, and_(*meets))
        .where(owing.exists())
    )


def totals(conn: Connection, period: str):
    """A subquery of `period`'s totals per geography owing any value (district_id,
    reported, expected, complete, indicators): the kept rows of a half, quarter or year
    holding values, else computed (`computed_totals`)."""
    s = PeriodCoverageSummary
    if granularity(period) in LEVELS:
        kept = select(*(getattr(s, c) for c in COLUMNS)).where(s.period == period)
        if conn.execute(kept.limit(1)).first() is not None:
            return kept.subquery()
    return computed_totals([period]).subquery()


def coverage_of(conn: Connection, periods: list[str]) -> dict[str, float]:
    """Per period of `periods` (of LEVELS) with kept rows, the submission coverage of every
    geography together in % (as `coverage_queries.total_submission_coverage` counts it):
    a period without a current value, or owing nothing, is left out. Reads the kept rows
    of those periods only (their primary key), a dozen rows a period."""
    s = PeriodCoverageSummary
    rows = conn.execute(
        select(s.period, func.sum(s.reported), func.sum(s.expected))
        .where(s.period.in_(periods))
        .group_by(s.period)
        .order_by(s.period)
    ).all()
    # int(): PostgreSQL's SUM of counts is a Decimal.
    return {period: int(got) / int(owed) * 100 for period, got, owed in rows if owed}


def values_changed(conn: Connection, periods: Iterable[str]) -> None:
    """Count again the kept periods holding `periods`, the periods of the values just
    written or withdrawn."""
    refresh(conn, periods_holding(periods))


def refresh(conn: Connection, periods: Iterable[str]) -> None:
    """The rows of `periods` (of LEVELS) become their totals from the current rows; none
    for a period that no longer holds a current value. One statement per granularity
    and CHUNK periods."""
    periods = sorted(set(periods))
    s = PeriodCoverageSummary
    for start in range(0, len(periods), CHUNK):
        chunk = periods[start : start + CHUNK]
        conn.execute(delete(s).where(s.period.in_(chunk)))
        holding = _holding_values(conn, chunk)
        for level in LEVELS:
            found = [p for p in holding if granularity(p) == level]
            if found:
                conn.execute(insert(s).from_select(list(COLUMNS), computed_totals(found)))


def _holding_values(conn: Connection, periods: list[str]) -> list[str]:
    """Those of `periods` with a current value inside them (an indexed probe each)."""
    v = IndicatorValue
    probes = [
        select(literal(p, String).label("period")).where(
            select(v.id)
            .where(v.is_current == True, v.period.in_(sub_periods(p)))  # noqa: E712
            .exists()
        )
        for p in periods
    ]
    query = probes[0] if len(probes) == 1 else union_all(*probes)
    return sorted(conn.execute(query).scalars())


def rebuild(conn: Connection) -> None:
    """Every row again: every kept period holding a current value is counted."""
    conn.execute(delete(PeriodCoverageSummary))
    refresh(conn, kept_periods(conn))


def stored(conn: Connection) -> dict[tuple, tuple]:
    """Every row as {(period, district_id): (reported, expected, complete, indicators)}
    (for tests and checks)."""
    s = PeriodCoverageSummary
    rows = driver_rows(conn, select(*(getattr(s, c) for c in COLUMNS)))
    return {(r[0], int(r[1])): tuple(int(x) for x in r[2:]) for r in rows}


def computed(conn: Connection, period: str) -> dict[tuple, tuple]:
    """`period`'s totals computed from the grid, keyed as `stored` (for tests)."""
    rows = driver_rows(conn, computed_totals([period]))
    return {(r[0], int(r[1])): tuple(int(x) for x in r[2:]) for r in rows}
