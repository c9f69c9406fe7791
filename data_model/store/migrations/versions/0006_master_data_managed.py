"""master data managed in the product

Districts get a map feature code (`map_code`, default their admin code) and `is_active`;
units a parent unit (`parent_id`) and `is_active`; actions and brands `aliases` and
`is_active`. Two new lists, `activity_type` and `issue_category`, filled with the names
the data already holds. A referenced entry is deactivated rather than deleted, so
history keeps its names.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"

ACTIVE_TABLES = ("district", "unit", "action", "brand")
NEW_LISTS = ("activity_type", "issue_category")


def _is_active() -> sa.Column:
    return sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.text("true"))


def _aliases() -> sa.Column:
    return sa.Column("aliases", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ACTIVE_TABLES:
        op.add_column(table, _is_active())
    op.add_column(
        "district",
        sa.Column(
            "map_code",
            sqlmodel.sql.sqltypes.AutoString(length=32),
            nullable=False,
            server_default="",
        ),
    )
    op.execute("UPDATE district SET map_code = code")
    for table in ("action", "brand"):
        op.add_column(table, _aliases())
    if sqlite:
        # SQLite adds a column with a foreign key only this way (no ALTER ... ADD CONSTRAINT),
        # and rebuilding the table would trip over the rows that reference units.
        op.execute("ALTER TABLE unit ADD COLUMN parent_id INTEGER REFERENCES unit (id)")
    else:
        op.add_column("unit", sa.Column("parent_id", sa.Integer(), nullable=True))
        op.create_foreign_key("unit_parent_id_fkey", "unit", "unit", ["parent_id"], ["id"])
    for table in NEW_LISTS:
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
            _aliases(),
            sa.Column("sort_order", sa.Integer(), nullable=False),
            _is_active(),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("name"),
        )
    # A database in use gets the types and categories its data already names; a new one
    # gets the defaults when the master data is first loaded.
    for table, source, column in (
        ("activity_type", "activity", "activity_type"),
        ("issue_category", "enterprise_issue", "category"),
    ):
        op.execute(
            f"INSERT INTO {table} (name, sort_order) "
            f"SELECT DISTINCT {column}, 0 FROM {source} WHERE {column} <> ''"
        )


def downgrade() -> None:
    for table in NEW_LISTS:
        op.drop_table(table)
    with op.batch_alter_table("unit") as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint("unit_parent_id_fkey", type_="foreignkey")
        batch_op.drop_column("parent_id")
    for table in ("action", "brand"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("aliases")
    with op.batch_alter_table("district") as batch_op:
        batch_op.drop_column("map_code")
    for table in ACTIVE_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("is_active")
