"""Summaries of the current indicator values per quarter and year (`indicator_value_summary`).

For every indicator, geography, quarter or year P and granularity f of values finer
than P (months inside a quarter or a year, quarters inside a year), one row holds what
the aggregation needs of the current values of granularity f inside P: how many there
are (`reported`), their total, and the latest one (`latest_period`, `latest_value`).
`aggregation.aggregate` and the coverage totals (`summaries_coverage`) read these rows, one per period shown,
instead of every month stored inside it, so a year's figures cost the same with ten
years of history as with one.

The summaries are derived data, kept exact in the transaction that changes which values
are current:

- `refresh(conn, keys)` after a rollback (`storage.rollback_submission`), with the keys
  (indicator_code, district_id, period) of the values withdrawn; it recomputes those
  indicators' quarters of the months withdrawn from their months, then their years from
  the quarters' rows;
- `refresh_written(conn, records, submission_id)` after a write (`storage.write_kind`: an
  import, a supersede, a review approval): the same rows as `refresh` of the records'
  keys, the quarters summed from the records themselves plus only the other current
  values of those quarters (not the rows just written, read back);
- `rebuild(conn)` from all current values: the migration that adds the table and a
  backup restore (the table is not backed up).

A value whose period is a year or a half is never summarised: the aggregation reads it
as the exact value of its period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain
from operator import itemgetter

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.sql.expression import Select

from data_model.periods import granularity, months_of, to_granularity
from data_model.store.db import driver_insert, driver_rows
from data_model.store.models import IndicatorValue, IndicatorValueSummary
from data_model.store.record_fields import fields_getter

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
VALUE_FIELDS = ("indicator_code", "district_id", "period", "value")


def parts_of(periods: Iterable[str]) -> dict[str, str]:
    """{summarised period (LEVELS): the period of `periods` whose values inside it its
    rows hold}: a quarter's or a year's own rows, a half's two quarters; none for a month
    (nothing finer is stored). What the aggregation and the coverage totals read."""
    parts = {}
    for period in periods:
        level = granularity(period)
        if level in LEVELS:
            parts[period] = period
        elif level == "half":
            quarters = dict.fromkeys(to_granularity(m, "quarter") for m in months_of(period))
            parts.update((quarter, period) for quarter in quarters)
    return parts


def summarise(rows: Iterable[tuple[str, int, str, float]]) -> dict[tuple, tuple]:
    """The summary rows of current values (indicator_code, district_id, period, value):
    {(period, indicator_code, district_id, frequency): (reported, total, latest_period,
    latest_value)}.

    Values are added in period order; a year's monthly values are added quarter by
    quarter (`years_of`), as `refresh` adds them, so the totals are the same to the last
    bit however the rows come and whichever way they were kept."""
    rows = list(rows)
    months = []
    for code, district_id, period, value in rows:
        level, quarter = _place(period)
        if level == "month":
            months.append(((quarter, code, district_id, "month"), period, value))
    quarters = _combine_values(months)
    return {**quarters, **years_of(quarters), **_quarter_values(rows)}


def years_of(quarters: dict[tuple, tuple]) -> dict[tuple, tuple]:
    """The year rows of monthly values from the quarter rows (`summarise`'s keys): each
    quarters' counts and totals added in quarter order, in one pass over the entries
    sorted by indicator, geography and quarter."""
    found: dict[tuple, tuple] = {}
    get = found.get
    ordered = sorted(
        ((code, district_id, quarter), entry)
        for (quarter, code, district_id, frequency), entry in quarters.items()
        if frequency == "month"
    )
    for (code, district_id, quarter), entry in ordered:
        key = (quarter[:4], code, district_id, "month")
        before = get(key)
        if before is None:
            found[key] = entry
        else:
            found[key] = (before[0] + entry[0], before[1] + entry[1], *entry[2:])
    return found


def _quarter_values(rows: Iterable[tuple[str, int, str, float]]) -> dict[tuple, tuple]:
    return _combine_values(
        ((p[:4], c, d, "quarter"), p, v) for c, d, p, v in rows if _place(p)[0] == "quarter"
    )


@lru_cache(maxsize=4096)
def _place(period: str) -> tuple[str, str | None]:
    """(the granularity of `period`, the quarter holding it when it is a month): a few
    dozen periods stand for the hundreds of thousands of values an import summarises."""
    level = granularity(period)
    return level, to_granularity(period, "quarter") if level == "month" else None


def _in_period_order(parts: Iterable[tuple[tuple, str, object]]) -> list[tuple[tuple, list]]:
    """(key, period, part) → [(key, [(period, part), …] in period order)], keys in order."""
    grouped: dict[tuple, list] = defaultdict(list)
    for key, period, part in parts:
        grouped[key].append((period, part))
    return [(key, sorted(grouped[key], key=itemgetter(0))) for key in sorted(grouped)]


def _combine_values(parts: Iterable[tuple[tuple, str, float]]) -> dict[tuple, tuple]:
    """(key, period, value) → one summary entry per key: the count, the total (added in
    period order), the latest period and its value."""
    found: dict[tuple, tuple] = {}
    for key, items in _in_period_order(parts):
        total = float(items[0][1])
        for _, value in items[1:]:
            total += float(value)
        latest_period, latest_value = items[-1]
        found[key] = (len(items), total, latest_period, float(latest_value))
    return found


def refresh(conn: Connection, keys: Iterable[Key]) -> None:
    """Recompute the summaries the values under `keys` fall in: of each indicator (all
    geographies), the quarters of the keys' months, then the years of the keys' months
    and quarters from the quarter rows."""
    years: dict[str, set[str]] = defaultdict(set)
    quarters: dict[tuple[str, str], set[str]] = defaultdict(set)  # (year, quarter) → codes
    for code, _district_id, period in keys:
        level, quarter = _place(period)
        if level in SOURCES:
            years[period[:4]].add(code)
        if quarter is not None:
            quarters[(period[:4], quarter)].add(code)
    for year, codes in sorted(years.items()):
        ordered = sorted(codes)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            for (in_year, quarter), quarter_codes in sorted(quarters.items()):
                if in_year == year and quarter_codes & set(chunk):
                    _recompute_quarter(conn, quarter, chunk)
            _recompute_year(conn, year, chunk)


def refresh_written(conn: Connection, records: list, submission_id: int) -> None:
    """`refresh` of the records' keys after `records` (mappings of at least VALUE_FIELDS)
    were written as `submission_id`'s values: every record's key then has a current row
    holding the record's value (a new or replacing row of the submission, or the equal row
    it left unchanged).

    A quarter's monthly values are then the records of its months plus the other current
    values of those months and indicators, which are read without the submission's rows.
    A count of the quarter's current rows confirms that the two make up all of them (it
    would not if the submission had written rows before under other keys, or the records
    repeated a key); where it does not, the quarter is recomputed from every current value
    as `refresh` does. Same rows to the last bit: the same values, added in period order."""
    by_period: dict[str, list] = defaultdict(list)
    period_of = fields_getter(records, ["period"])
    for record in records:
        by_period[period_of(record)].append(record)
    code_of = fields_getter(records, ["indicator_code"])
    years: dict[str, set[str]] = defaultdict(set)
    months: dict[str, list[str]] = defaultdict(list)  # quarter → its months written
    for period, written in by_period.items():
        level, quarter = _place(period)
        if level in SOURCES:
            years[period[:4]].update(map(code_of, written))
        if quarter is not None:
            months[quarter].append(period)
    fields = fields_getter(records, VALUE_FIELDS)
    for year, codes in sorted(years.items()):
        ordered = sorted(codes)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            wanted = None if len(ordered) <= CHUNK else set(chunk)
            known = {}  # quarter → its month summaries of every code of the chunk
            for quarter in _quarters(year):
                if wanted is None:  # one chunk of every code: each record as it is
                    written = list(
                        chain.from_iterable(
                            map(fields, by_period[period]) for period in months.get(quarter, ())
                        )
                    )
                else:
                    written = [
                        fields(record)
                        for period in months.get(quarter, ())
                        for record in by_period[period]
                        if code_of(record) in wanted
                    ]
                if written:  # only the indicators written in it: the others' stay as they are
                    quarter_codes = sorted({row[0] for row in written})
                    entries = _quarter_from_written(
                        conn, quarter, quarter_codes, written, submission_id
                    )
                    if quarter_codes == chunk:
                        known[quarter] = entries
            _recompute_year(conn, year, chunk, known)


def _quarter_from_written(
    conn: Connection, quarter: str, codes: list[str], written: list[tuple], submission_id: int
) -> dict:
    """A quarter's summaries of `codes` from the values `written` by `submission_id` in
    its months (indicator_code, district_id, period, value) and the other current ones
    (see `refresh_written`); also returned."""
    months = months_of(quarter)
    others = driver_rows(conn, _values_query(months, codes, besides=submission_id))
    if others:
        current = {row[:3]: row for row in others}
        current.update((row[:3], row) for row in written)
        rows = list(current.values())
    else:
        rows = written
    v = IndicatorValue
    count = select(func.count()).where(
        v.is_current == True,  # noqa: E712  (= true: the index on is_current, period)
        v.period.in_(months),
        v.indicator_code.in_(codes),
    )
    if conn.execute(count).scalar_one() != len(rows):
        return _recompute_quarter(conn, quarter, codes)
    entries = _month_entries(quarter, rows)
    _replace(conn, quarter, codes, entries)
    return entries


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
        for quarter in _quarters(str(year)):
            _recompute_quarter(conn, quarter, None)
        _recompute_year(conn, str(year), None)


def stored(conn: Connection) -> dict[tuple, tuple]:
    """Every summary row, keyed as `summarise` keys them (for tests and checks)."""
    s = IndicatorValueSummary
    rows = conn.execute(select(*(getattr(s, c) for c in COLUMNS)))
    return {tuple(r[:4]): (int(r[4]), float(r[5]), r[6], float(r[7])) for r in rows}


def _quarters(year: str) -> list[str]:
    return [f"{year}-Q{q}" for q in range(1, 5)]


def _values(conn: Connection, periods: list[str], codes: list[str] | None) -> list[tuple]:
    return driver_rows(conn, _values_query(periods, codes))


def _values_query(
    periods: list[str], codes: list[str] | None, besides: int | None = None
) -> Select:
    """The current values (indicator_code, district_id, period, value) of `periods` (of
    `codes`, or all indicators; not those of submission `besides`)."""
    v = IndicatorValue
    query = select(v.indicator_code, v.district_id, v.period, v.value).where(
        v.is_current == True,  # noqa: E712  (= true: the index on is_current, period)
        v.period.in_(periods),
    )
    if codes is not None:
        query = query.where(v.indicator_code.in_(codes))
    if besides is not None:
        query = query.where(v.submission_id != besides)
    return query


def _month_entries(quarter: str, rows: list[tuple]) -> dict[tuple, tuple]:
    """The summary entries of the monthly values `rows` of `quarter` (indicator_code,
    district_id, period, value; one per key), keyed in order: what `summarise` gives for
    the quarter, each key's values added in period order, without grouping them first."""
    found: dict[tuple, tuple] = {}
    get = found.get
    for code, district_id, period, value in sorted(rows):
        key = (quarter, code, district_id, "month")
        value = float(value)
        entry = get(key)
        if entry is None:
            found[key] = (1, value, period, value)
        else:
            found[key] = (entry[0] + 1, entry[1] + value, period, value)
    return found


def _replace(conn: Connection, period: str, codes: list[str] | None, rows: dict) -> None:
    """The summaries of `period` (of `codes`, or all indicators) become `rows`."""
    s = IndicatorValueSummary
    removal = delete(s).where(s.period == period)
    if codes is not None:
        removal = removal.where(s.indicator_code.in_(codes))
    conn.execute(removal)
    table = IndicatorValueSummary.__table__
    driver_insert(conn, table, list(COLUMNS), (key + entry for key, entry in rows.items()), 20_000)


def _recompute_quarter(conn: Connection, quarter: str, codes: list[str] | None) -> dict:
    """A quarter's summaries from the current monthly values inside it (also returned)."""
    entries = _month_entries(quarter, _values(conn, months_of(quarter), codes))
    _replace(conn, quarter, codes, entries)
    return entries


def _recompute_year(
    conn: Connection, year: str, codes: list[str] | None, known: dict[str, dict] | None = None
) -> None:
    """A year's summaries: its monthly values from its quarters' summaries, its quarterly
    values from the values themselves. `known` holds the month summaries of some of its
    quarters (quarter → entries of all `codes`) just written: only the others are read."""
    known = known or {}
    s = IndicatorValueSummary
    quarters: dict[tuple, tuple] = {}
    unknown = [q for q in _quarters(year) if q not in known]
    if unknown:
        query = select(*(getattr(s, c) for c in COLUMNS)).where(
            s.period.in_(unknown), s.frequency == "month"
        )
        if codes is not None:
            query = query.where(s.indicator_code.in_(codes))
        quarters = {
            tuple(r[:4]): (int(r[4]), float(r[5]), r[6], float(r[7]))
            for r in driver_rows(conn, query)
        }
    for entries in known.values():
        quarters.update(entries)
    rows = {**years_of(quarters), **_quarter_values(_values(conn, _quarters(year), codes))}
    _replace(conn, year, codes, rows)
