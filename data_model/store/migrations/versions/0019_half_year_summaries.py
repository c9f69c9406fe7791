"""scores and coverage kept per half too; a period's values read from one index

The district score summaries (`period_score_summary`) and the coverage totals
(`period_coverage_summary`) now keep every half holding values besides its quarters and
year (`summaries_scores.LEVELS`), so a half's ranking and coverage read a dozen rows
instead of scoring every indicator × district. Both are derived: the halves' rows are
made here from the rows, as the write path keeps them.

`ix_indicator_value_current_period` also holds each value's geography and number, so a
period's values (a month's 36,000 at ten times the benchmark) are read from the index
alone instead of being looked up row by row.
"""

from alembic import op

revision = "0019"
down_revision = "0018"


def upgrade() -> None:
    # The scoring is the evaluation package's: importing it installs it in the store.
    import data_model.evaluation.score_summary  # noqa: F401
    from data_model.periods import granularity
    from data_model.store import summaries_coverage, summaries_scores

    conn = op.get_bind()
    op.drop_index("ix_indicator_value_current_period", "indicator_value")
    op.create_index(
        "ix_indicator_value_current_period",
        "indicator_value",
        ["is_current", "period", "indicator_code", "district_id", "value"],
    )
    halves = {p for p in summaries_scores.kept_periods(conn) if granularity(p) == "half"}
    summaries_scores.refresh(conn, halves)
    summaries_coverage.refresh(conn, halves)


def downgrade() -> None:
    op.drop_index("ix_indicator_value_current_period", "indicator_value")
    op.create_index(
        "ix_indicator_value_current_period",
        "indicator_value",
        ["is_current", "period", "indicator_code"],
    )
    for table in ("period_score_summary", "period_coverage_summary"):
        op.execute(f"DELETE FROM {table} WHERE period LIKE '%-H_'")
