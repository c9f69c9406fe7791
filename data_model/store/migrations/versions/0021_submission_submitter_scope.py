"""the submitter's scope on each submission

`submission.submitter_scope` records what a staff submitter might submit when they
committed (their districts and units), so that approving a submission held for review
checks its rows against it as the commit did: a key that has meanwhile become another
district's or unit's current row is refused, not taken over. NULL for an unrestricted
submitter (an admin, the command line).

A submission already waiting for review gets its submitter's bindings as they are now.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"


def upgrade() -> None:
    op.add_column("submission", sa.Column("submitter_scope", sa.JSON(), nullable=True))
    bind = op.get_bind()
    submission = sa.table(
        "submission",
        sa.column("id", sa.Integer()),
        sa.column("uploader", sa.String()),
        sa.column("status", sa.String()),
        sa.column("submitter_scope", sa.JSON()),
    )
    user = sa.table(
        "app_user",
        sa.column("username", sa.String()),
        sa.column("districts", sa.JSON()),
        sa.column("units", sa.JSON()),
    )
    bindings = {
        name: (districts or [], units or [])
        for name, districts, units in bind.execute(
            sa.select(user.c.username, user.c.districts, user.c.units)
        )
    }
    pending = bind.execute(
        sa.select(submission.c.id, submission.c.uploader).where(submission.c.status == "pending")
    ).all()
    for submission_id, uploader in pending:
        # An uploader no longer on record may submit nothing: every held row is refused.
        districts, units = bindings.get(uploader, ([], []))
        scope = {
            "districts": sorted(districts),
            "units": sorted(units),
            "may_define_indicators": False,
        }
        bind.execute(
            sa.update(submission)
            .where(submission.c.id == submission_id)
            .values(submitter_scope=scope)
        )


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch_op:
        batch_op.drop_column("submitter_scope")
