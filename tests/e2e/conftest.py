"""Fixtures for the browser tests: a real `streamlit run` server and Debian's chromium.

The helpers (server, AppPage, selectors) are in `app_browser.py`. The browser tests
are marked `e2e` and run with the rest of the suite; on a machine without chromium
or playwright each of them is reported as skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.app_browser import (
    CHROMIUM,
    LAUNCH_ARGS,
    NO_CHROMIUM,
    NO_PLAYWRIGHT,
    AppPage,
    AppServer,
    cli,
    create_admin,
    open_app_page,
    start_server,
)


def pytest_collection_modifyitems(config, items) -> None:
    """Skip (never silently pass) the browser tests on a machine that cannot run them."""
    here = Path(__file__).parent
    reason = None
    if not CHROMIUM.exists():
        reason = NO_CHROMIUM
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = NO_PLAYWRIGHT
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[AppServer]:
    """The app on the sample data, with one administrator (ADMIN_USERNAME)."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    cli(data_dir, "init")
    cli(data_dir, "seed")
    create_admin(data_dir)
    server = start_server(data_dir, "sample")
    yield server
    server.stop()


@pytest.fixture
def empty_server(tmp_path_factory) -> Iterator[AppServer]:
    """The app on a new, migrated database: no data and no user yet (first run)."""
    data_dir = tmp_path_factory.mktemp("e2e-empty")
    cli(data_dir, "init")
    server = start_server(data_dir, "first-run")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app_page(browser, app_server) -> Iterator[AppPage]:
    """A new tab on the sample-data app, not signed in yet."""
    context, page = open_app_page(browser, app_server)
    yield page
    context.close()


@pytest.fixture(scope="module")
def admin_tab(browser, app_server) -> Iterator[AppPage]:
    """One tab signed in as the administrator, shared by a module's tests: a Streamlit
    session lives as long as its websocket, and signing in (argon2) takes a while."""
    context, page = open_app_page(browser, app_server)
    page.open().sign_in()
    yield page
    context.close()


@pytest.fixture
def admin_page(admin_tab) -> AppPage:
    """The shared signed-in tab, with nothing recorded against it yet."""
    admin_tab.forget_problems()
    if admin_tab.nav_link("admin").count() == 0:  # signed out by an earlier test
        admin_tab.open().sign_in()
    return admin_tab
