"""write locks

`write_lock` holds one row per spreadsheet kind, one for the submission schedule and one
for master data. Every transaction that writes one of them locks its row first (and
counts up its version), so two imports (or an import and a rollback) of the same keys at
once run one after the other instead of failing on the current-key index, and the pages'
cache key changes with every committed write.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"

# The kinds as they stood when this migration was written (data_model.ingest.importer.KIND_ORDER),
# the schedule and master data.
NAMES = ("indicators", "indicator_values", "tasks", "activities", "issues", "schedule", "master_data")


def upgrade() -> None:
    table = op.create_table(
        "write_lock",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(table, [{"name": name, "version": 0, "holder": "", "taken_at": None} for name in NAMES])


def downgrade() -> None:
    op.drop_table("write_lock")
