"""A process killed (SIGKILL) in the middle of an import, a rollback or a restore leaves
the database exactly as before or exactly as after, never in between, on SQLite and on
PostgreSQL; a killed backup leaves no file under the backup's name.

Every table is compared by row count and a hash of its rows. "After" is the state an
uninterrupted run of the same operation reaches from the same copy of the database; the
times of day it writes (upload and rollback times) differ between runs, so the "after"
comparison leaves datetime values out, while "before" is compared exactly.

The operations run in children forked by one warmed-up Python process (it has imported
the program once, so a child starts its work at once instead of after seconds of
imports); a child runs the same code as `python -m data_model import|restore` and is
killed after a random delay spread over the time the uninterrupted run took.
`BACKUP_FAULT_TRIALS` (default 2) sets the kills per operation and engine.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import DateTime, func, select, text
from sqlalchemy.engine import make_url

from data_model.admin.backup import data_tables, read_manifest
from data_model.admin.bootstrap import open_database, seed
from data_model.store.db import make_engine
from data_model.store.models import Submission

ROOT = Path(__file__).resolve().parents[2]
TRIALS = int(os.environ.get("BACKUP_FAULT_TRIALS", "2"))
MONTHLY = ["YS01", "YS02", "YS03", "YS06", "FZ06", "ZL01", "ZL02", "ZL03", "ZL04", "ZL05"]
MONTHLY += ["CZ05", "SH06"]

# Reads one JSON argument list per line; forks a child that runs it, answers the child's
# pid, reaps it and answers its exit status (negative: the signal that killed it) and
# how long it ran.
FORK_SERVER = r"""
import json, os, sys, time
from data_model.cli import main
from data_model.store.db import make_engine
from data_model.store.storage import rollback_submission

def run(argv):
    if argv[0] == "rollback":
        engine = make_engine(argv[1])
        with engine.begin() as conn:
            rollback_submission(conn, int(argv[2]), by="admin")
        return 0
    return main(argv)

for line in sys.stdin:
    argv = json.loads(line)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        code = 99
        try:
            code = run(argv)
        finally:
            os._exit(code)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps([os.waitstatus_to_exitcode(status), time.monotonic() - started]), flush=True)
"""


class ForkServer:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", FORK_SERVER],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, argv: list[str], kill_after: float | None = None) -> tuple[int, float]:
        """Run `argv` in a child; kill it with SIGKILL after `kill_after` seconds.
        Returns its exit status (-9 when the kill landed) and how long it ran."""
        self.process.stdin.write(json.dumps(argv) + "\n")
        self.process.stdin.flush()
        pid = int(self.process.stdout.readline())
        if kill_after is not None:
            wait(kill_after)
            with suppress(ProcessLookupError):  # it finished first (and was reaped)
                os.kill(pid, signal.SIGKILL)
        status, elapsed = json.loads(self.process.stdout.readline())
        return status, elapsed

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def wait(seconds: float) -> None:
    time.sleep(seconds)


@pytest.fixture(scope="module")
def fork_server():
    server = ForkServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def big_workbook(tmp_path_factory) -> Path:
    """About 50,000 monthly values for 1995-2023; those of 2021-2023 replace the sample
    data's, so the import both inserts and supersedes rows (and a rollback restores them)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("指标数据")
    sheet.append(["指标编码", "指标名称", "区", "期间", "数值", "备注"])
    districts = ["光明区", "全市", "南山区", "坪山区", "大鹏新区", "宝安区"]
    districts += ["深汕特别合作区", "盐田区", "福田区", "罗湖区", "龙华区", "龙岗区"]
    n = 0
    for year in range(1995, 2024):
        for month in range(1, 13):
            for code in MONTHLY:
                for district in districts:
                    n += 1
                    sheet.append([code, None, district, f"{year}-{month:02d}", 100 + n % 997, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path_factory.mktemp("faults") / "big.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


# --- fingerprints ----------------------------------------------------------------------


@dataclass
class State:
    """Per table: row count and a SHA-256 of its rows in primary-key order, once with
    every value (`exact`) and once with datetime values left out (`without_times`)."""

    exact: dict[str, tuple[int, str]]
    without_times: dict[str, tuple[int, str]]

    @classmethod
    def of(cls, url: str) -> State:
        exact, without_times = {}, {}
        engine = make_engine(url)
        with engine.connect() as conn:
            for table in data_tables(conn):
                hashes = _server_hashes if conn.dialect.name == "postgresql" else _hashes
                count, every, timeless = hashes(conn, table)
                exact[table.name] = (count, every)
                without_times[table.name] = (count, timeless)
        engine.dispose()
        return cls(exact, without_times)


def _hashes(conn, table) -> tuple[int, str, str]:
    every, timeless = hashlib.sha256(), hashlib.sha256()
    count = 0
    for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
        every.update(repr(tuple(row)).encode())
        timeless.update(repr([_no_time(v) for v in row]).encode())
        count += 1
    return count, every.hexdigest(), timeless.hexdigest()


def _server_hashes(conn, table) -> tuple[int, str, str]:
    """The same on the server, as PostgreSQL writes the rows as text: no rows to transfer."""
    quote = conn.dialect.identifier_preparer.quote
    timeless = [quote(c.name) for c in table.columns if not _is_time(c)] or ["1"]
    order = ", ".join(quote(c.name) for c in table.primary_key.columns)
    return tuple(
        conn.execute(
            text(
                f"SELECT count(*), md5(string_agg(md5(t::text), '' ORDER BY {order})),"
                f" md5(string_agg(md5(ROW({', '.join(timeless)})::text), '' ORDER BY {order}))"
                f" FROM {quote(table.name)} AS t"
            )
        ).one()
    )


def _is_time(column) -> bool:
    kind = column.type
    return isinstance(getattr(kind, "impl_instance", kind), DateTime)


def _no_time(value):
    return None if isinstance(value, datetime) else value


# --- databases: named copies to start each trial from ----------------------------------


class SqliteDatabases:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def url(self, name: str) -> str:
        return f"sqlite:///{self.folder / name}.sqlite3"

    def copy(self, source: str, target: str) -> str:
        """`target` becomes a copy of `source` (whose engines are all disposed)."""
        # A child ends with os._exit, leaving its commits in the WAL: move them into the file.
        with closing(sqlite3.connect(self.folder / f"{source}.sqlite3")) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ("", "-wal", "-shm"):
            (self.folder / f"{target}.sqlite3{suffix}").unlink(missing_ok=True)
        shutil.copy(self.folder / f"{source}.sqlite3", self.folder / f"{target}.sqlite3")
        return self.url(target)

    def close(self) -> None:
        pass


class PostgresDatabases:
    def __init__(self, test_url: str) -> None:
        self.base = make_url(test_url)
        self.admin = make_engine(test_url).execution_options(isolation_level="AUTOCOMMIT")
        self.names: set[str] = set()

    def _name(self, name: str) -> str:
        return f"{self.base.database}_fault_{name}"

    def url(self, name: str) -> str:
        if self._name(name) not in self.names:
            self._create(name, None)
        return self.base.set(database=self._name(name)).render_as_string(hide_password=False)

    def copy(self, source: str, target: str) -> str:
        self._create(target, source)
        return self.url(target)

    def _create(self, name: str, template: str | None) -> None:
        like = f' TEMPLATE "{self._name(template)}"' if template else ""
        with self.admin.connect() as conn:
            # FORCE also ends a killed client's backend that may still be rolling back.
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self._name(name)}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{self._name(name)}"{like}'))
        self.names.add(self._name(name))

    def close(self) -> None:
        with self.admin.connect() as conn:
            for name in self.names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    if request.param == "postgresql":
        found = PostgresDatabases(request.getfixturevalue("pg_url"))
    else:
        found = SqliteDatabases(tmp_path)
    yield found
    found.close()


# --- the test ------------------------------------------------------------------------


def last_submission(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(select(func.max(Submission.id))).scalar_one()
    engine.dispose()
    return found


def test_a_killed_import_rollback_restore_or_backup_leaves_before_or_after(
    databases, fork_server, big_workbook, tmp_path
):
    engine = open_database(databases.url("sample"))
    assert {r.status for r in seed(engine)} == {"accepted"}
    engine.dispose()
    sample = State.of(databases.url("sample"))

    # Uninterrupted runs: the "after" states, and how long each operation takes.
    imported_url = databases.copy("sample", "imported")
    import_argv = ["import", str(big_workbook), "--json"]
    status, import_time = fork_server.run([*import_argv, "--db", imported_url])
    assert status == 0
    imported = State.of(imported_url)
    assert imported.exact["indicator_value"][0] > sample.exact["indicator_value"][0] + 40_000
    big = last_submission(imported_url)

    rolled_back_url = databases.copy("imported", "trial")
    status, rollback_time = fork_server.run(["rollback", rolled_back_url, str(big)])
    assert status == 0
    rolled_back = State.of(rolled_back_url)

    backup_argv = ["backup", "--out", str(tmp_path / "imported.zip"), "--db", imported_url]
    status, backup_time = fork_server.run(backup_argv)
    assert status == 0
    restore_argv = ["restore", str(tmp_path / "imported.zip"), "--force"]
    status, restore_time = fork_server.run(
        [*restore_argv, "--db", databases.copy("sample", "trial")]
    )
    assert status == 0  # that it restores exactly is test_backup's part

    operations = [
        # name, database to start from, arguments, state before, state after, run time
        ("import", "sample", lambda url: [*import_argv, "--db", url], sample, imported, import_time),
        ("rollback", "imported", lambda url: ["rollback", url, str(big)], imported, rolled_back,
         rollback_time),
        ("restore", "sample", lambda url: [*restore_argv, "--db", url], sample, imported,
         restore_time),
    ]  # fmt: skip
    seed_value = random.randrange(1 << 30)
    rng = random.Random(seed_value)
    outcomes = []
    for name, start, argv, before, after, run_time in operations:
        trial, killed = 0, False
        # TRIALS kills spread over the run time; then, while none has landed in the work (a
        # run faster than the measured one finishes first), a few more, sooner.
        while trial < TRIALS or (not killed and trial < TRIALS + 3):
            delay = run_time * (trial % TRIALS + rng.random()) / TRIALS
            url = databases.copy(start, "trial")
            status, elapsed = fork_server.run(argv(url), kill_after=delay)
            if status == 0:
                run_time = min(run_time, elapsed)
            killed = killed or status == -signal.SIGKILL
            state = State.of(url)
            if state.exact == before.exact:
                outcome = "before"
            elif state.without_times == after.without_times:
                outcome = "after"
            else:
                changed = [t for t in before.exact if state.exact[t] != before.exact[t]]
                pytest.fail(
                    f"{name} killed after {delay:.2f}s (random seed {seed_value}) left the "
                    f"database between before and after; tables changed: {changed}"
                )
            outcomes.append((name, round(delay, 2), status, outcome))
            trial += 1
        assert killed, f"no kill landed while {name} ran: {outcomes}"

    # A killed backup leaves no file under the name it was to have, or a whole one.
    (tmp_path / "imported.zip").unlink()
    status, _ = fork_server.run(backup_argv, kill_after=backup_time * rng.random())
    if status == -signal.SIGKILL:
        assert not (tmp_path / "imported.zip").exists()
    else:
        assert read_manifest(tmp_path / "imported.zip").total_rows
