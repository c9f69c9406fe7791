"""Closed periods in the pages: the admin page's 期间关账 tab closes, lists and reopens
(a reason required); the upload page refuses a row of a closed period; the bulletin page says a period is closed, and after a reopen and a
change says that its bulletin restates figures, with the list. Both engines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.permissions import Principal, guarded_import
from data_model.admin.period_closing import close_period, reopen_period
from data_model.ingest.importer import import_file
from data_model.outputs.bulletin import XLSX_MIME, bulletin_figures, bulletin_xlsx
from data_model.outputs.restatement import record_publication
from data_model.store.closed_periods import closures
from data_model.store.models import District, IndicatorValue
from tests.app.conftest import open_app_page
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx, sign_in_app

BULLETIN = str(Path(__file__).resolve().parents[2] / "pages" / "bulletin.py")
UPLOAD = str(Path(__file__).resolve().parents[2] / "pages" / "upload.py")
ADMIN = Principal("chen", "admin")


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def periods_table(app: AppTest):
    return next(f.value for f in app.dataframe if "关账人" in f.value.columns)


def test_an_admin_closes_lists_and_reopens_a_period_in_the_admin_page(empty_db, monkeypatch):
    app = open_app_page("pages/admin.py", empty_db, monkeypatch)
    assert [tab.label for tab in app.tabs] == ["用户", "期间关账", "操作日志"]
    assert "还没有关账记录。" in [i.value for i in app.info]

    app.selectbox(key="close_kind").set_value("indicator_values")
    app.text_input(key="close_period_text").input("2023年")
    button(app, "关账").click().run()
    assert not app.exception, app.exception
    assert "2023年的指标数据已于" in app.success[0].value
    assert "由 test-admin 关账" in app.success[0].value
    table = periods_table(app)
    assert list(table["期间"]) == ["2023"] and list(table["状态"]) == ["已关账"]

    # The same year again: refused, naming who closed it.
    app.selectbox(key="close_kind").set_value("indicator_values")
    app.text_input(key="close_period_text").input("2023-Q4")
    button(app, "关账").click().run()
    assert "已关账" in app.error[0].value and "test-admin" in app.error[0].value

    button(app, "重新开账").click().run()  # no reason
    assert app.error[0].value == "重新开账必须填写原因。"
    app.text_input(key="reopen_reason").input("南山区数据更正")
    button(app, "重新开账").click().run()
    assert not app.exception, app.exception
    assert "已重新开账" in app.success[0].value
    table = periods_table(app)
    assert list(table["状态"]) == ["已重新开账"]
    assert list(table["重新开账原因"]) == ["南山区数据更正"]
    with empty_db.open().connect() as conn:
        [closure] = closures(conn)
    assert (closure.closed_by, closure.reopened_by) == ("test-admin", "test-admin")


def test_the_bulletin_page_shows_a_closed_period_and_its_restatement(fresh_sample_db, monkeypatch):
    engine = fresh_sample_db.open()
    with engine.begin() as conn:
        close_period(conn, ADMIN, "indicator_values", "2023")
    fresh_sample_db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(BULLETIN, default_timeout=60), fresh_sample_db, "leader")
    app.run()
    assert not app.exception, app.exception
    assert any("本期已关账" in i.value for i in app.info)
    assert not app.warning

    with engine.connect() as conn:
        bulletin = bulletin_figures(conn, "2023", date(2024, 1, 15))
    with engine.begin() as conn:
        record_publication(conn, bulletin, bulletin_xlsx(bulletin), "xlsx", "b.xlsx", None, "chen")
        reopen_period(conn, ADMIN, "indicator_values", "2023", "更正")
    with engine.connect() as conn:
        old = conn.execute(
            select(IndicatorValue.value)
            .join(District, District.id == IndicatorValue.district_id)
            .where(
                IndicatorValue.is_current,
                IndicatorValue.indicator_code == "YS03",
                District.name == "南山区",
                IndicatorValue.period == "2023-06",
            )
        ).scalar_one()
    rows = [VALUE_HEADER, ["YS03", "", "南山区", "2023-06", old * 10, ""]]
    fix = guarded_import(engine, ADMIN, make_xlsx({"指标数据": rows}), "fix.xlsx")
    assert fix.status == "accepted"
    engine.dispose()

    app.run()
    assert not app.exception, app.exception
    assert "本通报更正了" in app.warning[0].value
    assert "附件：更正数据清单" in [h.value for h in app.subheader]
    annex = next(f.value for f in app.dataframe if "更正后" in f.value.columns)
    assert "指标数据 · YS03 · 南山区 · 2023-06" in list(annex["更正项目"])
    assert f"第 {fix.submission_id} 号报送" in list(annex["更正来源"])


def test_the_upload_page_refuses_a_row_of_a_closed_period_naming_who_closed_it(
    empty_db, monkeypatch
):
    engine = empty_db.open()
    import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    with engine.begin() as conn:
        close_period(conn, ADMIN, "indicator_values", "2023")
    empty_db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(UPLOAD, default_timeout=60), empty_db).run()
    data = make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2023-03", 5, ""]]})
    app.file_uploader(key="upload_files").set_value(("late.xlsx", data, XLSX_MIME)).run()
    assert not app.exception, app.exception
    assert "涉及已关账的期间" in app.error[0].value and "chen" in app.error[0].value
    problems = next(f.value for f in app.dataframe if "行" in f.value.columns)
    assert problems["行"].tolist() == [2]
    assert "2023年3月已关账" in " ".join(map(str, problems.iloc[0]))
    assert next(b for b in app.button if b.label == "确认导入").disabled
    with engine.connect() as conn:
        assert conn.execute(select(IndicatorValue.id)).first() is None
    engine.dispose()
