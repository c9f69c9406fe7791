"""Issue 12's hostile files: a 16,384-column sheet, odd XML declarations, lying dimensions.

Each ends in a report naming the reason, in seconds, never a traceback. The wall-clock
figures here are hang guards far above the real cost (the project keeps no timed
assertions for performance; `bench/hostile.py` prints the real figure).
"""

from __future__ import annotations

import json
import time

import pytest

from data_model.accounts.permissions import Principal
from data_model.cli import main
from data_model.errors import InputError
from data_model.ingest import xlsx_scan
from data_model.ingest.importer import ImportOptions, import_file
from data_model.ingest.raw_sheet import Limits
from data_model.ingest.reader import read_workbook
from data_model.outputs.export import export_frame
from data_model.workflow.upload import prepare
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx
from tests.raw_xlsx import (
    Formula,
    one_sheet_parts,
    one_sheet_xlsx,
    package,
    sheet_xml,
    wide_numbers_xlsx,
    with_external_link,
    with_part,
    workbook_xml,
)

# A guard against the minutes-long hang of issue 12, not a speed check (bench/hostile.py
# measures speed): CPU seconds of this process, which other programs on a busy machine
# do not inflate as they do wall time.
HANG_GUARD_CPU_SECONDS = 30


@pytest.fixture(scope="module")
def wide_file() -> bytes:
    return wide_numbers_xlsx(columns=16_384, rows=60)


def test_sheet_wider_than_the_limit_is_refused_from_its_declared_dimension(engine, wide_file):
    started = time.process_time()
    report = import_file(engine, wide_file, "wide.xlsx")
    assert time.process_time() - started < HANG_GUARD_CPU_SECONDS
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
    started = time.process_time()
    report = import_file(engine, wide_file, "wide.xlsx", options)
    assert time.process_time() - started < HANG_GUARD_CPU_SECONDS
    assert report.status == "rejected"
    assert [e.message for e in report.errors] == [
        "未找到可识别的表头。请使用系统下载的模板，或确认表头包含模板中的必填列。"
    ]


VALUE_ROWS = [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", 5, ""]]
MALFORMED = (
    "无法读取文件“gbk.xlsx”：其内部结构不符合 Excel 格式（例如声明了 GBK 等不支持的编码，"
    "或某个部件缺失、损坏）。请用 Excel 或 WPS 打开后“另存为” .xlsx，再上传新文件。"
)


def gbk_workbook() -> bytes:
    # As some export tools write it: a GBK declaration over a part Python's XML parser
    # refuses to decode (multi-byte encodings are not supported).
    parts = one_sheet_parts(VALUE_ROWS, "指标数据")
    parts["xl/workbook.xml"] = workbook_xml("指标数据", declaration="GBK")
    return package(parts)


def test_gbk_declaration_gives_a_rejected_report_naming_the_fix(engine):
    report = import_file(engine, gbk_workbook(), "gbk.xlsx")
    assert report.status == "rejected"
    assert [e.message for e in report.errors] == [MALFORMED]


def test_cli_reports_the_gbk_workbook_without_a_traceback(tmp_path, capsys, sqlite_url):
    path = tmp_path / "gbk.xlsx"
    path.write_bytes(gbk_workbook())
    db = sqlite_url  # as init makes it: import creates no database
    assert main(["import", str(path), "--db", db]) == 1
    printed = capsys.readouterr()
    assert MALFORMED in printed.out + printed.err
    assert "Traceback" not in printed.out + printed.err
    assert main(["import", str(path), "--db", db, "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "rejected"
    assert result["sheets"][0]["errors"][0]["message"] == MALFORMED


def test_cached_values_of_external_links_import_with_a_warning_naming_the_link(engine):
    assert import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "i.xlsx").status == (
        "accepted"
    )
    rows = [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", Formula("[1]Sheet1!A1", 7), ""]]
    parts = with_external_link(
        one_sheet_parts(rows, "指标数据"), "file:///C:/%E6%8A%A5%E8%A1%A8/2022%E5%B9%B4.xlsx"
    )
    report = import_file(engine, package(parts), "linked.xlsx")
    assert report.status == "accepted"
    assert [w.message for w in report.warnings] == [
        "本表的公式引用了其他工作簿：file:///C:/报表/2022年.xlsx。已导入文件保存时公式的计算结果；"
        "如被引用的文件已更新，请在 Excel 中同时打开两个文件、重新计算并保存后再上传。"
    ]
    with engine.connect() as conn:
        values = export_frame(conn, "indicator-values").to_dict("records")
    assert [(v["指标编码"], v["数值"]) for v in values] == [("YS02", 7.0)]


def test_a_sheet_without_link_formulas_gets_no_link_warning(engine):
    parts = with_external_link(one_sheet_parts(VALUE_ROWS, "指标数据"), "other.xlsx")
    sheets = read_workbook(package(parts), "linked.xlsx")
    assert [s.external_links for s in sheets] == [()]


def test_one_far_cell_under_a_small_dimension_is_refused_before_calamine_allocates_it():
    # Calamine allocates every cell from A1 to the farthest one: XFD1048576 would be
    # 17 billion cells from a file of a few hundred bytes.
    parts = one_sheet_parts([[1]], dimension="A1")
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData>'
    )
    with pytest.raises(InputError) as caught:
        read_workbook(package(parts), "far.xlsx")
    assert caught.value.key == "reader.too_many_columns"
    assert caught.value.params == {"sheet": "Sheet1", "columns": 16384, "limit": 1_000}


@pytest.mark.parametrize(
    "dimension, trailer",
    [
        ("A1:B1048576", ""),  # a dimension claiming Excel's last row
        (None, '<row r="1048576" s="1" customFormat="1"/>'),  # an empty, formatted row
        (None, '<row r="1048576"><c r="A1048576" s="1"/></row>'),  # an empty, formatted cell
        (None, '<row r="1048576"><c r="B1048576" t="inlineStr"><is><t></t></is></c></row>'),
        (None, '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t> </t></is></c></row>'),
    ],
)
def test_a_sheet_reaching_excels_last_row_without_values_there_is_read(dimension, trailer):
    # A template formatted down to row 1,048,576 was refused: "有 1048576 行，超过上限
    # 1000000 行". The limit counts the rows up to the last one holding a value.
    parts = one_sheet_parts([["区", "数值"], ["南山区", 5]], dimension=dimension)
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        "</sheetData>", f"{trailer}</sheetData>"
    )
    started = time.process_time()
    (sheet,) = read_workbook(package(parts), "styled.xlsx")
    assert time.process_time() - started < HANG_GUARD_CPU_SECONDS
    assert sheet.rows == [["区", "数值"], ["南山区", 5.0]]


def test_rows_holding_values_beyond_the_limit_are_refused_whatever_follows_them():
    parts = one_sheet_parts([["区"], *[["南山区"]] * 4])
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        "</sheetData>", '<row r="900"><c r="A900" s="1"/></row></sheetData>'
    )
    with pytest.raises(InputError) as caught:
        read_workbook(package(parts), "rows.xlsx", Limits(max_rows_per_sheet=3))
    assert caught.value.key == "reader.too_many_rows"
    assert caught.value.params == {"sheet": "Sheet1", "rows": 5, "limit": 3}


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="xfd9999999"><v>2</v></c>',  # lower case: calamine reads it (549 GB, then abort)
        "<c r='XFD9999999'><v>2</v></c>",  # single quotes
        '<c r = "XFD9999999"><v>2</v></c>',  # spaces around =
        '<c\tr="XFD9999999"><v>2</v></c>',  # a tab before the attribute
        "<c><v>2</v></c>",  # no reference: placed by its row's number (28.8 GB, abort)
    ],
)
def test_a_far_cell_written_any_way_xml_allows_is_refused_before_calamine_allocates_it(cell):
    # Beyond Excel's last row (1,048,576), which bounds what a sheet may reach before it
    # is read; within it, the rows holding a value are counted once read.
    parts = one_sheet_parts([[1]], dimension="A1")
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        "</sheetData>", f'<row r="9999999">{cell}</row></sheetData>'
    )
    with pytest.raises(InputError) as caught:
        read_workbook(package(parts), "far.xlsx")
    assert caught.value.key == "reader.too_many_rows"
    assert caught.value.params["rows"] == 9999999


def test_one_far_cell_within_the_row_and_column_limits_is_refused_by_the_cell_limit(engine):
    # ZZ999999 is within both limits, but A1:ZZ999999 is 700 million cells to allocate.
    parts = one_sheet_parts([[1]], dimension="A1")
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        "</sheetData>", '<row r="999999"><c r="ZZ999999"><v>2</v></c></row></sheetData>'
    )
    report = import_file(engine, package(parts), "far.xlsx")
    assert report.status == "rejected"
    assert [e.message for e in report.errors] == [
        "工作表“Sheet1”的数据区域从 A1 到 ZZ999999，共 701999298 个单元格，超过上限 30000000 个。"
        "通常是远处有多余的单元格：在 Excel 中按 Ctrl+End 找到最后一个单元格，删除多余的行和列后保存，"
        "再上传。"
    ]


def test_the_upload_page_preview_of_the_gbk_workbook_is_a_rejected_report(engine):
    # What the page shows (data_model.workflow.upload.prepare), instead of Streamlit's generic error.
    pending = prepare(
        engine, Principal("admin-user", "admin"), "gbk.xlsx", gbk_workbook(), ImportOptions()
    )
    assert pending.sheets is None
    assert pending.report.status == "rejected"
    assert [e.message for e in pending.report.errors] == [MALFORMED]


def test_the_cell_extent_is_the_same_read_in_small_pieces(monkeypatch):
    xml = sheet_xml([[1, 2, 3], [4], [5, 6, 7, 8, 9]] + [[0]] * 40 + [["x", 0]]).encode()
    xml = xml.replace(b"</sheetData>", b'<row r="7"><c r="AB7"><v>1</v></c></row></sheetData>')
    assert xlsx_scan._cell_extent(xml) == (44, 28)
    monkeypatch.setattr(xlsx_scan, "_EXTENT_PIECE_BYTES", 40)  # pieces end inside rows
    assert xlsx_scan._cell_extent(xml) == (44, 28)


def with_merges(rows: list[list[object]], *ranges: str) -> bytes:
    parts = one_sheet_parts(rows)
    merges = "".join(f'<mergeCell ref="{r}"/>' for r in ranges)
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        "</sheetData>", f'</sheetData><mergeCells count="{len(ranges)}">{merges}</mergeCells>'
    )
    return package(parts)


def test_a_merge_reaching_past_the_cells_fills_the_cells_read():
    # A1:XFD1048576 over 100,000 rows once took 28 s: every one of 16,384 columns a row.
    data = with_merges([["x", 1, 2], [3, 4, 5], [6, 7, 8]], "B2:XFD1048576")
    (sheet,) = read_workbook(data, "merged.xlsx")
    assert sheet.rows == [["x", 1, 2], [3, 4, 4], [6, 4, 4]]


def test_overlapping_merges_that_cover_more_than_the_sheet_are_refused():
    # Excel never saves overlapping ranges; a hundred spanning the sheet took 28 s.
    rows = [[n, n, n] for n in range(4)]
    with pytest.raises(InputError) as caught:
        read_workbook(with_merges(rows, *["A1:C4"] * 2), "overlap.xlsx")
    assert caught.value.key == "reader.merged_overlap"
    assert caught.value.params == {"sheet": "Sheet1", "covered": 24, "cells": 12}
    assert "互相重叠" in caught.value.message()
    # Ranges that overlap a little, within the sheet's cells, are filled as before.
    (sheet,) = read_workbook(with_merges(rows, "A1:B2", "B2:C3"), "overlap.xlsx")
    assert sheet.rows[2] == [2, 0, 0]


def test_more_merged_ranges_than_the_limit_are_refused_before_calamine_reads_them():
    data = with_merges([[1, 2], [3, 4], [5, 6], [7, 8]], "A1:A2", "B1:B2", "A3:A4", "B3:B4")
    with pytest.raises(InputError) as caught:
        read_workbook(data, "merges.xlsx", Limits(max_merged_ranges_per_sheet=3))
    assert caught.value.key == "reader.too_many_merges"
    assert caught.value.params == {"sheet": "Sheet1", "count": 4, "limit": 3}
    assert len(read_workbook(data, "merges.xlsx", Limits(max_merged_ranges_per_sheet=4))) == 1


def test_a_very_long_cell_is_quoted_shortened_in_its_problem(engine):
    # 25,000 cells of 32,000 characters in 区, each quoted whole in its message and its
    # problem, held 4.3 GB and took 64 s (difflib indexed each text for suggestions).
    from data_model.errors import QUOTED_CHARS

    import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    district = "福田" * 900  # within the 2,000 characters a cell holds (FREE_TEXT_LIMIT)
    data = make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", district, "2022-03", 5, ""]]})
    report = import_file(engine, data, "long.xlsx")
    (problem,) = report.errors
    assert problem.column == "区"
    assert problem.value == district[:QUOTED_CHARS] + "…"
    assert f"「{district[:QUOTED_CHARS]}…」不是已登记的区" in problem.message
    assert len(problem.message) < QUOTED_CHARS + 200


def test_a_workbook_of_more_sheets_than_the_limit_is_refused_before_they_are_read():
    data = make_xlsx({f"表{n}": [[n]] for n in range(3)})
    with pytest.raises(InputError) as caught:
        read_workbook(data, "many.xlsx", Limits(max_sheets=2))
    assert caught.value.key == "reader.too_many_sheets"
    assert caught.value.params == {"file": "many.xlsx", "count": 3, "limit": 2}
    assert len(read_workbook(data, "many.xlsx", Limits(max_sheets=3))) == 3


def test_sheets_that_together_span_more_cells_than_the_workbook_limit_are_refused():
    # Each sheet within the cell limit, but read and kept together: 15 nearly empty ones
    # spanning A1:AD1000000 took 5.9 GB.
    data = make_xlsx({"一": [[1, 2, 3], [4, 5, 6]], "二": [[1, 2, 3], [4, 5, 6]]})
    with pytest.raises(InputError) as caught:
        read_workbook(data, "two.xlsx", Limits(max_cells_per_workbook=11))
    assert caught.value.key == "reader.workbook_too_many_cells"
    assert caught.value.params == {"file": "two.xlsx", "cells": 12, "limit": 11}
    assert len(read_workbook(data, "two.xlsx", Limits(max_cells_per_workbook=12))) == 2


def test_more_shared_strings_than_the_limit_are_refused_before_calamine_reads_them(monkeypatch):
    # 100 million empty strings in a 0.7 MB file took calamine 2.5 GB.
    def with_strings(count: int) -> bytes:
        strings = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://'
            f'schemas.openxmlformats.org/spreadsheetml/2006/main">{"<si><t>a</t></si>" * count}'
            "</sst>"
        )
        parts = one_sheet_parts([[1]])
        return package(with_part(parts, "xl/sharedStrings.xml", "sharedStrings", strings))

    with pytest.raises(InputError) as caught:
        read_workbook(with_strings(4), "strings.xlsx", Limits(max_shared_strings=3))
    assert caught.value.key == "reader.too_many_strings"
    assert caught.value.params == {"file": "strings.xlsx", "limit": 3}
    assert len(read_workbook(with_strings(3), "strings.xlsx", Limits(max_shared_strings=3))) == 1
    # The count the list declares, for which calamine makes room before it reads a string:
    # 4,000,000,000 asked for 96 GB and aborted the process.
    parts = one_sheet_parts([[1]])
    sst = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="4000000000">'
        "<si><t>a</t></si></sst>"
    )
    declared = package(with_part(parts, "xl/sharedStrings.xml", "sharedStrings", sst))
    with pytest.raises(InputError) as caught:
        read_workbook(declared, "strings.xlsx")
    assert caught.value.key == "reader.too_many_strings"
    # Counted across the reads of the part: a tag cut in two is counted once.
    monkeypatch.setattr(xlsx_scan, "_EXTENT_PIECE_BYTES", 5)
    assert len(read_workbook(with_strings(3), "s.xlsx", Limits(max_shared_strings=3))) == 1
    with pytest.raises(InputError):
        read_workbook(with_strings(4), "s.xlsx", Limits(max_shared_strings=3))
