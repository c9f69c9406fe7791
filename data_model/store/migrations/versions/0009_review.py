"""review before it counts

Submissions may wait for review: `submission` gets who reviewed it and when and the
returned submission it resubmits; `review_rule` says which kinds (and districts or lead
units) need review; `pending_row` holds the validated records of a submission under
review; `review_note` the reasons a reviewer returned one for. A `review` write lock
counts review changes for the pages' cache key.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0010"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "submission",
        sa.Column("reviewed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column(
        "submission", sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )
    if sqlite:
        # SQLite adds a column with a foreign key only this way (see migration 0006).
        op.execute(
            "ALTER TABLE submission ADD COLUMN resubmission_of INTEGER REFERENCES submission (id)"
        )
    else:
        op.add_column("submission", sa.Column("resubmission_of", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "submission_resubmission_of_fkey",
            "submission",
            "submission",
            ["resubmission_of"],
            ["id"],
        )
    op.create_table(
        "review_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("set_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("set_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_rule_kind", "review_rule", ["kind"])
    op.create_table(
        "pending_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("sheet", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pending_row_submission_id", "pending_row", ["submission_id"])
    op.create_table(
        "review_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("pending_row_id", sa.Integer(), nullable=True),
        sa.Column("column", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["pending_row_id"], ["pending_row.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_note_submission_id", "review_note", ["submission_id"])
    op.execute(
        "INSERT INTO write_lock (name, version, holder) VALUES ('review', 0, '')"
    )


def downgrade() -> None:
    op.execute("DELETE FROM write_lock WHERE name = 'review'")
    op.drop_table("review_note")
    op.drop_table("pending_row")
    op.drop_table("review_rule")
    with op.batch_alter_table("submission") as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint("submission_resubmission_of_fkey", type_="foreignkey")
        batch_op.drop_column("resubmission_of")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
