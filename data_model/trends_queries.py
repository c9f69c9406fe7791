"""Queries of the 指标趋势 page: one indicator over periods, its changes and ranking.

`districts` arguments are tuples of names; an empty tuple means every district
(the city, 全市, is left out unless named, since its totals dwarf the districts').
Values follow each indicator's aggregation rule (`data_model.aggregation`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from data_model.aggregation import aggregate, comparison_periods, periods_in_range, series
from data_model.normalize.periods import GRANULARITIES
from data_model.scoring import indicator_table, rank_with_ties, scored_districts

VALUE_DECIMALS = 6
CHANGE_COLUMNS = ["district", "value", "complete", "previous", "pop", "last_year", "yoy"]


def effective_granularity(granularity: str, frequency: str) -> str:
    """The filter's granularity, or the indicator's frequency when that is coarser
    (an annual indicator is shown by year even when the page is set to quarters)."""
    return min(granularity, frequency, key=GRANULARITIES.index)


def _scope(conn: Connection, districts: tuple[str, ...]) -> list[str]:
    return list(districts) if districts else scored_districts(conn)


def trend_series(
    conn: Connection,
    code: str,
    granularity: str,
    first_period: str,
    last_period: str,
    districts: tuple[str, ...] = (),
) -> pd.DataFrame:
    """period, district, value, complete, reported, expected for one indicator."""
    return series(conn, code, granularity, first_period, last_period, _scope(conn, districts))


def percent_change(current: pd.Series, before: pd.Series) -> pd.Series:
    """(current − before) / |before| × 100; NaN when either is missing or before is 0."""
    before = before.astype(float).where(before != 0)
    return (current.astype(float) - before) / before.abs() * 100


def indicator_changes(
    conn: Connection, code: str, period: str, districts: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Per district: value in `period`, the previous period's (pop, %) and the same
    period last year's (yoy, %). Only districts with a value in `period`."""
    previous, last_year = comparison_periods(period)
    names = _scope(conn, districts)
    frame = aggregate(conn, [period, previous, last_year], [code], names)
    values = frame.pivot(index="district", columns="period", values="value")
    current = frame[frame["period"] == period].set_index("district")
    if current.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    result = pd.DataFrame({"district": [n for n in names if n in current.index]})
    result["value"] = result["district"].map(current["value"])
    result["complete"] = result["district"].map(current["complete"]).astype(bool)
    for column, other in (("previous", previous), ("last_year", last_year)):
        found = values[other] if other in values.columns else pd.Series(dtype=float)
        result[column] = result["district"].map(found).astype(float)
    result["pop"] = percent_change(result["value"], result["previous"])
    result["yoy"] = percent_change(result["value"], result["last_year"])
    return result[CHANGE_COLUMNS]


def indicator_ranking(conn: Connection, code: str, period: str) -> pd.DataFrame:
    """Every district's value in `period`, best first (lowest first for 逆向
    indicators): district, value, complete, rank (ties shared)."""
    indicator = indicator_table(conn).set_index("code").loc[code]
    frame = aggregate(conn, [period], [code], scored_districts(conn))
    if frame.empty:
        return pd.DataFrame(columns=["district", "value", "complete", "rank"])
    ascending = indicator["direction"] == "negative"
    # Indicator values can be small (0.72 days): tie only on float noise, not at 2 decimals.
    frame["rank"] = rank_with_ties(frame["value"], ascending=ascending, decimals=VALUE_DECIMALS)
    frame = frame.sort_values("rank", kind="stable").reset_index(drop=True)
    return frame[["district", "value", "complete", "rank"]]


def dimension_series(
    conn: Connection,
    dimension: str,
    granularity: str,
    first_period: str,
    last_period: str,
    districts: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Every indicator of a dimension over periods: indicator_code, period, district,
    value, complete. Indicators reported less often than `granularity` have no rows."""
    codes = list(indicator_table(conn, dimension)["code"])
    if not codes:
        return pd.DataFrame(columns=["indicator_code", "period", "district", "value", "complete"])
    periods = periods_in_range(granularity, first_period, last_period)
    frame = aggregate(conn, periods, codes, _scope(conn, districts))
    return frame[["indicator_code", "period", "district", "value", "complete"]]


def median_moves(frame: pd.DataFrame, indicators: pd.DataFrame, period: str, before: str) -> dict:
    """How many indicators' district median moved the good way from `before` to `period`.

    `frame` as from `dimension_series`; `indicators`: code, direction. Returns
    counts `improved`, `worsened`, `unchanged` and `compared` (indicators with both).
    """
    medians = frame.groupby(["indicator_code", "period"])["value"].median().unstack("period")
    counts = {"improved": 0, "worsened": 0, "unchanged": 0, "compared": 0}
    if period not in medians.columns or before not in medians.columns:
        return counts
    direction = indicators.set_index("code")["direction"]
    for code, row in medians.iterrows():
        now, then = row[period], row[before]
        if pd.isna(now) or pd.isna(then):
            continue
        counts["compared"] += 1
        step = np.sign(now - then) * (-1 if direction.get(code) == "negative" else 1)
        if np.isclose(now, then):
            counts["unchanged"] += 1
        elif step > 0:
            counts["improved"] += 1
        else:
            counts["worsened"] += 1
    return counts


def meets_target(values: pd.Series, target: float | None, negative: bool) -> pd.Series:
    """True where a value reaches the target (at or below it for 逆向 indicators)."""
    if target is None:
        return pd.Series(False, index=values.index)
    return values <= target if negative else values >= target
