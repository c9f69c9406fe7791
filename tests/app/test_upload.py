"""The upload page driven through AppTest: check, preview, commit, refuse bad files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from data_model.errors import InputError
from data_model.i18n import t
from data_model.ingest.importer import import_file
from data_model.periods import parse_period
from data_model.store.models import IndicatorValue
from tests.app.conftest import captions
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx, sign_in_app
from tests.task_workbook import task_rows
from ui import WORD_JOINER, WRAPPED_ROW_HEIGHT, literal

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "upload.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def data_dir(empty_db, monkeypatch):
    engine = empty_db.open()
    import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    empty_db.use(monkeypatch)
    yield engine
    engine.dispose()


def stored_values(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count(IndicatorValue.id)).where(IndicatorValue.is_current)
        ).scalar_one()


def upload(app: AppTest, name: str, data: bytes) -> AppTest:
    app.file_uploader(key="upload_files").set_value((name, data, XLSX))
    return app.run()


def upload_values(db, rows: list[list[object]]) -> AppTest:
    """The page, signed in on `db`, after the upload of a values sheet of `rows`."""
    data = make_xlsx({"指标数据": [VALUE_HEADER, *rows]})
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), db).run()
    return upload(app, "many.xlsx", data)


def test_good_file_is_previewed_then_committed(data_dir, empty_db):
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run()
    assert not app.exception
    data = make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", 5, ""]]})
    app = upload(app, "march.xlsx", data)
    assert not app.exception
    assert any("将新增 1 条" in i.value for i in app.info)
    assert stored_values(data_dir) == 0  # nothing written before commit
    commit = next(b for b in app.button if b.label == "确认导入")
    commit.click().run()
    assert not app.exception
    assert stored_values(data_dir) == 1
    assert any("导入成功" in s.value for s in app.success)


def test_bad_file_shows_every_problem_and_cannot_be_committed(data_dir, empty_db):
    data = make_xlsx(
        {
            "指标数据": [
                VALUE_HEADER,
                ["YS02", "", "福天区", "2022-03", 5, ""],
                ["YS02", "", "罗湖区", 2022.1, 5, ""],
            ]
        }
    )
    app = upload(
        sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run(),
        "bad.xlsx",
        data,
    )
    assert not app.exception
    problems = app.dataframe[1].value
    assert problems["行"].tolist() == [2, 3]
    assert problems["建议"].tolist()[0] == "福田区"
    # The reason and what to do are read whole: wrapped in rows of four lines (a row
    # higher than 4rem wraps its text) in a wide column, not cut at its edge.
    table = app.dataframe[1].proto
    assert table.row_height == WRAPPED_ROW_HEIGHT > 64
    columns = json.loads(table.columns)
    widths = {name: column["width"] for name, column in columns.items() if name != "_index"}
    assert widths["原因与处理办法"] == "large"
    # Every column has its width, and they fit the 900 px beside the sidebar at 1366 px
    # ("large" is 400 px): the suggestion is seen without a sideways scroll.
    assert set(widths) == {"类型", "工作表", "行", "列", "单元格内容", "原因与处理办法", "建议"}
    assert sum(400 if width == "large" else width for width in widths.values()) <= 900
    commit = next(b for b in app.button if b.label == "确认导入")
    assert commit.disabled
    assert stored_values(data_dir) == 0


def test_a_refused_file_offers_the_correction_in_the_page_in_the_alert_too(data_dir, empty_db):
    app = upload_values(empty_db, [["YS02", "", "福天区", "2022-03", 5, ""]])
    assert not app.exception
    assert [e.value for e in app.error] == [
        "发现 1 处错误，没有一行可以导入，未导入任何数据。"
        "请在下方修改有错误的单元格后点击“重新校验”，或修改文件后重新上传。"
    ]
    assert "修改下表中有错误的单元格，然后点击“重新校验”" in captions(app)


def test_a_file_of_many_wrong_rows_lists_them_all_and_offers_the_first_to_correct(
    data_dir, empty_db
):
    # Values sent before their indicator system make every row wrong: 300,000 rows once
    # held the page for hours (each row of the grid searched every error again).
    from data_model.workflow.upload import FIX_IN_PAGE_ROWS

    wrong = FIX_IN_PAGE_ROWS + 5
    app = upload_values(empty_db, [["YS02", "", "福天区", "2022-03", n, ""] for n in range(wrong)])
    assert not app.exception
    problems, grid = app.dataframe[1].value, app.dataframe[2].value
    assert problems["行"].tolist() == list(range(2, wrong + 2))
    assert grid["_row"].tolist() == list(range(2, FIX_IN_PAGE_ROWS + 2))  # as Excel numbers
    assert any(
        w.value.startswith(f"有错误的行共 {wrong} 行，下表先列出前 {FIX_IN_PAGE_ROWS} 行")
        for w in app.warning
    )


def test_a_file_of_more_problems_than_a_page_lists_shows_them_counted_by_kind(data_dir, empty_db):
    # Every row of 300,000 wrong once sent a 57 MB table to the browser on every rerun.
    from data_model.workflow.upload import PROBLEMS_IN_PAGE

    wrong = PROBLEMS_IN_PAGE + 5
    app = upload_values(
        empty_db, [["YS02", "", "福天区", f"2022-{13 + n % 2}", n, ""] for n in range(wrong)]
    )
    assert not app.exception
    assert any(
        i.value.startswith(f"共发现 {2 * wrong} 处问题") and "下方按钮下载" in i.value
        for i in app.info
    )
    groups, problems = app.dataframe[1].value, app.dataframe[2].value
    assert groups[["列", "出现次数", "不同的值", "首次出现的行"]].values.tolist() == [
        ["区", wrong, 1, 2],
        ["期间", wrong, 2, 2],
    ]
    assert len(problems) == PROBLEMS_IN_PAGE
    assert problems["行"].tolist()[:4] == [2, 2, 3, 3]
    assert "下载标注错误的工作簿" in [b.label for b in app.get("download_button")]


def test_a_file_that_is_not_a_workbook_gets_one_reason(data_dir, empty_db):
    app = upload(
        sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run(),
        "data.xlsx",
        b"a,b\n1,2\n",
    )
    assert not app.exception
    assert "不是 Excel" in app.error[0].value


def test_a_file_that_would_end_the_process_gets_one_reason_and_the_page_goes_on(data_dir, empty_db):
    # 5 KB asking calamine for 3.2 TB: read in a child process, only the child ends.
    from tests.ingest.test_isolated import cells_without_references

    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run()
    app = upload(app, "far.xlsx", cells_without_references())
    assert not app.exception
    assert "所需内存超过上限 2048 MB" in app.error[0].value
    data = make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", 5, ""]]})
    app = upload(app, "march.xlsx", data)
    assert any("将新增 1 条" in i.value for i in app.info)


def test_once_the_marked_copy_could_not_be_made_the_download_offers_the_problem_list(
    data_dir, empty_db, monkeypatch
):
    from data_model.workflow.upload import problems_download
    from tests.workflow.test_upload_services import copy_too_slow

    app = upload_values(empty_db, [["YS02", "", "福天区", "2022-03", 5, ""]])
    assert "下载标注错误的工作簿" in [b.label for b in app.get("download_button")]
    # What the button builds when clicked (AppTest cannot click a download), with the
    # copy's child out of time.
    (pending,) = app.session_state["pending_uploads"].values()
    copy_too_slow(monkeypatch)
    problems_download(pending).make()
    app.run()
    assert not app.exception
    labels = [b.label for b in app.get("download_button")]
    assert "下载错误清单" in labels and "下载标注错误的工作簿" not in labels


def test_an_english_viewer_reads_the_problems_and_the_outcome_in_english(
    data_dir, empty_db, in_english
):
    data = make_xlsx(
        {
            "指标数据": [
                VALUE_HEADER,
                ["YS02", "", "福天区", "2022-03", 5, ""],
                ["YS02", "", "罗湖区", 2022.1, 5, ""],
            ]
        }
    )
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.query_params["lang"] = "en"
    app = upload(sign_in_app(app, empty_db).run(), "bad.xlsx", data)
    assert not app.exception
    problems = app.dataframe[1].value
    assert problems["Row"].tolist() == [2, 3]
    messages = problems["Reason and what to do"].tolist()
    assert messages[0].startswith("“福天区” is not a registered district")
    assert "cannot tell January 2022 from October 2022" in messages[1]
    assert [e.value for e in app.error] == [
        "Found 2 errors and no row that can be imported; nothing was imported. Correct the"
        " cells below and click “Check again”, or fix the file and upload it again."
    ]


def test_an_invalid_period_is_said_under_its_box_and_files_are_still_checked(data_dir, empty_db):
    """The uploader stays: a file naming its own period is checked as usual; one needing
    the box's period reports it missing, and is checked again once the box holds one."""
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run()
    app.text_input(key="upload_period").input("2024-99").run()
    with pytest.raises(InputError) as refused:
        parse_period("2024-99")
    period_error = literal(refused.value.message())
    assert [e.value for e in app.error] == [period_error]
    own = make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", 5, ""]]})
    app = upload(app, "own-period.xlsx", own)
    assert not app.exception
    assert any("将新增 1 条" in i.value for i in app.info)
    assert [e.value for e in app.error] == [period_error]

    # A task list without a 报送期 column nor a period in its title.
    needs = make_xlsx({"任务清单": [row[:-1] for row in task_rows()[:2]]})
    app = upload(app, "needs-period.xlsx", needs)
    assert app.error[0].value == period_error
    problems = [row for d in app.dataframe for row in d.value.to_dict("records")]
    reasons = [p["原因与处理办法"] for p in problems if "原因与处理办法" in p]
    assert reasons == [t("validate.task_list_needs_period", "zh-CN")]
    assert not any(b.label == "确认导入" and not b.disabled for b in app.button)

    app.text_input(key="upload_period").input("2022-03").run()
    assert not app.error
    assert any("将新增 1 条" in i.value for i in app.info)


# Streamlit's Markdown, as far as its codes go: `:material/` is turned into `:material_`
# in the source, then the codes are replaced in the parsed text, backslash escapes gone.
CODES = re.compile(r":material_\w+:|:streamlit:|:[\w+-]+:")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def drawn_codes(markdown: str) -> list[str]:
    """The icon and emoji codes Streamlit would draw in `markdown`."""
    return CODES.findall(ESCAPE.sub(r"\1", markdown.replace(":material/", ":material_")))


def shown_text(markdown: str) -> str:
    return ESCAPE.sub(r"\1", markdown).replace(WORD_JOINER, "")


@pytest.mark.parametrize("name", [":material/bolt: x.xlsx", ":streamlit: :smile: y.xlsx"])
def test_a_file_name_holding_icon_codes_is_shown_as_written(data_dir, empty_db, name):
    """In the file's heading and in its check's status label: escaping the colons did not
    stop Streamlit drawing the icon (it replaces codes after the Markdown is parsed)."""
    assert drawn_codes(name)  # the codes this test is about
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run()
    app = upload(
        app, name, make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", 5, ""]]})
    )
    status = app.get("status")
    assert [s.label for s in status] == [t("upload.checked", "zh-CN", name=literal(name))]
    assert [h.value for h in app.subheader] == [literal(name)]
    for shown in (status[0].label, app.subheader[0].value):
        assert drawn_codes(shown) == []
        assert name in shown_text(shown)
