"""Engine creation and schema migration (Alembic is the only way the schema is made)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from itertools import islice
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, Executable, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from data_model import settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# How long a writer waits for another's lock before it gives up (WriterBusy), on both
# engines: SQLite's busy timeout, PostgreSQL's lock_timeout while a write lock is taken.
LOCK_WAIT_SECONDS = 30


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain `postgresql://` URLs."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    return url


def make_engine(url: str | None = None) -> Engine:
    """A new engine for `url` (see `settings.database_url`); SQLite folders are created.

    Statements' parameters are never shown in errors or logs (`hide_parameters`): they
    hold row values, a new user's password hash among them."""
    url = normalize_url(settings.database_url(url))
    file = sqlite_file(url)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url, hide_parameters=True, connect_args={"timeout": LOCK_WAIT_SECONDS}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, hide_parameters=True, pool_pre_ping=True)


def sqlite_file(url: str | None = None) -> Path | None:
    """The file of a SQLite database `url` (see `settings.database_url`); None for another
    engine and for an in-memory database. A URI filename (`sqlite:///file:PATH?uri=true`,
    e.g. with `mode=ro`) names its PATH."""
    parsed = make_url(normalize_url(settings.database_url(url)))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    database = parsed.database
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        if parsed.query.get("mode") == "memory":
            return None
        database = database.removeprefix("file:")
    return Path(database)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite's lower() folds ASCII letters only; Python's folds every letter (`folded`).
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MB: month-end imports touch big indexes
    cursor.close()


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class folded(FunctionElement):
    """A text in lower case, every letter folded (`Ä`, a full-width `Ａ`), on both engines,
    for case-blind searches: `folded(column).like(pattern.lower())`. SQLite's lower() is
    Python's on this app's connections (`_sqlite_pragmas`). PostgreSQL's lower() and ILIKE
    fold by the column's collation, "C" for every text column (migration 0023), which folds
    ASCII alone, so the text is folded by the database's own locale instead."""

    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _folded(element, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element, compiler, **kw) -> str:
    return f'lower(({compiler.process(element.clauses, **kw)}) COLLATE "default")'


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(conn: Connection) -> str | None:
    """The schema's Alembic revision; None: the migrations have not made it."""
    return MigrationContext.configure(conn).get_current_revision()


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def driver_rows(conn: Connection, statement: Executable) -> list[tuple]:
    """Every row of `statement` as the driver's plain tuples, for bulk reads (200k task
    reports): SQLAlchemy's Row objects add about half the driver's own time again.

    Only for columns that need no conversion by SQLAlchemy: numbers, text, and dates
    cast to text (SQLite returns dates as text, so the cast keeps both databases alike).
    """
    result = conn.execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def as_date(value) -> date:
    """A stored date as a date: SQLite gives date columns back as text (`2024-03-31`)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def driver_insert(
    conn: Connection, table: Table, columns: list[str], rows: Iterable[tuple], chunk: int
) -> None:
    """Insert many rows of plain tuples with the driver's own executemany, `chunk` rows at
    a time; on PostgreSQL with one COPY (`copy_rows`).

    Going through Core's per-row parameter processing costs about as much as the
    insert itself on a 500k-row file; the columns here are plain numbers, text, dates
    and booleans, which both drivers adapt themselves the way SQLAlchemy would.
    """
    if conn.dialect.name == "postgresql":
        copy_rows(conn, table.name, columns, rows)
        return
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    rows = iter(rows)
    while part := list(islice(rows, chunk)):
        conn.exec_driver_sql(sql, part)


def copy_rows(
    conn: Connection,
    table_name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    processors: Sequence[tuple[int, Callable]] = (),
) -> None:
    """Write `rows` (sequences of `columns`' values) into `table_name` with one COPY, in the
    caller's transaction; PostgreSQL only. `processors` are (position, function) pairs
    applied to a row's values before it is written (`bind_processors`).

    psycopg's executemany sends one statement per row (in a pipeline): the 130k summary
    rows of a 300k-row import took about 4 s of the client's time that way. Values are
    adapted by the same psycopg dumpers as a statement's parameters (floats exactly); a
    failure is raised as SQLAlchemy's exception (IntegrityError for a repeated key), as
    `exec_driver_sql` raises it.
    """
    quote = conn.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table_name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    try:
        with (
            conn.connection.driver_connection.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            write = copy.write_row
            if not processors:  # numbers and text: each row as it stands
                for row in rows:
                    write(row)
                return
            for row in rows:
                row = list(row)
                for position, processor in processors:
                    row[position] = processor(row[position])
                write(row)
    except conn.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            statement, None, error, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from error


def bind_processors(
    conn: Connection, table: Table, columns: Sequence[str | None]
) -> list[tuple[int, Callable]]:
    """The bind processors of `table`'s `columns` that have one, as `copy_rows` takes them,
    so that COPY stores what an INSERT would (None stands for a column not of `table`)."""
    dialect = conn.dialect
    return [
        (position, processor)
        for position, name in enumerate(columns)
        if name is not None
        and (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
