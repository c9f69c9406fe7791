"""reminders and 督办 notices

Units and users get an optional e-mail address; `escalation_level` holds the day (from
the due date) at which an open item reaches 提醒, 催办 and 督办 once an admin sets them
(until then the defaults of `reminders.DEFAULT_FROM_DAYS`: −3, 0, 7);
`supervision_notice` the numbered 督办通知 issued, with the items they listed;
`delivery` every reminder sent by e-mail or webhook with its outcome. A write lock
`reminders` versions the escalation levels and notices.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0012"

def _email() -> sa.Column:
    return sa.Column(
        "email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False, server_default=""
    )


def upgrade() -> None:
    op.add_column("unit", _email())
    op.add_column("app_user", _email())
    op.create_table(
        "escalation_level",
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("from_day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level"),
    )
    op.create_table(
        "supervision_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("issued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("issued_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "number", name="uq_supervision_notice_number"),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("unit_name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_delivery_at", "delivery", ["at"])
    op.execute(
        "INSERT INTO write_lock (name, version, holder, taken_at) VALUES ('reminders', 0, '', NULL)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM write_lock WHERE name = 'reminders'")
    op.drop_index("ix_delivery_at", table_name="delivery")
    op.drop_table("delivery")
    op.drop_table("supervision_notice")
    op.drop_table("escalation_level")
    for table in ("app_user", "unit"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("email")
