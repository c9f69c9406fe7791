"""dashboard query indexes

Drops the single-column `is_current` indexes: nearly every row is current, so they
never narrow a search, and SQLite, which the app runs without table statistics, took
them over the selective key indexes (the coverage page's indicator grid scanned the
300 indicators once per indicator value: 45 s at 400k values). Adds
`ix_task_snapshot_task_period` for a task's latest or first report as of a day.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'


def upgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_is_current'))

    with op.batch_alter_table('enterprise_issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_issue_is_current'))

    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_is_current'))

    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_value_is_current'))

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_is_current'))

    with op.batch_alter_table('task_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_snapshot_is_current'))
        batch_op.create_index('ix_task_snapshot_task_period', ['task_code', 'is_current', 'period_end'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('task_snapshot', schema=None) as batch_op:
        batch_op.drop_index('ix_task_snapshot_task_period')
        batch_op.create_index(batch_op.f('ix_task_snapshot_is_current'), ['is_current'], unique=False)

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_is_current'), ['is_current'], unique=False)

    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_value_is_current'), ['is_current'], unique=False)

    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_is_current'), ['is_current'], unique=False)

    with op.batch_alter_table('enterprise_issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_issue_is_current'), ['is_current'], unique=False)

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_is_current'), ['is_current'], unique=False)

