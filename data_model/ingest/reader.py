"""Open an uploaded workbook safely and hand out its sheets as rows of raw cell values.

Checks that cost little run before any parsing: file size, file type by its first
bytes (not its name), and for zip-based workbooks what the package's XML declares and
reaches (`xlsx_scan`: the uncompressed size, a zip-bomb guard, and more). Cells come from python-calamine (cached values for formulas); a sheet whose XML
is larger than `sheet_pieces.PIECE_BYTES` is given to it a piece of rows at a time
(`sheet_pieces`), so that its copy of the cells never holds the whole sheet. Percent
number formats are found from the workbook's styles, and only when some style is
a percent format are the affected cells located, so large files without percent
styles never pay for reading formats.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from data_model.errors import InputError
from data_model.ingest import sheet_pieces
from data_model.ingest.raw_sheet import Limits, RawSheet, drop_trailing_blank_rows
from data_model.ingest.xlsx_scan import (
    BROKEN_ARCHIVE,
    ENCRYPTED_OOXML_MARK,
    EXTERNAL_REF,
    LargeSheets,
    XlsxFacts,
    check_cell_extent,
    check_legacy_workbook,
    check_merged_ranges,
    check_reach,
    check_sheet_count,
    check_size,
    check_workbook_cells,
    megabytes,
    scan_sheet,
    scan_whole,
    scan_xlsx,
    show_error_values,
)
from data_model.text import NOT_XML, without_non_xml

try:  # glibc's malloc_trim, see _return_freed_memory
    _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _LIBC.malloc_trim.argtypes = [ctypes.c_size_t]
except (OSError, AttributeError):
    _LIBC = None

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXTENSIONS = (".xlsx", ".xlsm", ".xls")


def read_workbook(data: bytes, file_name: str, limits: Limits | None = None) -> list[RawSheet]:
    """All sheets of a workbook, or InputError with a one-line reason.

    Everything that can be checked without parsing cells is checked first: size,
    type, encryption, uncompressed size, the rows and columns each sheet declares, and
    the cells its references reach (calamine allocates all of them).
    """
    limits = limits or Limits()
    if not data:
        raise InputError("reader.empty_file", file=file_name)
    if len(data) > limits.max_file_bytes:
        raise InputError(
            "reader.file_too_large",
            size_mb=megabytes(len(data)),
            limit_mb=megabytes(limits.max_file_bytes),
        )
    facts: dict[str, XlsxFacts] = {}
    large: LargeSheets | None = None
    if data.startswith(ZIP_MAGIC):
        facts, large = scan_xlsx(data, file_name, limits)
    elif data.startswith(OLE_MAGIC):
        if ENCRYPTED_OOXML_MARK in data:
            raise InputError("reader.encrypted", file=file_name)
        check_legacy_workbook(data, file_name, limits)
    else:
        raise InputError("reader.not_a_workbook", file=file_name)
    with _calamine_errors(file_name):
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    with workbook:
        with _calamine_errors(file_name):
            sheets_metadata = workbook.sheets_metadata
        check_sheet_count(len(sheets_metadata), file_name, limits)
        cells = 0
        for meta in sheets_metadata:
            read = None
            if large is not None and meta.name in large.paths:
                read = _read_in_pieces(data, meta.name, large, limits, file_name)
            if read is None:
                sheet_facts = facts.get(meta.name)
                if sheet_facts is None and large is not None and meta.name in large.paths:
                    sheet_facts = scan_whole(data, meta.name, large, limits)
                with _calamine_errors(file_name):
                    sheet = workbook.get_sheet_by_name(meta.name)
                    rows = sheet_rows(sheet)
                    merged = sheet.merged_cell_ranges or []
                    del sheet  # calamine's copy of the cells, freed before the next sheet
            else:
                rows, merged, sheet_facts = read
            # The declared dimension was checked before parsing, but it can lie.
            width = max(map(len, rows), default=0)
            check_reach(meta.name, len(rows), width, limits)
            sheet_facts = sheet_facts or XlsxFacts()
            show_error_values(rows, sheet_facts.error_values)
            _fill_merged(meta.name, rows, width, merged)
            drop_trailing_blank_rows(rows)
            check_size(meta.name, len(rows), width, limits)
            cells += len(rows) * width
            check_workbook_cells(file_name, cells, limits)
            sheets.append(
                RawSheet(
                    meta.name,
                    meta.visible == SheetVisibleEnum.Visible,
                    rows,
                    sheet_facts.percent_cells,
                    sheet_facts.formulas_without_value,
                    sheet_facts.external_links,
                    sheet_facts.hidden_rows,
                )
            )
    del workbook
    _return_freed_memory()
    if not sheets:
        raise InputError("reader.no_sheets", file=file_name)
    return sheets


def _return_freed_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's `malloc_trim`).

    calamine holds all the cells of a sheet (about 320 MB at 1M rows) while its rows are
    made. Freed, that memory stays in the process, and Python's own objects made next
    (the validated records) do not reuse it: without this, an import's peak is both at
    once. Elsewhere than glibc nothing is done.
    """
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def sheet_rows(sheet) -> list[list[object]]:
    """A calamine sheet's cells from A1, as `to_python(skip_empty_area=False)` gives them,
    with equal texts held once.

    A month-end table repeats a few hundred codes and names, a dozen districts and a few
    periods over hundreds of thousands of rows; calamine makes a new string for every
    cell, which was the largest part of a large import's memory. The rows are made one
    at a time (`iter_rows`), so the unshared strings never all exist at once. Texts
    lose the characters XML cannot hold (`_drop_non_xml`).
    """
    # iter_rows' rows start at row 1 but its columns at the first used one; RawSheet's,
    # like to_python's, start at column A.
    left = sheet.start[1] if sheet.start is not None else 0
    texts: dict[str, str] = {}
    rows = _rows_from_a(sheet.iter_rows(), left, texts.setdefault)
    _drop_non_xml(rows, texts)
    return rows


def _rows_from_a(cells: Iterable[list], left: int, share: Callable) -> list[list[object]]:
    """Rows of calamine's cells that start `left` columns right of A, from column A, each
    text through `share` (a dict's `setdefault`: equal texts held once)."""
    pad = [""] * left
    rows = []
    for row in cells:
        row = [share(cell, cell) if cell.__class__ is str else cell for cell in row]
        rows.append(pad + row if left else row)
    return rows


def _drop_non_xml(rows: list[list[object]], texts: dict[str, str]) -> None:
    """The rows' texts without the characters XML cannot hold (`text.NOT_XML`). `texts`:
    the distinct texts of the rows (`_rows_from_a`'s), searched once each, so that a sheet
    without such characters costs one search of each distinct text."""
    cleaned = {text: without_non_xml(text) for text in texts if NOT_XML.search(text)}
    if not cleaned:
        return
    for row in rows:
        for column, cell in enumerate(row):
            if cell.__class__ is str and cell in cleaned:
                row[column] = cleaned[cell]


def _read_in_pieces(
    data: bytes, name: str, large: LargeSheets, limits: Limits, file_name: str
) -> tuple[list[list[object]], list, XlsxFacts] | None:
    """A large sheet's rows, merged ranges and facts, read a piece at a time
    (`sheet_pieces`), as the whole sheet's read would give them; None when its XML is
    not of the form that can be cut (`sheet_pieces.ReadWhole`): then it is read whole.

    Each piece's cells become rows as `sheet_rows` makes them (equal texts held once,
    columns from A, no characters XML cannot hold); rows between two pieces' cells are
    empty, and every row is as wide as the widest piece, as calamine's whole range is.
    """
    path = large.paths[name]
    texts: dict[str, str] = {}
    share = texts.setdefault
    rows: list[list[object]] = []
    width = 0
    merged: list = []
    percent: set = set()
    uncalculated: set = set()
    errors: list = []
    hidden: set[int] = set()
    link_numbers: set[int] = set()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = sheet_pieces.template_parts(archive, large.sheet_paths)
            for head, piece, tail in sheet_pieces.sheet_pieces(archive, path):
                check_cell_extent(piece, name, limits)  # before calamine allocates it
                if tail is not None:  # the merged ranges follow the last piece's cells
                    check_merged_ranges(tail, name, limits)
                found = scan_sheet(piece, large.percent_styles)
                percent |= found.percent_cells
                uncalculated |= found.formulas_without_value
                errors.extend(found.error_values)
                hidden |= found.hidden_rows
                if large.links:
                    link_numbers.update(map(int, EXTERNAL_REF.findall(piece)))
                xml = sheet_pieces.piece_xml(head, piece, tail)
                del piece
                with (
                    _calamine_errors(file_name),
                    sheet_pieces.piece_workbook(parts, path, xml) as book,
                ):
                    del xml
                    sheet = book.get_sheet_by_name(name)
                    start = sheet.start
                    cells = [] if start is None else sheet.to_python(skip_empty_area=True)
                    if tail is not None:
                        merged = sheet.merged_cell_ranges or []
                    del sheet
                if start is None:
                    continue
                top, left = start
                if top < len(rows):
                    raise sheet_pieces.ReadWhole("rows out of order")
                rows.extend([] for _ in range(top - len(rows)))
                rows.extend(_rows_from_a(cells, left, share))
                if cells:
                    width = max(width, left + len(cells[0]))
                del cells
    except sheet_pieces.ReadWhole:
        return None
    except BROKEN_ARCHIVE as error:
        raise InputError("reader.corrupt_zip") from error
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    _drop_non_xml(rows, texts)
    links = tuple(large.links[n] for n in sorted(link_numbers) if n in large.links)
    facts = XlsxFacts(
        frozenset(percent), frozenset(uncalculated), links, tuple(errors), frozenset(hidden)
    )
    return rows, merged, facts


@contextmanager
def _calamine_errors(file_name: str) -> Iterator[None]:
    """Any failure of calamine on a malformed file, as InputError.

    Calamine raises several unrelated types for bad files, and a Rust panic surfaces as
    pyo3's PanicException, which derives from BaseException, not Exception.
    """
    try:
        yield
    except Exception as error:
        raise _unreadable(error, file_name) from error
    except BaseException as error:
        if type(error).__name__ != "PanicException":
            raise  # KeyboardInterrupt, SystemExit: not the file's fault
        raise _unreadable(error, file_name) from error


def _fill_merged(sheet_name: str, rows: list[list[object]], width: int, merged) -> None:
    """Every cell of a merged range given its top-left cell's value, one slice of a row at
    a time, within the cells read (a range may reach past them: `A1:XFD1048576`).

    Ranges that Excel saves do not overlap, so together they cover at most the sheet's
    cells; ranges that cover more (a hundred copies of one spanning the sheet took 28 s)
    are refused before any is filled. `width`: the longest row's."""
    covered = 0
    clipped = []
    for (top, left), (bottom, right) in merged:
        bottom, right = min(bottom, len(rows) - 1), min(right, width - 1)
        if top > bottom or left > right:
            continue
        covered += (bottom - top + 1) * (right - left + 1)
        clipped.append((top, left, bottom, right))
    if covered > len(rows) * width:
        raise InputError(
            "reader.merged_overlap", sheet=sheet_name, covered=covered, cells=len(rows) * width
        )
    for top, left, bottom, right in clipped:
        if left >= len(rows[top]):
            continue
        value = rows[top][left]
        for row in rows[top : bottom + 1]:
            end = min(right + 1, len(row))
            if end > left:
                row[left:end] = [value] * (end - left)


def _unreadable(error: Exception, file_name: str) -> InputError:
    name = type(error).__name__
    if "Password" in name or "password" in str(error).lower() or "encrypt" in str(error).lower():
        return InputError("reader.encrypted", file=file_name)
    return InputError("reader.corrupt", file=file_name)
