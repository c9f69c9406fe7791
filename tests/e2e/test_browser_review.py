"""The review queue in a real browser: a 南山区 reviewer opens the pending submission a
staff member committed, returns it with a reason, and the staff member sees that reason
in the sidebar as soon as they sign in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.conftest import ACTIVITY_HEADER, make_xlsx
from tests.e2e.app_browser import AppServer, cli, open_app_page, start_server, tr

PASSWORD = "e2e-review-password-2024"
REASON = "参与企业数与签到表不符，请核对后重新报送"


@pytest.fixture(scope="module")
def review_server(tmp_path_factory) -> Iterator[AppServer]:
    """Master data only; activities need review; a staff member's submission is pending."""
    from data_model.accounts.users import create_user
    from data_model.admin.bootstrap import open_database

    data_dir = tmp_path_factory.mktemp("e2e-review")
    cli(data_dir, "init")
    engine = open_database(f"sqlite:///{data_dir / 'dashboard.sqlite3'}")
    with engine.begin() as conn:
        create_user(conn, "wang", "staff", PASSWORD, by="e2e", districts=["南山区"])
        create_user(conn, "li", "reviewer", PASSWORD, by="e2e", districts=["南山区"])
    engine.dispose()
    cli(data_dir, "review", "require", "activities")
    workbook = data_dir / "活动.xlsx"
    row = [dt.datetime(2024, 3, 15), "南山区", "政策宣讲会", "春季宣讲会", "", 310, 80]
    workbook.write_bytes(make_xlsx({"活动台账": [ACTIVITY_HEADER, row]}))
    cli(data_dir, "import", str(workbook), "--user", "wang")
    server = start_server(data_dir, "review")
    yield server
    server.stop()


def test_a_reviewer_returns_a_submission_and_the_submitter_sees_why(browser, review_server):
    context, app = open_app_page(browser, review_server)
    try:
        app.open().sign_in("li", PASSWORD)
        app.go("review")
        page = app.page
        page.get_by_text(tr("review.rows_heading", count=1)).wait_for(timeout=30_000)
        # The grids are drawn on a canvas: the text around them says what is pending.
        assert "活动.xlsx" in app.main_text()
        assert tr("upload.preview", new=1, replaced=0, unchanged=0) in app.main_text()
        app.screenshot("review-queue")
        reason = page.get_by_label(tr("review.return_reason"))
        reason.fill(REASON)
        with app.rerun():
            reason.press("Control+Enter")
        with app.rerun():
            page.get_by_role("button", name=tr("review.return")).click()
        success = page.locator('[data-testid="stAlertContentSuccess"]')
        success.first.wait_for(timeout=30_000)
        assert "已退回" in " ".join(success.all_inner_texts())
        assert tr("review.queue_empty") in app.main_text()
        app.assert_clean("after returning")
    finally:
        context.close()

    context, app = open_app_page(browser, review_server)
    try:
        app.open().sign_in("wang", PASSWORD)
        sidebar = app.page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text(REASON, exact=False).wait_for(timeout=30_000)
        app.screenshot("review-returned-notice")
        app.go("submissions")
        assert REASON in app.main_text()
        assert tr("review.returned_explain", by="li") in app.main_text()
        app.assert_clean("the submitter's history")
    finally:
        context.close()
