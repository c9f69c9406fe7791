"""the district and lead unit evidence was attached under

`evidence.district_id` and `evidence.lead_unit_id` record the task's owner when a file
was attached: evidence belongs to that owner, not to the code alone, so a code that
later belongs to another district or unit (a rollback freed it) neither lists nor serves
the earlier owner's files (`workflow/evidence.py`).

Files attached before get the owner of their code's current task or, with none, of its
latest task row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite adds a column with a foreign key only this way (see migration 0006).
        op.execute("ALTER TABLE evidence ADD COLUMN district_id INTEGER REFERENCES district (id)")
        op.execute("ALTER TABLE evidence ADD COLUMN lead_unit_id INTEGER REFERENCES unit (id)")
    else:
        op.add_column("evidence", sa.Column("district_id", sa.Integer(), nullable=True))
        op.add_column("evidence", sa.Column("lead_unit_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "evidence_district_id_fkey", "evidence", "district", ["district_id"], ["id"]
        )
        op.create_foreign_key(
            "evidence_lead_unit_id_fkey", "evidence", "unit", ["lead_unit_id"], ["id"]
        )
    evidence = sa.table(
        "evidence",
        sa.column("task_code", sa.String()),
        sa.column("district_id", sa.Integer()),
        sa.column("lead_unit_id", sa.Integer()),
    )
    task = sa.table(
        "task",
        sa.column("id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("district_id", sa.Integer()),
        sa.column("lead_unit_id", sa.Integer()),
        sa.column("is_current", sa.Boolean()),
    )
    codes = [code for (code,) in bind.execute(sa.select(evidence.c.task_code).distinct())]
    for code in codes:
        # The current row first, then the newest one.
        owner = bind.execute(
            sa.select(task.c.district_id, task.c.lead_unit_id)
            .where(task.c.code == code)
            .order_by(task.c.is_current.desc(), task.c.id.desc())
            .limit(1)
        ).first()
        if owner is not None:
            bind.execute(
                sa.update(evidence)
                .where(evidence.c.task_code == code)
                .values(district_id=owner.district_id, lead_unit_id=owner.lead_unit_id)
            )


def downgrade() -> None:
    with op.batch_alter_table("evidence") as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint("evidence_lead_unit_id_fkey", type_="foreignkey")
            batch_op.drop_constraint("evidence_district_id_fkey", type_="foreignkey")
        batch_op.drop_column("lead_unit_id")
        batch_op.drop_column("district_id")
