"""text compares and sorts by code point on PostgreSQL, as on SQLite

SQLite compares text by its bytes. PostgreSQL compares it by the database's collation,
which initdb takes from the server's locale: on a server set up in Chinese or English
(zh_CN.UTF-8, en_US.UTF-8, or ICU) task codes, names and the first code of a group came
in another order than on SQLite and than the pages' own sorting, `z1-01` among the
`Z1-` codes and names by pinyin. Every text column of the app's tables takes the "C"
collation (code-point order), whatever the database's default; `tests/store/
test_migrations.py` keeps the columns of later migrations so.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"

TEXT_COLUMNS = sa.text(
    "SELECT c.table_name, c.column_name, c.data_type, c.character_maximum_length"
    " FROM information_schema.columns AS c"
    " JOIN information_schema.tables AS t"
    "   ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
    " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
    "   AND c.data_type IN ('character varying', 'text')"
    "   AND c.collation_name IS DISTINCT FROM 'C'"
    " ORDER BY c.table_name, c.ordinal_position"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite compares bytes already
    for table, column, data_type, length in bind.execute(TEXT_COLUMNS).all():
        if data_type == "text":
            type_ = "text"
        else:
            type_ = f"varchar({length})" if length else "varchar"
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {type_} COLLATE "C"')


def downgrade() -> None:
    pass  # the database's default collation is not recorded; "C" is right on any
