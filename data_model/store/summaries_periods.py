"""The summaries kept per quarter and year of the values (`summaries_scores`: the
district scores; `summaries_coverage`: the indicator coverage), kept together: every
change of what they are computed from calls these, never one of them alone."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, inspect

from data_model.store import summaries_coverage, summaries_scores


def values_changed(conn: Connection, periods: Iterable[str]) -> None:
    """Both summaries of the quarters and years holding `periods`, the periods of the
    indicator values just written or withdrawn (after the value summaries they read)."""
    periods = set(periods)
    summaries_scores.values_changed(conn, periods)
    summaries_coverage.values_changed(conn, periods)


def rebuild(conn: Connection) -> None:
    """Both summaries of every period again: the indicators or the District rows changed
    (the coverage counts every geography, the city too; the scores the others), or the
    rows were restored. A table a migration has not made yet is left to that migration,
    which fills it."""
    tables = set(inspect(conn).get_table_names())
    if "period_score_summary" in tables:
        summaries_scores.rebuild(conn)
    if "period_coverage_summary" in tables:
        summaries_coverage.rebuild(conn)
