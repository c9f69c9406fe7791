"""Queries of the 指标趋势 page: one indicator over periods, its changes and ranking.

`districts` arguments are tuples of names; an empty tuple means every district
(the city, 全市, is left out unless named, since its totals dwarf the districts').
Values follow each indicator's aggregation rule (`data_model.evaluation.aggregation`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from data_model.evaluation.aggregation import (
    aggregate,
    comparison_periods,
    is_due,
    periods_in_range,
    series,
)
from data_model.evaluation.scoring import indicator_table, rank_with_ties, scored_districts
from data_model.formatting import value_text
from data_model.i18n import t
from data_model.periods import (
    GRANULARITIES,
    period_containing,
    period_start,
    shift_period,
    to_granularity,
)
from data_model.periods import granularity as granularity_of
from data_model.queries.explanations import value_explanations

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
    """period, district, value, complete, reported, expected, explanation for one indicator.

    `explanation` joins the explanations (情况说明) of the stored values inside each point
    (a quarter's point shows those of its months), '' where there is none.
    """
    frame = series(conn, code, granularity, first_period, last_period, _scope(conn, districts))
    return with_explanations(frame, value_explanations(conn, code), granularity)


def with_explanations(frame: pd.DataFrame, explained: pd.DataFrame, granularity: str):
    """`frame` (period, district, …) with the `explained` texts (district, period, text of
    stored values) of each point's period joined into an `explanation` column."""
    frame = frame.copy()
    if explained.empty or frame.empty:
        frame["explanation"] = ""
        return frame
    finer = explained["period"].map(
        lambda p: GRANULARITIES.index(granularity_of(p)) >= GRANULARITIES.index(granularity)
    )
    explained = explained[finer]
    points = explained.assign(
        period=[to_granularity(p, granularity) for p in explained["period"]]
    ).sort_values(["district", "period"], kind="stable")
    joined = points.groupby(["district", "period"], sort=False)["text"].agg("；".join)
    keys = pd.MultiIndex.from_arrays([frame["district"], frame["period"]])
    frame["explanation"] = joined.reindex(keys).fillna("").to_numpy()
    return frame


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
    return _changes(frame, names, period)


def changes_of_indicators(
    conn: Connection, codes: tuple[str, ...], period: str, districts: tuple[str, ...] = ()
) -> pd.DataFrame:
    """`indicator_changes` of many indicators with one query (a loop of
    `indicator_changes` over 300 indicators is 300 queries): indicator_code, then
    CHANGE_COLUMNS, in the order of `codes`; indicators without a value in `period` have
    no rows."""
    previous, last_year = comparison_periods(period)
    names = _scope(conn, districts)
    frame = aggregate(conn, [period, previous, last_year], list(codes), names)
    current = frame[frame["period"] == period]
    if current.empty:
        return pd.DataFrame(columns=["indicator_code", *CHANGE_COLUMNS])
    order = {code: n for n, code in enumerate(dict.fromkeys(codes))}
    place = {name: n for n, name in enumerate(names)}
    result = (
        current.assign(
            code_order=current["indicator_code"].map(order),
            district_order=current["district"].map(place),
        )
        .dropna(subset=["district_order"])
        .sort_values(["code_order", "district_order"], kind="stable")
    )
    result = pd.DataFrame(
        {
            "indicator_code": result["indicator_code"].to_numpy(),
            "district": result["district"].to_numpy(),
            "value": result["value"].to_numpy(dtype=float),
            "complete": result["complete"].to_numpy(dtype=bool),
        }
    )
    values = frame.set_index(["indicator_code", "district", "period"])["value"]
    keys = pd.MultiIndex.from_frame(result[["indicator_code", "district"]])
    for column, other in (("previous", previous), ("last_year", last_year)):
        found = values.xs(other, level="period") if other in set(frame["period"]) else None
        result[column] = found.reindex(keys).to_numpy(dtype=float) if found is not None else np.nan
    result["pop"] = percent_change(result["value"], result["previous"])
    result["yoy"] = percent_change(result["value"], result["last_year"])
    return result[["indicator_code", *CHANGE_COLUMNS]]


def _changes(frame: pd.DataFrame, names: list[str], period: str) -> pd.DataFrame:
    """CHANGE_COLUMNS from one indicator's `aggregate` rows for the three periods."""
    previous, last_year = comparison_periods(period)
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


def indicator_ranking(
    conn: Connection, code: str, period: str, language: str | None = None
) -> pd.DataFrame:
    """Every district's value in `period`, best first (lowest first for 逆向
    indicators): district, value, complete, rank. Values that read alike (`value_text`
    in `language`) share their rank: 0.72 and 0.74 days both read 0.7, and were ranked
    第2名 and 第3名."""
    indicator = indicator_table(conn).set_index("code").loc[code]
    frame = aggregate(conn, [period], [code], scored_districts(conn))
    if frame.empty:
        return pd.DataFrame(columns=["district", "value", "complete", "rank"])
    ascending = indicator["direction"] == "negative"
    shown = frame["value"].map(lambda value: value_text(value, "", language))
    # Each value ranks as the best one that reads as it does (rounding keeps the order).
    alike = frame["value"].groupby(shown).transform("min" if ascending else "max")
    frame["rank"] = rank_with_ties(alike, ascending=ascending, decimals=VALUE_DECIMALS)
    frame = frame.sort_values("rank", kind="stable").reset_index(drop=True)
    return frame[["district", "value", "complete", "rank"]]


# How many periods the small multiples show, ending at the selected period: sixty
# panels of 120 months each are unreadable on a projector (and take seconds to draw).
MULTIPLES_SPAN = {"year": 10, "quarter": 12, "month": 24}


def multiples_window(period: str, first_period: str) -> tuple[str, str]:
    """The first and last period of the small multiples for `period`: the MULTIPLES_SPAN
    periods of its granularity up to it, starting no earlier than the period holding the
    first day of `first_period` (the first data)."""
    level = granularity_of(period)
    start = shift_period(period, 1 - MULTIPLES_SPAN[level])
    earliest = period_containing(period_start(first_period), level)
    return max(start, earliest, key=period_start), period


def dimension_series(
    conn: Connection,
    dimension: str,
    granularity: str,
    first_period: str,
    last_period: str,
    districts: tuple[str, ...] = (),
    codes: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Every indicator of a dimension over periods: indicator_code, period, district,
    value, complete. Indicators reported less often than `granularity` have no rows.
    `codes` narrows it to those indicators of the dimension (the small multiples read
    only the panels shown)."""
    members = list(indicator_table(conn, dimension)["code"])
    if codes is not None:
        chosen = set(codes)
        members = [c for c in members if c in chosen]
    if not members:
        return pd.DataFrame(columns=["indicator_code", "period", "district", "value", "complete"])
    periods = periods_in_range(granularity, first_period, last_period)
    frame = aggregate(conn, periods, members, _scope(conn, districts))
    return frame[["indicator_code", "period", "district", "value", "complete"]]


# Panels of the small multiples at most: four rows of three still read on a projector;
# a dimension of 600 indicators is chosen from, not drawn.
MULTIPLES_LIMIT = 12


def due_indicators(indicators: pd.DataFrame, period: str) -> pd.DataFrame:
    """The rows of `indicators` (code, frequency, …) reported at least once in every
    period of `period`'s granularity (a yearly indicator has no quarterly line)."""
    due = [is_due(frequency, period) for frequency in indicators["frequency"]]
    return indicators[due].reset_index(drop=True)


def median_changes(
    frame: pd.DataFrame, indicators: pd.DataFrame, period: str, before: str
) -> pd.DataFrame:
    """How each indicator's district median moved from `before` to `period`.

    `frame` as from `dimension_series` (it needs both periods); `indicators`: code,
    direction. One row per indicator with a median in both periods, in the order of
    `indicators`: indicator_code, before, now, step (+1 better, −1 worse, 0 unchanged, in
    the indicator's direction) and size (|change| / |before|; infinite from 0).
    """
    columns = ["indicator_code", "before", "now", "step", "size"]
    medians = frame.groupby(["indicator_code", "period"])["value"].median().unstack("period")
    if period not in medians.columns or before not in medians.columns:
        return pd.DataFrame(columns=columns)
    order = [c for c in indicators["code"] if c in medians.index]
    medians = medians.reindex(order)[[before, period]].dropna()
    then, now = medians[before].to_numpy(dtype=float), medians[period].to_numpy(dtype=float)
    negative = medians.index.map(indicators.set_index("code")["direction"] == "negative")
    unchanged = np.isclose(now, then)
    step = np.where(unchanged, 0, np.sign(now - then) * np.where(negative, -1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.where(unchanged, 0.0, np.abs(now - then) / np.abs(then))
    return pd.DataFrame(
        {
            "indicator_code": medians.index.to_numpy(),
            "before": then,
            "now": now,
            "step": step.astype(int),
            "size": size,
        },
        columns=columns,
    )


def median_moves(frame: pd.DataFrame, indicators: pd.DataFrame, period: str, before: str) -> dict:
    """How many indicators' district median moved the good way from `before` to `period`.

    `frame` as from `dimension_series`; `indicators`: code, direction. Returns
    counts `improved`, `worsened`, `unchanged` and `compared` (indicators with both).
    """
    steps = median_changes(frame, indicators, period, before)["step"]
    return {
        "improved": int((steps > 0).sum()),
        "worsened": int((steps < 0).sum()),
        "unchanged": int((steps == 0).sum()),
        "compared": len(steps),
    }


def largest_moves(
    changes: pd.DataFrame, codes: list[str], limit: int = MULTIPLES_LIMIT
) -> list[str]:
    """The first `limit` of `codes`: those whose median moved most (`median_changes`'
    size, largest first, ties in the order of `codes`), then the rest in their order."""
    place = {code: n for n, code in enumerate(codes)}
    size = dict(zip(changes["indicator_code"], changes["size"], strict=True))
    ranked = sorted(codes, key=lambda c: (c not in size, -size.get(c, 0.0), place[c]))
    return ranked[:limit]


def meets_target(values: pd.Series, target: float | None, negative: bool) -> pd.Series:
    """True where a value reaches the target (at or below it for 逆向 indicators)."""
    if target is None:
        return pd.Series(False, index=values.index)
    return values <= target if negative else values >= target


# --- finding sentences the trends page and the presentation share -----------------------


def period_standing(trend: pd.DataFrame, period: str, negative: bool) -> pd.DataFrame:
    """The rows of `trend` (as from `trend_series`) in `period`, best first (lowest first
    for 逆向 indicators)."""
    now = trend[trend["period"] == period]
    return now.sort_values("value", ascending=negative, kind="stable")


def _level(now: pd.DataFrame) -> bool:
    """Whether the districts of a `period_standing` frame all show the same value (as the
    page writes it, to two decimals), so that none is best or worst."""
    shown = now["value"].dropna().round(2)
    return len(now) > 1 and len(shown) == len(now) and shown.nunique() == 1


def named_ends(now: pd.DataFrame) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The best and the worst district of a `period_standing` frame, as the series'
    heading and finding name them (the chart colours these two): ((best,), (worst,)),
    no worst with one district, ((), ()) with none or when all are level."""
    if now.empty or _level(now):
        return (), ()
    best, worst = str(now.iloc[0]["district"]), str(now.iloc[-1]["district"])
    return (best,), (() if worst == best else (worst,))


def series_heading(
    now: pd.DataFrame, indicator: str, unit: str, period: str, language: str | None = None
) -> str:
    """The heading of an indicator's series, e.g. 企业开办时间：2023年龙华区最优，深汕特别
    合作区最弱; with one district its value (it is not best and worst of itself), with
    districts all level that they are level, with none the indicator alone.

    `now`: `period_standing` output; `period`: the period's label.
    """
    if now.empty:
        return t("trends.series_heading_plain", language, indicator=indicator)
    best, worst = now.iloc[0], now.iloc[-1]
    value = value_text(best["value"], unit, language)
    if len(now) == 1:
        return t(
            "trends.series_heading_single",
            language,
            indicator=indicator,
            period=period,
            district=best["district"],
            value=value,
        )
    if _level(now):
        return t(
            "trends.series_heading_level",
            language,
            indicator=indicator,
            period=period,
            count=len(now),
            value=value,
        )
    return t(
        "trends.series_heading",
        language,
        indicator=indicator,
        period=period,
        best=best["district"],
        worst=worst["district"],
    )


def series_finding(
    now: pd.DataFrame,
    target: float | None,
    negative: bool,
    unit: str,
    period: str,
    language: str | None = None,
) -> str:
    """The district standing in a period, e.g. 2023年，11个区中10个达到目标值 1 天；
    宝安区最优（0.7 天），深汕特别合作区最弱（1.1 天）.

    `now`: `period_standing` output; `period`: the period's label.
    """
    if now.empty:
        return t("trends.series_finding_no_period", language, period=period)
    best, worst = now.iloc[0], now.iloc[-1]
    if len(now) == 1 or _level(now):
        # Nobody is best or worst: the one value (shared by all), and the target if any.
        facts = {
            "period": period,
            "count": len(now),
            "district": best["district"],
            "value": value_text(best["value"], unit, language),
        }
        kind = "single" if len(now) == 1 else "level"
        if target is None:
            return t(f"trends.series_finding_{kind}", language, **facts)
        met = int(meets_target(now["value"], target, negative).sum())
        return t(
            f"trends.series_finding_{kind}_target",
            language,
            met=met,
            verdict=t("trends.target_met" if met else "trends.target_missed", language),
            target=value_text(target, unit, language),
            **facts,
        )
    facts = {
        "period": period,
        "count": len(now),
        "best": best["district"],
        "best_value": value_text(best["value"], unit, language),
        "worst": worst["district"],
        "worst_value": value_text(worst["value"], unit, language),
    }
    if target is None:
        median = value_text(now["value"].median(), unit, language)
        return t("trends.series_finding", language, median=median, **facts)
    met = int(meets_target(now["value"], target, negative).sum())
    return t(
        "trends.series_finding_target",
        language,
        met=met,
        target=value_text(target, unit, language),
        **facts,
    )
