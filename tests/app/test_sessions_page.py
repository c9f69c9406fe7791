"""Staying signed in, in the app (AppTest, both engines): the sign-in hands the browser a
one-time claim of its session cookie, a new session (a reload, a link) with that cookie
is signed in, and sign-out, disabling the user and idle time end it at the next action.

AppTest has no browser cookies: `ui._session_cookie` stands in for `st.context.cookies`,
and the route's work is done by `sessions.claim`, as session_cookie.py does it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

import ui
from data_model.accounts import sessions, users
from data_model.i18n import t
from data_model.store.models import SignInSession
from tests.app.conftest import APP, run_at
from tests.app.test_signin_links import ignore_pages_folder
from tests.conftest import TEST_PASSWORD

CLAIM = re.compile(rf'src="{re.escape(sessions.CLAIM_PATH)}\?token=([\w-]+)"')

pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def app_db(empty_db, monkeypatch):
    ignore_pages_folder(monkeypatch)  # as in a server where app.py has run
    empty_db.use(monkeypatch)
    engine = empty_db.open()
    with engine.begin() as conn:
        users.create_user(conn, "leader1", "leader", TEST_PASSWORD, by="tests")
    yield empty_db, engine
    engine.dispose()


def titles(app: AppTest) -> list[str]:
    return [title.value for title in app.title]


def claims(app: AppTest) -> list[str]:
    return [m for el in app.sidebar.get("html") for m in CLAIM.findall(el.proto.body)]


def signed_in_tab(engine) -> tuple[AppTest, str]:
    """Sign in through the form; the browser fetches its cookie: (the tab, the cookie)."""
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert titles(app) == [t("login.title", "zh-CN")]
    app.text_input[0].input("leader1")
    app.text_input[1].input(TEST_PASSWORD)
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert titles(app) == [t("overview.title", "zh-CN")]
    [handoff] = claims(app)
    with engine.begin() as conn:
        claimed = sessions.claim(conn, handoff)  # what the image's request does
    assert claimed is not None
    with engine.connect() as conn:
        assert not sessions.handoff_pending(conn, handoff)  # so the image is drawn no more
    return app, claimed.token


def reload_with(cookie: str | None, monkeypatch, page: str | None = None) -> AppTest:
    """A new session, as a reload or a pasted link starts, whose browser sends `cookie`."""
    monkeypatch.setattr(ui, "_session_cookie", lambda: cookie)
    return run_at(
        AppTest.from_file(APP, default_timeout=60), None if page is None else f"pages/{page}.py"
    )


def test_the_cookie_signs_a_reload_and_a_link_in_and_a_made_up_one_does_not(app_db, monkeypatch):
    _, engine = app_db
    _, cookie = signed_in_tab(engine)
    reloaded = reload_with(cookie, monkeypatch)
    assert titles(reloaded) == [t("overview.title", "zh-CN")]
    assert reloaded.session_state["username"] == "leader1"
    assert claims(reloaded) == []  # a cookie is there already
    linked = reload_with(cookie, monkeypatch, "tasks")
    assert titles(linked) == [t("tasks.title", "zh-CN")]
    for wrong in ("made-up", cookie[:-1], None):
        assert titles(reload_with(wrong, monkeypatch)) == [t("login.title", "zh-CN")]


def test_signing_out_ends_the_session_so_a_reload_shows_the_sign_in_form(app_db, monkeypatch):
    _, engine = app_db
    app, cookie = signed_in_tab(engine)
    app.sidebar.button(key="sign_out").click().run()
    assert titles(app) == [t("login.title", "zh-CN")]
    with engine.connect() as conn:
        assert sessions.open_sessions(conn, "leader1") == 0
    assert titles(reload_with(cookie, monkeypatch)) == [t("login.title", "zh-CN")]


def test_a_disabled_users_open_session_ends_at_its_next_action(app_db, monkeypatch):
    _, engine = app_db
    app, cookie = signed_in_tab(engine)
    with engine.begin() as conn:
        users.create_user(conn, "root", "admin", TEST_PASSWORD, by="tests")
        users.disable_user(conn, "leader1", by="root")
    app.run()  # the next action
    assert titles(app) == [t("login.title", "zh-CN")]
    assert "username" not in app.session_state
    assert titles(reload_with(cookie, monkeypatch)) == [t("login.title", "zh-CN")]


def test_an_idle_session_ends_with_a_notice_and_so_does_its_cookie(app_db, monkeypatch):
    _, engine = app_db
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "30")
    app, cookie = signed_in_tab(engine)
    with engine.begin() as conn:
        long_ago = datetime.now(UTC) - timedelta(minutes=31)
        conn.execute(update(SignInSession).values(last_seen_at=long_ago))
    app.run()
    assert titles(app) == [t("login.title", "zh-CN")]
    assert [w.value for w in app.warning] == [t("app.session_expired", "zh-CN")]
    reloaded = reload_with(cookie, monkeypatch)
    assert titles(reloaded) == [t("login.title", "zh-CN")]
    # the reload after lunch says why, too
    assert [w.value for w in reloaded.warning] == [t("app.session_expired", "zh-CN")]
