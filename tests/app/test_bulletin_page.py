"""The periodic-bulletin page (定期通报) on the sample data and on an empty database.

The page is run on its own (AppTest.from_file on pages/bulletin.py), signed in as a leader
and works the same once registered in app.py's navigation."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_model.charts.images import browser_problem, find_browser
from data_model.outputs.office_pdf import find_soffice, soffice_problem
from tests.app.conftest import captions
from tests.conftest import AppDatabase, sign_in_app

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "bulletin.py")


def open_page(db: AppDatabase, monkeypatch, **query) -> AppTest:
    db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), db, role="leader")
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


def test_2023_preview_shows_the_bulletin_sections_and_figures(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    assert app.title[0].value == "定期通报"
    assert [h.value for h in app.subheader] == [
        "2023年“两个健康”试验区工作情况通报",
        "一、总体进展",
        "二、任务完成情况",
        "三、各区综合评价",
        "四、指标亮点",
        "五、下一步工作",
    ]
    metrics = {m.label: (m.value, m.delta) for m in app.metric}
    # The overview's cards, worded as there (one convention for counts: +24 场, not %).
    assert metrics["任务完成率"] == ("69.4%", "较上年 +11.2 个百分点")
    assert metrics["逾期任务"] == ("6 项", "较上年 +5 项")
    assert metrics["开展活动"] == ("152 场", "较上年 +24 场")
    assert "深圳市工商业联合会（总商会）" in captions(app)
    assert "逾期任务6项，涉及6个牵头单位" in captions(app)

    tables = [frame.value for frame in app.dataframe]
    overdue = next(t for t in tables if "逾期天数" in t.columns)
    assert len(overdue) == 6
    assert overdue.iloc[0]["编号"] == "A5-10" and overdue.iloc[0]["逾期天数"] == "365"
    scores = next(t for t in tables if "综合得分" in t.columns)
    assert scores.iloc[0]["区"] == "南山区"


def test_word_and_excel_downloads_are_offered(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    buttons = {b.key: b.label for b in app.get("download_button")}
    assert buttons["bulletin_docx"] == "下载 Word 通报"
    assert buttons["bulletin_xlsx"] == "下载 Excel 数据"


@pytest.mark.skipif(
    find_soffice() is None, reason=f"the PDF needs LibreOffice: {soffice_problem()}"
)
def test_pdf_download_is_offered_with_libreoffice(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    buttons = {b.key: b.label for b in app.get("download_button")}
    assert buttons["bulletin_pdf"] == "下载 PDF 通报"
    assert not [w for w in app.warning if "LibreOffice" in w.value]


def test_without_libreoffice_the_page_says_why_there_is_no_pdf(sample_db, monkeypatch, tmp_path):
    monkeypatch.setenv("SOFFICE_PATH", str(tmp_path / "no-such-soffice"))
    app = open_page(sample_db, monkeypatch)
    [warning] = [w.value for w in app.warning if "LibreOffice" in w.value]
    assert "libreoffice-writer-nogui" in warning and "Word" in warning
    keys = {b.key for b in app.get("download_button")}
    assert "bulletin_pdf" not in keys and {"bulletin_docx", "bulletin_xlsx"} <= keys


def test_number_and_issuing_date_from_the_settings(sample_db, monkeypatch):
    monkeypatch.setenv("BULLETIN_NUMBER", "深工商联通〔{year}〕7号")
    monkeypatch.setenv("BULLETIN_DATE", "2024-02-01")
    app = open_page(sample_db, monkeypatch)
    assert "深工商联通〔2024〕7号　深圳市工商业联合会（总商会）　2024年2月1日" in captions(app)


def test_a_bad_setting_is_shown_not_a_traceback(sample_db, monkeypatch):
    monkeypatch.setenv("BULLETIN_DATE", "2024-02-30")
    db = sample_db
    db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), db, role="leader")
    app.run()
    assert not app.exception
    assert "BULLETIN_DATE" in app.error[0].value
    assert not app.get("download_button")


@pytest.mark.skipif(
    find_browser() is None,
    reason=f"chart images need Chrome/Chromium (apt-get install chromium): {browser_problem()}",
)
def test_each_chart_can_be_downloaded_as_png(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    buttons = {b.key: b.label for b in app.get("download_button")}
    assert buttons["bulletin_png_status"] == "下载图片（PNG）"
    assert {"bulletin_png_actions", "bulletin_png_scores"} <= buttons.keys()
    assert len(app.get("plotly_chart")) == 3


def test_without_a_browser_the_page_says_the_word_file_has_no_charts(
    sample_db, monkeypatch, tmp_path
):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    app = open_page(sample_db, monkeypatch)
    assert "Chrome/Chromium" in app.warning[0].value
    keys = [b.key for b in app.get("download_button")]
    assert "bulletin_docx" in keys
    assert not [key for key in keys if key.startswith("bulletin_png_")]


def test_a_quarter_from_the_link(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, gran="quarter", period="2023-Q4")
    assert app.subheader[0].value == "2023年第四季度“两个健康”试验区工作情况通报"
    assert {m.label: m.value for m in app.metric}["开展活动"] == "49 场"


def test_in_english(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, lang="en")
    assert app.title[0].value == "Periodic bulletin"
    assert app.subheader[1].value == "1. Overall progress"
    assert {m.label: m.value for m in app.metric}["Overdue tasks"] == "6 tasks"


def test_empty_database_shows_a_friendly_state(empty_db, monkeypatch):
    app = open_page(empty_db, monkeypatch)
    assert "暂无数据" in app.info[0].value
    assert not app.get("download_button")
