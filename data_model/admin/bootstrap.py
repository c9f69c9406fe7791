"""A database ready to use: migrated, with master data, and the sample data on request.

The CLI, the app (`ui.py`), the benchmarks and the tests open databases through here.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError

from data_model import cycle_collector, settings
from data_model.accounts.permissions import SYSTEM, record_import
from data_model.admin.master_workbook import import_workbook
from data_model.errors import InputError
from data_model.i18n import t
from data_model.ingest.importer import ImportOptions, import_file_in_transaction, writes
from data_model.problems import ImportReport
from data_model.reference.master import has_master_data, load_master_data_file
from data_model.store.db import make_engine, migrate

SAMPLE_FILES = (
    "indicators.xlsx",
    "indicator_values.xlsx",
    "tasks.xlsx",
    "activities.xlsx",
    "issues.xlsx",
)


def open_database(url: str | None) -> Engine:
    """Engine for `url` with the schema migrated and the default master data present;
    an `InputError` (`cli.bad_database`) names a database that cannot be opened."""
    try:
        engine = make_engine(url)
        migrate(engine)
        with engine.begin() as conn:
            load_master_data_file(conn)
    except (ArgumentError, NoSuchModuleError, OperationalError, InterfaceError) as error:
        shown = url or settings.database_url(None)
        with suppress(ArgumentError):
            shown = make_url(shown).render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise InputError("cli.bad_database", url=shown, reason=reason) from error
    return engine


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
