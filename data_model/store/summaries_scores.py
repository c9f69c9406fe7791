"""Summaries of the district scores per half, quarter and year (`period_score_summary`).

For every half, quarter and year with values (LEVELS), one row per scored district and dimension, and
one for the composite (`dimension` COMPOSITE), holds what the default evaluation method
gives it (`scoring`): the score, the indicators it did not report, and the indicators
with a target and how many of them it met. A ranking (`scoring.period_ranking`) reads
these dozen rows instead of scoring every indicator × district of the period, so a
period's ranking costs the same with ten years of history as with one.

The rows are derived data, kept exact in the transaction that changes what the scores
are computed from:

- `values_changed(conn, periods)` after a write or a rollback of indicator values
  (`summaries.indicator_values_changed`, after the value summaries the halves, quarters
  and years read), with the periods of the values: the half, quarter and year holding
  each are scored again;
- `rebuild(conn)`: every period again, after a write or a rollback of indicators (the
  indicators counted in every period change), a master-data change of which districts are
  scored (`master_admin`), the migration that adds the table and a backup restore.

The scoring itself belongs to the evaluation package, above the store: it installs its
batched scoring here (`install`, from `data_model.evaluation.score_summary`), and a write
that needs it without it fails loudly instead of leaving the rows stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Connection, delete, select

from data_model.periods import GRANULARITIES, granularity, to_granularity
from data_model.store.db import driver_insert, driver_rows
from data_model.store.models import IndicatorValue, PeriodScoreSummary

# The periods summarised, each scored from a few rows per indicator and geography (its
# value summaries, a half from its quarters'). Not months: an import writes mostly
# months, and scoring them again would read back every value it wrote (300,000: most of
# the write's cost again), while a month's scoring reads its own values only.
LEVELS = ("half", "quarter", "year")
COMPOSITE = ""  # the `dimension` of the composite's rows
PERIODS_PER_READ = 12  # periods scored from one read of their values
COLUMNS = (
    "period",
    "dimension",
    "district_id",
    "score",
    "missing_count",
    "met_targets",
    "with_targets",
    "has_values",
)

# periods → {period: its summary rows (COLUMNS)}, every period given a key.
Scorer = Callable[[Connection, list[str]], dict[str, list[tuple]]]
_scorer: list[Scorer] = []


def install(scorer: Scorer) -> None:
    """Use `scorer` to score periods (the evaluation package's batched scoring)."""
    _scorer[:] = [scorer]


def _score(conn: Connection, periods: list[str]) -> dict[str, list[tuple]]:
    if not _scorer:
        raise RuntimeError(
            "district score summaries need data_model.evaluation.score_summary imported"
        )
    return _scorer[0](conn, periods)


def periods_holding(periods: Iterable[str]) -> set[str]:
    """The summarised periods (LEVELS) that hold any of `periods`: a month's or a
    quarter's quarter, half and year; a half's half and year; a year's year."""
    found = set()
    for period in set(periods):
        depth = GRANULARITIES.index(granularity(period))
        for level in LEVELS:
            if GRANULARITIES.index(level) <= depth:
                found.add(to_granularity(period, level))
    return found


def values_changed(conn: Connection, periods: Iterable[str]) -> None:
    """Score again the summarised periods holding `periods`, the periods of the values
    just written or withdrawn."""
    refresh(conn, periods_holding(periods))


def refresh(conn: Connection, periods: Iterable[str]) -> None:
    """The rows of `periods` (of LEVELS) become their scoring from the current rows."""
    periods = sorted(set(periods))
    if not periods:
        return
    scored = _score(conn, periods)
    s = PeriodScoreSummary
    for start in range(0, len(periods), 500):
        conn.execute(delete(s).where(s.period.in_(periods[start : start + 500])))
    rows = [row for period in periods for row in scored[period]]
    driver_insert(conn, s.__table__, list(COLUMNS), rows, 20_000)


def rebuild(conn: Connection) -> None:
    """Every row again: every summarised period holding a current value is scored."""
    conn.execute(delete(PeriodScoreSummary))
    refresh(conn, kept_periods(conn))


def kept_periods(conn: Connection) -> set[str]:
    """The summarised periods (LEVELS) holding any current value: those whose rows the
    period summaries keep (the scores here, the coverage in `summaries_coverage`)."""
    v = IndicatorValue
    stored_periods = conn.execute(
        select(v.period).where(v.is_current == True).distinct()  # noqa: E712
    ).scalars()
    return periods_holding(stored_periods)


def stored(conn: Connection) -> dict[tuple, tuple]:
    """Every row as {(period, dimension, district_id): (score, missing_count, met_targets,
    with_targets, has_values)}, None scores as NaN (for tests and checks)."""
    s = PeriodScoreSummary
    rows = driver_rows(conn, select(*(getattr(s, c) for c in COLUMNS)))
    return {
        tuple(r[:3]): (
            float("nan") if r[3] is None else float(r[3]),
            int(r[4]),
            int(r[5]),
            int(r[6]),
            bool(r[7]),
        )
        for r in rows
    }
