"""PostgreSQL's path for storing an import's records: COPY into a staging table, then
set-based statements that compare, supersede and insert.

`storage.write_versioned` compares each record with its current row in Python and sends
the new rows with executemany, which on PostgreSQL costs one round of the protocol per
row. Here the records go to a temporary table with one COPY, and four statements do
the rest on the server: find each record's current row and whether it holds the same
values, count, mark the replaced rows superseded, and insert the new versions. The
outcome is the same as the Python path's: the same counts, the same examples of replaced
rows, new rows in the records' order with `replaced_id` pointing at the row they replace.
Everything runs in the caller's transaction; the staging table is dropped at the end
(and at commit or rollback in any case).

When the caller names a scope column (the values' period) and no current row has any of
the records' values of it (a new month), no record can meet a current row: every record
is new, as the Python path concludes from the same look-up, and the records are copied
straight into the table (one COPY, no staging table, no comparison).

Either way the master-data references of the rows inserted are counted
(`summaries_references`): from the records when all of them are inserted, else from the
staging table's records that were.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import add

from sqlalchemy import Connection, Table, literal, select

from data_model.store import summaries_references
from data_model.store.db import bind_processors, copy_rows
from data_model.store.record_fields import fields_getter
from data_model.store.write_counts import EXAMPLES, WriteCounts

STAGE = "import_stage"
CHUNK = 5000  # values of the scope column per look-up


def write_staged(
    conn: Connection,
    table: Table,
    key: Sequence[str],
    data_columns: Sequence[str],
    records: Sequence[dict],
    submission_id: int,
    scope_column: str | None = None,
    counted: Sequence[str] = (),
) -> WriteCounts:
    """Store `records` as `submission_id`'s rows of `table` (see the module's text), and
    count the `counted` columns' values of the rows inserted (`summaries_references`)."""
    quote = conn.dialect.identifier_preparer.quote
    if scope_column is not None and not _any_current(conn, table, scope_column, records):
        meta = ("submission_id", "is_current", "replaced_id", "superseded_by_id")
        tail = (submission_id, True, None, None)
        columns = [*data_columns, *meta]
        values_of = fields_getter(records, data_columns)
        copy_rows(
            conn,
            table.name,
            columns,
            map(add, map(values_of, records), repeat(tail)),
            bind_processors(conn, table, columns),
        )
        summaries_references.add(conn, table.name, summaries_references.tally(records, counted))
        return WriteCounts(new=len(records))
    target = quote(table.name)
    stage = quote(STAGE)
    columns = [quote(c) for c in data_columns]
    listed = ", ".join(columns)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{stage}")
    # The data columns with the target's types; `seq` keeps the records' order, `old_id`
    # and `same` say which current row a record meets and whether it holds its values
    # (both NULL for a record whose key has no current row).
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
        f"SELECT 0::bigint AS seq, {listed}, id AS old_id, false AS same "
        f"FROM {target} WITH NO DATA"
    )
    _copy_records(conn, table, data_columns, records)
    conn.exec_driver_sql(f"ANALYZE {stage}")
    matches = " AND ".join(_equal(table, c, "t", "s", quote) for c in key)
    same = " AND ".join(f"t.{c} IS NOT DISTINCT FROM s.{c}" for c in columns)
    conn.exec_driver_sql(
        f"UPDATE {stage} AS s SET old_id = t.id, same = ({same}) "
        f"FROM {target} AS t WHERE t.is_current AND {matches}"
    )
    new, replaced, unchanged = conn.exec_driver_sql(
        f"SELECT count(*) FILTER (WHERE old_id IS NULL), "
        f"count(*) FILTER (WHERE old_id IS NOT NULL AND NOT same), "
        f"count(*) FILTER (WHERE same) FROM {stage}"
    ).one()
    counts = WriteCounts(new=new, replaced=replaced, unchanged=unchanged)
    if replaced:
        counts.replaced_examples = _replaced_examples(
            conn, table, key, data_columns, stage, EXAMPLES
        )
        conn.exec_driver_sql(
            f"UPDATE {target} AS t SET is_current = false, superseded_by_id = %(submission)s "
            f"FROM {stage} AS s WHERE t.id = s.old_id AND NOT s.same",
            {"submission": submission_id},
        )
    if new or replaced:
        conn.exec_driver_sql(
            f"INSERT INTO {target} ({listed}, submission_id, is_current, replaced_id, "
            f"superseded_by_id) SELECT {listed}, %(submission)s, true, old_id, NULL "
            f"FROM {stage} WHERE same IS NOT TRUE ORDER BY seq",
            {"submission": submission_id},
        )
        summaries_references.add(conn, table.name, _inserted_tally(conn, stage, counted, quote))
    conn.exec_driver_sql(f"DROP TABLE {stage}")
    return counts


def _inserted_tally(conn: Connection, stage: str, counted: Sequence[str], quote) -> dict:
    """The `counted` columns' values of the staged records just inserted (those not the
    same as their current row), counted: read from the staging table, the import's own
    records, not from the table."""
    found = {}
    for column in counted:
        name = quote(column)
        found[column] = dict(
            conn.exec_driver_sql(
                f"SELECT {name}, count(*) FROM {stage} WHERE same IS NOT TRUE GROUP BY {name}"
            ).all()
        )
    return found


def _equal(table: Table, column: str, left: str, right: str, quote) -> str:
    """Key columns are matched with `=`, which the current-key index serves; a nullable
    one with IS NOT DISTINCT FROM, as Python's tuple equality treats None."""
    name = quote(column)
    operator = "IS NOT DISTINCT FROM" if table.c[column].nullable else "="
    return f"{left}.{name} {operator} {right}.{name}"


def _any_current(conn: Connection, table: Table, scope_column: str, records) -> bool:
    """Whether a current row has one of the records' values of `scope_column` (True as
    well when a record has none: NULL matches no list)."""
    values = set(map(fields_getter(records, [scope_column]), records))
    if None in values:
        return True
    column = table.c[scope_column]
    ordered = sorted(values, key=str)
    for start in range(0, len(ordered), CHUNK):
        query = (
            select(literal(1))
            .where(table.c.is_current, column.in_(ordered[start : start + CHUNK]))
            .limit(1)
        )
        if conn.execute(query).first() is not None:
            return True
    return False


def _copy_records(conn: Connection, table: Table, data_columns: Sequence[str], records) -> None:
    """One COPY of the records into the staging table, numbered (`seq`); values go through
    the column types' bind processors, as an INSERT into `table` would send them."""
    values_of = fields_getter(records, data_columns)
    copy_rows(
        conn,
        STAGE,
        ["seq", *data_columns],
        ((seq, *values_of(record)) for seq, record in enumerate(records)),
        bind_processors(conn, table, [None, *data_columns]),
    )


def _replaced_examples(
    conn: Connection,
    table: Table,
    key: Sequence[str],
    data_columns: Sequence[str],
    stage: str,
    limit: int,
) -> list[dict]:
    """The first `limit` replaced records, in the records' order, described as
    storage.write_versioned describes them: key, and each changed column's old and new."""
    quote = conn.dialect.identifier_preparer.quote
    new_values = ", ".join(f"s.{quote(c)}" for c in data_columns)
    old_values = ", ".join(f"t.{quote(c)}" for c in data_columns)
    rows = conn.exec_driver_sql(
        f"SELECT {new_values}, {old_values} FROM {stage} AS s "
        f"JOIN {quote(table.name)} AS t ON t.id = s.old_id "
        f"WHERE NOT s.same ORDER BY s.seq LIMIT {int(limit)}"
    ).all()
    width = len(data_columns)
    found = []
    for row in rows:
        record = dict(zip(data_columns, row[:width], strict=True))
        existing = dict(zip(data_columns, row[width:], strict=True))
        found.append(
            {
                "table": table.name,
                "key": {k: record[k] for k in key},
                "changes": {
                    c: [existing[c], record[c]] for c in data_columns if existing[c] != record[c]
                },
            }
        )
    return found
