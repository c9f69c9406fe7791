"""A large sheet read in pieces (`sheet_pieces`, `reader._read_in_pieces`) gives what
the same sheet read whole gives: the same rows (as calamine's `to_python`, equal texts
held once), merged ranges filled, percent cells, uncalculated formulas and external
links; XML that cannot be cut is read whole; the limits hold piece by piece."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from data_model.errors import InputError
from data_model.ingest import sheet_pieces
from data_model.ingest.raw_sheet import Limits
from data_model.ingest.reader import read_workbook
from tests import raw_xlsx


def read(data: bytes, pieces: bool, read_bytes: int = 97, limits: Limits | None = None):
    """The workbook read with every sheet in pieces of about one row (`pieces`) or
    every sheet whole, and whether any sheet was read in pieces."""
    saved = sheet_pieces.PIECE_BYTES, sheet_pieces._READ_BYTES, sheet_pieces.REREAD_BYTES
    sheet_pieces.PIECE_BYTES = 0 if pieces else 1 << 40
    sheet_pieces._READ_BYTES = read_bytes
    sheet_pieces.REREAD_BYTES = 1 << 62  # in pieces, whatever the shared strings
    calls = []
    original = sheet_pieces.piece_workbook

    def counted(*args):
        calls.append(args[1])
        return original(*args)

    sheet_pieces.piece_workbook = counted
    try:
        return read_workbook(data, "a.xlsx", limits), bool(calls)
    finally:
        sheet_pieces.PIECE_BYTES, sheet_pieces._READ_BYTES, sheet_pieces.REREAD_BYTES = saved
        sheet_pieces.piece_workbook = original


def outcome(data: bytes, pieces: bool, read_bytes: int = 97):
    """The sheets read, or the key of the error refusing the file (calamine refuses a
    date format on a number beyond its dates as a whole read does)."""
    try:
        return read(data, pieces, read_bytes)[0]
    except InputError as error:
        return error.key


def same_as_whole(data: bytes, read_bytes: int = 97) -> None:
    """Read in pieces and whole alike."""
    whole = outcome(data, pieces=False)
    assert outcome(data, pieces=True, read_bytes=read_bytes) == whole
    if isinstance(whole, str):
        return
    for sheet in whole:  # the whole read is calamine's, as tests/ingest/test_sheet_rows.py
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        expected = book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
        if not book.get_sheet_by_name(sheet.name).merged_cell_ranges:
            assert as_calamine_gives(sheet.rows) == expected


# Excel's error values: the reader shows them (tests/ingest/test_error_values.py), calamine
# gives an empty cell. openpyxl writes any of these texts as an error value.
ERROR_VALUES = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


def as_calamine_gives(rows: list[list[object]]) -> list[list[object]]:
    return [["" if cell in ERROR_VALUES else cell for cell in row] for row in rows]


INLINE = re.compile(
    rb'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?P<space>[^>]*)>(?P<text>.*?)</t></is></c>',
    re.DOTALL,
)


def shared_strings(data: bytes) -> bytes:
    """The package with its text cells as shared strings, as Excel writes them
    (openpyxl writes inline strings)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    strings: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        key = match["space"] + b">" + match["text"]
        index = strings.setdefault(key, len(strings))
        return b"<c " + match[1] + b't="s"' + match[2] + b"><v>" + str(index).encode() + b"</v></c>"

    for name in list(parts):
        if name.startswith("xl/worksheets/"):
            parts[name] = INLINE.sub(shared, parts[name])
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"".join(b"<si><t" + key + b"</t></si>" for key in strings)
        + b"</sst>"
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


texts = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("南山区 \t"), max_size=8
).filter(lambda text: not text.startswith(("=", "#")))
cells = st.one_of(
    st.none(),
    texts,
    st.sampled_from(["南山区", "YS01", "2021-01", " 福田区 "]),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.dates(dt.date(1950, 1, 1), dt.date(2060, 12, 31)),
    st.datetimes(dt.datetime(1950, 1, 1), dt.datetime(2060, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
    st.sampled_from(["=A1*2", "=SUM(B1:B3)", "#N/A", "#DIV/0!"]),
)
FORMATS = ("General", "0.00%", "0%", "yyyy-mm-dd", "0.00")


@st.composite
def workbooks(draw) -> bytes:
    book = Workbook()
    for number in range(draw(st.integers(1, 2))):
        sheet = book.active if number == 0 else book.create_sheet(f"表{number}")
        top = draw(st.integers(1, 4))
        left = draw(st.integers(1, 3))
        height = draw(st.integers(0, 12))
        width = draw(st.integers(1, 5))
        row = top
        for _ in range(height):
            for column in range(left, left + width):
                value = draw(cells)
                if value is None:
                    continue
                cell = sheet.cell(row=row, column=column, value=value)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell.number_format = draw(st.sampled_from(FORMATS))
            row += draw(st.sampled_from([1, 1, 1, 2, 5]))
        if height and draw(st.booleans()):
            sheet.merge_cells(
                start_row=top, start_column=left, end_row=top + 1, end_column=left + 1
            )
        if number and draw(st.booleans()):
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    return shared_strings(data) if draw(st.booleans()) else data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks(), st.sampled_from([1, 7, 97, 4096]))
def test_a_sheet_read_in_pieces_is_the_sheet_read_whole(data, read_bytes):
    same_as_whole(data, read_bytes)


def test_pieces_are_used_for_a_large_sheet_only():
    rows = [["指标编码", "数值"], *[[f"YS{n:02d}", float(n)] for n in range(1, 40)]]
    data = raw_xlsx.one_sheet_xlsx(rows, "指标数据")
    assert read(data, pieces=True)[1]
    same_as_whole(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not sheet_pieces.is_large(archive, "xl/worksheets/sheet1.xml")


def test_rows_far_apart_keep_their_places_and_width():
    book = Workbook()
    book.active["B2"] = "区"
    book.active["E900"] = 1.5
    book.active["A1800"] = "注"
    buffer = io.BytesIO()
    book.save(buffer)
    assert read(buffer.getvalue(), pieces=True)[1]
    same_as_whole(buffer.getvalue(), read_bytes=64)


def sheet_with(rows_xml: str) -> bytes:
    parts = raw_xlsx.one_sheet_parts([["x"]], "指标数据")
    parts["xl/worksheets/sheet1.xml"] = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows_xml}</sheetData></worksheet>"
    )
    return raw_xlsx.package(parts)


ROW = '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{text}</t></is></c><c r="B{r}"><v>{r}</v></c></row>'


@pytest.mark.parametrize(
    "rows_xml",
    [
        ROW.format(r=1, text="a")
        + ROW.format(r=2, text="b")
        + '<row r="10"><c r="D10" s="1"/></row>',
        ROW.format(r=1, text="a")
        + '<row r="5"><c r="H5" s="1"/></row>'
        + ROW.format(r=9, text="b"),
        ROW.format(r=1, text="a")
        + '<row r="5"/><row r="6" spans="1:3"></row>'
        + ROW.format(r=9, text="b"),
        ROW.format(r=1, text="a")
        + '<row r="3"><c r="C3"><v></v></c></row>'
        + ROW.format(r=4, text="b"),
        ROW.format(r=1, text="a") + '<row r="3"><c r="E3" t="inlineStr"><is><t></t></is></c></row>',
    ],
)
@pytest.mark.parametrize("read_bytes", [16, 64, 4096])
def test_cells_without_a_value_and_empty_rows_read_alike_in_pieces(rows_xml, read_bytes):
    data = sheet_with(rows_xml)
    pieces, used = read(data, pieces=True, read_bytes=read_bytes)
    assert used and pieces == read(data, pieces=False)[0]


@pytest.mark.parametrize(
    "rows_xml",
    [
        # a comment among the rows could hide a `</row>`
        ROW.format(r=1, text="a") + "<!-- </row> -->" + ROW.format(r=2, text="b"),
        # calamine numbers a row without `r` by counting
        ROW.format(r=1, text="a") + '<row><c t="inlineStr"><is><t>b</t></is></c></row>',
        # rows out of order
        ROW.format(r=5, text="a") + ROW.format(r=2, text="b") + ROW.format(r=9, text="c"),
        # CDATA in a text
        ROW.format(r=1, text="<![CDATA[</row><row r='7'>]]>") + ROW.format(r=2, text="b"),
    ],
)
def test_xml_that_cannot_be_cut_is_read_whole(rows_xml):
    data = sheet_with(rows_xml)
    whole, _ = read(data, pieces=False)
    pieces, used = read(data, pieces=True, read_bytes=16)
    assert pieces == whole


def test_a_doctype_is_not_read_in_pieces():
    data = sheet_with(ROW.format(r=1, text="a"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/worksheets/sheet1.xml"] = (
        b'<!DOCTYPE x [<!ENTITY e "y">]>' + parts["xl/worksheets/sheet1.xml"]
    )
    data = raw_xlsx.package(parts)
    with zipfile.ZipFile(io.BytesIO(data)) as archive, pytest.raises(sheet_pieces.ReadWhole):
        list(sheet_pieces.sheet_pieces(archive, "xl/worksheets/sheet1.xml"))


def test_one_far_cell_in_a_later_piece_is_refused_before_calamine_allocates_it():
    rows_xml = "".join(ROW.format(r=r, text="a") for r in range(1, 50))
    rows_xml += '<row r="900000"><c r="XFD900000"><v>1</v></c></row>'
    data = sheet_with(rows_xml)
    limits = Limits(max_columns_per_sheet=20_000, max_rows_per_sheet=1_000_000)
    with pytest.raises(InputError) as whole:
        read(data, pieces=False, limits=limits)
    with pytest.raises(InputError) as pieces:
        read(data, pieces=True, read_bytes=64, limits=limits)
    assert pieces.value.key == whole.value.key == "reader.too_many_cells"
    assert pieces.value.message() == whole.value.message()


def test_too_many_rows_in_pieces_is_refused_with_the_sheets_name():
    rows_xml = "".join(ROW.format(r=r, text="a") for r in range(1, 30))
    data = sheet_with(rows_xml)
    with pytest.raises(InputError) as refused:
        read(data, pieces=True, read_bytes=64, limits=Limits(max_rows_per_sheet=20))
    assert refused.value.key == "reader.too_many_rows"
    assert "指标数据" in refused.value.message()


def test_external_links_and_formulas_are_found_across_pieces():
    rows = [["指标编码", "数值"], ["YS01", raw_xlsx.Formula("[1]Sheet1!A1", 3.0)]]
    rows += [[f"YS{n:02d}", float(n)] for n in range(2, 30)]
    parts = raw_xlsx.with_external_link(
        raw_xlsx.one_sheet_parts(rows, "指标数据"), "file:///C:/报表/2022年.xlsx"
    )
    data = raw_xlsx.package(parts)
    whole, _ = read(data, pieces=False)
    assert whole[0].external_links
    pieces, used = read(data, pieces=True, read_bytes=64)
    assert used and pieces == whole


def test_the_read_is_refused_alike_when_a_piece_is_not_xml():
    data = sheet_with(ROW.format(r=1, text="a") + '<row r="2"><c r="A2"><v>1</c></row>')
    with pytest.raises(InputError) as whole:
        read(data, pieces=False)
    with pytest.raises(InputError) as pieces:
        read(data, pieces=True, read_bytes=16)
    assert pieces.value.key == whole.value.key


def test_a_large_sheet_under_many_shared_strings_is_read_whole(monkeypatch):
    # Each piece is a workbook of its own, which reads the shared strings again: a 200 MB
    # sheet under 4 million strings took 24 s in pieces, 2 s whole.
    rows = [[f"text {n}", n] for n in range(200)]
    data = shared_strings(raw_xlsx.one_sheet_xlsx(rows))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml").file_size
        strings = archive.getinfo("xl/sharedStrings.xml").file_size
        monkeypatch.setattr(sheet_pieces, "PIECE_BYTES", sheet // 4)  # five pieces
        monkeypatch.setattr(sheet_pieces, "REREAD_BYTES", 5 * strings)
        assert sheet_pieces.is_large(archive, "xl/worksheets/sheet1.xml")
        monkeypatch.setattr(sheet_pieces, "REREAD_BYTES", 5 * strings - 1)
        assert not sheet_pieces.is_large(archive, "xl/worksheets/sheet1.xml")
    (whole,) = read_workbook(data, "a.xlsx")
    assert whole.rows[199] == ["text 199", 199.0]
