"""Who the command line acts as, what it records, and the sample data loaded all or nothing.

`import --user NAME` acts as that active user with exactly the page's rights; without it
the command acts as the system actor, recorded under a name no user can have. `seed`
runs in one transaction: a failing file, or a process killed half-way, leaves nothing.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_model import settings
from data_model.accounts import users
from data_model.accounts.permissions import SYSTEM
from data_model.accounts.users import USERNAME_PATTERN
from data_model.admin.bootstrap import open_database, seed
from data_model.cli import main
from data_model.store import audit
from data_model.store.models import Activity, Submission
from tests.accounts.test_permissions import activity
from tests.conftest import ACTIVITY_HEADER, indicator_rows, make_xlsx

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("cheap_hashing")  # many passwords are hashed


@pytest.fixture
def db(tmp_path):
    """A database with a staff member of 南山区, a leader and a disabled staff member."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = open_database(url)
    with engine.begin() as conn:
        users.create_user(conn, "wang", "staff", "a-long-password", by="t", districts=["南山区"])
        users.create_user(conn, "zhao", "leader", "a-long-password", by="t")
        users.create_user(conn, "gone", "staff", "a-long-password", by="t", districts=["南山区"])
        users.disable_user(conn, "gone", by="t")
    engine.dispose()
    return url


def activities_file(tmp_path, *rows) -> str:
    path = tmp_path / f"activities-{len(list(tmp_path.iterdir()))}.xlsx"
    path.write_bytes(make_xlsx({"活动台账": [ACTIVITY_HEADER, *rows]}))
    return str(path)


def stored(url: str):
    engine = open_database(url)
    with engine.connect() as conn:
        submissions = conn.execute(select(Submission.uploader, Submission.status)).all()
        activities = set(conn.execute(select(Activity.name).where(Activity.is_current)).scalars())
        events = audit.events(conn, limit=None)
    engine.dispose()
    return submissions, activities, events


def test_the_system_actor_cannot_be_a_user_name():
    assert not USERNAME_PATTERN.fullmatch(SYSTEM.username)


@pytest.mark.parametrize("username", ["ghost", "gone"], ids=["unknown", "disabled"])
def test_import_as_an_unknown_or_disabled_user_is_a_usage_error(tmp_path, db, capsys, username):
    data = activities_file(tmp_path, activity("南山区", "座谈会"))
    assert main(["import", data, "--user", username, "--db", db]) == 2
    assert username in capsys.readouterr().err
    submissions, _, events = stored(db)
    assert submissions == []
    assert "commit" not in set(events["action"])


def test_import_as_staff_applies_their_scope_and_is_audited_under_their_name(tmp_path, db, capsys):
    other = activities_file(tmp_path, activity("福田区", "沙龙"))
    assert main(["import", other, "--user", "wang", "--db", db, "--json"]) == 1
    refused = json.loads(capsys.readouterr().out)
    assert refused["status"] == "rejected"
    assert "福田区" in refused["sheets"][0]["errors"][0]["message"]
    own = activities_file(tmp_path, activity("南山区", "座谈会"))
    assert main(["import", own, "--user", "WANG", "--db", db]) == 0
    submissions, activities, events = stored(db)
    assert submissions == [("wang", "accepted")]
    assert activities == {"座谈会"}
    mine = events[events["username"] == "wang"]
    assert mine["action"].tolist() == ["commit", "upload"]


def test_a_leader_may_not_import_from_the_command_line_either(tmp_path, db, capsys):
    data = activities_file(tmp_path, activity("南山区", "座谈会"))
    assert main(["import", data, "--user", "zhao", "--db", db]) == 2
    assert "领导" in capsys.readouterr().err
    assert stored(db)[0] == []


def test_without_user_the_system_actor_imports_and_is_recorded(tmp_path, db):
    data = activities_file(tmp_path, activity("福田区", "沙龙"))
    assert main(["import", data, "--db", db]) == 0
    export = tmp_path / "activities.xlsx"
    assert main(["export", "activities", "--out", str(export), "--db", db]) == 0
    submissions, activities, events = stored(db)
    assert submissions == [(SYSTEM.username, "accepted")]
    assert activities == {"沙龙"}
    system = events[events["username"] == SYSTEM.username]
    assert system["action"].tolist() == ["export", "commit"]
    assert system["detail"].iloc[0]["what"] == "activities"


# --- the sample data, all or nothing ----------------------------------------------------


def broken_sample(tmp_path) -> Path:
    """The sample folder with its task list replaced by a file that is not a workbook."""
    folder = tmp_path / "sample"
    shutil.copytree(settings.SAMPLE_DATA_DIR, folder, ignore=shutil.ignore_patterns("*.py"))
    (folder / "tasks.xlsx").write_bytes(b"not a workbook")
    return folder


def test_seed_with_a_failing_file_writes_nothing_and_says_so(tmp_path, db):
    engine = open_database(db)
    reports = seed(engine, broken_sample(tmp_path))
    assert [r.status for r in reports] == ["rejected"] * 3
    assert "tasks.xlsx" in reports[0].message
    assert all(r.submission_id is None for r in reports)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Submission)).scalar_one() == 0
    assert [r.status for r in seed(engine)] == ["accepted"] * 5
    engine.dispose()


KILLED_DURING_SEED = """
import os, signal, sys
from data_model import cli
from data_model.admin import bootstrap

real = bootstrap.import_file_in_transaction

def import_then_die(conn, data, name, options):
    report = real(conn, data, name, options)
    if name == {after!r}:
        os.kill(os.getpid(), signal.SIGKILL)
    return report

bootstrap.import_file_in_transaction = import_then_die
sys.exit(cli.main(["seed", "--db", {url!r}]))
"""


def seed_killed_after(url: str, file_name: str) -> int:
    script = textwrap.dedent(KILLED_DURING_SEED).format(after=file_name, url=url)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    return done.returncode


def submission_count(url: str) -> int:
    engine = open_database(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Submission)).scalar_one()
    engine.dispose()
    return count


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_seed_killed_half_way_leaves_nothing_and_if_empty_completes_it(
    request, tmp_path, engine_name
):
    url = (
        request.getfixturevalue("pg_url")
        if engine_name == "postgresql"
        else f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    )
    # Killed after the third of five files was written in the seed's transaction.
    assert seed_killed_after(url, "tasks.xlsx") == -signal.SIGKILL
    assert submission_count(url) == 0
    assert main(["seed", "--if-empty", "--db", url]) == 0
    assert submission_count(url) == 5


def test_a_staff_member_is_refused_a_file_not_theirs_even_when_it_was_imported_before(
    tmp_path, db, capsys
):
    """The scope check comes before "already imported": staff were told the indicator
    system was 已于 … 由 系统（命令行） 导入 (exit 0) instead of that it is not theirs."""
    indicators = tmp_path / "indicators.xlsx"
    indicators.write_bytes(make_xlsx({"指标体系": indicator_rows()}))
    assert main(["import", str(indicators), "--db", db]) == 0
    capsys.readouterr()
    assert main(["import", str(indicators), "--user", "wang", "--dry-run", "--db", db]) == 1
    out = capsys.readouterr().out
    assert out.startswith("indicators.xlsx: 已拒绝")
    assert "指标体系属于主数据，只有管理员可以上传或修改" in out
    assert "系统（命令行）" not in out
    # A file of their own district, imported before, is still unchanged for them.
    mine = activities_file(tmp_path, activity("南山区", "南山走访"))
    assert main(["import", mine, "--db", db]) == 0
    capsys.readouterr()
    assert main(["import", mine, "--user", "wang", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "unchanged"
