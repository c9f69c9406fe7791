"""A page's link opened signed out, in a real browser: the sign-in form answers at the
page's address (no "Page not found"), and signing in opens that page with the link's
filters, or the overview with a message when the role may not use the page."""

from __future__ import annotations

import re

import pytest

from data_model.i18n import t
from data_model.periods import period_label
from tests.conftest import ensure_user
from tests.e2e.app_browser import ADMIN_PASSWORD, ADMIN_USERNAME, LANGUAGE, AppPage, tr

LEADER_USERNAME = "e2e-leader"
LEADER_PASSWORD = "e2e-leader-password-2024"
PERIOD = "2022"  # not the newest year, which the filters would show anyway
NANSHAN = "440305"  # 南山区's code, as the district filter writes it in the URL
NOT_FOUND = "Page not found"  # Streamlit's own (English) dialog for an unknown address


@pytest.fixture(scope="module")
def leader(app_server) -> str:
    return ensure_user(
        app_server.data_dir, LEADER_USERNAME, "leader", LEADER_PASSWORD, by="e2e tests"
    )


def assert_sign_in_form_without_not_found(app: AppPage, where: str) -> None:
    assert tr("login.title") in app.main_text(), f"{where}: no sign-in form"
    assert app.page.locator('[data-testid="stForm"]').count() == 1
    assert app.page.get_by_text(NOT_FOUND).count() == 0, f"{where}: '{NOT_FOUND}' shown"
    assert app.page.get_by_role("dialog").count() == 0, f"{where}: a dialog is open"


def period_shown(app: AppPage) -> str:
    box = app.page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text=tr("filters.period")
    )
    return box.locator("input").input_value()


def test_a_link_to_the_tasks_page_opens_it_with_its_filters_after_sign_in(app_page):
    app = app_page
    app.open(f"tasks?gran=year&period={PERIOD}&districts={NANSHAN}")
    assert_sign_in_form_without_not_found(app, "/tasks signed out")
    assert re.search(rf"/tasks\?.*period={PERIOD}", app.page.url), app.page.url
    app.screenshot("signin-link-01-form-at-tasks")
    app.assert_clean("/tasks signed out")

    app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD)
    app.settle()
    assert tr("tasks.title") in app.main_text(), f"signed in at {app.page.url}"
    assert re.search(rf"/tasks\?.*period={PERIOD}", app.page.url), app.page.url
    assert f"districts={NANSHAN}" in app.page.url, app.page.url
    assert period_shown(app) == period_label(PERIOD, LANGUAGE)
    assert "南山区" in app.page.locator('[data-testid="stSidebar"]').inner_text()
    assert app.page.get_by_text(NOT_FOUND).count() == 0
    app.screenshot("signin-link-02-tasks-after-sign-in")
    app.assert_clean("/tasks after signing in")


def test_a_link_to_a_page_the_role_may_not_use_opens_the_overview_with_a_message(app_page, leader):
    app = app_page
    app.open(f"admin?period={PERIOD}")
    assert_sign_in_form_without_not_found(app, "/admin signed out")
    app.sign_in(leader, LEADER_PASSWORD)
    app.settle()
    refused = tr("login.page_refused", page=tr("nav.admin"), shown=tr("nav.overview"))
    assert refused in app.main_text()
    assert tr("overview.title") in app.main_text()
    assert "/admin" not in app.page.url, app.page.url
    assert app.nav_link("admin").count() == 0
    assert app.page.get_by_text(NOT_FOUND).count() == 0
    app.screenshot("signin-link-03-refused-page")
    app.assert_clean("/admin as a leader")


def test_a_signed_in_user_typing_the_address_of_a_page_the_role_may_not_use_is_told_why(
    app_page, leader
):
    app = app_page
    app.open()
    app.sign_in(leader, LEADER_PASSWORD)
    app.settle()
    for address, page, language in (
        ("upload", "upload", LANGUAGE),
        ("admin?lang=en", "admin", "en"),
    ):
        app.open(address)  # a new session, signed in by the browser's session cookie
        app.settle()
        refused = t(
            "login.page_refused",
            language,
            page=t(f"nav.{page}", language),
            shown=t("nav.overview", language),
        )
        assert refused in app.main_text(), f"/{address}: {app.main_text()[:300]}"
        assert t("overview.title", language) in app.main_text()
        assert f"/{page}" not in app.page.url, app.page.url
        assert app.nav_link(page).count() == 0
        assert app.page.get_by_text(NOT_FOUND).count() == 0, f"/{address}: '{NOT_FOUND}' shown"
        assert app.page.get_by_role("dialog").count() == 0, f"/{address}: a dialog is open"
    assert "lang=en" in app.page.url, app.page.url
    app.screenshot("signin-link-04-refused-page-signed-in")
    app.assert_clean("refused addresses while signed in")


def test_an_address_that_is_no_page_opens_the_overview_saying_so_never_the_english_dialog(
    app_page, leader
):
    app = app_page
    app.open("nonsense?period=2022")
    assert_sign_in_form_without_not_found(app, "/nonsense signed out")
    app.sign_in(leader, LEADER_PASSWORD)
    app.settle()
    unknown = tr("login.page_unknown", address="/nonsense", shown=tr("nav.overview"))
    assert unknown in app.main_text(), app.main_text()[:300]
    assert tr("overview.title") in app.main_text()
    assert "/nonsense" not in app.page.url, app.page.url
    assert app.page.get_by_text(NOT_FOUND).count() == 0
    assert app.page.get_by_role("dialog").count() == 0

    app.open("no-such-page?lang=en")  # signed in by the browser's session cookie
    app.settle()
    unknown = t("login.page_unknown", "en", address="/no-such-page", shown=t("nav.overview", "en"))
    assert unknown in app.main_text(), app.main_text()[:300]
    assert app.page.get_by_text(NOT_FOUND).count() == 0
    assert app.page.get_by_role("dialog").count() == 0
    app.screenshot("signin-link-05-unknown-address")
    app.assert_clean("an address that is no page")
