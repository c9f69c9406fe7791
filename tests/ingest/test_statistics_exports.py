"""Two defects of real statistics exports: footnotes over several rows, and problems in
metadata rows located like every other problem."""

from __future__ import annotations

import pytest

from data_model.ingest.importer import ImportOptions, import_file
from tests.conftest import indicator_rows, make_xlsx
from tests.ingest.test_real_layouts import INDICATORS, values


@pytest.fixture
def db(engine):
    assert import_file(engine, make_xlsx({"指标体系": INDICATORS}), "i.xlsx").status == "accepted"
    return engine


MULTI_ROW_NOTE = [
    ["注：1.数据为初步统计结果。"],
    ["2.南山区含前海合作区数据。"],
    ["   其中前海部分为估算值。"],
    [],
    ["（3）诉求办结率按件数计算。"],
    ["②“—”表示暂无数据。"],
]


def test_a_footnote_over_several_rows_below_a_long_table_is_skipped_whole(db):
    rows = [
        ["指标编码", "区", "期间", "数值"],
        ["QY", "福田区", "2022-03", 12],
        ["QY", "南山区", "2022-03", 8],
        *MULTI_ROW_NOTE,
    ]
    report = import_file(db, make_xlsx({"指标数据": rows}), "long.xlsx")
    assert report.status == "accepted", report.errors
    assert values(db) == [["QY", "福田区", "2022-03", 12.0], ["QY", "南山区", "2022-03", 8.0]]


def test_a_footnote_over_several_rows_below_a_wide_table_is_skipped_whole(db):
    rows = [
        ["2022年3月各区新增民营企业统计表"],
        ["地区", "新增民营企业数"],
        ["福田区", 12],
        ["南山区", 8],
        *MULTI_ROW_NOTE,
    ]
    report = import_file(db, make_xlsx({"统计": rows}), "wide.xlsx")
    assert report.status == "accepted", report.errors
    assert report.sheets[0].layout == "districts_x_indicators"
    assert values(db) == [["QY", "福田区", "2022-03", 12.0], ["QY", "南山区", "2022-03", 8.0]]


def test_rows_after_a_one_line_note_mid_sheet_are_read_as_data_in_a_long_table(db):
    rows = [
        ["指标编码", "区", "期间", "数值"],
        ["QY", "福田区", "2022-03", 12],
        ["注：以下为补报数据"],
        ["QY", "南山区", "2022-03", 8],
        ["QY", "福天区", "2022-03", 5],
    ]
    report = import_file(db, make_xlsx({"指标数据": rows}), "mid.xlsx")
    assert report.status == "rejected"
    assert [(e.row, e.column, e.suggestion) for e in report.errors] == [(5, "区", "福田区")]
    report = import_file(db, make_xlsx({"指标数据": rows[:4]}), "mid.xlsx")
    assert report.status == "accepted", report.errors
    assert values(db) == [["QY", "福田区", "2022-03", 12.0], ["QY", "南山区", "2022-03", 8.0]]


def test_rows_after_a_one_line_note_mid_sheet_are_read_as_data_in_a_wide_table(db):
    rows = [
        ["时间：2022年3月"],
        ["地区", "新增民营企业数"],
        ["福田区", 12],
        ["注：以下为功能区"],
        ["  南山区", 8],
        ["福天区", 5],
    ]
    report = import_file(db, make_xlsx({"统计": rows}), "mid.xlsx")
    assert report.status == "rejected"
    assert [(e.row, e.column, e.suggestion) for e in report.errors] == [(6, "地区", "福田区")]
    report = import_file(db, make_xlsx({"统计": rows[:5]}), "mid.xlsx")
    assert report.status == "accepted", report.errors
    assert values(db) == [["QY", "福田区", "2022-03", 12.0], ["QY", "南山区", "2022-03", 8.0]]


def test_an_unknown_geography_in_a_metadata_row_names_its_row_and_column(db):
    rows = [
        ["主要指标"],
        [None, "地区：广州"],
        ["指标", "2021年", "2022年"],
        ["国内生产总值(亿元)", 30664.9, 32387.7],
    ]
    report = import_file(db, make_xlsx({"统计": rows}), "gz.xlsx")
    assert report.status == "rejected"
    (error,) = report.errors
    assert (error.row, error.column, error.value) == (2, "B", "地区：广州")
    assert error.cell == (1, 1)


def test_an_unknown_indicator_in_a_metadata_row_names_its_row_and_column(db):
    rows = [
        ["单位：亿元", None, "指标：国内生产总额(亿元)"],
        ["区域", "2021年", "2022年"],
        ["罗湖区", 100, 200],
    ]
    report = import_file(db, make_xlsx({"统计": rows}), "ind.xlsx")
    assert report.status == "rejected"
    (error,) = report.errors
    assert (error.row, error.column, error.value) == (1, "C", "指标：国内生产总额(亿元)")
    assert error.suggestion == "GDP"


def test_an_unreadable_period_in_a_metadata_row_names_it_and_is_not_replaced(db):
    rows = [
        ["2022年3月各区新增民营企业统计表"],
        ["填报单位：市统计局    时间：第五季度"],
        ["地区", "新增民营企业数"],
        ["福田区", 12],
    ]
    report = import_file(
        db, make_xlsx({"统计": rows}), "period.xlsx", ImportOptions(period="2022-03")
    )
    assert report.status == "rejected"
    (error,) = report.errors
    assert (error.row, error.column, error.value) == (2, "A", "时间：第五季度")


def test_an_unknown_district_in_a_task_lists_metadata_row_names_its_column(engine):
    rows = [
        ["重点任务清单", "所属区：福天区"],
        ["序号", "所属行动", "重点任务", "责任单位", "完成时限", "完成进度"],
        [1, "领跑行动", "开展营商环境评价", "市发展改革委", "2022年6月底前", 60],
    ]
    report = import_file(
        engine, make_xlsx({"Sheet1": rows}), "x.xlsx", ImportOptions(period="2022-Q1")
    )
    (error,) = report.errors
    assert (error.row, error.column, error.value, error.suggestion) == (
        1,
        "B",
        "所属区：福天区",
        "福田区",
    )


def test_a_wide_table_without_a_geography_is_told_one_from_the_master_data(engine):
    """The example in the message is a geography this database knows (not a city's name
    written into the product)."""
    assert import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "i.xlsx").status == (
        "accepted"
    )
    sheet = [["指标", "2021年", "2022年"], ["企业开办时间(天)", 1.5, 1.2]]
    report = import_file(engine, make_xlsx({"年度数据": sheet}), "wide.xlsx")
    assert report.status == "rejected"
    assert any("地区：全市" in e.message for e in report.errors), [e.message for e in report.errors]
