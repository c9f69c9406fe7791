"""A large xlsx sheet read a piece at a time, each piece by calamine.

python-calamine reads a sheet whole: at 1M rows its copy of the cells (32 bytes each,
and a string for every text cell) is about 320 MB while the Python rows are made, and
the sheet's XML (about 200 MB) was inflated whole before that to find formulas and
percent cells. For a sheet whose XML is larger than `PIECE_BYTES`, the part is
inflated a piece at a time instead, cut after a `</row>`, and each piece is given to
calamine as the only rows of a small stored (uncompressed) workbook that has the
file's other parts (workbook, styles, shared strings; other sheets as empty stubs).
Cell references keep their place, so calamine gives each piece's cells as it gives
them from the whole sheet; the pieces' rows are put together as `reader.sheet_rows`
makes them, and the formula, percent-format and external-link facts are found in each
piece as `xlsx_scan.scan_sheet` finds them in the whole part. The sheet's merged ranges
(`<mergeCells>`, after the rows) go with the last piece.

Only XML of the plain form Excel, WPS and openpyxl write is cut: `<sheetData>` and
`<row r="…">` without a namespace prefix, no comment, CDATA or processing instruction
among the rows (where a `</row>` could stand in text), rows in ascending order. Any
other sheet raises `ReadWhole` and is read whole, as before. The limits hold piece by
piece: each piece's farthest cell is checked (`xlsx_scan.check_cell_extent`) before
calamine allocates it, and the rows are counted as they come.
"""

from __future__ import annotations

import io
import re
import zipfile

from python_calamine import CalamineWorkbook

# Sheet XML per piece; a sheet whose part is larger is read in pieces.
PIECE_BYTES = 8 * 1024 * 1024
REREAD_BYTES = 512 * 1024 * 1024
SHARED_STRINGS = "xl/sharedStrings.xml"  # where calamine reads them, whatever the links say
_READ_BYTES = 4 * 1024 * 1024
_HEAD_BYTES = 16 * 1024 * 1024  # what may stand before the rows (`<cols>`, views)
_SHEET_DATA = b"<sheetData>"
_SHEET_DATA_END = b"</sheetData>"
_ROW_END = b"</row>"
_DIMENSION_TAG = re.compile(rb"<dimension\b[^>]*/>")
_MERGE_CELLS = re.compile(rb"<mergeCells\b.*?</mergeCells>", re.DOTALL)
_ROW_TAG = re.compile(rb"<row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\br="([0-9]+)"')
_NOT_PLAIN = re.compile(rb"<[!?]")  # a comment, CDATA or processing instruction
_STUB_SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData/></worksheet>"
)


class ReadWhole(Exception):
    """The sheet's XML is not of the plain form the pieces need: read it whole."""


def is_large(archive: zipfile.ZipFile, path: str) -> bool:
    """Whether the sheet is read in pieces: when it is larger than `PIECE_BYTES`, unless
    the pieces' workbooks would read the shared strings again and again, more than
    `REREAD_BYTES` in all (each piece is a workbook of its own: a 200 MB sheet under 4
    million strings took 24 s). Such a sheet is read whole, as a small one is."""
    size = archive.getinfo(path).file_size
    if size <= PIECE_BYTES:
        return False
    try:
        strings = archive.getinfo(SHARED_STRINGS).file_size
    except KeyError:
        return True
    return strings * (size // max(PIECE_BYTES, 1) + 1) <= REREAD_BYTES


def sheet_pieces(archive: zipfile.ZipFile, path: str):
    """The sheet part as (head, rows XML, tail) pieces: `head` is the XML before the
    rows (without its `<dimension>`, which calamine would allocate for), each piece of
    rows ends after a `</row>`, and `tail` (after the rows) comes with the last piece.

    Yields `(head, rows, tail_or_None)`; raises ReadWhole for XML not of the plain form.
    """
    with archive.open(path) as stream:
        buffer = b""
        while _SHEET_DATA not in buffer:
            more = stream.read(_READ_BYTES)
            if not more or len(buffer) > _HEAD_BYTES:
                raise ReadWhole(path)
            buffer += more
        head, _, buffer = buffer.partition(_SHEET_DATA)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise ReadWhole(path)
        head = _DIMENSION_TAG.sub(b"", head)
        done = False
        while True:
            # A piece's worth of XML holding a `</row>` (one split between two reads
            # is found once they are joined), or the rest of the part.
            reads = [buffer]
            size = len(buffer)
            row_end = _ROW_END in buffer
            while not done and (size < PIECE_BYTES or not row_end):
                if size > PIECE_BYTES + _HEAD_BYTES:
                    raise ReadWhole("a row larger than a piece")
                more = stream.read(_READ_BYTES)
                done = not more
                reads.append(more)
                size += len(more)
                row_end = row_end or _ROW_END in more
            buffer = b"".join(reads)
            del reads
            if done:
                rows, marker, tail = buffer.partition(_SHEET_DATA_END)
                if not marker:
                    raise ReadWhole(path)
                _check_plain(rows)
                yield head, rows, tail
                return
            cut = buffer.rfind(_ROW_END)
            if cut < 0:
                continue
            cut += len(_ROW_END)
            rows, buffer = buffer[:cut], buffer[cut:]
            _check_plain(rows)
            yield head, rows, None


def _check_plain(rows: bytes) -> None:
    """Rows that can be cut after any `</row>` and read apart: no markup that could hide
    a tag in text, every row numbered (calamine numbers an unnumbered row by counting)."""
    if _NOT_PLAIN.search(rows):
        raise ReadWhole("markup among the rows")
    count = rows.count(b"<row")
    if rows.count(b'<row r="') == count:  # as Excel, WPS and openpyxl write them
        return
    tags = _ROW_TAG.findall(rows)
    if any(_ROW_NUMBER.search(attributes) is None for attributes in tags):
        raise ReadWhole("a row without its number")
    if count != len(tags):  # a tag the pattern missed
        raise ReadWhole("a row tag of another form")


def piece_workbook(parts: dict[str, bytes], path: str, xml: bytes) -> CalamineWorkbook:
    """A stored workbook of the file's parts with `xml` as the sheet at `path`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in parts.items():
            archive.writestr(name, xml if name == path else content)
    buffer.seek(0)
    return CalamineWorkbook.from_filelike(buffer)


def template_parts(archive: zipfile.ZipFile, sheet_paths: set[str]) -> dict[str, bytes]:
    """The file's parts for the pieces' workbooks: every part but the sheets, which are
    empty stubs (calamine reads only the one asked for, but may look for the others)."""
    return {
        info.filename: _STUB_SHEET if info.filename in sheet_paths else archive.read(info)
        for info in archive.infolist()
        if not info.is_dir()
    }


def piece_xml(head: bytes, rows: bytes, tail: bytes | None) -> bytes:
    """The XML of a piece: the sheet's head, the piece's rows, and on the last piece the
    merged ranges of the tail."""
    merged = b""
    if tail is not None:
        found = _MERGE_CELLS.search(tail)
        merged = found.group(0) if found else b""
    return b"".join((head, _SHEET_DATA, rows, _SHEET_DATA_END, merged, b"</worksheet>"))
