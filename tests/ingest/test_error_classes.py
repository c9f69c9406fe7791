"""Each validation error class, located by sheet, Excel row and column, with its reason."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from data_model.i18n import t
from data_model.ingest.importer import import_file
from tests.conftest import (
    INDICATOR_HEADER,
    SHORT_ISSUE_HEADER,
    VALUE_HEADER,
    indicator_rows,
    make_xls,
    make_xlsx,
)


@pytest.fixture
def with_indicators(engine):
    assert (
        import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "i.xlsx").status
        == "accepted"
    )
    return engine


def only_error(report):
    assert report.status == "rejected"
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (["YS02", "", "南山区", "2022-03", "", ""], "数值", "必填"),
        (["YS02", "", "南山区", "2022-03", "abc", ""], "数值", "abc"),
        (["YS02", "", "南山区", "2022-03", "12万元", ""], "数值", "家"),
        (["YS99", "", "南山区", "2022-03", 1, ""], "指标编码", "YS99"),
        (["", "不存在的指标", "南山区", "2022-03", 1, ""], "指标名称", "不存在的指标"),
        (["YS02", "", "南山区", "2022年13月", 1, ""], "期间", "期间"),
    ],
)
def test_indicator_value_errors(with_indicators, row, column, fragment):
    error = only_error(
        import_file(with_indicators, make_xlsx({"指标数据": [VALUE_HEADER, row]}), "v.xlsx")
    )
    assert (error.sheet, error.row, error.column) == ("指标数据", 2, column)
    assert fragment in error.message


def test_missing_value_markers_mean_no_value_never_zero(with_indicators):
    report = import_file(
        with_indicators,
        make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", "—", ""]]}),
        "v.xlsx",
    )
    assert only_error(report).column == "数值"


def test_percent_value_becomes_percent_points_for_a_percent_indicator(with_indicators):
    report = import_file(
        with_indicators,
        make_xlsx({"指标数据": [VALUE_HEADER, ["YS03", "", "南山区", "2022-Q1", "85%", ""]]}),
        "v.xlsx",
    )
    assert report.status == "accepted"


def test_enumeration_and_cross_field_errors(engine):
    bad_direction = make_xlsx(
        {
            "指标体系": [
                INDICATOR_HEADER,
                ["YS01", "企业开办时间", "营商环境", "天", "向上", 10, 1, "月", "期末值"],
            ]
        }
    )
    error = only_error(import_file(engine, bad_direction, "i.xlsx"))
    assert (error.row, error.column) == (2, "指标方向")
    assert "正向" in error.message

    backwards = make_xlsx(
        {
            "企业诉求": [
                SHORT_ISSUE_HEADER,
                [
                    "SQ1",
                    dt.datetime(2022, 3, 5),
                    "南山区",
                    "某公司",
                    "融资贷款",
                    "内容",
                    "已办结",
                    dt.datetime(2022, 3, 1),
                ],
            ]
        }
    )
    error = only_error(import_file(engine, backwards, "e.xlsx"))
    assert (error.row, error.column) == (2, "办结日期")

    task_header = [
        "任务编号",
        "所属行动",
        "任务内容",
        "牵头单位",
        "完成时限",
        "完成进度(%)",
        "报送期",
    ]
    over = make_xlsx(
        {
            "任务清单": [
                task_header,
                ["A1-01", "领跑行动", "内容", "市发改委", "2022年底", 120, "2022-Q1"],
            ]
        }
    )
    error = only_error(import_file(engine, over, "t.xlsx"))
    assert (error.row, error.column) == (2, "完成进度(%)")

    unknown_unit = make_xlsx(
        {
            "任务清单": [
                task_header,
                ["A1-01", "领跑行动", "内容", "市发展改革局", "2022年底", 20, "2022-Q1"],
            ]
        }
    )
    error = only_error(import_file(engine, unknown_unit, "t.xlsx"))
    assert error.column == "牵头单位"
    assert error.suggestion == "市发展改革委"


def test_duplicate_key_across_sheets_names_the_other_sheet(with_indicators):
    row = ["YS02", "", "南山区", "2022-03", 1, ""]
    report = import_file(
        with_indicators,
        make_xlsx({"指标数据": [VALUE_HEADER, row], "补充": [VALUE_HEADER, row]}),
        "v.xlsx",
    )
    error = only_error(report)
    assert (error.sheet, error.row) == ("补充", 2)
    assert "指标数据" in error.message


def test_duplicate_keys_name_the_first_row_within_and_across_sheets(with_indicators):
    def rows(*periods):
        return [VALUE_HEADER] + [["YS02", "", "南山区", p, 1, ""] for p in periods]

    report = import_file(
        with_indicators,
        make_xlsx(
            {
                "指标数据": rows("2022-01", "2022-02"),
                "补充": rows("2022-03", "2022-04", "2022-03"),
                "再补充": rows("2022-05", "2022-02", "2022-04"),
            }
        ),
        "v.xlsx",
    )
    assert report.status == "rejected"
    assert (
        report.errors[1].message
        == "与工作表“指标数据”第 3 行重复（同一主键出现两次）。请删除其中一行或核对内容。"
    )
    assert [(e.sheet, e.row, e.message) for e in report.errors] == [
        ("补充", 4, t("importer.duplicate_key", first=t("importer.row_ref", row=2))),
        (
            "再补充",
            3,
            t(
                "importer.duplicate_key",
                first=t("importer.in_sheet", sheet="指标数据", where=t("importer.row_ref", row=3)),
            ),
        ),
        (
            "再补充",
            4,
            t(
                "importer.duplicate_key",
                first=t("importer.in_sheet", sheet="补充", where=t("importer.row_ref", row=3)),
            ),
        ),
    ]


def test_a_code_given_twice_is_named_under_its_column(engine):
    # "与第 2 行重复" alone left the reader to find what repeats.
    rows = indicator_rows()
    report = import_file(engine, make_xlsx({"指标体系": [*rows, rows[1]]}), "i.xlsx")
    (error,) = report.errors
    assert (error.row, error.column, error.value) == (len(rows) + 1, "指标编码", rows[1][0])
    assert error.message.startswith("与第 2 行重复")


def test_legacy_xls_reads_like_xlsx(with_indicators):
    data = make_xls({"指标数据": [VALUE_HEADER, ["YS02", "", "宝安区", "2022-03", 42, ""]]})
    report = import_file(with_indicators, data, "legacy.xls")
    assert report.status == "accepted", report.errors
    assert report.rows_new == 1


def as_xlsm(xlsx: bytes) -> bytes:
    """The same package declared as a macro-enabled workbook, as Excel saves .xlsm."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            target.writestr(item, data)
    return buffer.getvalue()


def test_xlsm_reads_like_xlsx(with_indicators):
    data = as_xlsm(
        make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "宝安区", "2022-03", 42, ""]]})
    )
    assert b"macroEnabled" in zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    report = import_file(with_indicators, data, "macro.xlsm")
    assert report.status == "accepted", report.errors
