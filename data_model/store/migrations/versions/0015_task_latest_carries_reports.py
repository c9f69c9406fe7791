"""task_latest carries the reports' values a status reads

`task_latest` gets the latest report's `progress` and `stated_status`, the first
complete report's `completed_end` and the first report's `first_end` (their period ends),
so that the statuses judged in SQL
(`data_model/queries/task_counts.py`) read this table alone instead of joining every
task's latest report in `task_snapshot`. The table is derived from the reports, so it is
emptied and given these columns; revision 0016, which gives it the columns the write path
fills now, fills it again from the rows already stored.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015"
down_revision = "0013"

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # The rows go and come back filled: the table is derived from the reports.
    op.execute("DELETE FROM task_latest")
    with op.batch_alter_table("task_latest") as batch:
        batch.add_column(sa.Column("progress", sa.Float(), nullable=False))
        batch.add_column(sa.Column("stated_status", AutoString(length=16), nullable=False))
        batch.add_column(sa.Column("completed_end", sa.Date(), nullable=True))
        batch.add_column(sa.Column("first_end", sa.Date(), nullable=False))


def downgrade() -> None:
    # Revision 0013's table: the same rows without the carried values.
    with op.batch_alter_table("task_latest") as batch:
        batch.drop_column("first_end")
        batch.drop_column("completed_end")
        batch.drop_column("stated_status")
        batch.drop_column("progress")
