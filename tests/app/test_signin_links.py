"""A link to a page opened while signed out: the sign-in screen answers at the page's
address, and signing in opens that page with the link's filters, when the role may. The
address of a page the role may not use, opened signed in, opens the overview saying why."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from streamlit.testing.v1 import AppTest, app_test

import signin
from data_model.accounts.users import create_user
from data_model.admin.bootstrap import open_database, seed
from data_model.i18n import t
from tests.app.conftest import APP, run_at
from tests.conftest import TEST_PASSWORD, ensure_user, sign_in_app

NANSHAN = "440305"  # 南山区's code, as the district filter writes it in the URL


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """The sample data with a leader and a staff member for Nanshan."""
    folder = tmp_path_factory.mktemp("signin-links")
    engine = open_database(f"sqlite:///{folder / 'dashboard.sqlite3'}")
    assert all(r.status == "accepted" for r in seed(engine))
    with engine.begin() as conn:
        create_user(conn, "leader1", "leader", TEST_PASSWORD, by="tests")
        create_user(conn, "staff1", "staff", TEST_PASSWORD, by="tests", districts=["南山区"])
    engine.dispose()
    return folder


def ignore_pages_folder(monkeypatch) -> None:
    """As in a server where app.py has run once: its st.navigation makes Streamlit ignore
    the pages/ folder for good. AppTest forgets that before every run, as if the server
    had just started (see the last test)."""
    original = app_test.PagesManager

    class AfterNavigation(original):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            original.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", AfterNavigation)


def open_signed_out(
    data_dir: Path, monkeypatch, page: str | None, restarted: bool = False, **query
) -> AppTest:
    """A new session opened at `pages/<page>.py`'s address (None: the app's root), signed
    out, with `query` in the URL: what a pasted link does. `restarted`: the first visit
    since the server started."""
    if not restarted:
        ignore_pages_folder(monkeypatch)
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = AppTest.from_file(APP, default_timeout=60)
    # Opened before a first run: the file name's address.
    return run_at(app, None if page is None else f"pages/{page}.py", **query)


def sign_in(app: AppTest, username: str) -> AppTest:
    assert [title.value for title in app.title] == [t("login.title", "zh-CN")]
    app.text_input[0].input(username)
    app.text_input[1].input(TEST_PASSWORD)
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert app.session_state["username"] == username
    return app


def test_a_link_to_the_tasks_page_opens_it_with_its_filters_after_sign_in(data_dir, monkeypatch):
    app = open_signed_out(data_dir, monkeypatch, "tasks", period="2022", districts=NANSHAN)
    assert not app.metric and not app.dataframe  # nothing of the page before sign-in
    sign_in(app, "leader1")
    assert app.title[0].value == t("tasks.title", "zh-CN")
    assert app.sidebar.selectbox(key="f_period").value == "2022"
    assert app.sidebar.multiselect(key="f_districts").value == ["南山区"]
    assert app.query_params["period"] == "2022"
    assert app.query_params["districts"] == NANSHAN
    assert not app.warning


@pytest.mark.parametrize(("page", "username"), [("upload", "staff1"), ("submissions", "staff1")])
def test_a_link_to_a_data_page_opens_it_after_sign_in_for_a_role_that_may_use_it(
    data_dir, monkeypatch, page, username
):
    app = sign_in(open_signed_out(data_dir, monkeypatch, page), username)
    assert app.title[0].value == t(f"{page}.title", "zh-CN")
    assert not app.warning


def test_a_link_to_a_page_the_role_may_not_use_opens_the_overview_and_says_why(
    data_dir, monkeypatch
):
    app = sign_in(open_signed_out(data_dir, monkeypatch, "admin", period="2022"), "leader1")
    assert app.title[0].value == t("overview.title", "zh-CN")
    refused = t(
        "login.page_refused",
        "zh-CN",
        page=t("nav.admin", "zh-CN"),
        shown=t("nav.overview", "zh-CN"),
    )
    assert [w.value for w in app.warning] == [refused]
    assert app.sidebar.selectbox(key="f_period").value == "2022"  # the link's filters apply
    # The browser is at the root address now; AppTest stays at the page's unless told.
    app.switch_page("pages/overview.py").run()
    assert not app.warning  # said once, not on every run


def test_the_root_address_opens_the_overview_after_sign_in(data_dir, monkeypatch):
    app = sign_in(open_signed_out(data_dir, monkeypatch, None), "leader1")
    assert app.title[0].value == t("overview.title", "zh-CN")
    assert not app.warning


def test_signing_out_and_in_again_stays_on_the_page(data_dir, monkeypatch):
    app = sign_in(open_signed_out(data_dir, monkeypatch, "trends", period="2022"), "leader1")
    assert app.title[0].value == t("trends.title", "zh-CN")
    app.sidebar.button(key="sign_out").click().run()
    sign_in(app, "leader1")
    assert app.title[0].value == t("trends.title", "zh-CN")


def test_the_first_link_opened_after_a_restart_also_asks_to_sign_in_then_opens_the_page(
    data_dir, monkeypatch
):
    """Streamlit runs pages/tasks.py itself for the first visitor after a restart; the
    page hands over to app.py instead of refusing the signed-out visitor."""
    app = open_signed_out(data_dir, monkeypatch, "tasks", restarted=True, period="2022")
    assert not app.error
    ignore_pages_folder(monkeypatch)  # the server has now run app.py
    sign_in(app, "leader1")
    assert app.title[0].value == t("tasks.title", "zh-CN")
    assert app.sidebar.selectbox(key="f_period").value == "2022"


@pytest.mark.parametrize(
    ("role", "page", "language"),
    [("staff", "admin", "zh-CN"), ("leader", "upload", "zh-CN"), ("leader", "admin", "en")],
)
def test_a_signed_in_user_at_the_address_of_a_page_the_role_may_not_use_sees_why_on_the_overview(
    sample_db, monkeypatch, request, role, page, language
):
    """Typed or followed while signed in: the app's own refusal, in the user's language,
    not Streamlit's English "Page not found" (whose fallback shows no warning at all)."""
    if language == "en":
        request.getfixturevalue("in_english")
    ignore_pages_folder(monkeypatch)
    sample_db.use(monkeypatch)
    app = AppTest.from_file(APP, default_timeout=60)
    binding = {"districts": ["南山区"]} if role == "staff" else {}
    sign_in_app(app, sample_db, role=role, username=f"refused-{role}", **binding)
    query = {"period": "2022"} if language == "zh-CN" else {"period": "2022", "lang": "en"}
    run_at(app, f"pages/{page}.py", **query)
    assert app.title[0].value == t("overview.title", language)
    refused = t(
        "login.page_refused",
        language,
        page=t(f"nav.{page}", language),
        shown=t("nav.overview", language),
    )
    assert [w.value for w in app.warning] == [refused]
    assert app.sidebar.selectbox(key="f_period").value == "2022"  # the link's filters apply
    assert app.query_params.get("lang") == ("en" if language == "en" else None)
    # The browser is at the root address now; AppTest stays at the page's unless told.
    app.switch_page("pages/overview.py").run()
    assert app.title[0].value == t("overview.title", language)
    assert not app.warning  # said once, not on every run


# --- single sign-on -------------------------------------------------------------------

SSO_EMAIL = "leader@example.org"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "dashboard",
    "client_secret": "test-client-secret",
    "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
}


@pytest.fixture
def sso_user(data_dir) -> str:
    return ensure_user(data_dir, SSO_EMAIL, "leader", TEST_PASSWORD, by="tests")


def open_with_sso(
    data_dir, monkeypatch, page: str | None, logged_in: bool, cookie: str | None = None, **query
) -> AppTest:
    """Like open_signed_out, with single sign-on configured, the identity provider's
    answer (`logged_in`) and the return cookie the browser sends."""
    monkeypatch.setattr(signin, "_return_cookie", lambda: cookie)
    ignore_pages_folder(monkeypatch)
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = AppTest.from_file(APP, default_timeout=60)
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": logged_in, "email": SSO_EMAIL if logged_in else None}
    return run_at(app, None if page is None else f"pages/{page}.py", **query)


def test_the_sign_on_button_keeps_the_link_in_a_short_lived_cookie(data_dir, monkeypatch):
    app = open_with_sso(data_dir, monkeypatch, "tasks", logged_in=False, period="2022")
    assert [b.label for b in app.button][-1] == t("login.sso", "zh-CN")
    scripts = [element.proto.body for element in app.get("html")]
    assert len(scripts) == 1
    assert f"dashboard_return={quote('tasks?period=2022', safe='')};" in scripts[0]
    assert "max-age=600" in scripts[0]


def test_a_link_opened_signed_in_at_the_identity_provider_opens_at_once(
    data_dir, monkeypatch, sso_user
):
    app = open_with_sso(data_dir, monkeypatch, "tasks", logged_in=True, period="2022")
    assert app.title[0].value == t("tasks.title", "zh-CN")
    assert app.session_state["username"] == sso_user
    assert app.sidebar.selectbox(key="f_period").value == "2022"


def test_back_from_single_sign_on_the_page_kept_in_the_cookie_opens_with_its_filters(
    data_dir, monkeypatch, sso_user
):
    cookie = quote(f"tasks?period=2022&districts={NANSHAN}", safe="")
    app = open_with_sso(data_dir, monkeypatch, None, logged_in=True, cookie=cookie)
    assert app.title[0].value == t("tasks.title", "zh-CN")
    assert app.sidebar.selectbox(key="f_period").value == "2022"
    assert app.query_params["districts"] == NANSHAN
    html = [element.proto.body for element in app.sidebar.get("html")]
    dropped = [body for body in html if "dashboard_return" in body]
    assert len(dropped) == 1 and "dashboard_return=;" in dropped[0] and "max-age=0" in dropped[0]


@pytest.mark.parametrize(
    "cookie",
    ["https%3A%2F%2Fevil.example%2Ftasks", "%2F%2Fevil.example", "nowhere%3Fperiod%3D2022", ""],
)
def test_a_cookie_naming_no_page_of_the_app_opens_the_overview(
    data_dir, monkeypatch, sso_user, cookie
):
    app = open_with_sso(data_dir, monkeypatch, None, logged_in=True, cookie=cookie)
    assert app.title[0].value == t("overview.title", "zh-CN")
    assert not app.warning
