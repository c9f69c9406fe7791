"""The upload page as a hostile staff member: another district's key under one's own
district is shown as a problem of that row, cannot be committed, and changes nothing;
and the page offers a staff member bound to a district that district alone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data_model.i18n import t
from data_model.ingest.importer import import_file
from data_model.store.models import District, EnterpriseIssue
from tests.accounts.test_scope_matrix import ISSUE_HEADER, issue_row
from tests.app.conftest import upload_page, upload_page_as_nanshan_staff
from tests.conftest import make_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def issues(code: str, district: str, status: str) -> bytes:
    return make_xlsx({"企业诉求": [ISSUE_HEADER, issue_row(code, district, status)]})


@pytest.fixture
def data_dir(empty_db, monkeypatch):
    engine = empty_db.open()
    assert import_file(engine, issues("SQ-F", "福田区", "已受理"), "futian.xlsx").status == (
        "accepted"
    )
    empty_db.use(monkeypatch)
    yield engine
    engine.dispose()


def stored_issue(engine) -> tuple[str, str]:
    with engine.connect() as conn:
        return conn.execute(
            select(District.name, EnterpriseIssue.status)
            .join(District, District.id == EnterpriseIssue.district_id)
            .where(EnterpriseIssue.is_current, EnterpriseIssue.code == "SQ-F")
        ).one()


def test_staff_cannot_replace_another_districts_issue_from_the_page(data_dir, empty_db):
    app = upload_page_as_nanshan_staff(empty_db)
    assert not app.exception
    app.file_uploader(key="upload_files").set_value(
        ("collision.xlsx", issues("SQ-F", "南山区", "已办结"), XLSX)
    )
    app.run()
    assert not app.exception
    problems = app.dataframe[1].value
    assert problems["行"].tolist() == [2]
    message = problems.iloc[0].tolist()
    assert any("SQ-F" in str(cell) for cell in message)
    assert not any("福田" in str(cell) for cell in message)
    commit = next(b for b in app.button if b.label == "确认导入")
    assert commit.disabled
    assert stored_issue(data_dir) == ("福田区", "received")


def test_a_staff_member_of_one_district_is_offered_that_district_alone(data_dir, empty_db):
    app = upload_page_as_nanshan_staff(empty_db)
    from_file = t("upload.district_from_file", "zh-CN")
    assert app.selectbox(key="upload_district").options == [from_file, "南山区"]
    admin = upload_page(empty_db).selectbox(key="upload_district").options
    assert admin[:2] == [from_file, "全市"] and {"福田区", "南山区"} <= set(admin)
