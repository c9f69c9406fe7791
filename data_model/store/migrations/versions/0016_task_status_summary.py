"""task status counts at each report period end; task_latest carries the report periods

`task_status_summary` counts the current tasks per status at every report period end
(`task_latest`'s ends), judged on that day, per action x lead unit x district, with the
complete tasks split by whether evidence was attached by then (the setting
EVIDENCE_REQUIRED is applied when read): a status count on a past report period end reads
these rows instead of judging every task. `task_latest` gets the report periods of the
latest, first and first complete report (`latest_period`, `first_period`,
`completed_period`), so that the lists of tasks read that table alone. Both are derived
from the rows and kept by the write path (`data_model/store/summaries_tasks.py`,
`summaries_task_status.py`); `task_latest` is filled here from the rows already stored
by its own recomputation, the status counts by migration 0024's (they read the owner of
the evidence, which migration 0022 records).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0016"
down_revision = "0015"

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # The rows go and come back filled: the table is derived from the reports.
    op.execute("DELETE FROM task_latest")
    with op.batch_alter_table("task_latest") as batch:
        batch.add_column(sa.Column("latest_period", AutoString(length=16), nullable=False))
        batch.add_column(sa.Column("first_period", AutoString(length=16), nullable=False))
        batch.add_column(sa.Column("completed_period", AutoString(length=16), nullable=True))
    op.create_table(
        "task_status_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("lead_unit_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("in_progress", sa.Integer(), nullable=False),
        sa.Column("behind", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("not_started", sa.Integer(), nullable=False),
        sa.Column("suspended", sa.Integer(), nullable=False),
        sa.Column("completed_with_evidence", sa.Integer(), nullable=False),
        sa.Column("completed_without_evidence", sa.Integer(), nullable=False),
        sa.Column("on_time_with_evidence", sa.Integer(), nullable=False),
        sa.Column("on_time_without_evidence", sa.Integer(), nullable=False),
        sa.Column("overdue_progress", sa.Float(), nullable=False),
        sa.Column("behind_gap", sa.Float(), nullable=False),
        sa.Column("first_code", AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_task_status_summary_end", "task_status_summary", ["period_end"])
    from data_model.store import summaries_tasks

    summaries_tasks.rebuild_latest(op.get_bind())


def downgrade() -> None:
    # Revision 0015's tables: no status counts, the same task_latest rows without the
    # report periods.
    op.drop_index("ix_task_status_summary_end", table_name="task_status_summary")
    op.drop_table("task_status_summary")
    with op.batch_alter_table("task_latest") as batch:
        batch.drop_column("completed_period")
        batch.drop_column("first_period")
        batch.drop_column("latest_period")
