"""The audit log: recording, filtering, secrets refused, export with inert text."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook

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
    assert english.columns.tolist() == ["time", "user", "action", "detail"]
    assert english["action"].tolist() == ["rollback", "commit", "upload (not stored)", "sign-in"]
    first_login = frame["时间"].iloc[-1]
    assert datetime.strptime(first_login, "%Y-%m-%d %H:%M:%S %z") == T0
    assert frame["详情"].iloc[0] == '{"submission_id": 7}'


def test_unknown_actions_in_old_rows_are_shown_as_stored():
    assert audit.action_label("login") == "登录"
    assert audit.action_label("retired_action") == "retired_action"


def test_exported_log_neutralises_formula_like_text(engine, tmp_path):
    with engine.begin() as conn:
        audit.record(conn, "=cmd|' /C calc'!A0", "login_failed", at=T0, reason="unknown_user")
        frame = audit.export_frame(audit.events(conn))
    sheet = load_workbook(io.BytesIO(frame_to_xlsx(frame))).active
    assert (sheet["B2"].value, sheet["B2"].data_type, sheet["B2"].quotePrefix) == (
        "=cmd|' /C calc'!A0",
        "s",
        True,
    )
    path = tmp_path / "audit.csv"
    write_frame(frame, path)
    assert "'=cmd|' /C calc'!A0" in path.read_text(encoding="utf-8-sig")
