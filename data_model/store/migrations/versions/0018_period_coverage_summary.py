"""coverage totals per quarter and year

`period_coverage_summary` holds each geography's indicator coverage in every quarter
and year with values (values reported and expected, indicators complete and expected),
so the coverage measures read a dozen rows instead of the geography × indicator grid.
Derived from the rows and kept by the write path (`data_model/store/summaries_coverage.py`);
filled here by its own recomputation.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0018"
down_revision = "0017"

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "period_coverage_summary",
        sa.Column("period", AutoString(length=16), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Integer(), nullable=False),
        sa.Column("indicators", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("period", "district_id"),
    )
    from data_model.store import summaries_coverage

    summaries_coverage.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("period_coverage_summary")
