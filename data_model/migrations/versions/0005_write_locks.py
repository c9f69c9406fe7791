"""write locks

`write_lock` holds one row per spreadsheet kind. Every transaction that writes a kind's
versioned rows locks its row first, so two imports (or an import and a rollback) of the
same keys at once run one after the other instead of failing on the current-key index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 05:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The kinds as they stood when this migration was written (data_model.importer.KIND_ORDER).
KINDS = ("indicators", "indicator_values", "tasks", "activities", "issues")


def upgrade() -> None:
    table = op.create_table(
        "write_lock",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(table, [{"name": kind, "holder": "", "taken_at": None} for kind in KINDS])


def downgrade() -> None:
    op.drop_table("write_lock")
