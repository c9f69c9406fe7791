"""Write validated records as versioned rows of a submission; roll a submission back.

A record whose key has no current row is new; one whose current row holds the same
values is unchanged (nothing written); otherwise the current row is marked superseded
and the new row points at it through `replaced_id`. All of it runs inside the
caller's transaction, so a failure leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import repeat
from operator import add, itemgetter

from sqlalchemy import Connection, Table, and_, bindparam, insert, select, update
from sqlalchemy.exc import OperationalError

from data_model.store import summaries_references
from data_model.store.bulk_write import write_staged
from data_model.store.closed_periods import refuse_rollback_if_closed
from data_model.store.db import LOCK_WAIT_SECONDS, driver_insert
from data_model.store.kind_registry import REGISTRY, versioned_tables
from data_model.store.models import Submission, WriteLock
from data_model.store.record_fields import fields_getter
from data_model.store.write_counts import EXAMPLES, WriteCounts
from data_model.text import stored_file_name

CHUNK = 5000
INSERT_CHUNK = 50_000  # rows per executemany of new versions (SQLite)
META_COLUMNS = {"id", "submission_id", "is_current", "replaced_id", "superseded_by_id"}


# Statuses of submissions with no row to count: rolled back, and held by review
# (pending, returned; see review_hold). Their status never follows their rows.
NOT_LIVE = ("rolled_back", "pending", "returned")


class WriterBusy(Exception):
    """Another writer held a kind's lock for longer than the database waits
    (`db.LOCK_WAIT_SECONDS`); nothing was written and the caller may try again."""


class NotStored(Exception):
    """A submission held by review (pending or returned) has no stored row to roll back."""

    def __init__(self, submission_id: int, status: str) -> None:
        super().__init__(f"submission {submission_id} is {status}: nothing is stored")
        self.submission_id = submission_id
        self.status = status


def take_write_locks(conn: Connection, names: Iterable[str], holder: str) -> None:
    """Take the write locks `names` (kinds, `schedule`, `master_data`) for the rest of the
    caller's transaction and count up their versions (the pages' cache key).

    An import or rollback calls it before reading the current rows it will replace: a
    second writer of the same kind waits here until the first commits, then reads its
    rows, so the two serialise instead of colliding on the current-key index. Locks are
    taken in one fixed order (`lock_order`), so two writers of overlapping kinds cannot
    deadlock.
    """
    table = table_of(WriteLock)
    postgres = conn.dialect.name == "postgresql"
    for name in sorted(set(names), key=lock_order):
        take = (
            update(table)
            .where(table.c.name == name)
            .values(version=table.c.version + 1, holder=holder[:64], taken_at=datetime.now(UTC))
        )
        try:
            if postgres:
                locked = _wait_for_lock_postgres(conn, take)
            else:
                locked = conn.execute(take).rowcount
        except OperationalError as error:
            if lock_not_available(error):
                raise WriterBusy(name) from error
            raise
        if locked != 1:
            raise ValueError(f"no write lock named {name!r}: is the database migrated?")


def _wait_for_lock_postgres(conn: Connection, take) -> int:
    """PostgreSQL would wait for another writer's lock without end (SQLite gives up after
    its busy timeout): wait as long, in a savepoint, so that giving up leaves the
    caller's transaction usable (it may still record why nothing was written)."""
    with conn.begin_nested():
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(LOCK_WAIT_SECONDS * 1000)}ms'")
        locked = conn.execute(take).rowcount
        conn.exec_driver_sql("SET LOCAL lock_timeout = DEFAULT")
    return locked


def lock_not_available(error: OperationalError) -> bool:
    """SQLite's "database is locked", PostgreSQL's lock_not_available (55P03)."""
    return "locked" in str(error).lower() or getattr(error.orig, "sqlstate", None) == "55P03"


# Taken after every other lock: an import learns only once it holds its kinds' locks
# that review holds its rows, and then takes this one in a second call.
LOCKED_LAST = "review"


def lock_order(name: str) -> tuple[bool, str]:
    """Alphabetical, with LOCKED_LAST after all others, in every call alike."""
    return (name == LOCKED_LAST, name)


def write_versions(conn: Connection) -> tuple[tuple[str, int], ...]:
    """Each write lock's version: changes with every committed write that a page shows."""
    table = table_of(WriteLock)
    rows = conn.execute(select(table.c.name, table.c.version).order_by(table.c.name))
    return tuple((name, version) for name, version in rows)


def table_of(model) -> Table:
    return model.__table__


def write_versioned(
    conn: Connection,
    model,
    key: tuple[str, ...],
    records: list[dict],
    submission_id: int,
    scope_column: str | None = None,
) -> WriteCounts:
    """Store `records` (dicts of the table's data columns) as `submission_id`'s rows.

    `scope_column` narrows the lookup of current rows to the values present in the
    records (for example the periods of a month-end file) instead of the whole table.

    The one place a kind's rows are inserted: it also counts the master-data references
    of the rows it inserts (`summaries_references`), from the records.
    """
    table = table_of(model)
    data_columns = [c.name for c in table.columns if c.name not in META_COLUMNS]
    counted = summaries_references.counted_columns(table)
    if conn.dialect.name == "postgresql":  # COPY and set-based statements (bulk_write)
        return write_staged(
            conn, table, key, data_columns, records, submission_id, scope_column, counted
        )
    values_of = fields_getter(records, data_columns)  # every record holds every data column
    current = _current_rows(conn, table, key, data_columns, records, scope_column)
    counts = WriteCounts()
    superseded_ids: list[int] = []
    meta = ["submission_id", "is_current", "replaced_id", "superseded_by_id"]
    if not current:  # nothing stored under these keys yet (a new month): every record is new
        counts.new = len(records)
        # Made as they are inserted, a chunk at a time: not a second copy of every record.
        # replaced_id and superseded_by_id are left to their NULL default: binding two
        # NULLs per row cost SQLite a fifth of a 300k-row insert.
        meta = meta[:2]
        tail = (submission_id, True)
        to_insert = map(add, map(values_of, records), repeat(tail))
        references = summaries_references.tally(records, counted)
    else:
        to_insert = []
        stored_values = itemgetter(*data_columns)
        key_of = fields_getter(records, key)
        for record in records:
            values = values_of(record)
            existing = current.get(key_of(record) if len(key) > 1 else (key_of(record),))
            if existing is None:
                counts.new += 1
                replaced_id = None
            elif stored_values(existing) == values:
                counts.unchanged += 1
                continue
            else:
                counts.replaced += 1
                replaced_id = existing["id"]
                superseded_ids.append(replaced_id)
                if len(counts.replaced_examples) < EXAMPLES:
                    counts.replaced_examples.append(
                        {
                            "table": table.name,
                            "key": {k: record[k] for k in key},
                            "changes": {
                                c: [existing[c], record[c]]
                                for c in data_columns
                                if existing[c] != record[c]
                            },
                        }
                    )
            to_insert.append(values + (submission_id, True, replaced_id, None))
        references = summaries_references.tally_rows(to_insert, data_columns, counted)
    for chunk in _chunks(superseded_ids):
        conn.execute(
            update(table)
            .where(table.c.id.in_(chunk))
            .values(is_current=False, superseded_by_id=submission_id)
        )
    driver_insert(conn, table, [*data_columns, *meta], to_insert, INSERT_CHUNK)
    summaries_references.add(conn, table.name, references)
    return counts


def _current_rows(
    conn: Connection,
    table: Table,
    key: tuple[str, ...],
    data_columns: list[str],
    records: list[dict],
    scope_column: str | None,
) -> dict[tuple, dict]:
    query = select(table.c.id, *(table.c[c] for c in data_columns)).where(table.c.is_current)
    result: dict[tuple, dict] = {}
    if scope_column is not None:
        scope_values = sorted(set(map(fields_getter(records, [scope_column]), records)), key=str)
        for chunk in _chunks(scope_values):
            for row in conn.execute(query.where(table.c[scope_column].in_(chunk))).mappings():
                result[tuple(row[k] for k in key)] = dict(row)
    else:
        for row in conn.execute(query).mappings():
            result[tuple(row[k] for k in key)] = dict(row)
    return result


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- the kinds ---------------------------------------------------------------------


def write_kind(conn: Connection, kind: str, records: list[dict], submission_id: int) -> WriteCounts:
    """Store the validated records of one kind by its storage rule (`kind_registry`), and
    bring the summaries derived from its rows up to date in the same transaction."""
    rule = REGISTRY.get(kind)
    if rule is None:
        raise ValueError(f"unknown kind {kind!r}")
    if rule.write is not None:
        counts = rule.write(conn, records, submission_id, write_versioned)
    else:
        counts = write_versioned(
            conn, rule.table, rule.record_key, records, submission_id, rule.scope_column
        )
    summaries_changed(conn, kind, submission_id, records)
    return counts


def summaries_changed(
    conn: Connection, kind: str, submission_id: int, records: list[dict] | None = None
) -> None:
    """The one place a change of which rows of `kind` are current keeps the summaries
    derived from them exact, in the same transaction: after `submission_id`'s rows were
    written (`records`: those written; an import, a review approval) or withdrawn (None:
    a rollback), the kind's own hook (`KindRule.summarise`, see `summaries`)."""
    rule = REGISTRY.get(kind)
    if rule is not None and rule.summarise is not None:
        rule.summarise(conn, submission_id, records)


# --- submissions -------------------------------------------------------------------


def create_submission(conn: Connection, **values) -> int:
    """A new submission row of `values`; its file name as stored (`text.stored_file_name`)."""
    values.setdefault("uploaded_at", datetime.now(UTC))
    values["file_name"] = stored_file_name(values["file_name"])
    return conn.execute(insert(Submission).values(**values)).inserted_primary_key[0]


def update_submission(conn: Connection, submission_id: int, **values) -> None:
    conn.execute(update(Submission).where(Submission.id == submission_id).values(**values))


def refresh_statuses(conn: Connection, submission_ids: Iterable[int]) -> None:
    """Mark live submissions with no current row left as superseded, and the reverse."""
    for submission_id in set(submission_ids):
        status, valid_only = conn.execute(
            select(Submission.status, Submission.valid_rows_only).where(
                Submission.id == submission_id
            )
        ).one()
        if status in NOT_LIVE:
            continue
        has_current = any(
            conn.execute(
                select(table_of(m).c.id)
                .where(and_(table_of(m).c.submission_id == submission_id, table_of(m).c.is_current))
                .limit(1)
            ).first()
            for m in versioned_tables()
        )
        new_status = ("partial" if valid_only else "accepted") if has_current else "superseded"
        if new_status != status:
            update_submission(conn, submission_id, status=new_status)


def superseded_submissions(conn: Connection, submission_id: int) -> set[int]:
    """Submissions whose rows `submission_id` replaced."""
    found: set[int] = set()
    for model in versioned_tables():
        table = table_of(model)
        found.update(
            conn.execute(
                select(table.c.submission_id)
                .where(table.c.superseded_by_id == submission_id)
                .distinct()
            ).scalars()
        )
    return found


def rollback_submission(conn: Connection, submission_id: int, by: str) -> dict[str, int]:
    """Withdraw a submission's current rows and restore the rows they replaced.

    For each withdrawn row the nearest earlier version whose submission is not itself
    rolled back becomes current again. Returns per table how many rows were
    withdrawn and restored. A rollback that would change a closed period raises
    `closed_periods.PeriodClosed` (an InputError naming the period and who closed it).
    """
    kinds = conn.execute(
        select(Submission.kinds).where(Submission.id == submission_id)
    ).scalar_one_or_none()
    if kinds is None:
        raise LookupError(f"submission {submission_id} does not exist")
    # Locked before the status is read: of two rollbacks at once, the second waits and
    # then finds the submission rolled back.
    take_write_locks(conn, [k for k in kinds.split(",") if k], holder=by)
    status = conn.execute(
        select(Submission.status).where(Submission.id == submission_id)
    ).scalar_one()
    if status == "rolled_back":
        raise ValueError(f"submission {submission_id} is already rolled back")
    if status in NOT_LIVE:
        raise NotStored(submission_id, status)
    refuse_rollback_if_closed(conn, submission_id)
    rolled_back = set(
        conn.execute(select(Submission.id).where(Submission.status == "rolled_back")).scalars()
    )
    rolled_back.add(submission_id)
    touched: set[int] = set()
    summary: dict[str, int] = {}
    for model in versioned_tables():
        table = table_of(model)
        withdrawn = conn.execute(
            select(table.c.id, table.c.replaced_id).where(
                table.c.submission_id == submission_id, table.c.is_current
            )
        ).all()
        if not withdrawn:
            continue
        for chunk in _chunks([row.id for row in withdrawn]):
            conn.execute(update(table).where(table.c.id.in_(chunk)).values(is_current=False))
        restore = []
        for _, replaced_id in withdrawn:
            target = _nearest_live_version(conn, table, replaced_id, rolled_back)
            if target is not None:
                restore.append({"target_id": target[0]})
                touched.add(target[1])
        if restore:
            conn.execute(
                update(table)
                .where(table.c.id == bindparam("target_id"))
                .values(is_current=True, superseded_by_id=None),
                restore,
            )
        summary[table.name] = len(withdrawn)
    for kind in kinds.split(","):
        summaries_changed(conn, kind, submission_id)  # after every kind's rows moved
    update_submission(
        conn,
        submission_id,
        status="rolled_back",
        rolled_back_at=datetime.now(UTC),
        rolled_back_by=by,
    )
    refresh_statuses(conn, touched)
    return summary


def _nearest_live_version(
    conn: Connection, table: Table, row_id: int | None, rolled_back: set[int]
) -> tuple[int, int] | None:
    while row_id is not None:
        row = conn.execute(
            select(table.c.id, table.c.submission_id, table.c.replaced_id).where(
                table.c.id == row_id
            )
        ).one()
        if row.submission_id not in rolled_back:
            return row.id, row.submission_id
        row_id = row.replaced_id
    return None
