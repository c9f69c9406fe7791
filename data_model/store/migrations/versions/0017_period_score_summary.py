"""district scores per quarter and year

`period_score_summary` holds each scored district's score per dimension and composite in
every quarter and year with values, with its missing indicators and the targets it
met, so a ranking reads a dozen rows instead of scoring every indicator of the period.
Derived from the rows and kept by the write path (`data_model/store/summaries_scores.py`);
filled here by its own recomputation.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0017"
down_revision = "0016"

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "period_score_summary",
        sa.Column("period", AutoString(length=16), nullable=False),
        sa.Column("dimension", AutoString(length=64), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("missing_count", sa.Integer(), nullable=False),
        sa.Column("met_targets", sa.Integer(), nullable=False),
        sa.Column("with_targets", sa.Integer(), nullable=False),
        sa.Column("has_values", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("period", "dimension", "district_id"),
    )
    # The scoring is the evaluation package's: importing it installs it in the store.
    import data_model.evaluation.score_summary  # noqa: F401
    from data_model.store import summaries_scores

    summaries_scores.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("period_score_summary")
