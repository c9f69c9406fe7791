"""summaries of the task reports and of who reported what

`reported_summary` counts current rows per kind x report period x district (and a task
report's lead unit) x submission, for the late list; `task_latest` holds each task's
latest, first and first complete current report as of every report period's end, for a
task's status on a day. Both are derived from the versioned rows, kept exact by the
write path (data_model/store/summaries_tasks.py); `reported_summary` is filled here from the
rows already stored, `task_latest` by revision 0015.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0014"

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "reported_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", AutoString(length=32), nullable=False),
        sa.Column("period", AutoString(length=16), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("lead_unit_id", sa.Integer(), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reported_summary_kind_period", "reported_summary", ["kind", "period"])
    op.create_table(
        "task_latest",
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("task_code", AutoString(length=64), nullable=False),
        sa.Column("latest_id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("completed_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("period_end", "task_code"),
    )
    op.create_index("ix_task_latest_task", "task_latest", ["task_code", "period_end"])
    # The write path's own recomputation of the late list's summary. `task_latest` is
    # filled by revision 0015, which gives it the columns the write path fills now.
    from data_model.store import summaries_tasks

    summaries_tasks.rebuild_reported(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_task_latest_task", table_name="task_latest")
    op.drop_table("task_latest")
    op.drop_index("ix_reported_summary_kind_period", table_name="reported_summary")
    op.drop_table("reported_summary")
