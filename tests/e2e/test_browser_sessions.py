"""Staying signed in, in a real browser: after sign-in the browser holds an HttpOnly,
SameSite=Strict session cookie that no script of the page can read; a reload (F5) or a
pasted link of every page stays signed in; signing out ends the session so a reload is
at the sign-in form; a disabled user's open session ends at its next action."""

from __future__ import annotations

import re
import time

import pytest

from data_model.accounts.sessions import COOKIE_NAME
from tests.e2e.app_browser import ADMIN_PASSWORD, ADMIN_USERNAME, AppPage, tr

# Every page's address (the overview's is the root) and the catalogue key of its title
# (None: a page whose title is not a heading; presentation mode shows slides).
PAGES = (
    ("", "overview.title"),
    ("coverage", "coverage.title"),
    ("tasks", "tasks.title"),
    ("trends", "trends.title"),
    ("evaluation", "evaluation.title"),
    ("bulletin", "bulletin.title"),
    ("present?interval=300", None),
    ("upload", "upload.title"),
    ("submissions", "submissions.title"),
    ("admin", "admin.title"),
    ("master", None),
)
DISABLED_USERNAME, DISABLED_PASSWORD = "e2e-soon-disabled", "e2e-soon-disabled-2024"


def session_cookie(app: AppPage, wait: bool = True) -> dict | None:
    """The browser's session cookie; with `wait`, once the page has fetched it."""
    deadline = time.monotonic() + 20
    while True:
        found = [c for c in app.page.context.cookies() if c["name"] == COOKIE_NAME]
        if found or not wait:
            return found[0] if found else None
        assert time.monotonic() < deadline, "the page did not fetch its session cookie"
        app.page.wait_for_timeout(100)


def at_sign_in_form(app: AppPage) -> bool:
    return app.page.get_by_label(tr("login.username"), exact=True).count() == 1


def assert_signed_in_at(app: AppPage, address: str, title_key: str | None, how: str) -> None:
    path = address.partition("?")[0]
    where = f"/{address} after {how}"
    assert not at_sign_in_form(app), f"{where}: the sign-in form is shown"
    assert re.search(rf":\d+/{re.escape(path)}(\?|$)", app.page.url), f"{where}: {app.page.url}"
    if title_key is not None:
        assert tr(title_key) in app.main_text(), f"{where}: no {tr(title_key)!r}"
    app.assert_no_error_element(where)


def reload(app: AppPage) -> None:
    with app.rerun():
        app.page.reload()


def test_every_page_stays_signed_in_on_a_reload_and_a_pasted_link(app_page):
    app = app_page
    app.open().sign_in()
    cookie = session_cookie(app)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/" and cookie["secure"] is False  # plain http here
    assert 11 * 3600 < cookie["expires"] - time.time() <= 12 * 3600  # SESSION_MAX_HOURS
    assert COOKIE_NAME not in app.page.evaluate("document.cookie")  # no script reads it
    for address, title_key in PAGES:
        app.open(address)  # a bookmarked or pasted link: a new session
        assert_signed_in_at(app, address, title_key, "opening its link")
        reload(app)  # F5
        assert_signed_in_at(app, address, title_key, "a reload")
    app.screenshot("session-01-admin-page-after-reload")
    assert session_cookie(app)["value"] == cookie["value"]  # the same session throughout
    app.assert_clean("reloading every page")


def test_signing_out_then_reloading_shows_the_sign_in_form(app_page):
    app = app_page
    app.open(f"tasks?gran=year&period={2022}").sign_in(ADMIN_USERNAME, ADMIN_PASSWORD)
    session_cookie(app)
    reload(app)
    assert_signed_in_at(app, "tasks?gran=year&period=2022", "tasks.title", "a reload")
    sign_out = app.page.get_by_role("button", name=tr("app.sign_out"))
    with app.rerun():
        sign_out.click()
    assert at_sign_in_form(app), "signing out did not show the sign-in form"
    reload(app)
    assert at_sign_in_form(app), f"a reload after signing out is signed in at {app.page.url}"
    app.screenshot("session-02-signed-out-after-reload")
    app.open("trends")
    assert at_sign_in_form(app), "a link after signing out is signed in"
    app.assert_clean("signing out and reloading")


@pytest.fixture
def soon_disabled(app_server):
    """A leader whom the test disables while their tab is open; enabled again after."""
    from data_model.accounts.users import create_user, enable_user, get_user
    from data_model.admin.bootstrap import open_database

    engine = open_database(f"sqlite:///{app_server.data_dir / 'dashboard.sqlite3'}")
    with engine.begin() as conn:
        if get_user(conn, DISABLED_USERNAME) is None:
            create_user(conn, DISABLED_USERNAME, "leader", DISABLED_PASSWORD, by="e2e tests")
    yield engine
    with engine.begin() as conn:
        enable_user(conn, DISABLED_USERNAME, by="e2e tests")
    engine.dispose()


def test_a_disabled_users_open_session_ends_at_its_next_action(app_page, soon_disabled):
    from data_model.accounts.users import disable_user

    app = app_page
    app.open().sign_in(DISABLED_USERNAME, DISABLED_PASSWORD)
    session_cookie(app)
    app.go("tasks")
    assert tr("tasks.title") in app.main_text()
    with soon_disabled.begin() as conn:  # an administrator disables the user meanwhile
        disable_user(conn, DISABLED_USERNAME, by=ADMIN_USERNAME)
    with app.rerun():
        app.nav_link("trends").click()  # the next action
    assert at_sign_in_form(app), f"still signed in at {app.page.url} after being disabled"
    assert tr("trends.title") not in app.main_text()
    reload(app)
    assert at_sign_in_form(app), "a reload after being disabled is signed in"
    app.screenshot("session-03-disabled-user-signed-out")
    app.assert_clean("a disabled user's next action")


def test_a_link_followed_from_another_sites_page_opens_signed_in(app_page):
    """SameSite=Strict keeps the cookie off the navigation from another site, but the
    page's own websocket, where the app reads it, is same-site and carries it."""
    app = app_page
    app.open().sign_in()
    session_cookie(app)
    app.page.goto("about:blank")
    link = f"{app.server.url}/tasks?gran=year&period=2022"
    app.page.set_content(f'<a id="out" href="{link}">dashboard</a>')  # an opaque origin
    with app.rerun():
        app.page.click("#out")
    assert_signed_in_at(app, "tasks?gran=year&period=2022", "tasks.title", "a link from elsewhere")
    app.assert_clean("a link from another site")
