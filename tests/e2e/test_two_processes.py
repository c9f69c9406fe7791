"""Two app processes on one PostgreSQL database behind nginx, as `deploy/` sets them up:
a browser held on one process uploads a file, and a browser held on the other sees the
new submission without a restart. Runs the repository's own nginx site file
(`deploy/nginx/two-healths.conf`) with its ports replaced (`tests/e2e/proxy.py`).

Skipped, with the reason, where nginx or PostgreSQL (TEST_DATABASE_URL) is missing;
`.ci/run` installs nginx and sets TEST_DATABASE_URL.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx
from tests.e2e.app_browser import ADMIN_PASSWORD, ADMIN_USERNAME, open_app_page, tr
from tests.e2e.proxy import NGINX, ROUTE_COOKIE, Deployment, deployment, fresh_database

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed: apt-get install nginx"),
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"),
        reason="TEST_DATABASE_URL is not set: the processes share a PostgreSQL database",
    ),
]


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory) -> Iterator[Deployment]:
    from data_model.accounts.users import create_user
    from data_model.admin.bootstrap import open_database

    with fresh_database(os.environ["TEST_DATABASE_URL"], "proxy") as url:
        engine = open_database(url)  # migrated once, as the migrate unit does
        with engine.begin() as conn:
            create_user(conn, ADMIN_USERNAME, "admin", ADMIN_PASSWORD, by="e2e tests")
        engine.dispose()
        with deployment(url, tmp_path_factory.mktemp("proxy")) as running:
            yield running


def browser_on(browser, running: Deployment, route: str):
    context, app = open_app_page(browser, running.proxy)
    context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": running.proxy.url}])
    return context, app


def test_an_upload_through_one_process_is_seen_in_the_other(browser, two_processes):
    first, second = sorted(two_processes.routes_to_each_process().items())
    (first_process, first_route), (second_process, second_route) = first, second
    assert first_process != second_process
    viewer_context, viewer = browser_on(browser, two_processes, first_route)
    clerk_context, clerk = browser_on(browser, two_processes, second_route)
    try:
        viewer.open().sign_in()
        viewer.go("submissions")
        assert tr("submissions.no_data") in viewer.main_text()

        clerk.open().sign_in()
        clerk.go("upload")
        data = make_xlsx(
            {
                "指标体系": indicator_rows(),
                "指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2023-12", 7, ""]],
            }
        )
        page = clerk.page
        clerk.choose_file("两个进程.xlsx", data)
        page.get_by_text(tr("upload.preview", new=4, replaced=0, unchanged=0)).wait_for(
            timeout=30_000
        )
        with clerk.rerun():
            page.get_by_role("button", name=tr("upload.commit")).click()
        success = page.locator('[data-testid="stAlertContentSuccess"]')
        assert "两个进程.xlsx" in " ".join(success.all_inner_texts())
        clerk.assert_clean("upload through the second process")

        viewer.go("coverage")
        viewer.go("submissions")  # the other process: no restart, no cache to clear
        shown = viewer.main_text()
        assert "e2e-admin" in shown
        values = tr("submissions.table_indicator_value")
        assert tr("submissions.rows_of", table=values, count=1) in shown
        viewer.screenshot("two-processes-submissions")
        viewer.assert_clean("the submission seen through the first process")
    finally:
        viewer_context.close()
        clerk_context.close()
    # nginx logs a websocket when it closes: each browser talked to one process only.
    deadline = time.monotonic() + 10
    while not (two_processes.streams_of(first_route) and two_processes.streams_of(second_route)):
        assert time.monotonic() < deadline, "the websockets were not logged"
        time.sleep(0.2)
    assert two_processes.streams_of(first_route) == {first_process}
    assert two_processes.streams_of(second_route) == {second_process}
