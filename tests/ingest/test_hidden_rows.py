"""Rows hidden in Excel, by hand or by a filter, are read and imported like the others
(calamine reads them), and the importer says so with their row numbers: a submitter who
filtered a ledger down to one district may not expect the rows the filter hid to count."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from data_model.ingest.importer import import_file
from tests.conftest import ACTIVITY_HEADER, activity_row
from tests.ingest.test_sheet_pieces import read


def workbook(hidden: list[int], rows: int = 6) -> bytes:
    """An activity ledger of `rows` activities whose Excel rows `hidden` are hidden."""
    book = Workbook()
    sheet = book.active
    sheet.title = "活动台账"
    sheet.append(ACTIVITY_HEADER)
    for number in range(rows):
        sheet.append(
            activity_row(date=dt.datetime(2022, 3, 15), name=f"宣讲会{number + 1}", brand="")
        )
    for row in hidden:
        sheet.row_dimensions[row].hidden = True
    sheet.append([])  # a blank row at the end, hidden too: not named
    sheet.row_dimensions[rows + 3].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("pieces", [False, True])
def test_hidden_rows_are_read_whole_or_in_pieces(pieces):
    sheets, _ = read(workbook([3, 5]), pieces)
    assert sheets[0].hidden_rows >= {2, 4}


def test_hidden_rows_are_imported_with_a_warning_naming_them(engine):
    report = import_file(engine, workbook([3, 5]), "filtered.xlsx")
    assert report.status == "accepted", report.errors
    assert report.sheets[0].rows_accepted == 6
    [warning] = [w for w in report.warnings if "隐藏" in w.message]
    assert (warning.sheet, warning.row) == ("活动台账", 3)
    assert warning.message.startswith("第3、5行在 Excel 中是隐藏的（手动隐藏或被筛选隐藏）")


def test_many_hidden_rows_are_counted(engine):
    report = import_file(engine, workbook(list(range(2, 15)), rows=14), "many.xlsx")
    [warning] = [w for w in report.warnings if "隐藏" in w.message]
    assert warning.message.startswith("第2、3、4、5、6、7、8、9、10、11行等共13行")


def test_a_sheet_without_hidden_rows_has_no_such_warning(engine):
    report = import_file(engine, workbook([]), "plain.xlsx")
    assert report.status == "accepted"
    assert not [w for w in report.warnings if "隐藏" in w.message]
