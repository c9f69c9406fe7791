"""initial schema."""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None


def upgrade() -> None:
    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('name')
    )
    op.create_table('brand',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('short_name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('pinyin', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('name')
    )
    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('uploader', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('kinds', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('periods', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('districts', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_accepted', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('rows_new', sa.Integer(), nullable=False),
    sa.Column('rows_replaced', sa.Integer(), nullable=False),
    sa.Column('rows_unchanged', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('valid_rows_only', sa.Boolean(), nullable=False),
    sa.Column('rolled_back_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('rolled_back_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_status'), ['status'], unique=False)

    op.create_table('activity',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('replaced_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_date', sa.Date(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('activity_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_count', sa.Integer(), nullable=True),
    sa.Column('participant_count', sa.Integer(), nullable=True),
    sa.Column('organizer', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], ),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_activity_date'), ['activity_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_is_current'), ['is_current'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index('uq_activity_current_key', ['activity_date', 'district_id', 'name'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('enterprise_issue',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('replaced_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('received_date', sa.Date(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('content', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('handling_unit', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('resolved_date', sa.Date(), nullable=True),
    sa.Column('satisfaction', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('enterprise_issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_issue_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_issue_is_current'), ['is_current'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_issue_received_date'), ['received_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_issue_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index('uq_enterprise_issue_current_key', ['code'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('indicator',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('replaced_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('dimension', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('weight', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('frequency', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('aggregation', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_is_current'), ['is_current'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index('uq_indicator_current_key', ['code'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('indicator_value',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('replaced_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_value_current_period', ['is_current', 'period', 'indicator_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_value_is_current'), ['is_current'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_value_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index('uq_indicator_value_current_key', ['indicator_code', 'district_id', 'period'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('task_snapshot',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('replaced_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('report_period', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('stated_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('progress_note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_snapshot_is_current'), ['is_current'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_snapshot_period_end'), ['period_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_snapshot_report_period'), ['report_period'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_snapshot_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index('uq_task_snapshot_current_key', ['task_code', 'report_period'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('task',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('replaced_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('content', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lead_unit_id', sa.Integer(), nullable=False),
    sa.Column('co_units', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('deadline_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ongoing', sa.Boolean(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('report_period', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], ),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], ),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_is_current'), ['is_current'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index('uq_task_current_key', ['code'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))



def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('uq_task_current_key', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index(batch_op.f('ix_task_submission_id'))
        batch_op.drop_index(batch_op.f('ix_task_is_current'))
        batch_op.drop_index(batch_op.f('ix_task_code'))

    op.drop_table('task')
    op.drop_table('unit')
    with op.batch_alter_table('task_snapshot', schema=None) as batch_op:
        batch_op.drop_index('uq_task_snapshot_current_key', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index(batch_op.f('ix_task_snapshot_submission_id'))
        batch_op.drop_index(batch_op.f('ix_task_snapshot_report_period'))
        batch_op.drop_index(batch_op.f('ix_task_snapshot_period_end'))
        batch_op.drop_index(batch_op.f('ix_task_snapshot_is_current'))

    op.drop_table('task_snapshot')
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_index('uq_indicator_value_current_key', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index(batch_op.f('ix_indicator_value_submission_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_value_is_current'))
        batch_op.drop_index('ix_indicator_value_current_period')

    op.drop_table('indicator_value')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index('uq_indicator_current_key', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index(batch_op.f('ix_indicator_submission_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_is_current'))
        batch_op.drop_index(batch_op.f('ix_indicator_code'))

    op.drop_table('indicator')
    with op.batch_alter_table('enterprise_issue', schema=None) as batch_op:
        batch_op.drop_index('uq_enterprise_issue_current_key', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index(batch_op.f('ix_enterprise_issue_submission_id'))
        batch_op.drop_index(batch_op.f('ix_enterprise_issue_received_date'))
        batch_op.drop_index(batch_op.f('ix_enterprise_issue_is_current'))
        batch_op.drop_index(batch_op.f('ix_enterprise_issue_code'))

    op.drop_table('enterprise_issue')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('uq_activity_current_key', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index(batch_op.f('ix_activity_submission_id'))
        batch_op.drop_index(batch_op.f('ix_activity_is_current'))
        batch_op.drop_index(batch_op.f('ix_activity_activity_date'))

    op.drop_table('activity')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_status'))
        batch_op.drop_index(batch_op.f('ix_submission_sha256'))

    op.drop_table('submission')
    op.drop_table('district')
    op.drop_table('brand')
    op.drop_table('action')
