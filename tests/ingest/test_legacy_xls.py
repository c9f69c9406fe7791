"""A legacy workbook (.xls) is measured from its records before calamine opens it, since
calamine builds every cell of every sheet on opening: a 10 KB file with one far cell on
each of 20 sheets made it abort the process, one cell in column 65,535 asked for 137 GB."""

from __future__ import annotations

import contextlib
import io
import struct

import pytest
import xlwt
from hypothesis import given, settings
from hypothesis import strategies as st

from data_model.errors import InputError
from data_model.ingest import reader
from data_model.ingest.legacy_xls import SheetExtent, read_extents
from data_model.ingest.raw_sheet import Limits
from data_model.ingest.reader import read_workbook


def workbook(build) -> bytes:
    book = xlwt.Workbook()
    build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def three_sheets(book) -> None:
    first = book.add_sheet("指标数据")
    first.write(0, 0, "区")
    first.write(3, 2, 5)
    first.write_merge(5, 6, 0, 4, "合并")  # a run of blank cells to column E
    book.add_sheet("Sheet2").write(10, 3, 1.5)
    book.add_sheet("空表")


class OpenedByCalamine(BaseException):
    """Not an Exception: the reader would take one for a damaged file."""


class NotToBeOpened:
    """Calamine's workbook, which must not be reached."""

    @staticmethod
    def from_filelike(_):
        raise OpenedByCalamine


def test_each_sheets_extent_and_merged_ranges_are_read_from_the_records():
    assert read_extents(workbook(three_sheets)).sheets == [
        SheetExtent("指标数据", rows=7, columns=5, merged=1),
        SheetExtent("Sheet2", rows=11, columns=4, merged=0),
        SheetExtent("空表", rows=0, columns=0, merged=0),
    ]


@pytest.mark.parametrize(
    "limits, key, params",
    [
        (Limits(max_cells_per_sheet=40), "reader.too_many_cells", {"sheet": "Sheet2"}),
        (Limits(max_cells_per_workbook=70), "reader.workbook_too_many_cells", {"cells": 79}),
        (Limits(max_merged_ranges_per_sheet=0), "reader.too_many_merges", {"count": 1}),
        (Limits(max_sheets=2), "reader.too_many_sheets", {"count": 3}),
    ],
)
def test_a_legacy_workbook_over_a_limit_is_refused_before_calamine_opens_it(
    monkeypatch, limits, key, params
):
    data = workbook(three_sheets)
    monkeypatch.setattr(reader, "CalamineWorkbook", NotToBeOpened)
    with pytest.raises(InputError) as caught:
        read_workbook(data, "old.xls", limits)
    assert caught.value.key == key
    assert params.items() <= caught.value.params.items()


def test_a_legacy_sheets_rows_holding_values_are_counted_once_read():
    # Its records reach no further than Excel's grid; the rows limit counts values.
    with pytest.raises(InputError) as caught:
        read_workbook(workbook(three_sheets), "old.xls", Limits(max_rows_per_sheet=10))
    assert caught.value.key == "reader.too_many_rows"
    assert caught.value.params == {"sheet": "Sheet2", "rows": 11, "limit": 10}


def test_a_cell_beyond_the_columns_of_the_format_is_refused_before_calamine_opens_it(
    monkeypatch,
):
    # BIFF8 stops at column 256, calamine reads any: this one asked for 137 GB.
    def far(book):
        book.add_sheet("S").write(3000, 255, 12345.678)

    data = bytearray(workbook(far))
    record = data.find(struct.pack("<HH", 3000, 255))
    data[record + 2 : record + 4] = struct.pack("<H", 0xFFFE)
    monkeypatch.setattr(reader, "CalamineWorkbook", NotToBeOpened)
    with pytest.raises(InputError) as caught:
        read_workbook(bytes(data), "wide.xls")
    assert caught.value.key == "reader.too_many_columns"
    assert caught.value.params["columns"] == 0xFFFF


def test_a_legacy_workbook_within_the_limits_reads_as_before():
    (sheet, second, empty) = read_workbook(workbook(three_sheets), "old.xls")
    assert sheet.name == "指标数据" and sheet.rows[3][2] == 5.0
    assert sheet.rows[5] == ["合并"] * 3  # the merged range filled, within the cells read
    assert second.rows[10][3] == 1.5 and empty.rows == []


def test_an_ole_file_without_a_workbook_stream_is_refused_as_damaged():
    with pytest.raises(InputError) as caught:
        read_workbook(reader.OLE_MAGIC + b"\0" * 600, "broken.xls")
    assert caught.value.key == "reader.corrupt"


def test_sheets_pointing_at_the_same_records_are_refused_as_damaged(monkeypatch):
    # Calamine reads each sheet from where its record points: twenty sheets pointing at one
    # sheet's records would each be built. Sheets lie one after another, so together they
    # are no longer than the workbook's stream.
    def two(book):
        big = book.add_sheet("Big")
        for row in range(200):
            big.write(row, 0, row)
        book.add_sheet("S2").write(0, 0, 1)

    data = bytearray(workbook(two))
    first = data.find(b"\x03\x00Big") - 6  # BOUNDSHEET: offset, kind, name (3, 1-byte)
    second = data.find(b"\x02\x00S2") - 6
    assert read_extents(bytes(data)).sheets[0].rows == 200
    data[second : second + 4] = data[first : first + 4]
    monkeypatch.setattr(reader, "CalamineWorkbook", NotToBeOpened)
    with pytest.raises(InputError) as caught:
        read_workbook(bytes(data), "twice.xls")
    assert caught.value.key == "reader.corrupt"


def test_declared_dimensions_and_shared_strings_are_checked_before_calamine_opens_it(
    monkeypatch,
):
    # Calamine makes room for what the records declare: a DIMENSIONS record whose first
    # row (changed by one byte) came after its last asked for 248 GB and aborted the
    # process, as a shared-strings count would.
    data = workbook(three_sheets)
    dimensions = data.find(struct.pack("<HHIIHH", 0x0200, 14, 0, 7, 0, 5))
    assert dimensions > 0 and read_extents(data).shared_strings == 2  # "区", "合并"
    monkeypatch.setattr(reader, "CalamineWorkbook", NotToBeOpened)
    reversed_rows = bytearray(data)
    reversed_rows[dimensions + 4 : dimensions + 8] = struct.pack("<I", 0xB6000000)
    with pytest.raises(InputError) as caught:
        read_workbook(bytes(reversed_rows), "bad.xls")
    assert caught.value.key == "reader.corrupt"
    with pytest.raises(InputError) as caught:
        read_workbook(data, "strings.xls", Limits(max_shared_strings=1))
    assert caught.value.key == "reader.too_many_strings"


def legacy_base() -> bytes:
    def build(book):
        sheet = book.add_sheet("数据")
        for row in range(30):
            for column in range(4):
                sheet.write(row, column, row * column if column % 2 else f"t{column}")
        sheet.write_merge(40, 41, 0, 2, "合并")
        book.add_sheet("二").write(3, 3, "x")

    return workbook(build)


LEGACY_BASE = legacy_base()


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    changes=st.lists(
        st.tuples(st.integers(0, len(LEGACY_BASE) - 1), st.integers(0, 255)),
        min_size=1,
        max_size=20,
    ),
    cut=st.one_of(st.none(), st.integers(8, len(LEGACY_BASE))),
)
def test_a_damaged_legacy_workbook_is_read_or_refused_never_a_crash(changes, cut):
    # Random bytes changed in a legacy file: one made calamine ask for 248 GB (a DIMENSIONS
    # record) and abort the process; others made the record scan fail with a traceback.
    data = bytearray(LEGACY_BASE)
    for position, value in changes:
        data[position] = value
    with contextlib.suppress(InputError):  # refused with a reason: fine
        read_workbook(bytes(data[:cut]), "damaged.xls")
