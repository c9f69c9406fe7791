"""closed periods and published bulletins

`closed_period` records each close and reopen of a period for one kind (a period is closed
while its row has no `reopened_at`); `bulletin_publication` records what every bulletin of
a closed period published (its figures as data, the rows behind them, the file's SHA-256).
A `periods` write lock is counted up by every close, reopen and publication, so the pages
that show them are refreshed.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0011"

LOCK = "periods"


def upgrade() -> None:
    op.create_table(
        "closed_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("reopened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reopened_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("reopen_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_closed_period_open",
        "closed_period",
        ["kind", "period"],
        unique=True,
        sqlite_where=sa.text("reopened_at IS NULL"),
        postgresql_where=sa.text("reopened_at IS NULL"),
    )
    op.create_table(
        "bulletin_publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("generated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("generated_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("file_format", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column("restated", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_bulletin_publication_period", "bulletin_publication", ["period"], unique=False
    )
    lock = sa.table(
        "write_lock",
        sa.column("name", sa.String),
        sa.column("version", sa.Integer),
        sa.column("holder", sa.String),
    )
    op.bulk_insert(lock, [{"name": LOCK, "version": 0, "holder": ""}])


def downgrade() -> None:
    op.execute(f"DELETE FROM write_lock WHERE name = '{LOCK}'")
    op.drop_index("ix_bulletin_publication_period", table_name="bulletin_publication")
    op.drop_table("bulletin_publication")
    op.drop_index("uq_closed_period_open", table_name="closed_period")
    op.drop_table("closed_period")
