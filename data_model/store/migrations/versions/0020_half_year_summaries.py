"""scores and coverage kept per half too

The district score summaries (`period_score_summary`) and the coverage totals
(`period_coverage_summary`) now keep every half holding values besides its quarters and
year (`summaries_scores.LEVELS`), so a half's ranking and coverage read a dozen rows
instead of scoring every indicator × district. Both are derived: the halves' rows are
made here from the rows, as the write path keeps them.
"""

from alembic import op

revision = "0020"
down_revision = "0018"


def upgrade() -> None:
    # The scoring is the evaluation package's: importing it installs it in the store.
    import data_model.evaluation.score_summary  # noqa: F401
    from data_model.periods import granularity
    from data_model.store import summaries_coverage, summaries_scores

    conn = op.get_bind()
    halves = {p for p in summaries_scores.kept_periods(conn) if granularity(p) == "half"}
    summaries_scores.refresh(conn, halves)
    summaries_coverage.refresh(conn, halves)


def downgrade() -> None:
    for table in ("period_score_summary", "period_coverage_summary"):
        op.execute(f"DELETE FROM {table} WHERE period LIKE '%-H_'")
