"""Indicator values aggregated to a coarser period, following each indicator's rule.

Rules (SPEC §3), applied per indicator, geography and target period:

- A value reported for exactly the target period is used as is (a quarterly
  indicator asked for a quarter, or a year total reported as one figure). It is
  complete.
- Otherwise the values reported at the indicator's declared frequency (数据频度)
  inside the period are combined by its rule (汇总方式): `sum` (求和) adds them,
  `last` (期末值) takes the latest one, `mean` (平均) averages them.
- Partial periods: whatever was reported is combined and the result is flagged
  `complete = False`, with `reported` and `expected` counts beside it. A year in
  which only 10 of 12 months of a sum indicator were reported is the sum of those
  10 months, flagged incomplete; for `last` the latest reported sub-period stands
  in for the period end, also flagged incomplete. Nothing is extrapolated.
- An indicator declared coarser than the period (an annual indicator asked for a
  quarter) has no value for that period: it is not due then.
- Values at another granularity than the declared one (monthly figures of a
  quarterly indicator) are not mixed in, so a total is never counted twice.

Targets: the 目标值 of a `sum` indicator is an annual figure and is prorated for
shorter periods (a quarter gets a quarter of it); the target of a `last` or `mean`
indicator (a rate, a stock, an average duration) applies to any period as is.

Every period is read from its exact values and the summaries of the values inside it
(`summaries_values`), with no grouping of values in SQL: a quarter's or a year's own
summary rows, a half's two quarters' rows and their exact values; a month has its exact
values alone (nothing finer is stored). So a period costs the values of one period,
whatever the history stored; the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import pandas as pd
from sqlalchemy import Connection, String, literal, select

from data_model.periods import (
    GRANULARITIES,
    granularity,
    months_of,
    period_containing,
    period_end,
    period_start,
    periods_between,
    previous_period,
    same_period_last_year,
)
from data_model.store import summaries_values
from data_model.store.db import driver_rows
from data_model.store.models import District, Indicator, IndicatorValue, IndicatorValueSummary

FREQUENCIES = ("year", "quarter", "month")  # the declared frequencies, coarse to fine
CODES_IN_SQL = 100  # a list of codes up to this long always narrows the reads in SQL
VALUE_COLUMNS = [
    "period",
    "indicator_code",
    "district",
    "value",
    "complete",
    "reported",
    "expected",
]


def is_due(frequency: str, period: str) -> bool:
    """True when an indicator of `frequency` is reported at least once inside `period`."""
    return GRANULARITIES.index(frequency) >= GRANULARITIES.index(granularity(period))


def target_for_period(target: float | None, aggregation: str, period: str) -> float | None:
    """The target that applies to `period`: prorated by months for `sum`, as is otherwise."""
    if target is None or pd.isna(target):
        return None
    if aggregation == "sum":
        return float(target) * _month_count(period) / 12
    return float(target)


@lru_cache(maxsize=512)
def _month_count(period: str) -> int:
    """Months in `period` (asked once per `sum` indicator: 700 at 10x)."""
    return len(months_of(period))


def _inside(period: str, frequency: str) -> list[str]:
    """The periods of `frequency` inside `period` (none when the frequency is coarser)."""
    if not is_due(frequency, period):
        return []
    return periods_between(
        period_containing(period_start(period), frequency),
        period_containing(period_end(period), frequency),
    )


def aggregate(
    conn: Connection,
    periods: Sequence[str],
    codes: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Values of current indicators for each of `periods` (all of one granularity).

    Returns columns period, indicator_code, district, value, complete, reported,
    expected; one row per indicator, geography and period that has any value.
    `codes` and `districts` (names) narrow the result; None means all.
    """
    periods = list(dict.fromkeys(periods))
    if not periods:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    levels = {granularity(p) for p in periods}
    if len(levels) != 1:
        raise ValueError(f"periods of different granularities: {sorted(levels)}")
    rows = _rows(conn, periods, codes, districts)
    frame = pd.DataFrame([tuple(r) for r in rows], columns=VALUE_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    frame["complete"] = frame["complete"].astype(bool)
    frame["reported"] = frame["reported"].astype(int)
    frame["expected"] = frame["expected"].astype(int)
    return frame


def _rows(
    conn: Connection,
    periods: list[str],
    codes: Iterable[str] | None,
    districts: Iterable[str] | None,
) -> list[tuple]:
    """`aggregate`'s rows (VALUE_COLUMNS), in its order."""
    found, place = _from_summaries(conn, periods, _expected(periods[0]), codes, districts)
    order = sorted(found, key=lambda k: (k[0], k[1], place[k[2]][1]))
    return [(k[0], k[1], place[k[2]][0], *found[k]) for k in order]


def _expected(period: str) -> dict[str, int]:
    """Per declared frequency, how many values of it fall inside `period`."""
    return {f: len(_inside(period, f)) for f in FREQUENCIES}


def _from_summaries(
    conn: Connection,
    periods: list[str],
    expected: dict[str, int],
    codes: Iterable[str] | None,
    districts: Iterable[str] | None,
) -> tuple[dict[tuple, tuple], dict[int, tuple[str, int]]]:
    """`aggregate`'s rows: the exact values of the periods and the summaries
    (`summaries_values`) of the values at each indicator's frequency inside them, one
    row of each per indicator, geography and period at most, as {(period,
    indicator_code, district_id): (value, complete, reported, expected)}, with the
    geographies read ({district_id: (name, sort_order)}).

    A half adds up its two quarters: their summaries of the months inside and their
    exact values (its quarters' values of a quarterly indicator)."""
    v, s, i, d = IndicatorValue, IndicatorValueSummary, Indicator, District
    parts = summaries_values.parts_of(periods)
    # Every row is matched to its indicator's rule and frequency here, from one read of
    # the current indicators: a join in SQL costs a look-up per value (a month's 36,000
    # at 10x: 25-45 ms) and repeats two strings per summary row.
    exact = select(v.period, v.indicator_code, v.district_id, v.value).where(
        v.is_current, v.period.in_(periods)
    )
    summed = select(
        s.period,
        s.indicator_code,
        s.district_id,
        s.frequency,
        s.reported,
        s.total,
        s.latest_period,
        s.latest_value,
    ).where(s.period.in_(list(parts) or [""]))
    halves_quarters = [q for q, target in parts.items() if granularity(target) == "half"]
    quarters = select(
        v.period,
        v.indicator_code,
        v.district_id,
        literal("quarter", String),
        literal(1),
        v.value,
        v.period,
        v.value,
    ).where(v.is_current, v.period.in_(halves_quarters))
    rules = select(i.code, i.aggregation, i.frequency).where(i.is_current)
    wanted = None if codes is None else set(codes)
    if wanted is not None and len(wanted) <= CODES_IN_SQL:
        rules = rules.where(i.code.in_(list(wanted)))
    rule_of = {code: (rule, frequency) for code, rule, frequency in driver_rows(conn, rules)}
    if wanted is not None:
        current = len(rule_of)
        rule_of = {code: rule for code, rule in rule_of.items() if code in wanted}
        if len(wanted) <= CODES_IN_SQL or len(rule_of) * 2 < current:
            exact = exact.where(v.indicator_code.in_(list(wanted)))
            summed = summed.where(s.indicator_code.in_(list(wanted)))
            quarters = quarters.where(v.indicator_code.in_(list(wanted)))
        # else most indicators are asked for (the bulletin's 3,000): the others' rows are
        # dropped below, which is cheaper than 3,000 bound parameters in each statement.
    places = select(d.id, d.name, d.sort_order)
    if districts is not None:
        places = places.where(d.name.in_(list(districts)))
    place = {row.id: (row.name, row.sort_order) for row in conn.execute(places)}
    if districts is not None:  # the city alone (the bulletin's changes) reads 1 row in 12
        exact = exact.where(v.district_id.in_(list(place)))
        summed = summed.where(s.district_id.in_(list(place)))
        quarters = quarters.where(v.district_id.in_(list(place)))
    found = {}
    for period, code, district_id, value in driver_rows(conn, exact):
        if district_id in place and code in rule_of:
            found[(period, code, district_id)] = (value, True, 1, 1)
    inside: dict[tuple, tuple] = {}  # the values inside: (reported, total, latest period, value)
    rows = driver_rows(conn, summed)
    if halves_quarters:
        rows += driver_rows(conn, quarters)
    for period, code, district_id, frequency, reported, total, latest_at, latest in rows:
        key = (parts[period], code, district_id)
        if key in found or district_id not in place:
            continue  # a value for exactly the period wins over the sub-periods inside it
        if frequency != rule_of.get(code, (None, None))[1]:
            continue  # not a current indicator, or values finer than its frequency
        before = inside.get(key)
        if before is None:
            inside[key] = (reported, total, latest_at, latest)
        else:  # a half's second quarter: two parts, so the sum's order cannot matter
            later = max(before[2:], (latest_at, latest))
            inside[key] = (before[0] + reported, before[1] + total, *later)
    for key, (reported, total, _, latest) in inside.items():
        rule, frequency = rule_of[key[1]]
        value = total if rule == "sum" else total / reported if rule == "mean" else latest
        due = expected.get(frequency, 1)
        found[key] = (value, reported >= due, reported, due)
    return found, place


def indicator_values(
    conn: Connection,
    period: str,
    codes: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every indicator's value for `period` per geography: indicator_code, district,
    value, complete, reported, expected (see the module rules)."""
    return aggregate(conn, [period], codes, districts).drop(columns="period")


def period_cells(
    conn: Connection,
    period: str,
    codes: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
) -> dict[tuple[str, str], tuple[float, bool]]:
    """`indicator_values` as {(indicator_code, district): (value, complete)}, for a
    caller that reads every value of a period at once (the scores of 3,000 indicators
    × 11 districts) and needs neither a frame nor an order of them."""
    found, place = _from_summaries(conn, [period], _expected(period), codes, districts)
    return {
        (code, place[district_id][0]): (value, complete)
        for (_, code, district_id), (value, complete, _, _) in found.items()
    }


def periods_cells(
    conn: Connection, periods: Iterable[str], districts: Iterable[str] | None = None
) -> dict[str, dict[tuple[str, int], tuple[float, bool]]]:
    """`period_cells` of every current indicator for each of `periods`, keyed by the geography's id instead of its name, read
    with one query per granularity instead of one per period: {period: {(indicator_code,
    district_id): (value, complete)}}, a period without values absent. For a caller
    scoring many periods at once (`score_summary`)."""
    by_level: dict[str, list[str]] = {}
    for period in dict.fromkeys(periods):
        by_level.setdefault(granularity(period), []).append(period)
    found: dict[str, dict[tuple[str, int], tuple[float, bool]]] = {}
    for wanted in by_level.values():
        rows, _ = _from_summaries(conn, wanted, _expected(wanted[0]), None, districts)
        for (period, code, district_id), (value, complete, _, _) in rows.items():
            cells = found.get(period)
            if cells is None:
                cells = found[period] = {}
            cells[(code, district_id)] = (value, complete)
    return found


def series(
    conn: Connection,
    code: str,
    granularity_: str,
    first_period: str,
    last_period: str,
    districts: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One indicator per period of `granularity_` from `first_period` to `last_period`:
    period, district, value, complete, reported, expected.

    The bounds may be of any granularity: the series runs from the period holding
    the first day of `first_period` to the one holding the last day of `last_period`
    (`2021`..`2023` by quarter is 2021-Q1..2023-Q4).
    """
    periods = periods_in_range(granularity_, first_period, last_period)
    frame = aggregate(conn, periods, [code], districts)
    return frame.drop(columns="indicator_code")


def periods_in_range(granularity_: str, first_period: str, last_period: str) -> list[str]:
    """Periods of `granularity_` from the one holding the first day of `first_period`
    to the one holding the last day of `last_period` (bounds of any granularity)."""
    first = period_containing(period_start(first_period), granularity_)
    last = period_containing(period_end(last_period), granularity_)
    return periods_between(first, last)


def comparison_periods(period: str) -> tuple[str, str]:
    """(previous period, same period last year) of `period`, for PoP and YoY changes."""
    return previous_period(period), same_period_last_year(period)
