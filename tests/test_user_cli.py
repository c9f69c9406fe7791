"""`python -m data_model user add|passwd|disable|enable|list` and `audit`, through `main`."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from data_model.accounts import users
from data_model.admin.bootstrap import open_database
from data_model.cli import EXIT_OK, EXIT_USAGE, main

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("cheap_hashing")  # many passwords are hashed


@pytest.fixture
def db(sqlite_url):
    return sqlite_url


def stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def run(monkeypatch, db, *argv: str, password: str | None = None) -> int:
    if password is not None:
        stdin(monkeypatch, password + "\n")
        argv = (*argv, "--password-stdin")
    return main([*argv, "--db", db])


def sign_in(db, username: str, password: str) -> str:
    engine = open_database(db)
    with engine.begin() as conn:
        reason = users.authenticate(conn, username, password).reason
    engine.dispose()
    return reason


def list_lines(monkeypatch, db, capsys) -> list[list[str]]:
    capsys.readouterr()
    assert run(monkeypatch, db, "user", "list") == EXIT_OK
    return [line.split() for line in capsys.readouterr().out.splitlines()]


def test_add_then_list_shows_name_role_binding_and_state(monkeypatch, db, capsys):
    assert run(monkeypatch, db, "user", "add", "Admin1", "--role", "admin", password=PASSWORD) == 0
    assert capsys.readouterr().out.strip() == "已添加用户 admin1（管理员）。"
    code = run(
        monkeypatch,
        db,
        "user",
        "add",
        "wang",
        "--role",
        "staff",
        "--district",
        "南山",
        "--unit",
        "南山区工商联",
        "--name",
        "王小明",
        password=PASSWORD,
    )
    assert code == EXIT_OK
    assert list_lines(monkeypatch, db, capsys) == [
        ["用户名", "姓名", "角色", "负责区/单位", "启用", "锁定"],
        ["admin1", "-", "管理员", "-", "是", "-"],
        ["wang", "王小明", "报送员", "南山区、南山区工商联", "是", "-"],
    ]
    assert sign_in(db, "wang", PASSWORD) == "ok"


def test_password_typed_twice_at_the_prompt(monkeypatch, db, capsys):
    typed = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert main(["user", "add", "chen", "--role", "leader", "--db", db]) == EXIT_OK
    assert sign_in(db, "chen", PASSWORD) == "ok"


def test_different_passwords_at_the_prompt_change_nothing(monkeypatch, db, capsys):
    typed = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert main(["user", "add", "chen", "--role", "leader", "--db", db]) == EXIT_USAGE
    assert "两次输入的密码不一致" in capsys.readouterr().err
    assert list_lines(monkeypatch, db, capsys)[0][0] == "还没有任何用户。请用"


@pytest.mark.parametrize(
    ("argv", "password", "message"),
    [
        (["wang", "--role", "staff", "--district", "南山区"], "short", "至少需要 10 个字符"),
        (["wang", "--role", "staff", "--district", "南山区"], "", "标准输入中没有密码"),
        (["wang", "--role", "staff", "--district", "南山区"], "WANG", "至少需要"),
        (["wangxiaoming", "--role", "leader"], "wangxiaoming", "不能与用户名相同"),
        (["wang", "--role", "staff"], PASSWORD, "至少需要绑定一个区或一个单位"),
        (["wang", "--role", "staff", "--district", "南三区"], PASSWORD, "是否为：南山区"),
        (["wang", "--role", "leader", "--district", "南山区"], PASSWORD, "只有报送员"),
        (["wang xm", "--role", "leader"], PASSWORD, "用户名「wang xm」不可用"),
    ],
)
def test_add_usage_errors_exit_2_with_the_reason(monkeypatch, db, capsys, argv, password, message):
    assert run(monkeypatch, db, "user", "add", *argv, password=password) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("python -m data_model user: ")
    assert message in err
    assert "还没有任何用户" in " ".join(list_lines(monkeypatch, db, capsys)[0])


def test_taken_name_exits_2_before_asking_for_a_password(monkeypatch, db, capsys):
    assert run(monkeypatch, db, "user", "add", "chen", "--role", "leader", password=PASSWORD) == 0
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("asked for a password"))
    assert main(["user", "add", "CHEN", "--role", "admin", "--db", db]) == EXIT_USAGE
    assert "「chen」已存在" in capsys.readouterr().err


def test_missing_or_bad_role_is_an_argparse_usage_error(monkeypatch, db, capsys):
    for argv in (["user", "add", "chen"], ["user", "add", "chen", "--role", "viewer"]):
        with pytest.raises(SystemExit) as exit_:
            main([*argv, "--db", db])
        assert exit_.value.code == EXIT_USAGE
    assert "--role" in capsys.readouterr().err


def test_passwd_replaces_the_password(monkeypatch, db, capsys):
    run(monkeypatch, db, "user", "add", "chen", "--role", "leader", password=PASSWORD)
    new = "another good password"
    assert run(monkeypatch, db, "user", "passwd", "chen", password=new) == EXIT_OK
    assert "已修改 chen 的密码" in capsys.readouterr().out
    assert sign_in(db, "chen", PASSWORD) == "bad_credentials"
    assert sign_in(db, "chen", new) == "ok"
    assert run(monkeypatch, db, "user", "passwd", "chen", password="short") == EXIT_USAGE
    assert sign_in(db, "chen", new) == "ok"


def test_passwd_of_an_unknown_user_exits_2(monkeypatch, db, capsys):
    assert run(monkeypatch, db, "user", "passwd", "ghost", password=PASSWORD) == EXIT_USAGE
    assert "没有用户名为「ghost」的用户" in capsys.readouterr().err


def test_disable_and_enable(monkeypatch, db, capsys):
    run(monkeypatch, db, "user", "add", "chen", "--role", "admin", password=PASSWORD)
    run(monkeypatch, db, "user", "add", "zhao", "--role", "leader", password=PASSWORD)
    assert run(monkeypatch, db, "user", "disable", "zhao") == EXIT_OK
    assert "已停用用户 zhao" in capsys.readouterr().out
    assert list_lines(monkeypatch, db, capsys)[2] == ["zhao", "-", "领导", "-", "否", "-"]
    assert sign_in(db, "zhao", PASSWORD) == "disabled"
    assert run(monkeypatch, db, "user", "enable", "zhao") == EXIT_OK
    assert sign_in(db, "zhao", PASSWORD) == "ok"
    assert run(monkeypatch, db, "user", "disable", "ghost") == EXIT_USAGE


def test_the_last_admin_cannot_be_disabled_from_the_shell(monkeypatch, db, capsys):
    run(monkeypatch, db, "user", "add", "chen", "--role", "admin", password=PASSWORD)
    assert run(monkeypatch, db, "user", "disable", "chen") == EXIT_USAGE
    assert "唯一启用的管理员" in capsys.readouterr().err


def test_list_shows_a_locked_account_and_enable_unlocks_it(monkeypatch, db, capsys):
    run(monkeypatch, db, "user", "add", "zhao", "--role", "leader", password=PASSWORD)
    for _ in range(5):
        sign_in(db, "zhao", "wrong password")
    locked = list_lines(monkeypatch, db, capsys)[1]
    assert locked[:5] == ["zhao", "-", "领导", "-", "是"]
    assert locked[5].startswith("至")
    run(monkeypatch, db, "user", "enable", "zhao")
    assert list_lines(monkeypatch, db, capsys)[1][5] == "-"


def test_audit_export_to_csv_and_xlsx_with_filters(monkeypatch, db, tmp_path, capsys):
    run(monkeypatch, db, "user", "add", "chen", "--role", "admin", password=PASSWORD)
    sign_in(db, "chen", PASSWORD)
    sign_in(db, '=HYPERLINK("http://x")', "guess guess guess")
    out = tmp_path / "audit.csv"
    assert main(["audit", "--out", str(out), "--db", db]) == EXIT_OK
    assert f"已将 3 条审计记录写入 {out}" in capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["时间", "用户", "操作", "详情"]
    assert [row[2] for row in rows[1:]] == ["登录失败", "登录", "用户变更"]
    assert rows[1][1] == '\'=HYPERLINK("http://x")'  # inert in a spreadsheet
    assert rows[1][3] == "原因：用户名不存在"  # the detail as people read it
    assert PASSWORD not in out.read_text(encoding="utf-8-sig")
    xlsx = tmp_path / "logins.xlsx"
    today = datetime.now(UTC).date().isoformat()
    argv = ["audit", "--out", str(xlsx), "--action", "login", "--since", today, "--db", db]
    assert main(argv) == EXIT_OK
    rows = list(load_workbook(xlsx).active.values)
    assert [r[1:3] for r in rows] == [("用户", "操作"), ("chen", "登录")]
    future = ["audit", "--out", str(xlsx), "--since", "2999-01-01", "--db", db]
    assert main(future) == EXIT_OK
    assert len(list(load_workbook(xlsx).active.values)) == 1
    # The audit exports themselves are in the log.
    assert main(["audit", "--out", str(out), "--action", "export", "--db", db]) == EXIT_OK
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "audit.txt"], "请用 .xlsx 或 .csv"),
        (["--out", "audit.csv", "--since", "2024/01/01"], "不是有效日期"),
    ],
)
def test_audit_usage_errors_exit_2(db, tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(["audit", *argv, "--db", db]) == EXIT_USAGE
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["add", "zhao", "--role", "leader"], ["passwd", "admin"]], ids=["add", "passwd"]
)
def test_no_terminal_and_no_password_stdin_says_to_use_password_stdin(db, monkeypatch, argv):
    """As from cron or `docker exec` without -t: a new session has no terminal (/dev/tty),
    and standard input is empty. getpass warned, then crashed on EOFError."""
    assert run(monkeypatch, db, "user", "add", "admin", "--role", "admin", password=PASSWORD) == 0
    done = subprocess.run(
        [sys.executable, "-m", "data_model", "user", *argv, "--db", db],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        start_new_session=True,
        timeout=120,
    )
    assert done.returncode == EXIT_USAGE
    assert done.stderr == (
        "python -m data_model user: 没有给出密码：没有可输入密码的终端，也没有用 --password-stdin"
        " 从标准输入读取密码。请在终端中运行这条命令，或加上 --password-stdin，从标准输入给出一行"
        "密码（如 … --password-stdin < 密码文件）。\n"
    )
    with open_database(db).connect() as conn:
        assert users.get_user(conn, "zhao") is None
