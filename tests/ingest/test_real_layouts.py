"""Spreadsheets as people really send them: titles, merged and two-row headers, wide tables."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from data_model.ingest.importer import ImportOptions, import_file
from data_model.outputs.export import export_frame
from tests.conftest import INDICATOR_HEADER, make_xlsx

INDICATORS = [
    INDICATOR_HEADER,
    ["GDP", "国内生产总值", "民营经济发展质量", "亿元", "正向", 10, None, "季", "期末值"],
    ["QY", "新增民营企业数", "民营经济发展质量", "家", "正向", 10, None, "月", "求和"],
    ["BJL", "诉求办结率", "政企沟通", "%", "正向", 10, 95, "季", "期末值"],
]


@pytest.fixture
def db(engine):
    assert import_file(engine, make_xlsx({"指标体系": INDICATORS}), "i.xlsx").status == "accepted"
    return engine


def values(engine) -> list[list]:
    with engine.connect() as conn:
        frame = export_frame(conn, "indicator-values")
    return frame[["指标编码", "区", "期间", "数值"]].values.tolist()


def workbook(build) -> bytes:
    book = Workbook()
    sheet = book.active
    build(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_districts_by_indicators_with_period_in_the_title_and_a_footnote(db):
    def build(sheet):
        sheet.title = "Sheet1"
        sheet.append(["2022年第一季度各区民营经济发展指标统计表"])
        sheet.merge_cells("A1:D1")
        sheet.append([])
        sheet.append(["序号", "地区", "国内生产总值（亿元）", "诉求办结率(%)"])
        sheet.append([1, "福田区", "1,234.5", "96%"])
        sheet.append([2, "南山", 2345.6, "—"])
        sheet.append([None, "合计", 3580.1, None])
        sheet.append(["数据来源：市统计局"])
        sheet.append(["填报人：张三"])

    report = import_file(db, workbook(build), "wide1.xlsx")
    assert report.status == "accepted", report.errors
    assert report.sheets[0].layout == "districts_x_indicators"
    assert values(db) == [
        ["BJL", "福田区", "2022-Q1", 96.0],
        ["GDP", "福田区", "2022-Q1", 1234.5],
        ["GDP", "南山区", "2022-Q1", 2345.6],
    ]


def test_indicators_by_periods_for_one_geography_from_a_metadata_row(db):
    rows = [
        ["主要指标（2018-2022年）"],
        ["地区：深圳", None, None, "单位：见各行"],
        ["指标", "2020年", "2021年", "2022年"],
        ["国内生产总值(亿元)", 27670.2, 30664.9, 32387.7],
        ["诉求办结率(%)", "95.1", "96.0", None],
    ]
    report = import_file(db, make_xlsx({"统计": rows}), "wide2.xlsx")
    assert report.status == "accepted", report.errors
    assert report.sheets[0].layout == "indicators_x_periods"
    assert values(db) == [
        ["BJL", "全市", "2020", 95.1],
        ["BJL", "全市", "2021", 96.0],
        ["GDP", "全市", "2020", 27670.2],
        ["GDP", "全市", "2021", 30664.9],
        ["GDP", "全市", "2022", 32387.7],
    ]


def test_geographies_by_periods_for_one_indicator_with_quarters_without_year(db):
    rows = [
        ["指标：国内生产总值(亿元)"],
        ["时间：2022年"],
        ["区域", "一季度", "二季度", "三季度"],
        ["罗湖区", 100, 200, 300],
        ["440305", 50, None, 70],
    ]
    report = import_file(db, make_xlsx({"GDP": rows}), "wide3.xlsx")
    assert report.status == "accepted", report.errors
    assert report.sheets[0].layout == "geographies_x_periods"
    assert values(db) == [
        ["GDP", "罗湖区", "2022-Q1", 100.0],
        ["GDP", "罗湖区", "2022-Q2", 200.0],
        ["GDP", "罗湖区", "2022-Q3", 300.0],
        ["GDP", "南山区", "2022-Q1", 50.0],
        ["GDP", "南山区", "2022-Q3", 70.0],
    ]


def test_a_period_twice_in_a_wide_table_names_the_cells_not_the_row(db):
    # One row holds many values: "the same as row 4" on row 4 itself said nothing.
    rows = [
        ["指标：国内生产总值(亿元)"],
        ["时间：2022年"],
        ["区域", "一季度", "二季度", "2022年第一季度"],
        ["罗湖区", 100, 200, 300],
    ]
    report = import_file(db, make_xlsx({"GDP": rows}), "twice.xlsx")
    assert report.status == "rejected"
    (error,) = report.errors
    assert (error.row, error.column, error.cell) == (4, "D", (3, 3))
    assert error.message.startswith("与单元格 B4 重复")


def test_wide_table_without_its_fixed_dimension_asks_for_it_or_takes_the_option(db):
    rows = [["区", "新增民营企业数"], ["福田区", 12]]
    rejected = import_file(db, make_xlsx({"数据": rows}), "no-period.xlsx")
    assert rejected.status == "rejected"
    assert "期间" in rejected.errors[0].message
    accepted = import_file(
        db, make_xlsx({"数据": rows}), "no-period.xlsx", ImportOptions(period="2022-03")
    )
    assert accepted.status == "accepted"
    assert values(db) == [["QY", "福田区", "2022-03", 12.0]]


def test_unit_in_header_that_contradicts_the_indicator_is_an_error(db):
    rows = [["时间：2022年第一季度"], ["地区", "国内生产总值(万元)"], ["福田区", 12345]]
    report = import_file(db, make_xlsx({"数据": rows}), "unit.xlsx")
    assert report.status == "rejected"
    error = report.errors[0]
    assert (error.row, error.column) == (3, "国内生产总值(万元)")
    assert "亿元" in error.message


def test_unknown_district_in_a_wide_table_is_named_with_a_suggestion(db):
    rows = [["时间：2022年3月"], ["地区", "新增民营企业数"], ["福天区", 3]]
    error = import_file(db, make_xlsx({"数据": rows}), "bad.xlsx").errors[0]
    assert (error.row, error.column, error.suggestion) == (3, "地区", "福田区")


def test_two_row_header_with_merged_group_cells_title_and_blank_column(db):
    def build(sheet):
        sheet.title = "任务清单"
        sheet.append(["2022年“两个健康”重点任务清单"])
        sheet.merge_cells("A1:I1")
        sheet.append(["任务编号", "任务信息", None, None, None, "进度", None, None, None])
        sheet.append(
            [
                None,
                "所属行动",
                "任务内容",
                "牵头单位",
                None,
                "完成时限",
                "完成进度(%)",
                "报送期",
                None,
            ]
        )
        sheet.merge_cells("A2:A3")
        sheet.merge_cells("B2:D2")
        sheet.merge_cells("F2:H2")
        sheet.append(
            [
                "A1-01",
                "领跑行动",
                "开展营商环境评价",
                "市发展改革委",
                None,
                "2022年6月底前",
                50,
                "2022-Q1",
            ]
        )
        sheet.append(
            ["A1-02", None, "优化审批流程", "市政务服务数据管理局", None, "年底前", 30, "2022-Q1"]
        )
        sheet.append(["A1-03", None, "企业开办一网通办", None, None, "长期坚持", 80, "2022-Q1"])
        sheet.merge_cells("B4:B6")  # one action over three tasks
        sheet.merge_cells("D5:D6")  # one lead unit over two tasks
        sheet.append(["注：完成进度按百分比填写"])

    report = import_file(db, workbook(build), "tasks.xlsx")
    assert report.status == "accepted", report.errors
    assert report.sheets[0].header_row == 3
    with db.connect() as conn:
        tasks = export_frame(conn, "tasks")
    assert tasks[["任务编号", "所属行动", "牵头单位", "完成时限"]].values.tolist() == [
        ["A1-01", "领跑行动", "市发展改革委", "2022年6月底前"],
        ["A1-02", "领跑行动", "市政务服务数据管理局", "年底前"],
        ["A1-03", "领跑行动", "市政务服务数据管理局", "长期坚持"],
    ]


def test_percent_formatted_cells_become_percent_points(db):
    def build(sheet):
        sheet.title = "指标数据"
        sheet.append(["指标编码", "区", "期间", "数值"])
        sheet.append(["BJL", "南山区", "2022-Q1", 0.965])
        sheet["D2"].number_format = "0.0%"
        sheet.append(["QY", "南山区", "2022-03", 0.5])
        sheet["D3"].number_format = "0%"  # a count formatted as percent stays as typed

    assert import_file(db, workbook(build), "pct.xlsx").status == "accepted"
    assert values(db) == [["BJL", "南山区", "2022-Q1", 96.5], ["QY", "南山区", "2022-03", 0.5]]


def test_formula_without_cached_value_is_an_error_naming_the_cell(db):
    def build(sheet):
        sheet.title = "指标数据"
        sheet.append(["指标编码", "区", "期间", "数值"])
        sheet.append(["QY", "南山区", "2022-03", 5])
        sheet.append(["QY", "福田区", "2022-03", "=D2*2"])

    report = import_file(db, workbook(build), "formula.xlsx")
    assert report.status == "rejected"
    error = report.errors[0]
    assert (error.row, error.column) == (3, "数值")
    assert "D3" in error.message


def test_formula_like_text_is_stored_as_text_never_evaluated(db):
    header = ["诉求编号", "受理日期", "区", "企业名称", "诉求类别", "诉求内容", "办理状态"]
    row = [
        "SQ1",
        dt.datetime(2022, 3, 1),
        "南山区",
        '=HYPERLINK("http://x")',
        "融资贷款",
        "+cmd @SUM(A1)",
        "已受理",
    ]
    assert import_file(db, make_xlsx({"企业诉求": [header, row]}), "xss.xlsx").status == "accepted"
    with db.connect() as conn:
        issues = export_frame(conn, "issues")
    assert issues.loc[0, "企业名称"] == '=HYPERLINK("http://x")'
    assert issues.loc[0, "诉求内容"] == "+cmd @SUM(A1)"
