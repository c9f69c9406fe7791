"""Portable backups: every table to one zip file, and back, on SQLite or PostgreSQL.

A backup is a zip holding `manifest.json` (format version, Alembic revision, creation
time, the tables in foreign-key order with their columns and row counts) and one
JSON-lines file per table, one row per line as a list in the manifest's column order.
Values are typed by the column: dates and times as ISO text, bytes as base64, decimals
as text, JSON columns as JSON. The same file restores into either engine, so it also
moves a deployment from the embedded SQLite file to PostgreSQL.

- `backup` reads every table inside one read transaction (PostgreSQL: REPEATABLE READ,
  READ ONLY; SQLite: one read transaction on the WAL snapshot), so the file is a
  consistent picture even while people upload. Rows are streamed in chunks, never
  loaded whole. The file appears under its name only when complete.
- `restore` refuses a backup made by a newer version of the code, and a target that
  already holds data unless forced; it migrates the target to the backup's revision,
  then deletes every row and inserts the backup's in ONE transaction, checking every
  table's row count against the manifest before committing: all or nothing.

`alembic_version` is not copied as data: the manifest's revision is applied by migrating;
nor is `write_lock`, the running server's locks and data versions, nor `sign_in_session`
(a restore ends every sign-in session).
"""

from __future__ import annotations

import base64
import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Time,
    TypeDecorator,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import DataError
from sqlmodel import SQLModel

import data_model.store.models  # noqa: F401  (the models' column types, see data_tables)
from data_model.admin.bootstrap import schema_revision
from data_model.errors import InputError
from data_model.evaluation import score_summary  # noqa: F401  (installs the store's scorer)
from data_model.formatting import local_time
from data_model.reference.master import MASTER_MODELS
from data_model.store import (
    summaries_periods,
    summaries_references,
    summaries_tasks,
    summaries_values,
)
from data_model.store.db import (
    alembic_config,
    bind_processors,
    copy_rows,
    current_revision,
    downgrade,
    migrate,
)

FORMAT = "two-healths-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VERSION_TABLE = "alembic_version"
# The writers' locks and data versions belong to the running server, not to the data: a
# restore keeps the target's and counts the versions up.
WRITE_LOCK_TABLE = "write_lock"
# Sign-in sessions are the running server's too: not backed up, and all ended by a
# restore (the restored users sign in again).
SESSION_TABLE = "sign_in_session"
SERVER_STATE_TABLES = {VERSION_TABLE, WRITE_LOCK_TABLE, SESSION_TABLE}
# Default master data `init` loads into every database: rows there alone are not "data"
# a restore would destroy.
MASTER_TABLES = frozenset(model.__tablename__ for model in MASTER_MODELS)
# Summaries derived from the rows (`summaries_tasks`, `summaries_task_status`,
# `summaries_values`, `summaries_scores`, `summaries_coverage`, `summaries_references`):
# not backed up, a restore recomputes them from the restored rows.
DERIVED_TABLES = {
    "reported_summary",
    "task_latest",
    "task_status_summary",
    "indicator_value_summary",
    "period_score_summary",
    "period_coverage_summary",
    "reference_count",
}
CHUNK_ROWS = 2000
FILE_CHUNK_ROWS = 8
CHUNK_BYTES = 32 * 1024 * 1024  # uploaded files are stored whole: bound a chunk's size too


class BackupError(InputError):
    """A backup cannot be written or restored; the message says why and what to do."""


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: list[dict]  # {"name": ..., "type": one of ENCODERS}
    rows: int

    @property
    def member(self) -> str:
        return f"tables/{self.name}.jsonl"


@dataclass(frozen=True)
class Manifest:
    revision: str
    created_at: str
    source: str  # dialect name the backup was taken from
    tables: list[TableInfo]

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "revision": self.revision,
            "created_at": self.created_at,
            "source": self.source,
            "tables": [
                {"name": t.name, "file": t.member, "rows": t.rows, "columns": t.columns}
                for t in self.tables
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        return cls(
            revision=data["revision"],
            created_at=data["created_at"],
            source=data["source"],
            tables=[TableInfo(t["name"], t["columns"], t["rows"]) for t in data["tables"]],
        )

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)


# --- value encoding ----------------------------------------------------------------


def column_kind(column_type) -> str:
    """How a column's values are written: the key of `ENCODERS`."""
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    # Order matters: Float is a Numeric, and DateTime must not be taken for Date.
    for base, kind in (
        (JSON, "json"),
        (LargeBinary, "bytes"),
        (Boolean, "bool"),
        (DateTime, "datetime"),
        (Date, "date"),
        (Time, "time"),
        (Float, "float"),
        (Numeric, "decimal"),
        (Integer, "int"),
        (String, "text"),
    ):
        if isinstance(column_type, base):
            return kind
    # A type the format does not know would be copied wrongly: stop instead.
    raise TypeError(f"backup: no encoding for column type {column_type!r}")


def _same(value):
    return value


ENCODERS = {
    "json": _same,
    "bool": _same,
    "float": _same,
    "int": _same,
    "text": _same,
    "bytes": lambda v: base64.b64encode(v).decode("ascii"),
    "datetime": lambda v: v.isoformat(),
    "date": lambda v: v.isoformat(),
    "time": lambda v: v.isoformat(),
    "decimal": str,
}
DECODERS = {
    "json": _same,
    "bool": _same,
    "float": _same,
    "int": _same,
    "text": _same,
    "bytes": base64.b64decode,
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "decimal": Decimal,
}


def _encoder(kind: str):
    encode = ENCODERS[kind]
    return lambda v: None if v is None else encode(v)


def _decoder(kind: str):
    decode = DECODERS[kind]
    return lambda v: None if v is None else decode(v)


# --- reading the database ----------------------------------------------------------


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one consistent state of the database."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with conn.begin():
                yield conn
            return
        # pysqlite opens no transaction for SELECT, so each statement would see the
        # database as it is at that moment; an explicit BEGIN holds one WAL snapshot
        # from the first read until the end (writers are not blocked in WAL mode).
        conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def data_tables(conn: Connection) -> list[Table]:
    """Every table the migrations made, except Alembic's own, the server's state and the
    summaries derived from the rows (DERIVED_TABLES), parents before children.

    The tables are read from the database, so a backup holds what is there whatever
    the revision; a column the models also define takes the model's type, whose
    conversions (times stored as UTC, returned aware) reflection does not know.
    """
    metadata = MetaData()
    metadata.reflect(conn)
    for table in metadata.tables.values():
        model = SQLModel.metadata.tables.get(table.name)
        for column in table.columns:
            if model is not None and column.name in model.columns:
                column.type = model.columns[column.name].type
    skipped = SERVER_STATE_TABLES | DERIVED_TABLES
    return [t for t in metadata.sorted_tables if t.name not in skipped]


def tables_holding_data(conn: Connection) -> dict[str, int]:
    """Row counts of the tables that hold data a restore would destroy."""
    counts = {}
    for table in data_tables(conn):
        if table.name in MASTER_TABLES:
            continue
        rows = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if rows:
            counts[table.name] = rows
    return counts


def _ordered_select(table: Table):
    return select(table).order_by(*(list(table.primary_key.columns) or list(table.columns)))


# --- backup ------------------------------------------------------------------------


def backup(engine: Engine, out: Path | str) -> Manifest:
    """Write a backup of every table to `out` (a zip); return its manifest.

    The file is written under a temporary name beside `out` and renamed when complete,
    so a backup interrupted at any point never leaves a partial file under the name.
    """
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    try:
        with read_snapshot(engine) as conn:
            revision = schema_revision(conn)
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
                tables = [_dump_table(conn, table, archive) for table in data_tables(conn)]
                manifest = Manifest(
                    revision=revision,
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    source=conn.dialect.name,
                    tables=tables,
                )
                archive.writestr(
                    MANIFEST, json.dumps(manifest.to_json(), ensure_ascii=False, indent=1)
                )
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _dump_table(conn: Connection, table: Table, archive: zipfile.ZipFile) -> TableInfo:
    columns = [{"name": c.name, "type": column_kind(c.type)} for c in table.columns]
    encoders = [_encoder(c["type"]) for c in columns]
    info = TableInfo(table.name, columns, 0)
    rows = 0
    # Uploaded files are stored whole, up to MAX_UPLOAD_MB each: fetch few at a time.
    per = FILE_CHUNK_ROWS if any(c["type"] == "bytes" for c in columns) else CHUNK_ROWS
    result = conn.execute(_ordered_select(table), execution_options={"yield_per": per})
    # A zip entry's time has no zone: archive tools show it as the local time it says.
    made = local_time(datetime.now(UTC))
    entry = zipfile.ZipInfo(info.member, date_time=made.timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(entry, "w", force_zip64=True) as member:
        for partition in result.partitions():
            lines = [
                json.dumps(
                    [encode(v) for encode, v in zip(encoders, row, strict=True)],
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                for row in partition
            ]
            member.write(("\n".join(lines) + "\n").encode())
            rows += len(lines)
    return TableInfo(table.name, columns, rows)


# --- restore -----------------------------------------------------------------------


def read_manifest(path: Path | str) -> Manifest:
    """The manifest of a backup file; a file that is not one is a BackupError."""
    try:
        with zipfile.ZipFile(path) as archive:
            data = json.loads(archive.read(MANIFEST))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise BackupError("backup.not_a_backup", file=str(path)) from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError("backup.not_a_backup", file=str(path))
    if data.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            "backup.format_version",
            file=str(path),
            found=data.get("format_version"),
            expected=FORMAT_VERSION,
        )
    return Manifest.from_json(data)


def restore(engine: Engine, source: Path | str, force: bool = False) -> Manifest:
    """Replace every table's rows with the backup's, all or nothing; return its manifest.

    Refuses (BackupError, nothing changed) a file that is not a backup, a backup made
    by a newer version of the code, and, unless `force`, a target holding data. The
    target is migrated to the backup's revision first, and to the newest one after.
    """
    manifest = read_manifest(source)
    script = ScriptDirectory.from_config(alembic_config(engine))
    known = {r.revision for r in script.walk_revisions()}
    if manifest.revision not in known:
        raise BackupError("backup.newer_revision", file=str(source), revision=manifest.revision)
    with engine.connect() as conn:
        target_revision = current_revision(conn)
        holding = tables_holding_data(conn) if target_revision else {}
    if target_revision is not None and target_revision not in known:
        raise BackupError("backup.target_newer", url=_url(engine), revision=target_revision)
    if holding and not force:
        counts = ", ".join(f"{name} {rows}" for name, rows in holding.items())
        raise BackupError("backup.target_has_data", url=_url(engine), counts=counts)
    _migrate_to(engine, script, target_revision, manifest.revision)
    with zipfile.ZipFile(source) as archive, engine.begin() as conn:
        tables = {t.name: t for t in data_tables(conn)}
        _check_tables(manifest, tables, source)
        _delete_all(conn, [*tables.values(), *_session_table(conn)])
        for info in manifest.tables:
            # Raising rolls the whole restore back: the target stays as it was.
            try:
                loaded = _load_table(conn, archive, tables[info.name], info)
            except (DataError, OverflowError) as error:
                # A value this engine cannot hold (a NUL in a text, an integer over 32 bits
                # on PostgreSQL; one over 64 bits on SQLite), stored by an older version.
                reason = str(getattr(error, "orig", None) or error).splitlines()[0]
                raise BackupError(
                    "backup.not_storable", file=str(source), table=info.name, reason=reason
                ) from error
            # KeyError: the table's file is not in the zip (`_rows`).
            except (zipfile.BadZipFile, EOFError, KeyError, ValueError, TypeError) as error:
                if isinstance(error, BackupError):
                    raise
                raise BackupError("backup.damaged", file=str(source), table=info.name) from error
            if loaded != info.rows:
                raise BackupError("backup.damaged", file=str(source), table=info.name)
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn, list(tables.values()))
        if inspect(conn).has_table("indicator_value_summary"):
            summaries_values.rebuild(conn)  # else the migration below builds them
        # The scores and the coverage per period, after the value summaries they read
        # (those of them the target has: the migration below fills the others).
        summaries_periods.rebuild(conn)
        if inspect(conn).has_table("task_status_summary"):
            # Not in the file: recomputed from the rows just loaded. (A backup older than
            # them gets them from their migration, just below.)
            summaries_tasks.rebuild(conn)
        elif inspect(conn).has_table("reported_summary"):
            summaries_tasks.rebuild_reported(conn)  # the others: revision 0016, below
        if inspect(conn).has_table("reference_count"):
            summaries_references.rebuild(conn)  # else revision 0020, below, counts them
        _count_up_write_versions(conn)
    migrate(engine)
    return manifest


def _session_table(conn: Connection) -> list[Table]:
    """The sign-in sessions, when the revision has them: emptied with the users they
    point at (after them in the list, so SQLite deletes them first)."""
    if not inspect(conn).has_table(SESSION_TABLE):
        return []
    return [Table(SESSION_TABLE, MetaData(), autoload_with=conn)]


def _count_up_write_versions(conn: Connection) -> None:
    """Count every data version up (`write_lock`, the pages' cache key), so that app
    processes still running show the restored data, not pages cached before."""
    if inspect(conn).has_table(WRITE_LOCK_TABLE):
        table = Table(WRITE_LOCK_TABLE, MetaData(), autoload_with=conn)
        conn.execute(update(table).values(version=table.c.version + 1))


def _migrate_to(engine: Engine, script: ScriptDirectory, current: str | None, wanted: str):
    if current == wanted:
        return
    older = current is not None and wanted in {
        r.revision for r in script.iterate_revisions(current, "base")
    }
    if older:
        downgrade(engine, wanted)
    else:
        migrate(engine, wanted)


def _check_tables(manifest: Manifest, tables: dict[str, Table], source) -> None:
    """The backup's tables and columns are exactly the target's at that revision."""
    # Sets: SQLite's batch migrations may order a table's columns unlike PostgreSQL's.
    expected = {name: {c.name for c in t.columns} for name, t in tables.items()}
    found = {t.name: {c["name"] for c in t.columns} for t in manifest.tables}
    if expected != found:
        raise BackupError("backup.schema_mismatch", file=str(source), revision=manifest.revision)


def _delete_all(conn: Connection, tables: list[Table]) -> None:
    if conn.dialect.name == "postgresql":
        # One TRUNCATE of every table: fast for millions of rows, transactional, and it
        # locks readers out until the restore commits rather than showing half of it.
        names = ", ".join(conn.dialect.identifier_preparer.quote(t.name) for t in tables)
        conn.execute(text(f"TRUNCATE {names}"))
        return
    for table in reversed(tables):
        conn.execute(delete(table))


def _load_table(conn: Connection, archive: zipfile.ZipFile, table: Table, info: TableInfo) -> int:
    """Insert the backup's rows of one table; returns how many there were."""
    names = [c["name"] for c in info.columns]
    rows = _rows(archive, info)
    if conn.dialect.driver == "psycopg":
        return _copy_rows(conn, table, names, rows)
    statement = insert(table)
    loaded = 0
    chunk: list[dict] = []
    size = 0
    for values, line_size in rows:
        chunk.append(dict(zip(names, values, strict=True)))
        size += line_size
        if len(chunk) >= CHUNK_ROWS or size >= CHUNK_BYTES:
            conn.execute(statement, chunk)
            loaded += len(chunk)
            chunk, size = [], 0
    if chunk:
        conn.execute(statement, chunk)
        loaded += len(chunk)
    return loaded


def _rows(archive: zipfile.ZipFile, info: TableInfo) -> Iterator[tuple[list, int]]:
    """Each row of a table's file, decoded, with the size of its line."""
    decoders = [_decoder(c["type"]) for c in info.columns]
    with archive.open(info.member) as member:
        for line in member:
            values = json.loads(line)
            yield [decode(v) for decode, v in zip(decoders, values, strict=True)], len(line)


def _copy_rows(conn: Connection, table: Table, names: list[str], rows) -> int:
    """PostgreSQL's COPY (`db.copy_rows`), in the restore's transaction: many times faster
    than INSERTs for the millions of indicator values a long-running deployment holds.
    Returns how many rows there were."""
    loaded = 0

    def values():
        nonlocal loaded
        for row, _ in rows:
            loaded += 1
            yield row

    copy_rows(conn, table.name, names, values(), bind_processors(conn, table, names))
    return loaded


def _advance_sequences(conn: Connection, tables: list[Table]) -> None:
    """Move each id sequence past the restored rows.

    A sequence only ever moves forward here: setval is not undone by a rollback, so
    lowering it would leave a database whose restore failed handing out ids in use.
    """
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar_one()
            if sequence is None:
                continue
            top = conn.execute(select(func.max(column))).scalar_one() or 0
            last, called = conn.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
            position = max(top, last if called else last - 1)
            if position > 0:
                conn.execute(text("SELECT setval(:s, :v, true)"), {"s": sequence, "v": position})


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
