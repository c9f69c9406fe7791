"""master-data reference counts

`reference_count` holds how many rows of each kind's table (every version) name each
master-data entry, per table and column, so the master-data page reads a row per entry
instead of counting millions of stored values. Derived from the rows and kept by the
write path and the master-data merges and renames
(`data_model/store/summaries_references.py`); filled here by its own recount.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0020"
down_revision = "0019"

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "reference_count",
        sa.Column("table_name", AutoString(length=64), nullable=False),
        sa.Column("column_name", AutoString(length=64), nullable=False),
        sa.Column("value", AutoString(length=255), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "column_name", "value"),
    )
    from data_model.store import summaries_references

    summaries_references.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("reference_count")
