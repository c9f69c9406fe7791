"""Explanations asked for in the upload page and shown on the task, overview and trend
pages; evidence attached, listed and required on the task page (AppTest, both engines)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.permissions import Principal
from data_model.ingest.importer import import_file
from data_model.store.models import Evidence, Explanation
from data_model.workflow import evidence
from tests.app.conftest import open_app_page
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx, sign_in_app
from tests.task_workbook import task_rows, task_workbook

UPLOAD = str(Path(__file__).resolve().parents[2] / "pages" / "upload.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = b"%PDF-1.4\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 100


def save_explanations_and_commit(app: AppTest, saved: int) -> None:
    """Save the explanations typed in the upload page (`saved` of them, as its notice says),
    then commit the file, which the check now lets through."""
    next(b for b in app.button if b.label == "保存情况说明并重新检查").click()
    app.run()
    assert not app.exception
    assert any(f"已保存 {saved} 条情况说明" in s.value for s in app.success)
    commit = next(b for b in app.button if b.label == "确认导入")
    assert not commit.disabled
    commit.click().run()
    assert not app.exception


def test_the_upload_page_asks_for_each_missing_explanation_before_commit(empty_db, monkeypatch):
    monkeypatch.setenv("EXPLANATIONS_REQUIRED", "1")
    empty_db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(UPLOAD, default_timeout=60), empty_db).run()
    app.file_uploader(key="upload_files").set_value(
        ("tasks.xlsx", make_xlsx({"任务清单": task_rows()}), XLSX)
    )
    app.run()
    assert not app.exception
    commit = next(b for b in app.button if b.label == "确认导入")
    assert commit.disabled
    areas = {a.label: a for a in app.text_area}
    assert list(areas) == [
        "第 7 行 K03（逾期）的情况说明",
        "第 8 行 K04（滞后）的情况说明",
        "其余各行统一使用的情况说明（可选，上面未填写的行使用此说明）",
    ]
    areas["第 7 行 K03（逾期）的情况说明"].input("平台招标两次流标，已重新发包")
    # K04's box is left blank: the text for every other row explains it.
    areas["其余各行统一使用的情况说明（可选，上面未填写的行使用此说明）"].input(
        "龙头企业名单待市政府审定"
    )
    save_explanations_and_commit(app, saved=2)
    engine = empty_db.open()
    with engine.connect() as conn:
        rows = conn.execute(
            select(Explanation.text, Explanation.source).order_by(Explanation.text)
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("平台招标两次流标，已重新发包", "page"),
        ("龙头企业名单待市政府审定", "page"),
    ]


def test_a_file_of_many_rows_to_explain_asks_the_first_ones_and_one_text_for_the_rest(
    empty_db, monkeypatch
):
    """25 overdue tasks without a reason: 20 boxes, not 25 (3,300 in a month's file in 元
    instead of 万元); the text for every row explains the 5 not listed too."""
    from tests.task_workbook import TASK_HEADER

    monkeypatch.setenv("EXPLANATIONS_REQUIRED", "1")
    rows = [
        [f"M{n:02}", "领跑行动", f"任务{n}", "市商务局", "王五", dt.datetime(2022, 1, 1)]
        + ["2022-06-30", 10, "", "南山区", "2022-Q4"]
        for n in range(1, 26)
    ]
    empty_db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(UPLOAD, default_timeout=60), empty_db).run()
    app.file_uploader(key="upload_files").set_value(
        ("tasks.xlsx", make_xlsx({"任务清单": [TASK_HEADER, *rows]}), XLSX)
    )
    app.run()
    assert not app.exception
    areas = [a.label for a in app.text_area]
    assert len(areas) == 21 and areas[0] == "第 2 行 M01（逾期）的情况说明"
    assert areas[-1].startswith("其余各行统一使用的情况说明")
    assert any(c.value.startswith("另有 5 行未逐行列出") for c in app.caption)
    next(a for a in app.text_area if a.label.startswith("其余各行")).input("上级资金未到位")
    save_explanations_and_commit(app, saved=25)
    engine = empty_db.open()
    with engine.connect() as conn:
        texts = conn.execute(select(Explanation.text)).scalars().all()
    engine.dispose()
    assert texts == ["上级资金未到位"] * 25


def test_overdue_and_behind_lists_show_the_explanation_next_to_the_task(sample_db, monkeypatch):
    app = open_app_page("pages/tasks.py", sample_db, monkeypatch)
    overdue, behind = app.dataframe[0].value, app.dataframe[1].value
    assert (
        overdue.set_index("任务编号").loc["A5-10", "情况说明"] == "已超过完成时限，正在加快推进。"
    )
    assert behind.set_index("任务编号").loc["A4-09", "情况说明"] == "前期准备耗时较长，进度偏慢。"
    overview = open_app_page("pages/overview.py", sample_db, monkeypatch)
    late = overview.dataframe[0].value
    assert late.iloc[0]["任务编号"] == "A5-10"
    assert late.iloc[0]["情况说明"] == "已超过完成时限，正在加快推进。"


def test_the_trend_chart_shows_a_points_explanation_on_hover(empty_db, monkeypatch):
    engine = empty_db.open()
    assert import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "i.xlsx").status
    for name, row in (
        ("jan.xlsx", ["YS02", "", "南山区", "2022-01", 10, ""]),
        # 4.5 times January's: a sharp change, explained in its 备注 cell.
        ("feb.xlsx", ["YS02", "", "南山区", "2022-02", 45, "春节后集中登记"]),
    ):
        assert import_file(engine, make_xlsx({"指标数据": [VALUE_HEADER, row]}), name).status
    engine.dispose()
    app = open_app_page("pages/trends.py", empty_db, monkeypatch, gran="month", period="2022-02")
    app.selectbox(key="trend_indicator").set_value("YS02").run()
    assert not app.exception
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    nanshan = next(trace for trace in spec["data"] if trace.get("name") == "南山区")
    assert nanshan["customdata"][-1][1] == "<br>情况说明：春节后集中登记"
    assert nanshan["customdata"][0][1] == ""
    assert "%{customdata[1]}" in nanshan["hovertemplate"]


def test_evidence_is_attached_listed_and_required_for_completed(empty_db, monkeypatch):
    monkeypatch.setenv("EVIDENCE_REQUIRED", "1")
    engine = empty_db.open()
    assert import_file(engine, task_workbook(), "tasks.xlsx").status == "accepted"
    app = open_app_page("pages/tasks.py", empty_db, monkeypatch, period="2022")
    assert any("待佐证任务 5 项" in w.value for w in app.warning)
    assert app.metric[1].value == "0%"  # 完成率: nothing counts complete without evidence
    app.selectbox(key="evidence_task").set_value("K01").run()
    app.file_uploader(key="evidence_file").set_value(("验收.exe.pdf", EXE, "application/pdf"))
    next(b for b in app.button if b.label == "上传佐证材料").click()
    app.run()
    assert any("可执行程序" in e.value for e in app.error)
    app.file_uploader(key="evidence_file").set_value(("验收报告.pdf", PDF, "application/pdf"))
    next(b for b in app.button if b.label == "上传佐证材料").click()
    app.run()
    assert not app.exception
    assert any("已上传佐证材料“验收报告.pdf”" in s.value for s in app.success)
    assert any("待佐证任务 4 项" in w.value for w in app.warning)
    assert app.metric[1].value == "12.5%"
    files = app.dataframe[-1].value
    assert files["文件名"].tolist() == ["验收报告.pdf"]
    downloads = [b for b in app.get("download_button") if "验收报告.pdf" in b.proto.label]
    assert len(downloads) == 1
    with engine.connect() as conn:
        stored = conn.execute(select(Evidence.task_code, Evidence.file_type)).all()
    engine.dispose()
    assert [tuple(r) for r in stored] == [("K01", "pdf")]
    served = evidence.download(empty_db.open(), Principal("zhao", "leader"), 1)
    assert (served.data, served.content_type) == (PDF, "application/pdf")


def test_the_evidence_picker_speaks_the_page_language_and_states_the_evidence_limit(
    empty_db, monkeypatch
):
    monkeypatch.setenv("EVIDENCE_MAX_MB", "20")
    engine = empty_db.open()
    assert import_file(engine, task_workbook(), "tasks.xlsx").status == "accepted"
    engine.dispose()
    app = open_app_page("pages/tasks.py", empty_db, monkeypatch, period="2022")
    app.selectbox(key="evidence_task").set_value("K01").run()
    picker = app.file_uploader(key="evidence_file")
    # Streamlit's own limit (the server's 50 MB) would be enforced and shown otherwise.
    assert picker.proto.max_upload_size_mb == 20
    assert ".pdf" in picker.proto.type and ".xlsx" in picker.proto.type
    # The localised button and hint replace Streamlit's English "Upload" / "50MB per file".
    styles = "".join(h.proto.body for h in app.get("html"))
    assert ".st-key-evidence_file" in styles
    assert '"选择文件"' in styles
    assert "单个文件不超过 20 MB" in styles
