"""Summaries of the current indicator values per quarter and year (`indicator_value_summary`).

For every indicator, geography, quarter or year P and granularity f of values finer
than P (months inside a quarter or a year, quarters inside a year), one row holds what
the aggregation needs of the current values of granularity f inside P: how many there
are (`reported`), their total, and the latest one (`latest_period`, `latest_value`).
`aggregation.aggregate` and the coverage measures read these rows, one per period shown,
instead of every month stored inside it, so a year's figures cost the same with ten
years of history as with one.

The summaries are derived data, kept exact in the transaction that changes which values
are current:

- `refresh(conn, keys)` after a write (`storage.write_kind`: an import, a supersede, a
  review approval) and a rollback (`storage.rollback_submission`), with the keys
  (indicator_code, district_id, period) of the values written or withdrawn; it
  recomputes every summary of those indicators in the years those periods fall in;
- `rebuild(conn)` from all current values: the migration that adds the table and a
  backup restore (the table is not backed up).

A value whose period is a year or a half is never summarised: the aggregation reads it
as the exact value of its period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, delete, func, insert, literal, select, union_all

from data_model.models import IndicatorValue, IndicatorValueSummary
from data_model.normalize.periods import granularity, to_granularity

LEVELS = ("quarter", "year")  # the periods summarised
SOURCES = {"month": ("quarter", "year"), "quarter": ("year",)}  # value granularity → levels
CHUNK = 500
COLUMNS = (
    "period",
    "indicator_code",
    "district_id",
    "frequency",
    "reported",
    "total",
    "latest_period",
    "latest_value",
)

Key = tuple[str, int, str]  # indicator_code, district_id, period


def summarise(rows: Iterable[tuple[str, int, str, float]]) -> dict[tuple, tuple]:
    """The summary rows of current values (indicator_code, district_id, period, value):
    {(period, indicator_code, district_id, frequency): (reported, total, latest_period,
    latest_value)}. Values are added in period order, so the total is the same however
    the rows come."""
    ordered = sorted((r for r in rows if granularity(r[2]) in SOURCES), key=lambda r: r[:3])
    found: dict[tuple, list] = {}
    for code, district_id, period, value in ordered:
        frequency = granularity(period)
        for level in SOURCES[frequency]:
            key = (to_granularity(period, level), code, district_id, frequency)
            entry = found.get(key)
            if entry is None:
                found[key] = [1, float(value), period, float(value)]
            else:
                entry[0] += 1
                entry[1] += float(value)
                entry[2], entry[3] = period, float(value)  # rows come in period order
    return {key: tuple(entry) for key, entry in found.items()}


def refresh(conn: Connection, keys: Iterable[Key]) -> None:
    """Recompute the summaries the values under `keys` fall in (all geographies of each
    indicator, in each year of the keys' periods)."""
    touched: dict[str, set[str]] = defaultdict(set)
    for code, _district_id, period in keys:
        if granularity(period) in SOURCES:
            touched[period[:4]].add(code)
    for year, codes in sorted(touched.items()):
        ordered = sorted(codes)
        for start in range(0, len(ordered), CHUNK):
            _recompute(conn, year, ordered[start : start + CHUNK])


def submission_keys(conn: Connection, submission_id: int) -> list[Key]:
    """The keys of a submission's indicator values (current or not)."""
    v = IndicatorValue
    query = select(v.indicator_code, v.district_id, v.period).where(
        v.submission_id == submission_id
    )
    return [tuple(row) for row in conn.execute(query)]


def rebuild(conn: Connection) -> None:
    """Every summary again from the current values (a migration, a restore)."""
    conn.execute(delete(IndicatorValueSummary))
    v = IndicatorValue
    low, high = conn.execute(
        select(func.min(v.period), func.max(v.period)).where(v.is_current == True)  # noqa: E712
    ).one()
    if low is None:
        return
    for year in range(int(low[:4]), int(high[:4]) + 1):
        _recompute(conn, str(year), None)


def reported_in(period: str):
    """For a quarter or a year, a subquery of how many current values each indicator and
    geography has at each granularity inside `period`, itself included: district_id,
    indicator_code, frequency, reported (what the coverage measures count)."""
    s, v = IndicatorValueSummary, IndicatorValue
    inside = select(s.district_id, s.indicator_code, s.frequency, s.reported).where(
        s.period == period
    )
    itself = select(
        v.district_id,
        v.indicator_code,
        literal(granularity(period)).label("frequency"),
        literal(1).label("reported"),
    ).where(v.is_current, v.period == period)
    return union_all(inside, itself).subquery()


def stored(conn: Connection) -> dict[tuple, tuple]:
    """Every summary row, keyed as `summarise` keys them (for tests and checks)."""
    s = IndicatorValueSummary
    rows = conn.execute(select(*(getattr(s, c) for c in COLUMNS)))
    return {tuple(r[:4]): (int(r[4]), float(r[5]), r[6], float(r[7])) for r in rows}


def current_values(conn: Connection) -> Iterator[tuple[str, int, str, float]]:
    v = IndicatorValue
    query = select(v.indicator_code, v.district_id, v.period, v.value).where(v.is_current)
    return (tuple(row) for row in conn.execute(query))


def _recompute(conn: Connection, year: str, codes: list[str] | None) -> None:
    """Replace the summaries of `year` and its quarters (of `codes`, or all indicators)."""
    s, v = IndicatorValueSummary, IndicatorValue
    periods = [year, *(f"{year}-Q{q}" for q in range(1, 5))]
    removal = delete(s).where(s.period.in_(periods))
    query = select(v.indicator_code, v.district_id, v.period, v.value).where(
        v.is_current == True,  # noqa: E712  (= true: the index on is_current, period)
        v.period >= year,
        v.period < str(int(year) + 1),
    )
    if codes is not None:
        removal = removal.where(s.indicator_code.in_(codes))
        query = query.where(v.indicator_code.in_(codes))
    conn.execute(removal)
    rows = [
        dict(zip(COLUMNS, key + value, strict=True))
        for key, value in summarise(tuple(row) for row in conn.execute(query)).items()
    ]
    for start in range(0, len(rows), 20_000):
        conn.execute(insert(s), rows[start : start + 20_000])
