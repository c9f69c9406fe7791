"""A task list naming ten city departments the system has never seen, imported in a real
browser by an administrator: upload, one click to register them all, commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.app.test_unknown_names_page import TEN_DEPARTMENTS
from tests.conftest import make_xlsx
from tests.e2e.app_browser import AppServer, cli, create_admin, open_app_page, start_server, tr
from tests.task_workbook import TASK_HEADER


@pytest.fixture(scope="module")
def master_only_server(tmp_path_factory) -> Iterator[AppServer]:
    """The app on the default master data, no data rows, one administrator."""
    data_dir = tmp_path_factory.mktemp("e2e-unknown")
    cli(data_dir, "init")
    create_admin(data_dir)
    server = start_server(data_dir, "unknown-names")
    yield server
    server.stop()


def test_ten_unknown_departments_are_registered_in_one_click_and_committed(
    browser, master_only_server
):
    context, app = open_app_page(browser, master_only_server)
    try:
        app.open().sign_in()
        page = app.page
        rows = [
            [
                f"T{n:02d}",
                "领跑行动",
                f"任务{n}",
                unit,
                "",
                dt.datetime(2022, 1, 1),
                "2022年底前",
                10,
            ]
            + ["", "", "2022-Q1"]
            for n, unit in enumerate(TEN_DEPARTMENTS, start=1)
        ]
        data = make_xlsx({"任务清单": [TASK_HEADER, *rows]})
        app.go("upload").choose_file("ten.xlsx", data)
        register_all = tr("upload.unknown_register_all", count=10)
        page.get_by_role("button", name=register_all).wait_for(timeout=30_000)
        page.get_by_text(tr("upload.unknown_heading", count=10)).scroll_into_view_if_needed()
        app.screenshot("upload-unknown-names")
        # The file's errors are shown as such; nothing else may go wrong.
        assert tr("upload.unknown_heading", count=10) in app.main_text()
        assert not app.page_errors and not app.console_errors and not app.blocked_requests
        with app.rerun():
            page.get_by_role("button", name=register_all).click()
        preview = tr("upload.preview", new=10, replaced=0, unchanged=0)
        page.get_by_text(preview).wait_for(timeout=30_000)
        with app.rerun():
            page.get_by_role("button", name=tr("upload.commit")).click()
        success = page.locator('[data-testid="stAlertContentSuccess"]')
        assert "ten.xlsx" in " ".join(success.all_inner_texts())
        app.assert_clean("ten departments committed")
    finally:
        context.close()
