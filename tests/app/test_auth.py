"""Sign-in in the app: first administrator, login and lockout, pages by role, inert data."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_model.accounts.permissions import PermissionDenied
from data_model.accounts.users import disable_user
from data_model.ingest.importer import import_file
from data_model.store import audit
from tests.conftest import TEST_PASSWORD, make_xlsx, sign_in_app

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture
def app_db(empty_db, monkeypatch):
    empty_db.use(monkeypatch)
    return empty_db


def page_titles(app: AppTest) -> list[str]:
    return [t.value for t in app.title]


def test_first_run_asks_for_the_first_administrator_and_signs_in(app_db):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert page_titles(app) == ["创建第一个管理员"]
    app.text_input[0].input("chief")
    app.text_input[2].input("short")
    app.text_input[3].input("short")
    app.button[0].click().run()
    assert "至少" in app.error[0].value or "10" in app.error[0].value
    app.text_input[2].input("a-very-long-password")
    app.text_input[3].input("a-very-long-password")
    app.button[0].click().run()
    assert not app.exception
    assert app.session_state["username"] == "chief"
    signed_in = AppTest.from_file(APP, default_timeout=60)
    signed_in.session_state["sign_in_session"] = app.session_state["sign_in_session"]
    signed_in.run()
    assert page_titles(signed_in) == ["总览"]
    assert any("chief" in c.value for c in signed_in.sidebar.caption)


def test_login_rejects_bad_password_and_locks_after_five(app_db):
    sign_in_app(AppTest.from_file(APP), app_db, role="leader", username="leader1")
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert page_titles(app) == ["登录"]
    for _ in range(5):
        app.text_input[0].input("leader1")
        app.text_input[1].input("wrong-password-123")
        app.button[0].click().run()
    assert "锁定" in app.error[0].value
    app.text_input[1].input(TEST_PASSWORD)
    app.button[0].click().run()
    assert "username" not in app.session_state  # still locked: not even the right password
    assert "锁定" in app.error[0].value


def test_login_with_the_right_password_opens_the_dashboards(app_db):
    sign_in_app(AppTest.from_file(APP), app_db, role="leader", username="leader1")
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.text_input[0].input("leader1")
    app.text_input[1].input(TEST_PASSWORD)
    app.button[0].click().run()
    assert not app.exception
    assert app.session_state["username"] == "leader1"


def test_a_leader_cannot_reach_upload_even_by_opening_the_page(app_db):
    app = sign_in_app(
        AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60),
        app_db,
        role="leader",
    ).run()
    assert not app.exception
    assert "无权" in app.error[0].value or "不能" in app.error[0].value
    assert not app.file_uploader


def test_staff_sees_upload_but_not_administration(app_db):
    app = sign_in_app(
        AppTest.from_file(APP, default_timeout=60), app_db, role="staff", districts=["南山区"]
    ).run()
    assert not app.exception
    app.switch_page("pages/upload.py").run()
    assert page_titles(app) == ["数据上传"]
    app.switch_page("pages/admin.py").run()
    assert page_titles(app) != ["用户与日志"]


XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"]


def test_uploaded_text_is_never_rendered_as_html(app_db):
    engine = app_db.open()
    header = ["任务编号", "所属行动", "任务内容", "牵头单位", "完成时限", "完成进度", "报送期"]
    rows = [
        [f"X{i}", "领跑行动", text, "市商务局", "2021年6月底", 10, "2021-Q2"]
        for i, text in enumerate(XSS)
    ]
    assert (
        import_file(engine, make_xlsx({"任务清单": [header, *rows]}), "xss.xlsx").status
        == "accepted"
    )
    engine.dispose()
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), app_db)
    app.switch_page("pages/tasks.py").run()
    assert not app.exception
    for element in app.markdown:
        assert not element.proto.allow_html, element.value
    shown = "".join(str(d.value.to_dict()) for d in app.dataframe)
    assert all(text in shown for text in XSS)  # shown as text in tables


@pytest.mark.parametrize(
    "page",
    [
        "overview",
        "coverage",
        "tasks",
        "trends",
        "evaluation",
        "bulletin",
        "present",
        "upload",
        "submissions",
        "admin",
    ],
)
def test_a_page_run_directly_without_sign_in_shows_nothing(sample_db, monkeypatch, page):
    """Streamlit can run a file of pages/ directly (before app.py registered the pages,
    right after a restart): each page checks the sign-in itself."""
    sample_db.use(monkeypatch)
    app = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60).run()
    assert not app.exception
    assert len(app.error) == 1 and "登录" in app.error[0].value
    assert not app.metric and not app.dataframe and not app.get("plotly_chart")


def test_a_download_left_on_screen_gives_nothing_once_its_user_is_disabled(sample_db, monkeypatch):
    """Downloads are built when clicked, without a rerun of the page: the click checks
    the sign-in session again, as a rerun would."""
    sample_db.use(monkeypatch)
    builds = {}
    button = st.download_button

    def recording(label, data, *args, **kwargs):
        if callable(data):
            builds[kwargs["file_name"]] = data
        return button(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), sample_db, "leader", "lin")
    app.switch_page("pages/submissions.py").run()
    assert not app.exception
    build = next(make for name, make in builds.items() if name.endswith(".xlsx"))
    assert build().startswith(b"PK")  # a workbook while the session lives
    engine = sample_db.open()
    with engine.begin() as conn:
        exports = len(audit.events(conn, action="export"))
        disable_user(conn, "lin", by="tests")
    with pytest.raises(PermissionDenied):
        build()
    with engine.connect() as conn:
        assert len(audit.events(conn, action="export")) == exports  # nothing more went out
    engine.dispose()
