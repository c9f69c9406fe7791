"""explanations and evidence

`explanation` holds the 情况说明 of a stored row (a task report or an indicator value)
that was late, behind, off target or far from its previous value, linked to that exact
row version. `evidence` holds the 佐证材料 attached to a task report (by its key, task
code and report period), in the database or in EVIDENCE_DIR. A new write lock
`evidence` counts attachments up, so the pages' cache key changes with them.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0008"

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "explanation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("row_table", AutoString(length=32), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("reasons", AutoString(length=128), nullable=False),
        sa.Column("text", AutoString(), nullable=False),
        sa.Column("source", AutoString(length=16), nullable=False),
        sa.Column("author", AutoString(length=128), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("row_table", "row_id", name="uq_explanation_row"),
    )
    op.create_index("ix_explanation_submission", "explanation", ["submission_id"])
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_code", AutoString(length=64), nullable=False),
        sa.Column("report_period", AutoString(length=16), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("file_name", AutoString(length=255), nullable=False),
        sa.Column("file_type", AutoString(length=16), nullable=False),
        sa.Column("content_type", AutoString(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", AutoString(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("stored_path", AutoString(length=255), nullable=False),
        sa.Column("uploader", AutoString(length=128), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("note", AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_task_report", "evidence", ["task_code", "report_period"])
    op.execute("INSERT INTO write_lock (name, version, holder) VALUES ('evidence', 0, '')")


def downgrade() -> None:
    op.execute("DELETE FROM write_lock WHERE name = 'evidence'")
    op.drop_index("ix_evidence_task_report", table_name="evidence")
    op.drop_table("evidence")
    op.drop_index("ix_explanation_submission", table_name="explanation")
    op.drop_table("explanation")
