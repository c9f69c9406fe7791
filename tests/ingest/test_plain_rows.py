"""Indicator values validated column by column give exactly what row-by-row validation gives.

`plain_rows.plain_indicator_values` converts each distinct cell once and builds the
records of plain rows directly; every other row goes through the per-row path. These
tests run the same sheets both ways and compare records, problems and warnings.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_model.ingest import validate
from data_model.ingest.layout import detect_layout
from data_model.ingest.raw_sheet import RawSheet
from data_model.ingest.validate import IndicatorInfo, SheetValidator, ValidationContext
from data_model.problems import SheetReport
from data_model.reference.master import load_master

FIELDS = ("indicator_code", "indicator_name", "district", "period", "value", "note")
FULL_HEADER = {
    "indicator_code": "指标编码",
    "indicator_name": "指标名称",
    "district": "区",
    "period": "期间",
    "value": "数值",
    "note": "备注",
}

# (code, name, district, period, value, note); cells as python-calamine returns them.
ROWS = [
    ("YS01", "企业开办时间", "南山区", "2022-03", 1.5, ""),  # the template's example row
    ("YS01", "企业开办时间", "南山区", "2022-04", 3.0, ""),
    ("YS02", "", "福田区", "2022-04", 12.0, "初步数"),
    ("", "新增民营企业数", "罗湖区", "2022-04", 5.0, ""),  # code left blank, named instead
    ("YS99", "", "南山区", "2022-04", 1.0, ""),  # unknown code
    ("YS02", "", "宝安区", "2022-04", "1,234", ""),  # number typed as text
    ("YS03", "", "南山区", "2022-Q1", "85%", ""),
    ("YS02", "", "龙岗区", "2022-04", "", ""),  # value missing
    ("YS02", "", "龙岗区", "2022-05", float("inf"), ""),
    ("YS02", "", "火星区", "2022-04", 2.0, ""),  # unknown district
    ("YS02", "", "南山区", "2022年13月", 2.0, ""),  # impossible period
    ("YS99", "", "火星区", "不是期间", "x", ""),  # four problems in one row
    ("YS01", "", "南山区", "2022-05", 1.0, True),  # a boolean note
    ("YS01", "", "福田区", "2022-05", 1.0, 1.0),  # a number note
    ("YS01", "", "罗湖区", "2022-05", 1.0, 1),
    ("YS01", "", "南山区", 202206.0, 7.0, ""),  # period as a number
    ("YS01", "", "福田区", dt.datetime(2022, 6, 1), 7.0, ""),  # period as a date
    ("注：数据为初步统计", "", "", "", "", ""),  # footnote
    ("", "", "", "", "", ""),  # blank row
    ("YS01", "", "南山区"),  # a short row
    ("YS03", "", "福田区", "2022-Q1", 0.85, ""),  # formatted as percent below
    ("YS01", "", "福田区", "2022-07", "", ""),  # an uncalculated formula below
    ("YS01", "", "  南山区 ", "2022-08", 4.0, "  "),
    ("YS02", "", "全市", "2022-08", 4.0, ""),
    ("YS02", "", "南山区", "2022-08", -0.0, ""),
]
PERCENT_ROW = ROWS.index(("YS03", "", "福田区", "2022-Q1", 0.85, ""))
INDICATORS = {
    "YS01": IndicatorInfo("YS01", "企业开办时间", "天"),
    "YS02": IndicatorInfo("YS02", "新增民营企业数", "家"),
    "YS03": IndicatorInfo("YS03", "诉求办结率", "%", "quarter"),  # months of it are refused
}
FORMULA_ROW = ROWS.index(("YS01", "", "福田区", "2022-07", "", ""))


def sheet_of(header: dict[str, str]) -> RawSheet:
    """ROWS under `header`, keeping only its columns (in FIELDS order)."""
    kept = [i for i, name in enumerate(FIELDS) if name in header]
    rows = [[header[FIELDS[i]] for i in kept]]
    rows += [[row[i] for i in kept if i < len(row)] for row in ROWS]
    value_column = [FIELDS[i] for i in kept].index("value")
    return RawSheet(
        "指标数据",
        True,
        rows,
        percent_cells=frozenset({(PERCENT_ROW + 1, value_column)}),
        formulas_without_value=frozenset({(FORMULA_ROW + 1, value_column)}),
    )


def validate_both_ways(engine, monkeypatch, header, period=None, district=None, unmapped=None):
    with engine.connect() as conn:
        master = load_master(conn)
    sheet = sheet_of(header)
    layout = detect_layout(sheet)
    assert layout is not None and layout.kind.name == "indicator_values"
    if unmapped is not None:
        # A long layout always has its required columns; a sheet where the form's period
        # or district stands in for one is simulated by forgetting the column.
        del layout.columns[unmapped]
    results = []
    for by_column in (True, False):
        if not by_column:
            monkeypatch.setattr(
                validate,
                "plain_indicator_values",
                lambda v, sheet, layout, indexes: [None] * len(indexes),
            )
        context = ValidationContext(master, dict(INDICATORS), period=period, district=district)
        report = SheetReport(sheet=sheet.name)
        valid = SheetValidator(context).validate(sheet, layout, report)
        results.append(
            (
                [(v.row, v.record) for v in valid],
                [(p, p.cell) for p in report.errors],
                [(p, p.cell) for p in report.warnings],
                report.rows_read,
            )
        )
    return results


@pytest.mark.parametrize(
    ("left_out", "unit"),
    [
        ((), ""),
        (("note",), ""),
        (("indicator_code",), ""),
        (("indicator_name",), ""),
        ((), "(家)"),
    ],
)
def test_by_column_and_row_by_row_agree(engine, monkeypatch, left_out, unit):
    header = {f: h for f, h in FULL_HEADER.items() if f not in left_out}
    header["value"] += unit
    by_column, row_by_row = validate_both_ways(engine, monkeypatch, header)
    assert by_column == row_by_row
    valid, errors, warnings, rows_read = by_column
    assert valid and errors
    assert rows_read == len(ROWS) - 3  # the example row, the footnote and the blank row


@pytest.mark.parametrize("unmapped", ["district", "period"])
def test_by_column_and_row_by_row_agree_with_defaults_from_the_form(engine, monkeypatch, unmapped):
    with_default = validate_both_ways(
        engine, monkeypatch, FULL_HEADER, period="2022-09", district="南山区", unmapped=unmapped
    )
    assert with_default[0] == with_default[1]
    monkeypatch.undo()
    without = validate_both_ways(engine, monkeypatch, FULL_HEADER, unmapped=unmapped)
    assert without[0] == without[1]
    assert without[0][0] == []  # a required column missing and no default: every row fails


def test_plain_rows_skip_the_per_row_path(engine, monkeypatch):
    converted_rows = []
    original = SheetValidator._convert_row

    def counting(self, sheet, layout, index, report):
        converted_rows.append(index)
        return original(self, sheet, layout, index, report)

    monkeypatch.setattr(SheetValidator, "_convert_row", counting)
    with engine.connect() as conn:
        master = load_master(conn)
    context = ValidationContext(master, {"YS01": IndicatorInfo("YS01", "企业开办时间", "天")})
    rows = [["指标编码", "区", "期间", "数值"]]
    rows += [["YS01", "南山区", f"2022-{m:02d}", float(m)] for m in range(1, 13)]
    rows.append(["YS01", "南山区", "2023-01", "abc"])
    sheet = RawSheet("指标数据", True, rows)
    report = SheetReport(sheet=sheet.name)
    valid = SheetValidator(context).validate(sheet, detect_layout(sheet), report)
    assert len(valid) == 12
    assert converted_rows == [13]  # only the row with a problem
    assert [(p.row, p.column) for p in report.errors] == [(14, "数值")]


# --- the same property over sheets hypothesis makes -------------------------------------

CELLS = {
    "indicator_code": ["YS01", "YS02", "YS03", "YS99", "", " ys01 ", 1.0],
    "indicator_name": ["", "企业开办时间", "新增民营企业数", "无此指标"],
    "district": ["南山区", "福田", "  罗湖区 ", "火星区", "", "全市", 440305.0],
    "period": [
        "2022-03",
        "2022年4月",
        "2022-Q1",
        202206.0,
        "不是期间",
        "",
        dt.datetime(2022, 6, 1),
    ],
    "value": [1.5, 0.0, -0.0, "1,234", "85%", "", "x", float("inf"), 12, True, "3天"],
    "note": ["", "初步数", 1.0, True, "  "],
}
rows_strategy = st.lists(
    st.tuples(*(st.sampled_from(CELLS[f]) for f in FIELDS)), min_size=1, max_size=25
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy, percent=st.sets(st.integers(1, 25), max_size=3))
def test_any_sheet_gives_the_same_records_and_problems_both_ways(engine, rows, percent):
    with engine.connect() as conn:
        master = load_master(conn)
    sheet = RawSheet(
        "指标数据",
        True,
        [list(FULL_HEADER.values()), *[list(row) for row in rows]],
        percent_cells=frozenset((r, FIELDS.index("value")) for r in percent),
    )
    layout = detect_layout(sheet)
    results = []
    for by_column in (True, False):
        report = SheetReport(sheet=sheet.name)
        context = ValidationContext(master, dict(INDICATORS))
        if by_column:
            valid = SheetValidator(context).validate(sheet, layout, report)
        else:
            with mock.patch.object(
                validate,
                "plain_indicator_values",
                lambda v, sheet, layout, rows: [None] * len(rows),
            ):
                valid = SheetValidator(context).validate(sheet, layout, report)
        results.append(
            (
                [(v.row, v.record) for v in valid],
                [(p, p.cell) for p in report.errors],
                [(p, p.cell) for p in report.warnings],
            )
        )
    assert results[0] == results[1]
