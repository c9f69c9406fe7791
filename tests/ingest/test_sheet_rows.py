"""The reader's rows are calamine's `to_python(skip_empty_area=False)`, with equal texts
held once (reader.sheet_rows): a sheet whose first used cell is not A1 keeps its place."""

from __future__ import annotations

import io

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from data_model.ingest.reader import read_workbook, sheet_rows


def workbook(cells: dict[str, object]) -> bytes:
    book = Workbook()
    for ref, value in cells.items():
        book.active[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def calamine_rows(data: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def test_a_table_starting_at_c3_keeps_its_rows_and_columns():
    data = workbook({"C3": "指标编码", "D3": "数值", "C4": "YS01", "D4": 1.5, "E6": "注"})
    rows = read_workbook(data, "a.xlsx")[0].rows
    assert rows == calamine_rows(data)
    assert rows[2][2:4] == ["指标编码", "数值"]
    assert rows[5] == ["", "", "", "", "注"]


def test_a_table_starting_in_column_a_below_empty_rows():
    data = workbook({"A4": "区", "B5": 2.0})
    assert read_workbook(data, "a.xlsx")[0].rows == calamine_rows(data)


def test_equal_texts_are_one_string():
    data = workbook({f"A{row}": "南山区 " + "x" * 20 for row in range(1, 6)})
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = sheet_rows(book.get_sheet_by_index(0))
    assert len({id(row[0]) for row in rows}) == 1
    assert rows == calamine_rows(data)
