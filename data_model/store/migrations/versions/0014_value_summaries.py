"""indicator value summaries

`indicator_value_summary`: per indicator, geography, quarter or year and granularity of
the values inside it, how many current values there are, their total and the latest
one (`data_model.store.summaries_values`), built here from the stored values and kept by
every write after.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0009"

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "indicator_value_summary",
        sa.Column("period", AutoString(length=16), nullable=False),
        sa.Column("indicator_code", AutoString(length=64), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("frequency", AutoString(length=16), nullable=False),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("latest_period", AutoString(length=16), nullable=False),
        sa.Column("latest_value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("period", "indicator_code", "district_id", "frequency"),
    )
    from data_model.store.summaries_values import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("indicator_value_summary")
