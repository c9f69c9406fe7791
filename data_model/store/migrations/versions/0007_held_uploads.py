"""held uploads

`held_upload` keeps a checked upload that could not be committed yet (it names a unit,
action, brand, activity type or issue category nobody has registered) on the server, with
the cells corrected in the page and the unknown names it was waiting for, so that its
uploader can re-check it after an admin has acted, in another session or on another day,
without sending the file again. One row per uploader and file content.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "held_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("valid_rows_only", sa.Boolean(), nullable=False),
        sa.Column("edits", sa.JSON(), nullable=False),
        sa.Column("unknown", sa.JSON(), nullable=False),
        sa.Column("saved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", "sha256", name="uq_held_upload_user_file"),
    )


def downgrade() -> None:
    op.drop_table("held_upload")
