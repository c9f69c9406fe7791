"""sign-in sessions

`sign_in_session` keeps one row per signed-in browser, so a reload, a bookmarked link
or a projector's refresh stays signed in: the SHA-256 of the random id the browser's
cookie holds (never the id itself), the user, when it was created and last seen, when
it expires, and when and why it was revoked (sign-out, idle, user disabled, password
changed).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "sign_in_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("handoff_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column(
            "revoked_reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True
        ),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_sign_in_session_user_id", "sign_in_session", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_session_user_id", table_name="sign_in_session")
    op.drop_table("sign_in_session")
