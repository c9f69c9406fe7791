"""The review loop through the pages, on both engines: staff commit on the upload page →
the reviewer returns a row with a reason → the staff member sees the reason at sign-in
and in their history, fixes and resubmits → the reviewer approves → the figure is on the
overview. A leader never sees the returned value; a reviewer of 南山区 sees no 福田区."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from data_model.accounts.permissions import Principal, guarded_import
from data_model.workflow.review import review_rules, set_review_rule
from tests.app.conftest import APP, HOSTILE_CODE, HOSTILE_CODE_SHOWN, run_at
from tests.conftest import ACTIVITY_HEADER, AppDatabase, make_xlsx, sign_in_app, values_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BRIEFINGS = "政策宣讲会"  # an overview highlight: 16 场 in the sample data's 2021


def briefing(district: str, companies: int) -> bytes:
    row = [dt.datetime(2021, 6, 15), district, BRIEFINGS, "审核测试宣讲会", "", companies, 80]
    return make_xlsx({"活动台账": [ACTIVITY_HEADER, row]})


def as_user(
    db: AppDatabase, monkeypatch, username: str, role: str, page: str | None = None, **binding
) -> AppTest:
    db.use(monkeypatch)
    app = AppTest.from_file(APP, default_timeout=60)
    return run_at(sign_in_app(app, db, role=role, username=username, **binding), page)


def commit_upload(app: AppTest, name: str, data: bytes) -> AppTest:
    app.file_uploader(key="upload_files").set_value((name, data, XLSX)).run()
    assert not app.exception, app.exception
    assert any("需要审核" in w.value for w in app.warning)  # said before the commit
    next(b for b in app.button if b.label == "确认导入").click().run()
    assert not app.exception, app.exception
    return app


def briefings_2021(db: AppDatabase, monkeypatch) -> str:
    app = as_user(db, monkeypatch, "zhao", "leader")
    app.sidebar.selectbox(key="f_period").set_value("2021").run()
    assert not app.exception
    return {m.label: m.value for m in app.metric}[BRIEFINGS]


@pytest.fixture
def db(fresh_sample_db):
    engine = fresh_sample_db.open()
    with engine.begin() as conn:
        set_review_rule(conn, Principal("chen", "admin"), "activities", True)
    engine.dispose()
    return fresh_sample_db


def test_return_with_a_reason_resubmit_and_approve_through_the_pages(db, monkeypatch):
    staff = {"username": "wang", "role": "staff", "districts": ["南山区"]}
    reviewer = {"username": "li", "role": "reviewer", "districts": ["南山区"]}

    app = as_user(db, monkeypatch, page="pages/upload.py", **staff)
    app = commit_upload(app, "宣讲会.xlsx", briefing("南山区", 310))
    assert any("已提交审核" in s.value for s in app.success)
    assert briefings_2021(db, monkeypatch) == "16 场"  # pending counts nowhere

    app = as_user(db, monkeypatch, page="pages/review.py", **reviewer)
    queue = app.dataframe[0].value
    assert queue["报送人"].tolist() == ["wang"]
    first = int(queue["批次"].iloc[0])
    assert any("将新增 1 条，更新 0 条" in i.value for i in app.info)
    rows = app.dataframe[-1].value
    assert rows["参与企业数"].tolist() == [310]
    app.selectbox(key=f"note_column_{first}").set_value("enterprise_count")
    app.text_input(key=f"note_reason_{first}").input("参与企业数应为 31 家").run()
    app.button(key=f"note_add_{first}").click().run()
    app.text_area(key=f"return_reason_{first}").input("请核对参与企业数").run()
    app.button(key=f"return_{first}").click().run()
    assert not app.exception, app.exception
    assert any(f"批次 #{first} 已退回" in s.value for s in app.success)
    assert any("没有待您审核" in i.value for i in app.info)

    # At sign-in, and in the history: why it came back.
    app = as_user(db, monkeypatch, **staff)
    notice = " ".join(w.value for w in app.sidebar.warning)
    assert f"#{first}" in notice and "请核对参与企业数" in notice
    app = as_user(db, monkeypatch, page="pages/submissions.py", **staff)
    reasons = [m.value for m in app.markdown if "（li）" in m.value]
    assert reasons == [
        "- **整个批次**：请核对参与企业数（li）\n"
        "- **活动台账 第 2 行 · 参与企业数**：参与企业数应为 31 家（li）"
    ]

    # A leader sees that it exists, never the value it held.
    app = as_user(db, monkeypatch, "zhao", "leader", page="pages/submissions.py")
    shown = [frame.value for frame in app.dataframe]
    assert not any((frame == 310).any().any() for frame in shown)
    assert briefings_2021(db, monkeypatch) == "16 场"

    app = as_user(db, monkeypatch, page="pages/upload.py", **staff)
    app = commit_upload(app, "宣讲会-改.xlsx", briefing("南山区", 31))
    assert any(f"关联已退回的批次 #{first}" in s.value for s in app.success)
    app = as_user(db, monkeypatch, **staff)
    assert not app.sidebar.warning  # resubmitted: nothing left to fix

    app = as_user(db, monkeypatch, page="pages/review.py", **reviewer)
    assert any(f"已退回批次 #{first}" in i.value for i in app.info)  # what it resubmits
    assert app.dataframe[-1].value["参与企业数"].tolist() == [31]
    next(b for b in app.button if b.label == "审核通过").click().run()
    assert not app.exception, app.exception
    assert any("已审核通过" in s.value for s in app.success)
    assert briefings_2021(db, monkeypatch) == "17 场"


def test_a_reviewer_of_nanshan_sees_no_futian_submission(db, monkeypatch):
    engine = db.open()
    report = guarded_import(
        engine, Principal("liu", "staff", ("福田区",)), briefing("福田区", 9), "f.xlsx"
    )
    engine.dispose()
    assert report.status == "pending"
    app = as_user(db, monkeypatch, "li", "reviewer", page="pages/review.py", districts=["南山区"])
    assert any("没有待您审核" in i.value for i in app.info)
    app = as_user(db, monkeypatch, "sun", "reviewer", page="pages/review.py", districts=["福田区"])
    assert app.dataframe[0].value["批次"].tolist() == [report.submission_id]


def test_review_is_in_the_navigation_of_reviewers_and_admins_only(db, monkeypatch):
    for username, role, binding in (
        ("li", "reviewer", {"districts": ["南山区"]}),
        ("chen", "admin", {}),
        ("wang", "staff", {"districts": ["南山区"]}),
        ("zhao", "leader", {}),
    ):
        app = as_user(db, monkeypatch, username, role, page="pages/review.py", **binding)
        opened = [t.value for t in app.title] == ["审核"]
        assert opened == (role in ("reviewer", "admin")), role


def test_an_admin_sets_what_needs_review_on_the_page(db, monkeypatch):
    app = as_user(db, monkeypatch, "chen", "admin", page="pages/review.py")

    def choose(label: str, value: str) -> None:
        next(s for s in app.selectbox if s.label == label).set_value(value)

    choose("数据类型", "issues")
    choose("区", "福田区")
    choose("牵头单位", "市发展改革委")
    app.run()
    next(b for b in app.button if b.label == "需要审核").click().run()
    assert not app.exception, app.exception
    assert any("只能限定一个区或一个牵头单位" in e.value for e in app.error)
    choose("牵头单位", "")
    app.run()
    next(b for b in app.button if b.label == "需要审核").click().run()
    assert not app.exception, app.exception
    engine = db.open()
    with engine.connect() as conn:
        rules = review_rules(conn)
    engine.dispose()
    assert rules[["kind", "district", "unit", "set_by"]].values.tolist() == [
        ["activities", "", "", "chen"],
        ["issues", "福田区", "", "chen"],
    ]


def test_a_held_upload_and_its_file_reach_its_submitter_and_reviewers_only(db, monkeypatch):
    """SPEC §9: held data never reaches leaders, nor reviewers of other districts; the
    file's name is shown as written, never as Markdown (an image would make each viewer's
    browser fetch an address; a name keeps no folders, so no outside one)."""
    name = "![](p.png)[请点此核对](login).xlsx"
    engine = db.open()
    held = guarded_import(
        engine, Principal("wang", "staff", ("南山区",)), briefing("南山区", 310), name
    )
    engine.dispose()
    assert held.status == "pending"

    def file_offered(username: str, role: str, **binding) -> bool:
        db.use(monkeypatch)
        app = sign_in_app(AppTest.from_file(APP, default_timeout=60), db, role, username, **binding)
        run_at(app, "pages/submissions.py", submission=str(held.submission_id))
        return any(b.label == "下载原始文件" for b in app.get("download_button"))

    assert file_offered("li", "reviewer", districts=["南山区"])
    assert not file_offered("zhao", "leader")
    assert not file_offered("sun", "reviewer", districts=["福田区"])

    app = as_user(db, monkeypatch, "li", "reviewer", page="pages/review.py", districts=["南山区"])
    [detail] = [m.value for m in app.markdown if "p.png" in m.value]
    assert "![](" not in detail and "](login" not in detail
    assert "\\!\\[\\]\\(p.png\\)\\[请点此核对\\]\\(login\\).xlsx" in detail


def test_a_refusal_quoting_an_uploaded_code_shows_it_as_written(db, monkeypatch):
    """An approval refused for a task code that another district now holds quotes the
    code in the reviewer's alert; a code written as a Markdown image stays text there,
    never an address the reviewer's browser fetches."""
    from tests.task_workbook import TASK_HEADER

    code = HOSTILE_CODE

    def task(district: str) -> bytes:
        row = [code, "领跑行动", f"{district}任务", "市发展改革委", "x"]
        row += [dt.datetime(2022, 1, 1), "2022-12-31", 50, "", district, "2022-Q4"]
        return make_xlsx({"任务清单": [TASK_HEADER, row]})

    engine = db.open()
    with engine.begin() as conn:
        set_review_rule(conn, Principal("chen", "admin"), "tasks", True, district="南山区")
    held = guarded_import(engine, Principal("wang", "staff", ("南山区",)), task("南山区"), "n.xlsx")
    futian = guarded_import(
        engine, Principal("liu", "staff", ("福田区",)), task("福田区"), "f.xlsx"
    )
    engine.dispose()
    assert (held.status, futian.status) == ("pending", "accepted")

    app = as_user(db, monkeypatch, "li", "reviewer", page="pages/review.py", districts=["南山区"])
    [refusal] = [e.value for e in app.error if "不能审核通过" in e.value]
    assert "![](" not in refusal
    assert HOSTILE_CODE_SHOWN in refusal


def test_the_review_page_shows_local_times_and_period_names(db, monkeypatch):
    # A batch sent at 07:49 on 8 December in Shenzhen read "于 2026-12-07 23:49 提交" (UTC)
    # here while 报送管理 said 07:49, and its period "2024-01" beside 2024年1月 elsewhere.
    from sqlalchemy import update

    from data_model.store.models import Submission

    monkeypatch.setenv("TIME_ZONE", "Asia/Shanghai")
    engine = db.open()
    with engine.begin() as conn:
        set_review_rule(conn, Principal("chen", "admin"), "indicator_values", True)
    values = values_workbook(["YS01", "", "南山区", "2024-01", 1.3, ""])
    held = guarded_import(engine, Principal("wang", "staff", ("南山区",)), values, "v.xlsx")
    assert held.status == "pending"
    with engine.begin() as conn:
        conn.execute(
            update(Submission)
            .where(Submission.id == held.submission_id)
            .values(uploaded_at=dt.datetime(2026, 12, 7, 23, 49, tzinfo=dt.UTC))
        )
    engine.dispose()
    app = as_user(db, monkeypatch, "chen", "admin", page="pages/review.py")
    assert any("wang 于 2026-12-08 07:49 提交" in m.value for m in app.markdown)
    queue = app.dataframe[0].value
    assert queue["期间"].tolist() == ["2024年1月"]
    sent = queue["提交时间"].iloc[0]
    assert (sent.day, sent.hour, sent.minute) == (8, 7, 49)
