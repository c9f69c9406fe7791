"""Shared fixtures: a migrated database per test and in-memory workbook builders."""

from __future__ import annotations

import io
import os

import pytest
from openpyxl import Workbook
from sqlalchemy import text

from data_model.cli import open_database

INDICATOR_HEADER = [
    "指标编码",
    "指标名称",
    "维度",
    "计量单位",
    "指标方向",
    "权重",
    "目标值",
    "数据频度",
    "汇总方式",
]
VALUE_HEADER = ["指标编码", "指标名称", "区", "期间", "数值", "备注"]


@pytest.fixture
def engine(tmp_path):
    """A fresh SQLite database, migrated, with the default master data."""
    engine = open_database(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests need a server (see .ci/run)")
    from data_model.db import make_engine

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


def indicator_rows() -> list[list]:
    return [
        INDICATOR_HEADER,
        ["YS01", "企业开办时间", "营商环境", "天", "逆向", 10, 1, "月", "期末值"],
        ["YS02", "新增民营企业数", "民营经济发展质量", "家", "正向", 20, 1000, "月", "求和"],
        ["YS03", "诉求办结率", "政企沟通", "%", "正向", 10, 95, "季", "期末值"],
    ]


TEST_PASSWORD = "a-long-test-password"


def sign_in_app(app, data_dir, role: str = "admin", username: str | None = None, **binding):
    """Create a user of `role` in the app's database (DATA_DIR) and sign the AppTest in."""
    from pathlib import Path

    from data_model.users import create_user, get_user

    username = username or f"test-{role}"
    engine = open_database(f"sqlite:///{Path(data_dir) / 'dashboard.sqlite3'}")
    with engine.begin() as conn:
        if get_user(conn, username) is None:
            create_user(conn, username, role, TEST_PASSWORD, by="tests", **binding)
    engine.dispose()
    app.session_state["username"] = username
    return app
