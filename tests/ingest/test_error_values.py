"""Cells holding an error value (`#DIV/0!`, `#REF!`, `#N/A`: `t="e"` in the sheet XML) are
read as Excel shows them. Calamine gives them as empty cells, so a row of them was taken
for a blank row and a wrong value was reported as a missing one."""

from __future__ import annotations

from data_model.ingest.importer import import_file
from data_model.ingest.reader import read_workbook
from tests import raw_xlsx
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx
from tests.ingest.test_sheet_pieces import read


def with_error_values(rows: list[list[object]], errors: dict[str, str]) -> bytes:
    """A values sheet of `rows` whose cells named in `errors` hold that error value (the
    first as a formula's result, as Excel saves it)."""
    xml = raw_xlsx.sheet_xml(rows)
    for number, (cell, error) in enumerate(errors.items()):
        formula = "<f>1/0</f>" if number == 0 else ""
        xml = xml.replace(
            f'<c r="{cell}"><v>0</v></c>', f'<c r="{cell}" t="e">{formula}<v>{error}</v></c>'
        )
    parts = raw_xlsx.one_sheet_parts([[1]], "指标数据")
    parts["xl/worksheets/sheet1.xml"] = xml
    return raw_xlsx.package(parts)


ROWS = [
    VALUE_HEADER,
    ["YS02", "", "南山区", "2022-03", 5, ""],
    ["YS02", "", "福田区", "2022-03", 0, ""],
    ["YS02", "", "罗湖区", "2022-03", 0, ""],
    [0, 0, 0, 0, 0, 0],
]
ERRORS = {"E3": "#DIV/0!", "E4": "#N/A", **{f"{c}5": "#REF!" for c in "ABCDEF"}}


def test_error_values_are_read_as_excel_shows_them_whole_and_in_pieces():
    data = with_error_values(ROWS, ERRORS)
    (sheet,) = read_workbook(data, "errors.xlsx")
    assert [row[4] for row in sheet.rows[2:]] == ["#DIV/0!", "#N/A", "#REF!"]
    assert sheet.rows[4] == ["#REF!"] * 6
    assert read(data, pieces=True)[0] == read(data, pieces=False)[0] == [sheet]


def test_a_row_of_error_values_is_a_wrong_row_not_a_blank_one(engine):
    import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    report = import_file(engine, with_error_values(ROWS, ERRORS), "errors.xlsx")
    assert report.status == "rejected"
    found = {(p.row, p.column): (p.value, p.message) for p in report.errors}
    assert found[(3, "数值")][0] == "#DIV/0!"
    assert found[(3, "数值")][1].startswith("「#DIV/0!」不是有效的数字")
    assert found[(4, "数值")][0] == "#N/A"  # a marker of no value, as typed
    assert found[(5, "指标编码")][0] == "#REF!"
