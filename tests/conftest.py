"""Shared fixtures: migrated databases on SQLite and PostgreSQL, and in-memory workbook
builders.

Page and query tests take `db_engine` (a fresh database), `sample_db` (a copy of the
sample data for the test module) or `empty_db` / `fresh_sample_db` (a fresh copy for one
test that writes); each runs once per engine, with the ids `sqlite` and `postgresql`.
The migrated and the seeded database are made once per session and copied: a file copy on
SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from openpyxl import Workbook
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from data_model.admin.backup import SERVER_STATE_TABLES
from data_model.admin.bootstrap import open_database, seed
from data_model.kinds import ACTIVITIES, INDICATOR_VALUES, INDICATORS, ISSUES
from data_model.reference.master import load_master_data_file
from data_model.store.db import make_engine, normalize_url

# Property tests check results, not speed: on a busy two-core CI box a first example may
# take longer than Hypothesis' 200 ms default deadline (speed is measured in bench/).
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")


def database_examples(max_examples: int, **options) -> hypothesis_settings:
    """Settings of a property test whose examples share one database fixture on purpose
    (each rolls its changes back, or builds on the state the last one left)."""
    return hypothesis_settings(
        max_examples=max_examples,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        **options,
    )


# The workbooks most tests build predate 情况说明: their late tasks and off-target values
# carry no explanation, and what those tests protect is something else. Explanations are
# required by default in the product; tests/queries/test_explanations.py and the upload page test
# turn the requirement back on and check it. Set before any app or server starts, so the
# browser tests' server inherits it.
os.environ.setdefault("EXPLANATIONS_REQUIRED", "0")

# The template's own headers (data_model/kinds.py); the indicator list without the last
# two, optional columns (数据来源, 说明), as most tests' workbooks are written.
INDICATOR_HEADER = [c.header for c in INDICATORS.columns[:9]]
VALUE_HEADER = [c.header for c in INDICATOR_VALUES.columns]
ACTIVITY_HEADER = [c.header for c in ACTIVITIES.columns]
ISSUE_HEADER = [c.header for c in ISSUES.columns]
# 企业诉求 as many ledgers keep it: without 承办单位 and 满意度.
SHORT_ISSUE_HEADER = [h for h in ISSUE_HEADER if h not in ("承办单位", "满意度")]


# --- databases on both engines ---------------------------------------------------------

ENGINES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class AppDatabase:
    """A migrated database with the default master data, and the folder the app keeps
    uploads in (on SQLite the database file lives there too)."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    data_dir: Path

    def open(self) -> Engine:
        """A new engine on this database (already migrated)."""
        return make_engine(self.url)

    def use(self, monkeypatch) -> None:
        """Point the app at this database: `DATA_DIR`, and `DATABASE_URL` on PostgreSQL."""
        monkeypatch.setenv("DATA_DIR", str(self.data_dir))
        if self.kind == "sqlite":
            monkeypatch.delenv("DATABASE_URL", raising=False)
        else:
            monkeypatch.setenv("DATABASE_URL", self.url)


DROP_BATCH = 10


class DatabaseCopies:
    """Copies of two template databases per engine, each made once per session: `empty`
    (migrated, default master data) and `sample` (the sample data seeded on top).

    PostgreSQL databases are named after TEST_DATABASE_URL's database (`<name>_empty`,
    `<name>_sample`, `<name>_fresh`, `<name>_<n>`) so workers using other databases never
    collide; each is dropped if it exists before it is made, and copies are dropped after
    their test (in batches) and at the end of the session. The copies of `empty` on
    PostgreSQL are one database emptied again for each test (see `_reset_empty`).
    """

    def __init__(self, folder: Path, pg_url: str | None):
        self.folder = folder
        self.pg_url = make_url(normalize_url(pg_url)) if pg_url else None
        self.templates: dict[tuple[str, str], str] = {}
        self.numbers = itertools.count(1)
        self.pending: list[str] = []  # PostgreSQL copies to drop
        self._admin: Engine | None = None
        self._fresh: Engine | None = None  # on `<name>_fresh`, see _reset_empty

    def admin(self) -> Engine:
        """An autocommit engine on TEST_DATABASE_URL's database, for CREATE/DROP DATABASE.

        On first use it drops the numbered copies an interrupted run left behind.
        """
        if self._admin is None:
            url = self.pg_url.render_as_string(hide_password=False)
            self._admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
            with self._admin.connect() as conn:
                left = conn.execute(
                    text("SELECT datname FROM pg_database WHERE datname ~ :pattern"),
                    {"pattern": f"^{re.escape(self.pg_url.database)}_[0-9]+$"},
                ).scalars()
                for name in list(left):
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return self._admin

    def _pg_name(self, suffix: str) -> str:
        return f"{self.pg_url.database}_{suffix}"

    def _pg_url(self, name: str) -> str:
        return self.pg_url.set(database=name).render_as_string(hide_password=False)

    def _create_pg(self, name: str, template: str | None = None) -> None:
        with self.admin().connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            clause = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))

    def _template(self, kind: str, contents: str) -> str:
        """The SQLite file or PostgreSQL database name of the template, made on first use."""
        key = (kind, contents)
        if key not in self.templates:
            if kind == "sqlite":
                location = str(self.folder / f"template-{contents}.sqlite3")
                url = f"sqlite:///{location}"
            else:
                location = self._pg_name(contents)
                self._create_pg(location)
                url = self._pg_url(location)
            engine = open_database(url)
            if contents == "sample":
                assert all(r.status == "accepted" for r in seed(engine))
            if kind == "sqlite":  # everything into the file that is copied
                with engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()  # a PostgreSQL template must have no connections
            self.templates[key] = location
        return self.templates[key]

    def copy(self, kind: str, contents: str, data_dir: Path) -> AppDatabase:
        """A new database holding the template's data; uploads go to `data_dir`."""
        template = self._template(kind, contents)
        data_dir.mkdir(parents=True, exist_ok=True)
        if kind == "sqlite":
            target = data_dir / "dashboard.sqlite3"
            shutil.copyfile(template, target)
            return AppDatabase(kind, f"sqlite:///{target}", data_dir)
        number = next(self.numbers)
        if contents == "empty":
            return AppDatabase(kind, self._reset_empty(template, number), data_dir)
        name = self._pg_name(str(number))
        self._create_pg(name, template)
        return AppDatabase(kind, self._pg_url(name), data_dir)

    def _reset_empty(self, template: str, number: int) -> str:
        """The URL of `<name>_fresh`, emptied back to the `empty` template's state.

        DROP DATABASE takes a second or more on a busy server, emptying the tables a
        fraction of that. The migrations insert nothing, so emptying every table and
        loading the default master data again gives the template's rows and ids. Each
        test gets its own URL (an application_name), so the app's caches, keyed by the
        URL, never serve one test's results in another.
        """
        name = self._pg_name("fresh")
        if self._fresh is None:
            self._create_pg(name, template)
            self._fresh = make_engine(self._pg_url(name))
        else:
            with self._fresh.begin() as conn:
                conn.execute(  # the connections the app kept from the test before
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
                tables = [
                    t for t in inspect(conn).get_table_names() if t not in SERVER_STATE_TABLES
                ]
                names = ", ".join(f'"{table}"' for table in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                load_master_data_file(conn)
        url = self.pg_url.set(database=name, query={"application_name": f"tests-{number}"})
        return url.render_as_string(hide_password=False)

    def drop(self, db: AppDatabase) -> None:
        """Drop a PostgreSQL copy, a few at a time: the app keeps connections to the
        databases it showed, and ending them costs a wait that is then paid once per batch."""
        name = make_url(db.url).database
        if db.kind == "postgresql" and name != self._pg_name("fresh"):
            self.pending.append(name)
            if len(self.pending) >= DROP_BATCH:
                self._drop_pending()

    def _drop_pending(self) -> None:
        with self.admin().connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = ANY(:names)"
                ),
                {"names": self.pending},
            )
            for name in self.pending:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.pending.clear()

    def close(self) -> None:
        if self._fresh is not None:
            self._fresh.dispose()
            self.pending.append(self._pg_name("fresh"))
        if self._admin is not None:
            self.pending += [name for (kind, _), name in self.templates.items() if kind != "sqlite"]
            self._drop_pending()
            self._admin.dispose()


@pytest.fixture(scope="session")
def database_copies(tmp_path_factory):
    copies = DatabaseCopies(
        tmp_path_factory.mktemp("templates"), os.environ.get("TEST_DATABASE_URL")
    )
    yield copies
    copies.close()


@pytest.fixture(scope="module", params=ENGINES)
def db_kind(request) -> str:
    """Which engine this module's tests run on: `sqlite`, then `postgresql`."""
    if request.param == "postgresql" and not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(NO_POSTGRESQL)
    return request.param


@pytest.fixture(scope="module")
def sample_db(db_kind, database_copies, tmp_path_factory):
    """The sample data, one copy per test module and engine (tests may sign users in, which
    writes; a test that changes data takes `fresh_sample_db`)."""
    db = database_copies.copy(db_kind, "sample", tmp_path_factory.mktemp(f"sample-{db_kind}"))
    yield db
    database_copies.drop(db)


@pytest.fixture
def fresh_sample_db(db_kind, database_copies, tmp_path):
    """The sample data in a database of this test's own."""
    db = database_copies.copy(db_kind, "sample", tmp_path / f"sample-{db_kind}")
    yield db
    database_copies.drop(db)


@pytest.fixture
def empty_db(db_kind, database_copies, tmp_path):
    """A migrated database with the default master data only, of this test's own."""
    db = database_copies.copy(db_kind, "empty", tmp_path / f"empty-{db_kind}")
    yield db
    database_copies.drop(db)


@pytest.fixture
def db_engine(empty_db):
    """An engine on `empty_db`: the parametrised counterpart of `engine`."""
    engine = empty_db.open()
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def sample_engine(sample_db):
    """An engine on `sample_db`: the sample data, on SQLite and on PostgreSQL."""
    engine = sample_db.open()
    yield engine
    engine.dispose()


@pytest.fixture
def task_list_conn(db_engine):
    """A connection to `db_engine` holding the task list of tests/task_workbook.py."""
    from data_model.ingest.importer import import_file
    from tests.task_workbook import task_workbook  # which imports this module

    report = import_file(db_engine, task_workbook(), "tasks.xlsx")
    assert report.status == "accepted", report.message
    with db_engine.connect() as connection:
        yield connection


@pytest.fixture
def engine(tmp_path, database_copies):
    """A fresh SQLite database, migrated, with the default master data (a copy of the
    session's migrated file: migrating for every test would take longer than the test)."""
    engine = database_copies.copy("sqlite", "empty", tmp_path / "engine").open()
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path, database_copies) -> str:
    """The URL of a fresh SQLite database, migrated, with the default master data: what
    `init` makes, which the commands other than `init`, `seed` and `restore` need."""
    return database_copies.copy("sqlite", "empty", tmp_path / "db").url


NO_POSTGRESQL = "TEST_DATABASE_URL is not set: PostgreSQL tests need a server (see .ci/run)"


@pytest.fixture
def pg_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(NO_POSTGRESQL)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def make_xlsx(
    sheets: dict[str, list[list]], hidden: tuple[str, ...] = (), formulas: bool = False
) -> bytes:
    """An .xlsx with one sheet per entry; rows are written from A1 down.

    Text starting with `=` is stored as text, as when a clerk types it into a text
    cell, unless `formulas` is set.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if not formulas:
            for cells in sheet.iter_rows():
                for cell in cells:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        cell.data_type = "s"
        if name in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def values_workbook(*rows: list) -> bytes:
    """An .xlsx with one 指标数据 sheet: VALUE_HEADER, then `rows`."""
    return make_xlsx({"指标数据": [VALUE_HEADER, *rows]})


def import_values(engine: Engine, file_name: str, *rows: list):
    """Import `values_workbook(*rows)` as the file `file_name`; the import's report."""
    from data_model.ingest.importer import import_file

    return import_file(engine, values_workbook(*rows), file_name)


FUTIAN_2024_01 = {
    "指标数据": [
        VALUE_HEADER,
        ["YS01", "", "福田区", "2024-01", 1.3, ""],
        ["YS02", "", "福田区", "2024-01", 99.5, ""],
        ["YS03", "", "福田区", "2024-01", 1200, ""],
    ],
    "活动台账": [
        ACTIVITY_HEADER,
        ["2024-01-15", "福田区", "政企座谈会", "一月座谈会", "", 20, 30, "福田区工商联", ""],
    ],
}


def upload_futian_january(engine: Engine) -> None:
    """福田区's three indicator values and one activity of January 2024 (the sample data
    end in 2023): a new year barely reported."""
    from data_model.ingest.importer import import_file

    report = import_file(engine, make_xlsx(FUTIAN_2024_01), "福田区2024年1月.xlsx")
    assert report.status == "accepted", report.errors


def import_indicators(engine: Engine) -> None:
    """Import the test indicators (`indicator_rows`) into `engine`'s database."""
    from data_model.ingest.importer import import_file

    report = import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    assert report.status == "accepted", report.errors


def make_xls(sheets: dict[str, list[list]]) -> bytes:
    """A legacy Excel 97-2003 .xls with one sheet per entry; rows are written from A1 down."""
    import xlwt

    book = xlwt.Workbook()
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def indicator_rows() -> list[list]:
    return [
        INDICATOR_HEADER,
        ["YS01", "企业开办时间", "营商环境", "天", "逆向", 10, 1, "月", "期末值"],
        ["YS02", "新增民营企业数", "民营经济发展质量", "家", "正向", 20, 1000, "月", "求和"],
        ["YS03", "诉求办结率", "政企沟通", "%", "正向", 10, 95, "季", "期末值"],
    ]


def activity_row(
    *,
    date: object = dt.datetime(2023, 3, 15),
    district: str = "福田区",
    activity_type: str = "政策宣讲会",
    name: str = "惠企政策宣讲会",
    brand: str = "民企话坛",
    companies: object = 30,
    participants: object = 80,
    organizer: str = "",
    note: str = "",
) -> list:
    """One row of the activity ledger (活动台账) under `ACTIVITY_HEADER`: its cells in the
    kind's column order (`data_model.kinds.ACTIVITIES`)."""
    cells = {
        "activity_date": date,
        "district": district,
        "activity_type": activity_type,
        "name": name,
        "brand": brand,
        "enterprise_count": companies,
        "participant_count": participants,
        "organizer": organizer,
        "note": note,
    }
    return [cells[column.field] for column in ACTIVITIES.columns]


TEST_PASSWORD = "a-long-test-password"


@pytest.fixture
def cheap_hashing(monkeypatch):
    """argon2 at its cheapest, for modules that hash many passwords
    (`pytestmark = pytest.mark.usefixtures("cheap_hashing")`)."""
    from argon2 import PasswordHasher

    from data_model.accounts import users

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(users, "HASHER", cheap)


def ensure_user(data_dir: Path, username: str, role: str, password: str, by: str) -> str:
    """`username` in the app's SQLite database under `data_dir`: created with `role` and
    `password` unless it is there already."""
    from data_model.accounts.users import create_user, get_user

    engine = open_database(f"sqlite:///{data_dir / 'dashboard.sqlite3'}")
    with engine.begin() as conn:
        if get_user(conn, username) is None:
            create_user(conn, username, role, password, by=by)
    engine.dispose()
    return username


def sign_in_app(app, db: AppDatabase, role: str = "admin", username: str | None = None, **binding):
    """Create a user of `role` in the app's database `db` and sign the AppTest in (a new
    session in the database, held by the AppTest's session state, as the sign-in form
    leaves it)."""
    from data_model.accounts import sessions
    from data_model.accounts.users import create_user, get_user

    username = username or f"test-{role}"
    engine = make_engine(db.url)
    with engine.begin() as conn:
        if get_user(conn, username) is None:
            create_user(conn, username, role, TEST_PASSWORD, by="tests", **binding)
        session = sessions.start(conn, username)
    engine.dispose()
    app.session_state["username"] = username
    app.session_state["sign_in_session"] = session.session_id
    return app


def task_record(
    code: str,
    action_id: int,
    lead_unit_id: int,
    district_id: int | None,
    schedule: tuple,
    report: tuple,
) -> dict:
    """A task list row as the importer's records hold it: `schedule` is (start date,
    deadline, ongoing), `report` (report period, progress, stated status)."""
    start, deadline, ongoing = schedule
    period, progress, stated = report
    return {
        "code": code,
        "action_id": action_id,
        "content": f"任务 {code}",
        "lead_unit_id": lead_unit_id,
        "co_units": "",
        "owner": "",
        "start_date": start,
        "deadline": deadline,
        "deadline_text": "",
        "ongoing": ongoing,
        "district_id": district_id,
        "report_period": period,
        "progress": progress,
        "stated_status": stated,
        "progress_note": "",
    }


def live_submission_ids(conn) -> list[int]:
    """The submissions a rollback may withdraw, oldest first."""
    from sqlalchemy import select

    from data_model.store.models import Submission

    live = ("accepted", "partial", "superseded")
    return sorted(conn.execute(select(Submission.id).where(Submission.status.in_(live))).scalars())
