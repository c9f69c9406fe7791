"""How many stored rows of the kinds' tables name each master-data entry (`reference_count`).

The master-data page shows, for every district, unit, action, brand, activity type and
issue category, how many rows reference it (`master_admin.reference_counts`). The kinds'
tables keep every version of every row, so counting them there grows with the stored
history (millions of indicator values); these counts, one row per table, column and
value, are read instead. They count what the tables hold, whatever the master lists
say: an id column's value as text, a name column's text as written (a name no entry
has yet counts once an entry takes it).

They are derived data, kept exact in the transaction that changes what they count:

- a write inserts a kind's rows in one place, `storage.write_versioned` (on PostgreSQL
  `bulk_write.write_staged`), for every import, supersede and review approval: it adds
  the counts of the rows it inserted (`add`), tallied from the records in Python
  (`tally`, `tally_rows`), or on PostgreSQL's staging path from the staging table, which
  holds the import's own records;
- a master-data merge or rename rewrites a column's value in every row holding it, and
  moves that value's count with it (`moved`);
- `rebuild(conn)` counts everything again: the migration that adds the table, a backup
  restore (the table is not backed up) and whatever inserts rows past the write path
  (the benchmark's builder).

A rollback changes none: it marks rows not current and deletes nothing (no path deletes
a kind's rows, which are history). Records held by review (`pending_row`) are not in the
kinds' tables and are not counted here, as the page never counted them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter

from sqlalchemy import Connection, Table, and_, bindparam, delete, func, insert, or_, select, update

from data_model.kinds import MASTER_FIELDS
from data_model.store.kind_registry import kind_of_table, versioned_tables
from data_model.store.models import ReferenceCount
from data_model.store.record_fields import fields_getter

# Columns of the kinds' tables that reference a master-data entry by id: column → list.
# (MASTER_FIELDS: the columns that hold an entry's name as text.)
KIND_ID_COLUMNS = {
    "district_id": "districts",
    "lead_unit_id": "units",
    "action_id": "actions",
    "brand_id": "brands",
}
CHUNK = 500  # values per look-up

Tallies = Mapping[str, Mapping[object, int]]  # column → {value: rows}


def counted_columns(table: Table) -> tuple[str, ...]:
    """The columns of `table` whose values are counted: those naming a master-data entry,
    when `table` is a kind's table (none for any other)."""
    if kind_of_table(table.name) is None:
        return ()
    return tuple(c for c in (*KIND_ID_COLUMNS, *MASTER_FIELDS) if c in table.c)


def counted_tables() -> list[tuple[Table, tuple[str, ...]]]:
    """Every kind's table with counted columns, and those columns."""
    found = [(model.__table__, counted_columns(model.__table__)) for model in versioned_tables()]
    return [(table, columns) for table, columns in found if columns]


def tally(records: Sequence[Mapping], columns: Sequence[str]) -> dict[str, Counter]:
    """The values of `columns` in `records`, counted: {column: Counter}. One pass over the
    records per column, in C (`fields_getter`, `Counter`): some 25 ms of CPU for an import
    of 300k values."""
    found = {}
    for column in columns:
        found[column] = Counter(map(fields_getter(records, [column]), records))
    return found


def tally_rows(
    rows: Sequence[tuple], data_columns: Sequence[str], columns: Sequence[str]
) -> dict[str, Counter]:
    """As `tally`, of rows given as tuples whose first values are `data_columns`."""
    return {c: Counter(map(itemgetter(data_columns.index(c)), rows)) for c in columns}


def _text(column: str, value: object) -> str:
    """A stored value as `reference_count.value` holds it: an id as its decimal digits."""
    return str(int(value)) if column in KIND_ID_COLUMNS else str(value)


def add(conn: Connection, table_name: str, tallies: Tallies) -> None:
    """Count `tallies` (column → {value: rows}, NULLs left out) more rows of `table_name`."""
    t = ReferenceCount.__table__
    for column, counted in tallies.items():
        merged: Counter = Counter()
        for value, rows in counted.items():
            if value is not None and rows:
                merged[_text(column, value)] += rows
        values = sorted(merged)
        of_column = and_(t.c.table_name == table_name, t.c.column_name == column)
        stored: set[str] = set()
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            stored.update(
                conn.execute(select(t.c.value).where(of_column, t.c.value.in_(chunk))).scalars()
            )
        changes = [{"v": v, "n": merged[v]} for v in values if v in stored]
        new = [
            {"table_name": table_name, "column_name": column, "value": v, "rows": merged[v]}
            for v in values
            if v not in stored
        ]
        if changes:
            conn.execute(
                update(t)
                .where(of_column, t.c.value == bindparam("v"))
                .values(rows=t.c.rows + bindparam("n")),
                changes,
            )
        if new:
            conn.execute(insert(t), new)


def moved(conn: Connection, table: Table, column: str, old: object, new: object) -> None:
    """Every row of `table` whose `column` held `old` holds `new` now (a master-data
    merge or rename just updated them): `old`'s count becomes `new`'s. Nothing for a
    column not counted."""
    if column not in counted_columns(table):
        return
    t = ReferenceCount.__table__
    where = and_(
        t.c.table_name == table.name, t.c.column_name == column, t.c.value == _text(column, old)
    )
    rows = conn.execute(select(t.c.rows).where(where)).scalar_one_or_none()
    if not rows:
        return
    conn.execute(delete(t).where(where))
    add(conn, table.name, {column: {new: rows}})


def counts(conn: Connection, columns: Iterable[tuple[Table, str]]) -> dict[str, int]:
    """The rows counted under each value of the (table, column) pairs, added up:
    {value (an id as text, or a name): rows}. A row per value and column: its cost does
    not follow the rows stored."""
    t = ReferenceCount.__table__
    pairs = [and_(t.c.table_name == table.name, t.c.column_name == c) for table, c in columns]
    found: dict[str, int] = {}
    if not pairs:
        return found
    for value, rows in conn.execute(select(t.c.value, t.c.rows).where(or_(*pairs))):
        found[value] = found.get(value, 0) + rows
    return found


def stored(conn: Connection) -> dict[tuple[str, str, str], int]:
    """The kept counts of the kinds' tables: {(table, column, value): rows}."""
    t = ReferenceCount.__table__
    names = {table.name for table, _ in counted_tables()}
    return {
        (table_name, column, value): rows
        for table_name, column, value, rows in conn.execute(select(t))
        if table_name in names
    }


def recount(conn: Connection) -> dict[tuple[str, str, str], int]:
    """The counts from the rows themselves, keyed as `stored`: what `rebuild` keeps."""
    found = {}
    for table, columns in counted_tables():
        for column in columns:
            c = table.c[column]
            for value, rows in conn.execute(
                select(c, func.count()).where(c.is_not(None)).group_by(c)
            ):
                found[(table.name, column, _text(column, value))] = rows
    return found


def rebuild(conn: Connection) -> None:
    """Every count again from the rows (a migration, a restore, rows inserted past the
    write path)."""
    conn.execute(delete(ReferenceCount))
    rows = [
        {"table_name": table_name, "column_name": column, "value": value, "rows": rows}
        for (table_name, column, value), rows in recount(conn).items()
    ]
    if rows:
        conn.execute(insert(ReferenceCount.__table__), rows)
