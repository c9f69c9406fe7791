"""The audit log: recording, filtering, secrets refused, details read in the viewer's
language, export with inert text."""

from __future__ import annotations

import ast
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from data_model.accounts import users
from data_model.i18n import LANGUAGES, catalogue
from data_model.outputs.export import frame_to_xlsx, write_frame
from data_model.store import audit

T0 = datetime(2024, 1, 5, 1, 30, tzinfo=UTC)


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


@pytest.fixture
def logged(engine):
    with engine.begin() as conn:
        audit.record(conn, "chen", "login", at=T0)
        audit.record(conn, "wang", "upload", at=T0 + timedelta(hours=1), file="a.xlsx")
        audit.record(conn, "wang", "commit", at=T0 + timedelta(hours=2), submission_id=7)
        audit.record(conn, "chen", "rollback", at=T0 + timedelta(days=2), submission_id=7)
    return engine


def test_events_are_newest_first_with_their_details(logged):
    with logged.connect() as conn:
        frame = audit.events(conn)
    assert frame.columns.tolist() == ["id", "at", "username", "action", "detail"]
    assert frame["action"].tolist() == ["rollback", "commit", "upload", "login"]
    assert frame["detail"].tolist() == [
        {"submission_id": 7},
        {"submission_id": 7},
        {"file": "a.xlsx"},
        {},
    ]
    assert pd.Timestamp(frame["at"][3]) == pd.Timestamp(T0)


def test_filters_by_time_user_and_action_and_limit(logged):
    with logged.connect() as conn:
        assert audit.events(conn, since=T0 + timedelta(hours=1))["action"].tolist() == [
            "rollback",
            "commit",
            "upload",
        ]
        assert audit.events(conn, since=date(2024, 1, 6))["action"].tolist() == ["rollback"]
        assert audit.events(conn, username="wang")["action"].tolist() == ["commit", "upload"]
        assert audit.events(conn, action="login")["username"].tolist() == ["chen"]
        assert audit.events(conn, username="wang", action="rollback").empty
        assert audit.events(conn, limit=2)["action"].tolist() == ["rollback", "commit"]
        assert len(audit.events(conn, limit=None)) == 4


def test_an_empty_log_is_an_empty_frame_with_the_columns(engine):
    with engine.connect() as conn:
        frame = audit.events(conn)
    assert frame.empty and frame.columns.tolist() == audit.EVENT_COLUMNS
    assert audit.export_frame(frame).columns.tolist() == ["时间", "用户", "操作", "详情"]


@pytest.mark.parametrize("key", ["password", "Password", "password_hash", "new_password"])
def test_secrets_are_refused_as_details(engine, key):
    with engine.begin() as conn, pytest.raises(ValueError, match="secrets"):
        audit.record(conn, "chen", "user_change", **{key: "hunter2hunter2"})
    with engine.connect() as conn:
        assert audit.events(conn).empty


def test_unknown_action_and_naive_time_are_bugs(engine):
    with engine.begin() as conn:
        with pytest.raises(ValueError, match="unknown audit action"):
            audit.record(conn, "chen", "hack")
        with pytest.raises(ValueError, match="timezone"):
            audit.record(conn, "chen", "login", at=datetime(2024, 1, 1))


def test_details_become_json_and_long_names_are_cut_to_the_column(engine):
    with engine.begin() as conn:
        audit.record(
            conn,
            "x" * 200,
            "export",
            at=T0,
            day=date(2024, 1, 2),
            when=T0,
            kinds={"tasks", "issues"},
            periods=("2023-Q1", "2023-Q2"),
            other=frozenset(),
            nested={"rows": {"task": 3}},
        )
        event = audit.events(conn).iloc[0]
    assert event["username"] == "x" * 64
    assert event["detail"] == {
        "day": "2024-01-02",
        "when": "2024-01-05T01:30:00+00:00",
        "kinds": ["issues", "tasks"],
        "periods": ["2023-Q1", "2023-Q2"],
        "other": [],
        "nested": {"rows": {"task": 3}},
    }


def test_export_frame_labels_actions_and_shows_local_time_with_offset(logged):
    with logged.connect() as conn:
        frame = audit.export_frame(audit.events(conn))
        english = audit.export_frame(audit.events(conn), "en")
    assert frame["操作"].tolist() == ["撤回", "提交入库", "上传（未入库）", "登录"]
    assert english.columns.tolist() == ["Time", "User", "Action", "Detail"]
    assert english["Action"].tolist() == ["Rollback", "Commit", "Upload (not stored)", "Sign-in"]
    first_login = frame["时间"].iloc[-1]
    assert datetime.strptime(first_login, "%Y-%m-%d %H:%M:%S %z") == T0
    assert frame["详情"].tolist() == ["报送批次：7", "报送批次：7", "文件：a.xlsx", ""]
    assert english["Detail"].tolist() == [
        "Submission no.: 7",
        "Submission no.: 7",
        "File: a.xlsx",
        "",
    ]


def test_unknown_actions_in_old_rows_are_shown_as_stored():
    assert audit.action_label("login") == "登录"
    assert audit.action_label("retired_action") == "retired_action"


def test_exported_log_neutralises_formula_like_text(engine, tmp_path):
    with engine.begin() as conn:
        audit.record(conn, "=cmd|' /C calc'!A0", "login_failed", at=T0, reason="unknown_user")
        frame = audit.export_frame(audit.events(conn))
    sheet = load_workbook(io.BytesIO(frame_to_xlsx(frame, "audit"))).active
    assert (sheet["B2"].value, sheet["B2"].data_type, sheet["B2"].quotePrefix) == (
        "=cmd|' /C calc'!A0",
        "s",
        True,
    )
    path = tmp_path / "audit.csv"
    write_frame(frame, path)
    assert "'=cmd|' /C calc'!A0" in path.read_text(encoding="utf-8-sig")


# --- details as people read them -------------------------------------------------------------

PASSWORD = "correct horse battery"


def _events_of_every_shape(conn) -> None:
    """Events as the code records them: sign-ins and user changes by the accounts module,
    the others with the details their callers write."""
    users.create_user(
        conn, "li", "staff", PASSWORD, by="chen", districts=["罗湖区"], units=["市商务局"], now=T0
    )
    users.authenticate(conn, "li", PASSWORD, now=T0 + timedelta(minutes=1))
    users.authenticate(conn, "li", "wrong password!!", now=T0 + timedelta(minutes=2))
    later = T0 + timedelta(minutes=3)
    audit.record(
        conn,
        "li",
        "upload",
        at=later,
        file="tasks.xlsx",
        status="partial",
        dry_run=True,
        submission_id=None,
        rows_accepted=12,
        errors=2,
    )
    audit.record(
        conn, "chen", "rollback", at=later, submission_id=7, rows={"task": 3, "task_snapshot": 3}
    )
    audit.record(
        conn,
        "chen",
        "master_change",
        at=later,
        list="districts",
        op="edit",
        name="罗湖区",
        changes={"kind": ["district", "functional_area"], "aliases": [[], ["罗湖", "LH"]]},
    )
    audit.record(conn, "chen", "export", at=later, what="audit", rows=40, legacy_flag=True)


def _details(conn, language):
    frame = audit.export_frame(audit.events(conn), language)
    return dict(zip(frame.iloc[:, 2], frame.iloc[:, 3], strict=True))


def test_details_read_as_sentences_in_the_viewers_language(engine):
    with engine.begin() as conn:
        _events_of_every_shape(conn)
    with engine.connect() as conn:
        chinese, english = _details(conn, "zh-CN"), _details(conn, "en")
    assert chinese == {
        "导出": "导出内容：操作日志；行数：40 行；legacy_flag：是",
        "主数据变更": "操作：修改；名录：区；名称：罗湖区；改动：层级：区 → 功能区、别名：— → 罗湖、LH",
        "撤回": "报送批次：7；撤回：任务：3 行、任务进展：3 行",
        "上传（未入库）": "文件：tasks.xlsx；试运行：是；结果：部分接收；接收：12 行；错误：2 条",
        "登录失败": "原因：密码错误；连续失败：1 次",
        "登录": "密码哈希已升级：否",
        "用户变更": "变更：新建用户；用户：li；角色：报送员；所属区：罗湖区；所属单位：市商务局",
    }
    assert english == {
        "Export": "Exported: audit log; Rows: 40; legacy_flag: yes",
        "Master data change": "Operation: edited; List: Districts; Name: 罗湖区; "
        "Changes: Level: District → Functional area, Aliases: — → 罗湖, LH",
        "Rollback": "Submission no.: 7; Rows withdrawn: tasks: 3, task progress: 3",
        "Upload (not stored)": "File: tasks.xlsx; Dry run: yes; Outcome: partially accepted; "
        "Rows accepted: 12; Errors: 2",
        "Failed sign-in": "Reason: wrong password; Failed attempts: 1",
        "Sign-in": "Password hash upgraded: no",
        "User change": "Change: user created; User: li; Role: staff; Districts: 罗湖区; "
        "Units: 市商务局",
    }


def test_older_rows_read_key_and_value_without_json():
    assert audit.detail_text({"retired": ["a", "b"], "n": 3, "gone": None}) == "n：3；retired：a、b"
    assert audit.detail_text({}, "login", "en") == ""
    assert audit.detail_text(None) == ""


def _recorded_keys() -> set[str]:
    """The detail keys the code passes to `audit.record` (or `held_uploads`' `record`, or
    master data's `_lock_and_audit`), and the counts a master-data import spreads into it."""
    root = Path(audit.__file__).parents[2]
    sources = [*(root / "data_model").rglob("*.py"), root / "signin.py", root / "ui.py"]
    keys = {"added", "updated", "unchanged"}  # master_workbook's **counts
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if (name == "record" and owner in ("audit", "")) or name == "_lock_and_audit":
                keys |= {k.arg for k in node.keywords if k.arg not in (None, "at")}
    return keys


def test_every_detail_key_the_code_records_has_a_label_in_each_language():
    recorded = _recorded_keys()
    assert {"dry_run", "rehashed", "errors", "changes", "moved", "reason"} <= recorded
    assert recorded <= set(audit.DETAIL_KEYS), sorted(recorded - set(audit.DETAIL_KEYS))
    for language in LANGUAGES:
        missing = {k for k in audit.DETAIL_KEYS if f"audit.detail_{k}" not in catalogue(language)}
        assert not missing, f"{language}: {sorted(missing)}"
