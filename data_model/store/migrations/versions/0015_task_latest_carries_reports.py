"""task_latest carries the reports' values a status reads

`task_latest` gets the latest report's `progress` and `stated_status` and the first
complete report's `completed_end` (its period end), so that the statuses judged in SQL
(`data_model/queries/task_counts.py`) read this table alone instead of joining every
task's latest report in `task_snapshot`. The table is derived from the reports, so it is
made again with these columns and filled from the rows already stored by the write path's
own recomputation (`summaries_tasks.rebuild_latest`).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015"
down_revision = "0013"

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.drop_index("ix_task_latest_task", table_name="task_latest")
    op.drop_table("task_latest")
    op.create_table(
        "task_latest",
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("task_code", AutoString(length=64), nullable=False),
        sa.Column("latest_id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("completed_id", sa.Integer(), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("stated_status", AutoString(length=16), nullable=False),
        sa.Column("completed_end", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("period_end", "task_code"),
    )
    op.create_index("ix_task_latest_task", "task_latest", ["task_code", "period_end"])
    from data_model.store import summaries_tasks

    summaries_tasks.rebuild_latest(op.get_bind())


def downgrade() -> None:
    # Revision 0013's table: the same rows without the carried values.
    with op.batch_alter_table("task_latest") as batch:
        batch.drop_column("completed_end")
        batch.drop_column("stated_status")
        batch.drop_column("progress")
