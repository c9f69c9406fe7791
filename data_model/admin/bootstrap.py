"""A database ready to use: migrated, with master data, and the sample data on request.

The CLI, the app (`ui.py`), the benchmarks and the tests open databases through here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import URL, Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
)

from data_model import cycle_collector, settings
from data_model.accounts.permissions import SYSTEM, record_import
from data_model.admin.master_workbook import import_workbook
from data_model.errors import InputError
from data_model.i18n import t
from data_model.ingest.importer import ImportOptions, import_file_in_transaction, writes
from data_model.problems import ImportReport
from data_model.reference.master import has_master_data, load_master_data_file
from data_model.store.db import (
    LOCK_WAIT_SECONDS,
    current_revision,
    make_engine,
    migrate,
    sqlite_file,
)
from data_model.store.storage import lock_not_available

SAMPLE_FILES = (
    "indicators.xlsx",
    "indicator_values.xlsx",
    "tasks.xlsx",
    "activities.xlsx",
    "issues.xlsx",
)


def open_database(url: str | None, create: bool = True) -> Engine:
    """Engine for `url` with the schema migrated and the default master data present.

    `create`: a database that does not exist yet is made (`init`, `seed`, `restore`, the
    app's first run); else it is an InputError and nothing is made (`connect`). A database
    that cannot be opened is an InputError too (`database_problem`)."""
    with database_errors(url):
        engine = connect(url, create)
        migrate(engine)
        with engine.begin() as conn:
            load_master_data_file(conn)
    return engine


def connect(url: str | None, create: bool = False) -> Engine:
    """Engine for `url`, opened once to check it, neither migrated nor filled.

    Unless `create`, a database that does not exist is an InputError naming it, and
    nothing is made: a SQLite file that is not there (`cli.no_database_file`; its folder
    is not made either) or a database without tables (`schema_revision`). A mistyped
    `--db` must not start an empty database that then answers "0 rows"."""
    with database_errors(url):
        file = sqlite_file(url)
        if not create and file is not None and not file.is_file():
            raise InputError("cli.no_database_file", path=str(file))
        engine = make_engine(url)
        with engine.connect() as conn:
            if not create:
                schema_revision(conn)
    return engine


def schema_revision(conn: Connection) -> str:
    """The schema's revision; a database the migrations have not made is an InputError
    (`cli.no_database`: run `init`)."""
    revision = current_revision(conn)
    if revision is None:
        raise InputError("cli.no_database", url=shown_url(conn.engine.url))
    return revision


@contextmanager
def database_errors(url: str | None) -> Iterator[None]:
    """Raise a database's error inside as an InputError saying what to do about it."""
    try:
        yield
    except (ArgumentError, NoSuchModuleError, ImportError, DBAPIError) as error:
        raise database_problem(error, url) from error


def database_problem(error: Exception, url: str | None) -> InputError:
    """What went wrong with the database `url`, as a user can act on it: it refuses
    writes (`cli.database_read_only`), another process holds its write lock for longer
    than a writer waits (`cli.database_busy`), it cannot be opened or reached, or its
    URL is not one (`cli.bad_database`, with the reason), or it refused a statement for
    another reason (`cli.database_error`). No row value is quoted: engines
    hide statements' parameters (`make_engine`)."""
    shown = shown_url(url)
    if isinstance(error, DBAPIError) and refuses_writes(error):
        return InputError("cli.database_read_only", url=shown)
    if isinstance(error, OperationalError) and lock_not_available(error):
        return InputError("cli.database_busy", url=shown, seconds=LOCK_WAIT_SECONDS)
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    if isinstance(error, DBAPIError) and not isinstance(error, OperationalError | InterfaceError):
        return InputError("cli.database_error", url=shown, reason=reason)  # opened, then refused
    return InputError("cli.bad_database", url=shown, reason=reason)


def refuses_writes(error: DBAPIError) -> bool:
    """SQLite's "attempt to write a readonly database"; PostgreSQL's read-only
    transaction (25006: a standby, default_transaction_read_only) or a role without
    the right to write (42501)."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    return "readonly database" in str(error.orig) or sqlstate in ("25006", "42501")


def shown_url(url: str | URL | None) -> str:
    """The database's URL as messages show it: without its password."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    shown = settings.database_url(url)
    with suppress(ArgumentError):
        shown = make_url(shown).render_as_string(hide_password=True)
    return shown


def init_from_master_workbook(engine: Engine, path: Path) -> ImportReport:
    """Start a new (migrated, empty) database from a master workbook instead of the
    default master data; a database that has master data already is a usage error."""
    if not path.is_file():
        raise InputError("cli.no_such_file", file=str(path))
    with engine.connect() as conn, conn.begin() as transaction:
        if has_master_data(conn):
            raise InputError("master.init_master_not_fresh")
        report = import_workbook(conn, SYSTEM, path.read_bytes(), path.name, replace=True)
        if report.status == "rejected":
            transaction.rollback()
    return report


def seed(engine: Engine, folder: Path = settings.SAMPLE_DATA_DIR) -> list[ImportReport]:
    """Import the sample workbooks through the normal importer, indicators first.

    All or nothing: the files share one transaction, so a file that fails, or a process
    killed half-way, leaves the database as it was and `seed --if-empty` starts again.
    A file already imported is reported unchanged.
    """
    options = ImportOptions(uploader=SYSTEM.username, require_explanations=False)
    reports: list[ImportReport] = []
    with cycle_collector.paused(), engine.connect() as conn, conn.begin() as transaction:
        for name in SAMPLE_FILES:
            path = folder / name
            if not path.is_file():
                continue
            report = import_file_in_transaction(conn, path.read_bytes(), name, options)
            if writes(report, options):
                record_import(conn, SYSTEM, report, options)
            reports.append(report)
            if report.status not in ("accepted", "unchanged"):
                transaction.rollback()
                for earlier in reports[:-1]:
                    if earlier.status == "accepted":
                        earlier.status = "rejected"
                        earlier.submission_id = None
                        earlier.message = t("cli.seed_undone", file=name)
                break
    return reports
