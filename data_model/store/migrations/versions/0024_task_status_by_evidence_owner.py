"""task status counts count evidence under the task's own district and lead unit

A task counts as evidenced on a day when a file was attached to one of its reports up to
that day under its current district and lead unit (`task_status_sql.has_evidence`), as
the files are listed and served (`evidence._of_current_task`): a code that another
district held before (a rollback freed it) no longer counts that district's files. The
counts already stored were made by the code alone; they are recomputed here, from the
owners migration 0022 recorded. (Migration 0016 made the table; it is filled here.)
"""

from alembic import op

revision = "0024"
down_revision = "0023"


def upgrade() -> None:
    from data_model.store import summaries_task_status

    summaries_task_status.rebuild(op.get_bind())


def downgrade() -> None:
    # Revision 0023's counts, by the code alone, are not recomputed: the rows stay as they
    # are, exact for every task whose code never changed owner.
    pass
