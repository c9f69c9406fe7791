"""The command line and its database: one line and exit 2, never a traceback, when the
database cannot be opened, refuses a write or is locked; and no command but `init`,
`seed` and `restore` makes a database a mistyped `--db` names."""

from __future__ import annotations

import io
import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from data_model.cli import EXIT_OK, EXIT_USAGE, main
from data_model.store import db as store_db
from data_model.store.db import make_engine, normalize_url

pytestmark = pytest.mark.usefixtures("cheap_hashing")

PASSWORD = "a-long-password-1"


def one_line(capsys) -> str:
    """The one line a refused command wrote to stderr (no traceback)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


def run(monkeypatch, *argv: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    return main(list(argv))


# --- 1. a database that cannot be opened ----------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["postgresql://someone:secret@127.0.0.1:1/x", "notaurl", "mysql://x:secret@localhost/db"],
    ids=["no server", "not a URL", "no driver"],
)
@pytest.mark.parametrize(
    "argv",
    [
        ["backup", "--out", "{tmp}/b.zip"],
        ["restore", "{tmp}/b.zip"],
        ["init", "--master", "{tmp}/b.zip"],
        ["user", "list"],
    ],
    ids=["backup", "restore", "init --master", "user list"],
)
def test_a_database_that_cannot_be_opened_is_one_line_in_every_command(tmp_path, capsys, url, argv):
    (tmp_path / "b.zip").write_bytes(b"not read")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main([*argv, "--db", url]) == EXIT_USAGE
    err = one_line(capsys)
    assert "无法打开数据库" in err and "请检查 --db 或 DATABASE_URL" in err
    assert "secret" not in err


# --- 3. only init, seed and restore make a database --------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "tasks", "--out", "{tmp}/x.xlsx"],
        ["user", "list"],
        ["user", "add", "zhao", "--role", "leader", "--password-stdin"],
        ["backup", "--out", "{tmp}/b.zip"],
        ["period", "list"],
    ],
    ids=["export", "user list", "user add", "backup", "period list"],
)
def test_a_mistyped_sqlite_file_is_not_created(tmp_path, capsys, monkeypatch, argv):
    missing = tmp_path / "no" / "such" / "typo.sqlite3"
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert run(monkeypatch, *argv, "--db", f"sqlite:///{missing}") == EXIT_USAGE
    err = one_line(capsys)
    assert f"数据库文件 {missing} 不存在" in err
    assert "python -m data_model init" in err
    assert not (tmp_path / "no").exists()
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "b.zip").exists()


def test_a_database_without_tables_is_not_filled(pg_url, tmp_path, capsys):
    """PostgreSQL: the database is there, its tables are not (`pg_url` is emptied)."""
    table, backup = tmp_path / "x.xlsx", tmp_path / "b.zip"
    for argv in (["export", "tasks", "--out", str(table)], ["backup", "--out", str(backup)]):
        assert main([*argv, "--db", pg_url]) == EXIT_USAGE
        err = one_line(capsys)
        assert "中还没有数据表" in err and "python -m data_model init" in err
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        tables = conn.execute(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        ).scalar_one()
    engine.dispose()
    assert tables == 0
    assert not table.exists() and not backup.exists()


def test_init_seed_and_restore_make_a_new_sqlite_database(tmp_path, capsys):
    first = f"sqlite:///{tmp_path / 'a' / 'first.sqlite3'}"
    assert main(["init", "--db", first]) == EXIT_OK
    assert main(["user", "list", "--db", first]) == EXIT_OK
    assert main(["backup", "--out", str(tmp_path / "b.zip"), "--db", first]) == EXIT_OK
    restored = tmp_path / "b" / "restored.sqlite3"
    assert main(["restore", str(tmp_path / "b.zip"), "--db", f"sqlite:///{restored}"]) == EXIT_OK
    assert restored.is_file()
    seeded = tmp_path / "c" / "seeded.sqlite3"
    assert main(["seed", "--if-empty", "--db", f"sqlite:///{seeded}"]) == EXIT_OK
    assert "已导入" in capsys.readouterr().out
    assert seeded.is_file()


# --- 2. a database that refuses a write, or is locked ------------------------------------


def read_only_url(url: str) -> str:
    """The same database, opened read-only: a SQLite URI with mode=ro (chmod does not
    stop root, who may run the tests), a PostgreSQL session whose transactions are all
    read-only (as on a standby)."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    options = {"options": "-c default_transaction_read_only=on"}
    return parsed.update_query_dict(options).render_as_string(hide_password=False)


@pytest.mark.parametrize(
    "argv",
    [
        ["user", "add", "zhao", "--role", "leader", "--password-stdin"],
        ["master", "add", "units", "新单位", "--set", "category=city_department"],
        ["period", "close", "indicator-values", "2023"],
        ["review", "require", "activities"],
        ["export", "tasks", "--out", "{tmp}/x.xlsx"],
    ],
    ids=["user add", "master add", "period close", "review require", "export"],
)
def test_a_read_only_database_is_one_line_without_row_values(
    empty_db, tmp_path, capsys, monkeypatch, argv
):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert run(monkeypatch, *argv, "--db", read_only_url(empty_db.url)) == EXIT_USAGE
    err = one_line(capsys)
    assert "是只读的" in err and "写权限" in err
    assert "$argon2" not in err and "INSERT" not in err


def test_a_locked_database_is_one_line_saying_try_again(sqlite_url, capsys, monkeypatch):
    """SQLite: another process holds the write lock for longer than a writer waits.
    (PostgreSQL makes a writer wait for a row lock, not for the whole database.)"""
    monkeypatch.setattr(store_db, "LOCK_WAIT_SECONDS", 0.2)
    holder = sqlite3.connect(make_url(sqlite_url).database)
    holder.execute("BEGIN IMMEDIATE")
    try:
        argv = ["user", "add", "zhao", "--role", "leader", "--password-stdin"]
        assert run(monkeypatch, *argv, "--db", sqlite_url) == EXIT_USAGE
    finally:
        holder.rollback()
        holder.close()
    err = one_line(capsys)
    assert "正被另一个进程写入" in err and "请稍后重试" in err
    assert run(monkeypatch, *argv, "--db", sqlite_url) == EXIT_OK


def test_a_database_error_never_carries_row_values(empty_db):
    engine = make_engine(empty_db.url)
    with pytest.raises(DBAPIError) as raised, engine.connect() as conn:
        conn.execute(text("INSERT INTO no_such_table VALUES (:v)"), {"v": "$argon2id$secret"})
    engine.dispose()
    assert "no_such_table" in str(raised.value)
    assert "secret" not in str(raised.value)
