"""Backups restore every table exactly, on SQLite, on PostgreSQL and from one to the other;
a restore refuses what it cannot do safely and changes nothing then."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from data_model.accounts import sessions, users
from data_model.accounts.permissions import SYSTEM, Principal, guarded_import
from data_model.admin.backup import (
    BackupError,
    backup,
    data_tables,
    read_manifest,
    read_snapshot,
    restore,
)
from data_model.admin.bootstrap import open_database, seed
from data_model.admin.period_closing import close_period
from data_model.cli import main
from data_model.i18n import LANGUAGES, catalogue
from data_model.ingest.importer import import_file
from data_model.outputs.bulletin import bulletin_figures
from data_model.outputs.restatement import record_publication
from data_model.queries.schedule import ensure_default_schedule
from data_model.store import audit, summaries_references
from data_model.store.db import make_engine, migrate
from data_model.store.models import Delivery, District, HeldUpload, Submission, TaskSnapshot
from data_model.store.storage import rollback_submission
from data_model.supervision.notices import issue_notices
from data_model.supervision.reminders import reminder_items, set_escalation_levels
from data_model.workflow import evidence, review
from tests.accounts.test_permissions import activity
from tests.conftest import ACTIVITY_HEADER, VALUE_HEADER, make_xlsx


def table_rows(engine) -> dict[str, list[tuple]]:
    """Every row of every table but Alembic's, as typed values, in primary-key order."""
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in data_tables(conn)
        }


def revision(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def fill(engine) -> None:
    """The sample data plus a rolled-back submission, users, audit events, a schedule, an
    evidence file, a closed period, a recorded bulletin and a returned submission under a
    review rule: a row in every table."""
    assert {r.status for r in seed(engine)} == {"accepted"}
    change = make_xlsx({"指标数据": [VALUE_HEADER, ["YS01", "", "南山区", "2023-12", 0.3, "改"]]})
    report = import_file(engine, change, "fix.xlsx")
    with engine.begin() as conn:
        rollback_submission(conn, report.submission_id, by="admin")
        users.create_user(
            conn, "wang", "staff", "a-long-test-password", by="tests", districts=["南山区"]
        )
        audit.record(conn, "admin", "export", what="audit", note='引号"和换行\n')
        ensure_default_schedule(conn, "2023-01", "2023-03")
        conn.execute(
            insert(HeldUpload).values(
                username="wang",
                file_name="待登记.xlsx",
                sha256="0" * 64,
                content=change,
                period="2023-12",
                valid_rows_only=False,
                edits=[["指标数据", 1, 2, "南山区"]],
                unknown=[{"list_key": "units", "value": "市气象局", "rows": 1, "candidates": []}],
                saved_at=datetime(2023, 12, 5, 8, 30, tzinfo=UTC),
            )
        )
        sessions.start(conn, "wang")  # server state: not in the backup
        as_of = date(2023, 7, 1)
        set_escalation_levels(conn, SYSTEM, {"remind": -5, "urge": 0, "supervise": 10})
        issue_notices(conn, SYSTEM, reminder_items(conn, as_of).head(1), as_of, issued_on=as_of)
        conn.execute(
            insert(Delivery).values(
                at=datetime.now(UTC),
                channel="webhook",
                target="http://127.0.0.1/hook",
                unit_name="南山区工商联",
                as_of=as_of,
                items=1,
                status="sent",
                attempts=1,
                error="",
            )
        )
        close_period(conn, SYSTEM, "indicator_values", "2022")
        report_key = conn.execute(
            select(TaskSnapshot.task_code, TaskSnapshot.report_period)
            .where(TaskSnapshot.is_current)
            .order_by(TaskSnapshot.id)
            .limit(1)
        ).one()
    evidence.attach(engine, SYSTEM, *report_key, "验收报告.pdf", b"%PDF-1.4\n%%EOF\n")
    with engine.connect() as conn:
        bulletin = bulletin_figures(conn, "2022", date(2023, 1, 15))
    with engine.begin() as conn:
        record_publication(conn, bulletin, b"file", "xlsx", "b.xlsx", None, "admin")
        review.set_review_rule(conn, SYSTEM, "activities", True)
    held = guarded_import(
        engine,
        Principal("wang", "staff", ("南山区",)),
        make_xlsx({"活动台账": [ACTIVITY_HEADER, activity("南山区", "待审核的宣讲会")]}),
        "held.xlsx",
    )
    review.return_submission(engine, SYSTEM, held.submission_id, "请核对")
    rows = table_rows(engine)
    assert all(rows.values()), [name for name, r in rows.items() if not r]


def import_after_restore_works(engine) -> None:
    """A new submission gets the next id: the restored ids do not collide with new ones;
    the master-data reference counts (not backed up) were counted from the restored rows
    and count the new one too."""
    with engine.connect() as conn:
        top = conn.execute(select(func.max(Submission.id))).scalar_one()
        counted = summaries_references.stored(conn)
        assert counted == summaries_references.recount(conn) and counted
    change = make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "福田区", "2023-12", 7, ""]]})
    report = import_file(engine, change, "after-restore.xlsx")
    assert report.status == "accepted", report.message
    assert report.submission_id > top
    with engine.connect() as conn:
        futian = conn.execute(select(District.id).where(District.name == "福田区")).scalar_one()
        key = ("indicator_value", "district_id", str(futian))
        assert summaries_references.stored(conn)[key] == counted[key] + 1
    with engine.begin() as conn:
        audit.record(conn, "admin", "export", what="after restore")


@pytest.fixture
def second_pg_url(pg_url):
    """A fresh, empty PostgreSQL database named after the test database, dropped after."""
    url = make_url(pg_url)
    name = f"{url.database}_restore"
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Filled:
    """A SQLite database with a row in every table, and its backup."""

    path: Path
    backup: Path
    rows: dict[str, list[tuple]]

    def copy(self, to: Path) -> str:
        """A URL of a copy of the database, to change without touching the original."""
        shutil.copy(self.path, to)
        return f"sqlite:///{to}"


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Filled:
    folder = tmp_path_factory.mktemp("filled")
    engine = open_database(f"sqlite:///{folder / 'filled.sqlite3'}")
    fill(engine)
    backup(engine, folder / "filled.zip")
    rows = table_rows(engine)
    engine.dispose()  # the last connection closing moves the WAL into the file: copies are whole
    return Filled(folder / "filled.sqlite3", folder / "filled.zip", rows)


def test_sqlite_backup_restores_every_table_exactly(filled, tmp_path):
    target = make_engine(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    manifest = restore(target, filled.backup)
    assert table_rows(target) == filled.rows
    assert (
        revision(target) == manifest.revision == revision(make_engine(filled.copy(tmp_path / "c")))
    )
    import_after_restore_works(target)
    target.dispose()


def test_manifest_names_revision_tables_in_foreign_key_order_and_counts(filled):
    manifest = read_manifest(filled.backup)
    names = [t.name for t in manifest.tables]
    assert "alembic_version" not in names
    assert names.index("submission") < names.index("indicator_value")
    assert names.index("district") < names.index("indicator_value")
    assert names.index("submission") < names.index("submission_file")
    assert {t.name: t.rows for t in manifest.tables} == {
        name: len(rows) for name, rows in filled.rows.items()
    }
    with zipfile.ZipFile(filled.backup) as archive:
        assert sorted(archive.namelist()) == sorted(
            ["manifest.json", *(f"tables/{n}.jsonl" for n in names)]
        )


def test_postgresql_backup_restores_exactly_and_sqlite_moves_to_postgresql(
    pg_url, second_pg_url, filled, tmp_path
):
    source = open_database(pg_url)
    fill(source)
    backup(source, tmp_path / "pg.zip")
    target = make_engine(second_pg_url)
    restore(target, tmp_path / "pg.zip")
    assert table_rows(target) == table_rows(source)
    import_after_restore_works(target)

    restore(target, filled.backup, force=True)
    assert table_rows(target) == filled.rows
    import_after_restore_works(target)
    source.dispose()
    target.dispose()


@pytest.mark.parametrize("engine_kind", ["sqlite", "postgresql"])
def test_backup_reads_one_consistent_snapshot(engine_kind, tmp_path, request):
    url = (
        request.getfixturevalue("pg_url")
        if engine_kind == "postgresql"
        else f"sqlite:///{tmp_path / 's.sqlite3'}"
    )
    engine = open_database(url)
    count = select(func.count()).select_from(Submission)
    with read_snapshot(engine) as snapshot:
        before = snapshot.execute(count).scalar_one()
        with engine.begin() as writer:
            writer.execute(
                insert(Submission).values(
                    uploaded_at=datetime.now(UTC),
                    uploader="x",
                    file_name="x",
                    sha256="x",
                    status="accepted",
                )
            )
        assert snapshot.execute(count).scalar_one() == before
        if engine_kind == "postgresql":
            isolation = snapshot.execute(text("SHOW transaction_isolation")).scalar()
            assert isolation == "repeatable read"
            assert snapshot.execute(text("SHOW transaction_read_only")).scalar() == "on"
    with engine.connect() as conn:
        assert conn.execute(count).scalar_one() == before + 1
    engine.dispose()


def test_restore_refuses_a_database_holding_data_unless_forced(filled, tmp_path, capsys):
    empty = open_database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")  # master data only
    restore(empty, filled.backup)
    assert table_rows(empty) == filled.rows
    empty.dispose()

    url = filled.copy(tmp_path / "changed.sqlite3")
    engine = make_engine(url)
    import_after_restore_works(engine)
    changed = table_rows(engine)
    assert main(["restore", str(filled.backup), "--db", url]) == 2
    error = capsys.readouterr().err
    assert "--force" in error and "submission" in error
    assert table_rows(engine) == changed

    assert main(["restore", str(filled.backup), "--db", url, "--force"]) == 0
    assert table_rows(engine) == filled.rows
    engine.dispose()


def test_backup_command_writes_a_file_restore_reads(filled, tmp_path, capsys):
    url = filled.copy(tmp_path / "a.sqlite3")
    assert main(["backup", "--db", url, "--out", str(tmp_path / "b.zip")]) == 0
    assert str(tmp_path / "b.zip") in capsys.readouterr().out
    assert read_manifest(tmp_path / "b.zip").total_rows == sum(map(len, filled.rows.values()))


def rewrite(source, target, change) -> None:
    """Copy a backup, passing each member's bytes through `change(name, data)` (None: the
    member is left out)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            data = change(name, old.read(name))
            if data is not None:
                new.writestr(name, data)


def newer(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["revision"] = "9999"
    return json.dumps(manifest).encode()


def truncated(name: str, data: bytes) -> bytes:
    """The last line of the indicator values cut off."""
    if not name.endswith("indicator_value.jsonl"):
        return data
    return data[: data.rindex(b"\n", 0, -1) + 1]


def test_restore_refuses_a_backup_from_a_newer_version_and_changes_nothing(
    filled, tmp_path, capsys
):
    rewrite(filled.backup, tmp_path / "newer.zip", newer)
    url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    assert main(["restore", str(tmp_path / "newer.zip"), "--db", url, "--force"]) == 2
    assert "9999" in capsys.readouterr().err
    engine = make_engine(url)
    with engine.connect() as conn:
        assert data_tables(conn) == []
    engine.dispose()


def test_restore_refuses_a_target_migrated_by_a_newer_version(filled, tmp_path, capsys):
    url = filled.copy(tmp_path / "newer.sqlite3")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert main(["restore", str(filled.backup), "--db", url, "--force"]) == 2
    assert "9999" in capsys.readouterr().err
    assert table_rows(engine) == filled.rows
    engine.dispose()


def test_restore_refuses_a_backup_whose_tables_differ_from_its_version(filled, tmp_path):
    def without_a_table(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["tables"] = [t for t in manifest["tables"] if t["name"] != "audit_event"]
        return json.dumps(manifest).encode()

    rewrite(filled.backup, tmp_path / "odd.zip", without_a_table)
    engine = make_engine(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    with pytest.raises(BackupError, match="odd.zip"):
        restore(engine, tmp_path / "odd.zip")
    assert all(not rows for rows in table_rows(engine).values())
    engine.dispose()


def missing(name: str, data: bytes) -> bytes | None:
    """The indicator values' file left out of the zip (the manifest still lists it)."""
    return None if name.endswith("indicator_value.jsonl") else data


def garbled(name: str, data: bytes) -> bytes:
    """A line in the middle of the indicator values that is not JSON."""
    if not name.endswith("indicator_value.jsonl"):
        return data
    lines = data.split(b"\n")
    lines[len(lines) // 2] = b"[1, 2, not json"
    return b"\n".join(lines)


@pytest.mark.parametrize("engine_kind", ["sqlite", "postgresql"])
def test_a_damaged_backup_changes_nothing(engine_kind, filled, tmp_path, request, capsys):
    if engine_kind == "postgresql":
        engine = make_engine(request.getfixturevalue("pg_url"))
        restore(engine, filled.backup)
    else:
        engine = make_engine(filled.copy(tmp_path / "a.sqlite3"))
    import_after_restore_works(engine)
    before = table_rows(engine)

    url = engine.url.render_as_string(hide_password=False)
    damaged = tmp_path / "damaged.zip"
    for damage in (truncated, garbled, missing):
        rewrite(filled.backup, damaged, damage)
        with pytest.raises(BackupError, match="indicator_value"):
            restore(engine, damaged, force=True)
        assert table_rows(engine) == before
        assert main(["restore", str(damaged), "--force", "--db", url]) == 2
        assert capsys.readouterr().err == (
            f"python -m data_model restore: {damaged} 已损坏（数据表 indicator_value"
            " 无法完整读取），未做任何改动\n"
        )
        assert table_rows(engine) == before

    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(BackupError, match="junk.zip"):
        restore(engine, tmp_path / "junk.zip", force=True)
    assert table_rows(engine) == before
    engine.dispose()


def test_a_backup_of_an_older_schema_restores_and_is_migrated(filled, tmp_path):
    old = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    migrate(old, "0003")
    with old.begin() as conn:  # a district as the program of revision 0003 stored it
        conn.execute(
            text(
                "INSERT INTO district (code, name, short_name, pinyin, kind, aliases, sort_order)"
                " VALUES ('440303', '罗湖区', '罗湖', 'luohu', 'district', '[]', 0)"
            )
        )
    manifest = backup(old, tmp_path / "old.zip")
    assert manifest.revision == "0003"

    current = make_engine(filled.copy(tmp_path / "current.sqlite3"))
    restore(current, tmp_path / "old.zip", force=True)
    migrate(old)  # what the old database itself becomes under this version of the program
    assert table_rows(current) == table_rows(old)
    with current.connect() as conn:  # counted by revision 0020 after the restore
        assert summaries_references.stored(conn) == summaries_references.recount(conn) == {}
    assert revision(current) == revision(make_engine(filled.copy(tmp_path / "head.sqlite3")))
    old.dispose()
    current.dispose()


def test_backup_of_a_database_without_tables_says_so(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'nothing.sqlite3'}"
    assert main(["backup", "--db", url, "--out", str(tmp_path / "b.zip")]) == 2
    assert "init" in capsys.readouterr().err
    assert not (tmp_path / "b.zip").exists()
    assert not (tmp_path / "b.zip.partial").exists()


def test_backup_messages_exist():
    """Every `backup.` key the code names exists (alike in each language: test_i18n_catalogue)."""
    root = Path(__file__).resolve().parents[2]
    used = set()
    for source in ("data_model/admin/backup.py", "data_model/cli.py"):
        code = (root / source).read_text("utf-8")
        used |= {f"backup.{key}" for key in re.findall(r"[\"']backup\.([a-z_]+)[\"']", code)}
    assert len(used) > 10
    reference = {k: v for k, v in catalogue(LANGUAGES[0]).items() if k.startswith("backup.")}
    assert used <= reference.keys()


def test_restore_counts_the_data_versions_up_so_running_pages_refresh(filled, tmp_path):
    from data_model.queries.shared import data_version

    target = open_database(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    with target.connect() as conn:
        before = dict(data_version(conn))
    restore(target, filled.backup)
    with target.connect() as conn:
        after = dict(data_version(conn))
    assert after.keys() == before.keys()
    assert all(after[name] == before[name] + 1 for name in before)
    target.dispose()


def test_sign_in_sessions_are_not_backed_up_and_a_restore_ends_them(filled, tmp_path):
    """A session names a user a restore replaces: every browser signs in again."""
    with zipfile.ZipFile(filled.backup) as archive:
        assert not [name for name in archive.namelist() if "sign_in_session" in name]
    url = filled.copy(tmp_path / "signed-in.sqlite3")
    engine = make_engine(url)
    with engine.begin() as conn:
        signed_in = sessions.start(conn, "wang")
    assert main(["restore", str(filled.backup), "--db", url, "--force"]) == 0
    with engine.begin() as conn:
        assert sessions.resume(conn, session_id=signed_in.session_id) is None
        assert sessions.open_sessions(conn, "wang") == 0
        assert sessions.start(conn, "wang").session_id  # and signing in works again
    engine.dispose()


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("name", "开展\x00评价", "NUL"),  # a text PostgreSQL refuses
        ("participant_count", 3_000_000_000, "out of range"),  # over PostgreSQL's INTEGER
    ],
)
def test_a_sqlite_value_postgresql_cannot_hold_is_named_and_changes_nothing(
    filled, pg_url, second_pg_url, tmp_path, column, value, reason
):
    # Older versions stored such values on SQLite (the reader now drops control characters
    # and counts are held to 2,147,483,647); moving to PostgreSQL raised a DataError.
    source = make_engine(filled.copy(tmp_path / "odd.sqlite3"))
    with source.begin() as conn:
        conn.execute(
            text(
                f"UPDATE activity SET {column} = :value WHERE id = (SELECT min(id) FROM activity)"
            ),
            {"value": value},
        )
    backup(source, tmp_path / "odd.zip")
    source.dispose()
    target = make_engine(second_pg_url)
    restore(target, filled.backup)
    before = table_rows(target)
    with pytest.raises(BackupError, match="activity") as refused:
        restore(target, tmp_path / "odd.zip", force=True)
    assert reason in str(refused.value) and "未做任何改动" in str(refused.value)
    assert table_rows(target) == before
    target.dispose()
