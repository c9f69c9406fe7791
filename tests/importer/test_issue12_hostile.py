"""Issue 12's hostile files: a 16,384-column sheet, odd XML declarations, lying dimensions.

Each ends in a report naming the reason, in seconds, never a traceback. The wall-clock
figures here are hang guards far above the real cost (the project keeps no timed
assertions for performance; `bench/hostile.py` prints the real figure).
"""

from __future__ import annotations

import time

import pytest

from data_model.errors import InputError
from data_model.importer import ImportOptions, import_file
from data_model.reader import Limits, read_workbook
from tests.raw_xlsx import one_sheet_xlsx, wide_numbers_xlsx

HANG_GUARD_SECONDS = 30


@pytest.fixture(scope="module")
def wide_file() -> bytes:
    return wide_numbers_xlsx(columns=16_384, rows=60)


def test_sheet_wider_than_the_limit_is_refused_from_its_declared_dimension(engine, wide_file):
    started = time.perf_counter()
    report = import_file(engine, wide_file, "wide.xlsx")
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
    assert report.status == "rejected"
    assert [e.message for e in report.errors] == [
        "工作表“Sheet1”有 16384 列，超过上限 1000 列。宽表每列应是一个指标或一个期间："
        "请删除多余的列（包括右侧带格式的空列），或把表格拆成几个工作表后上传。"
    ]


def test_a_dimension_that_understates_the_width_is_caught_after_reading():
    data = one_sheet_xlsx([list(range(1, 9))], dimension="A1:B1")
    with pytest.raises(InputError) as caught:
        read_workbook(data, "lying.xlsx", Limits(max_columns_per_sheet=5))
    assert caught.value.key == "reader.too_many_columns"
    assert caught.value.params == {"sheet": "Sheet1", "columns": 8, "limit": 5}


def test_a_dimension_that_understates_the_rows_is_caught_after_reading():
    data = one_sheet_xlsx([[1], [2], [3], [4]], dimension="A1:A1")
    with pytest.raises(InputError) as caught:
        read_workbook(data, "lying.xlsx", Limits(max_rows_per_sheet=3))
    assert caught.value.params == {"sheet": "Sheet1", "rows": 4, "limit": 3}


def test_the_wide_file_under_a_raised_limit_is_looked_at_in_seconds(engine, wide_file):
    # Configured to let it through, the sheet goes through wide-table detection, whose
    # cost must grow with the cells it scans, not with columns x rows x header rows.
    options = ImportOptions(limits=Limits(max_columns_per_sheet=20_000))
    started = time.perf_counter()
    report = import_file(engine, wide_file, "wide.xlsx", options)
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
    assert report.status == "rejected"
    assert [e.message for e in report.errors] == [
        "未找到可识别的表头。请使用系统下载的模板，或确认表头包含模板中的必填列。"
    ]
