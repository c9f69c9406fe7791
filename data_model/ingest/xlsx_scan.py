"""What an uploaded workbook's package says before calamine parses a cell: the checks
that refuse a hostile file (sizes declared and inflated, shared strings, sheets, the
cells a sheet's references reach, merged ranges) and the facts the reader adds to the
cells (percent-formatted cells, formulas saved without a value, error values, links to
other workbooks), found by searching the XML, not by parsing it."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import unquote
from xml.etree import ElementTree

from data_model.errors import InputError
from data_model.ingest import legacy_xls, sheet_pieces
from data_model.ingest.raw_sheet import EXCEL_ROWS, Limits, cell_name

BUILTIN_PERCENT_FORMATS = {9, 10}
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


# An encrypted .xlsx is an OLE container holding an `EncryptionInfo` stream.
ENCRYPTED_OOXML_MARK = "EncryptionInfo".encode("utf-16-le")
_DIMENSION = re.compile(rb'<dimension ref="[A-Za-z]+[0-9]+(?::([A-Za-z]+)([0-9]+))?"')
_CELL = re.compile(rb"<c ([^>]*?)(/>|>(.*?)</c>)", re.DOTALL)
_CELL_ATTRS = re.compile(rb'(r|s|t)="([^"]*)"')
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_CACHED_VALUE = re.compile(rb"<v>[^<]")
_FORMULA_MARKS = (b"<f>", b"<f ", b"<f/>")
_FORMULA = re.compile(rb"<f[ >/]")
_ERROR_CELL = re.compile(rb'<c ((?:[^>]*?\s)?t="e"[^>]*)>')
# A row hidden by hand or by a filter (`<row r="5" hidden="1">`), and a tag's row number.
_HIDDEN_ROW = re.compile(rb'<row\s[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\sr="([0-9]+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
# Up to this many percent styles are searched for one by one (`_styles_used`).
_FEW_STYLES = 8
_STYLE_ATTR = re.compile(rb'\ss="([0-9]+)"')
_STYLED_CELL = re.compile(rb'<c ((?:[^>]*?\s)?s="[0-9]+"[^>]*)>')
# Calamine allocates every cell from A1 to the farthest one, so one far cell in a tiny
# file could ask for hundreds of gigabytes. A sheet within columns A-Z and rows below
# 1,000,000 holds at most 26 million cells; only a sheet with a cell beyond them
# (a two-letter column or a seven-digit row) has its extent measured cell by cell, so
# the usual narrow month-end file costs one search of the part.
# Calamine reads a reference in either case (`xfd1048576`), and XML allows single quotes
# and spaces around `=`: a guard that saw only ` r="XFD…"` let a 1 KB file ask for 549 GB.
# (The pattern starts with the letter and looks back for the space before it: a pattern
# starting with `\s` cannot be searched for by its first letter, and took 0.26 s per 60 MB.)
_REF_ATTR = rb"""r(?<=\sr)\s*=\s*["']"""
# A row's own number counts too: calamine places a cell written without a reference by
# its row's (`<row r="900000000"><c>…`: 28.8 GB asked, and the process aborted).
_BEYOND_Z_OR_FAR = re.compile(_REF_ATTR + rb"(?:[A-Za-z]{2,}[0-9]|[A-Za-z][0-9]{7}|\+?[0-9]{7})")
_CELL_REF_ATTR = re.compile(_REF_ATTR + rb"([A-Za-z]+)([0-9]+)")
_ROW_NUMBER_ATTR = re.compile(_REF_ATTR + rb"""\+?([0-9]+)["']""")
_EXTENT_PIECE_BYTES = 4 * 1024 * 1024
_UNIQUE_COUNT = re.compile(rb"""<(?:\w+:)?sst\b[^>]*?\suniqueCount\s*=\s*["']\+?([0-9]+)""")
# A formula naming another workbook: `[1]Sheet1!A1` (1 = the workbook's first link).
EXTERNAL_REF = re.compile(rb"<f[^>]*>[^<]*?\[([0-9]+)\]")
# What a broken package or part raises while it is read (InputError excepted).
# Archives: zipfile raises NotImplementedError for an unknown compression method and
# RuntimeError for an encrypted entry. Parts: ValueError covers UnicodeDecodeError and
# the XML parser's "multi-byte encodings are not supported"; LookupError covers an
# unknown encoding and KeyError, a part the package names but does not hold.
BROKEN_ARCHIVE = (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError)
_BROKEN_PART = (ElementTree.ParseError, ValueError, LookupError)


@dataclass(frozen=True)
class XlsxFacts:
    percent_cells: frozenset[tuple[int, int]] = frozenset()
    formulas_without_value: frozenset[tuple[int, int]] = frozenset()
    external_links: tuple[str, ...] = ()
    # ((row, column), `#DIV/0!`) of each cell holding an error value, which calamine
    # gives as an empty cell.
    error_values: tuple[tuple[tuple[int, int], str], ...] = ()
    # 0-based rows hidden in Excel, by hand or by a filter: calamine reads them as any other.
    hidden_rows: frozenset[int] = frozenset()


@dataclass(frozen=True)
class LargeSheets:
    """What reading sheets in pieces needs (`sheet_pieces`): the large sheets' parts by
    sheet name, every sheet's part, and what `scan_sheet` looks for."""

    paths: dict[str, str]
    sheet_paths: frozenset[str]
    percent_styles: set[bytes]
    links: dict[int, str]


def scan_xlsx(
    data: bytes, file_name: str, limits: Limits
) -> tuple[dict[str, XlsxFacts], LargeSheets]:
    """Check the package and find percent-formatted and uncalculated formula cells.

    Cells are scanned only in sheets that need it (the workbook has a percent style,
    or the sheet contains formulas), so a plain month-end table costs one quick pass.
    Sheets larger than `sheet_pieces.PIECE_BYTES` are not inflated here: they are read
    in pieces (`reader._read_in_pieces`), and their facts found piece by piece.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                raise InputError("reader.zip_not_workbook")
            total = sum(info.file_size for info in archive.infolist())
            if total > limits.max_uncompressed_bytes:
                raise InputError(
                    "reader.zip_too_large",
                    size_mb=megabytes(total),
                    limit_mb=megabytes(limits.max_uncompressed_bytes),
                )
            if sheet_pieces.SHARED_STRINGS in names:
                _check_shared_strings(archive, file_name, limits)
            percent_styles = _percent_style_ids(archive)
            workbook = _xml(archive, "xl/workbook.xml")
            targets = _relationship_targets(archive, "xl/_rels/workbook.xml.rels")
            links = _external_links(archive, workbook, targets)
            facts = {}
            large = {}
            paths = _sheet_paths(workbook, targets)
            check_sheet_count(len(paths), file_name, limits)
            for sheet_name, path in paths.items():
                if path not in names:
                    continue
                _check_declared_size(archive, path, sheet_name, limits)
                if sheet_pieces.is_large(archive, path):
                    large[sheet_name] = path
                    continue
                xml = archive.read(path)
                check_cell_extent(xml, sheet_name, limits)
                check_merged_ranges(xml, sheet_name, limits)
                facts[sheet_name] = scan_sheet(xml, percent_styles, links)
            sheet_paths = frozenset(p for p in paths.values() if p in names)
            return facts, LargeSheets(large, sheet_paths, percent_styles, links)
    except InputError:
        raise
    except BROKEN_ARCHIVE as error:
        raise InputError("reader.corrupt_zip") from error
    except _BROKEN_PART as error:
        # A part that is missing, is not XML, or declares an encoding the XML parser
        # cannot read (`encoding="GBK"`): Excel or WPS writes a readable copy.
        raise InputError("reader.malformed", file=file_name) from error


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    return ElementTree.fromstring(archive.read(name))


def _check_declared_size(
    archive: zipfile.ZipFile, path: str, sheet_name: str, limits: Limits
) -> None:
    """The sheet's `<dimension ref="A1:XFD60"/>` against the limits, before any cell is parsed."""
    with archive.open(path) as stream:
        head = stream.read(4096)
    match = _DIMENSION.search(head)
    if match and match.group(1):
        check_reach(
            sheet_name, int(match.group(2)), _column_index(match.group(1).decode()) + 1, limits
        )


def _check_shared_strings(archive: zipfile.ZipFile, file_name: str, limits: Limits) -> None:
    """The workbook's shared strings counted against the limit, a few megabytes of the part
    at a time, before calamine reads them all (`<si>`, or `<x:si>` under a prefix)."""
    count = 0
    tail = b""  # a tag cut between two reads is counted once, with the next read
    with archive.open(sheet_pieces.SHARED_STRINGS) as part:
        chunk = part.read(_EXTENT_PIECE_BYTES)
        # Calamine makes room for the count the list declares (in its tag, in the first
        # read) before it reads a string: `uniqueCount="4000000000"` in a file of a few
        # hundred bytes asked for 96 GB and aborted the process.
        if declared := _UNIQUE_COUNT.search(chunk):
            _check_string_count(int(declared.group(1)), file_name, limits)
        while chunk:
            text = tail + chunk
            count += text.count(b"<si") + text.count(b":si")
            tail = text[-2:]
            _check_string_count(count, file_name, limits)
            chunk = part.read(_EXTENT_PIECE_BYTES)


def _check_string_count(count: int, file_name: str, limits: Limits) -> None:
    if count > limits.max_shared_strings:
        raise InputError("reader.too_many_strings", file=file_name, limit=limits.max_shared_strings)


def check_legacy_workbook(data: bytes, file_name: str, limits: Limits) -> None:
    """A legacy workbook's sheets against the limits, from its records (`legacy_xls`):
    calamine builds every cell of every sheet when it opens the file."""
    try:
        workbook = legacy_xls.read_extents(data)
    except legacy_xls.NotReadable as error:
        raise InputError("reader.corrupt", file=file_name) from error
    check_sheet_count(len(workbook.sheets), file_name, limits)
    _check_string_count(workbook.shared_strings, file_name, limits)
    cells = 0
    for sheet in workbook.sheets:
        _check_extent(sheet.name, sheet.rows, sheet.columns, limits)
        _check_merge_count(sheet.name, sheet.merged, limits)
        cells += sheet.rows * sheet.columns
        check_workbook_cells(file_name, cells, limits)


def check_workbook_cells(file_name: str, cells: int, limits: Limits) -> None:
    if cells > limits.max_cells_per_workbook:
        raise InputError(
            "reader.workbook_too_many_cells",
            file=file_name,
            cells=cells,
            limit=limits.max_cells_per_workbook,
        )


def check_sheet_count(count: int, file_name: str, limits: Limits) -> None:
    if count > limits.max_sheets:
        raise InputError(
            "reader.too_many_sheets", file=file_name, count=count, limit=limits.max_sheets
        )


def check_size(sheet_name: str, rows: int, columns: int, limits: Limits) -> None:
    """A sheet as read, up to its last row holding a value (`drop_trailing_blank_rows`),
    against the limits."""
    check_reach(sheet_name, rows, columns, limits)
    if rows > limits.max_rows_per_sheet:
        raise _too_many_rows(sheet_name, rows, limits)


def check_reach(sheet_name: str, rows: int, columns: int, limits: Limits) -> None:
    """How far a sheet's cells reach before it is parsed (its dimension, its cells'
    references, its records), against the limits. Rows are bounded by Excel's grid, not by
    the rows limit: a template formatted down to Excel's last row reaches row 1,048,576
    with a few rows of values, which the limit counts once read (`check_size`); the cells
    calamine allocates are bounded by `max_cells_per_sheet` (`_check_extent`)."""
    if rows > max(limits.max_rows_per_sheet, EXCEL_ROWS):
        raise _too_many_rows(sheet_name, rows, limits)
    if columns > limits.max_columns_per_sheet:
        raise InputError(
            "reader.too_many_columns",
            sheet=sheet_name,
            columns=columns,
            limit=limits.max_columns_per_sheet,
        )


def _too_many_rows(sheet_name: str, rows: int, limits: Limits) -> InputError:
    return InputError(
        "reader.too_many_rows", sheet=sheet_name, rows=rows, limit=limits.max_rows_per_sheet
    )


def check_merged_ranges(xml: bytes, sheet_name: str, limits: Limits) -> None:
    """The merged ranges the part declares against the limit, before calamine reads them
    (`<mergeCell …/>` tags; `<mergeCells>` is their list)."""
    _check_merge_count(sheet_name, xml.count(b"mergeCell") - xml.count(b"mergeCells"), limits)


def _check_merge_count(sheet_name: str, count: int, limits: Limits) -> None:
    if count > limits.max_merged_ranges_per_sheet:
        raise InputError(
            "reader.too_many_merges",
            sheet=sheet_name,
            count=count,
            limit=limits.max_merged_ranges_per_sheet,
        )


def check_cell_extent(xml: bytes, sheet_name: str, limits: Limits) -> None:
    """The cells calamine would allocate (A1 to the farthest cell) against the limits.

    The declared dimension was checked already, but it may lie.
    """
    if not _BEYOND_Z_OR_FAR.search(xml):
        return
    rows, columns = _cell_extent(xml)
    _check_extent(sheet_name, rows, columns, limits)


def _check_extent(sheet_name: str, rows: int, columns: int, limits: Limits) -> None:
    """The cells from A1 to row `rows` and column `columns` (1-based) against the limits."""
    check_reach(sheet_name, rows, columns, limits)
    if rows * columns > limits.max_cells_per_sheet:
        raise InputError(
            "reader.too_many_cells",
            sheet=sheet_name,
            last=cell_name(rows - 1, columns - 1),
            cells=rows * columns,
            limit=limits.max_cells_per_sheet,
        )


def _cell_extent(xml: bytes) -> tuple[int, int]:
    """The farthest row and column any cell reference (or row number) of the part names
    (1-based).

    Read a few megabytes at a time, so that a large sheet never holds all its references
    as Python objects at once; each piece ends just before a cell tag, so no reference
    is cut in two.
    """
    rows = columns = 0
    start = 0
    while start < len(xml):
        end = xml.find(b"<c ", start + _EXTENT_PIECE_BYTES)
        end = len(xml) if end < 0 else end
        refs = _CELL_REF_ATTR.findall(xml, start, end)
        if refs:
            letters = {column for column, _ in refs}
            columns = max(columns, *(_column_index(c.decode()) + 1 for c in letters))
            rows = max(rows, *map(int, {row for _, row in refs}))
        if numbers := set(_ROW_NUMBER_ATTR.findall(xml, start, end)):
            rows = max(rows, *map(int, numbers))
        start = end
    return rows, columns


def scan_sheet(
    xml: bytes, percent_styles: set[bytes], links: dict[int, str] | None = None
) -> XlsxFacts:
    """Percent-formatted number cells, formula cells without a cached value, cells
    holding an error value and hidden rows.

    Only cells that may be one of them are parsed: those whose tag names a percent style
    that occurs in this sheet, and those holding a formula. A plain month-end table costs
    a few searches of the part; parsing every cell would take seconds at 500k rows.
    """
    percent, uncalculated = set(), set()
    used_styles = _styles_used(xml, percent_styles)
    if used_styles:
        if len(used_styles) <= _FEW_STYLES:
            styles = b"|".join(re.escape(style) for style in used_styles)
            styled_cell = re.compile(rb'<c ([^>]*?s="(?:' + styles + rb')"[^>]*)>')
        else:
            styled_cell = _STYLED_CELL
        for match in styled_cell.finditer(xml):
            attrs = dict(_CELL_ATTRS.findall(match.group(1)))
            ref = attrs.get(b"r")
            is_number = attrs.get(b"t", b"n") == b"n"
            if ref is not None and attrs.get(b"s") in percent_styles and is_number:
                percent.add(_position(ref))
    # One search of the whole part settles the usual case (no formula) instead of three.
    if b"<f" in xml and any(mark in xml for mark in _FORMULA_MARKS):
        uncalculated = _formulas_without_value(xml)
    used_links = {int(number) for number in EXTERNAL_REF.findall(xml)} if links else set()
    named = tuple(links[number] for number in sorted(used_links) if number in links)
    errors = _error_values(xml) if b't="e"' in xml else ()
    hidden = _hidden_rows(xml) if b'hidden="' in xml else frozenset()
    # A cell whose reference is not a plain cell name cannot be located: left out.
    percent.discard(None)
    uncalculated.discard(None)
    return XlsxFacts(frozenset(percent), frozenset(uncalculated), named, errors, hidden)


def _hidden_rows(xml: bytes) -> frozenset[int]:
    """The 0-based rows of the part whose tag says they are hidden (a row tag without its
    number cannot be located: left out)."""
    found = set()
    for tag in _HIDDEN_ROW.finditer(xml):
        number = _ROW_NUMBER.search(tag.group(0))
        if number:
            found.add(int(number.group(1)) - 1)
    return frozenset(found)


def _error_values(xml: bytes) -> tuple[tuple[tuple[int, int], str], ...]:
    """The position and text of each cell of the part holding an error value (`t="e"`),
    its value read up to the next cell tag."""
    found = []
    for tag in _ERROR_CELL.finditer(xml):
        ref = dict(_CELL_ATTRS.findall(tag.group(1))).get(b"r")
        value = _VALUE.search(xml, tag.end(), _next_cell_tag(xml, tag.end()))
        position = None if ref is None else _position(ref)
        if value is not None and position is not None:
            found.append((position, value.group(1).decode("utf-8", "replace")))
    return tuple(found)


def _next_cell_tag(xml: bytes, position: int) -> int:
    """Where the next cell tag after `position` starts (the end of the part when none):
    what a cell's own text is searched up to, so that a tag never closed costs one cell's
    search, not the rest of the part's."""
    end = xml.find(b"<c ", position)
    return len(xml) if end < 0 else end


def show_error_values(rows: list[list[object]], errors) -> None:
    """Each error cell holds its value as Excel shows it (`#DIV/0!`), not the empty cell
    calamine gives: the row is not taken for a blank one, and its problem names it."""
    for (row, column), text in errors:
        if row < len(rows) and column < len(rows[row]):
            rows[row][column] = text


def _styles_used(xml: bytes, styles: set[bytes]) -> list[bytes]:
    """The `styles` some cell of the part names. A few are looked for one by one, one fast
    search each; more in one pass over the cells' style attributes (a workbook whose
    styles were copied from many others can have a thousand percent styles: a thousand
    searches of a 60 MB sheet took 27 s)."""
    if len(styles) <= _FEW_STYLES:
        return sorted(style for style in styles if b's="' + style + b'"' in xml)
    return sorted({match.group(1) for match in _STYLE_ATTR.finditer(xml)} & styles)


def _formulas_without_value(xml: bytes) -> set:
    """The positions of the part's formula cells without a cached value.

    Each formula's cell is the last cell tag before it, searched for back to the previous
    formula only, and read up to the next cell tag: a part of one cell and 300,000 formula
    tags (4 KB zipped) took 36 s when each search went back to the start of the part."""
    found = set()
    previous = 0
    for formula in _FORMULA.finditer(xml):
        start = xml.rfind(b"<c ", previous, formula.start())
        previous = formula.start()
        if start < 0:  # no cell, or the cell of the previous formula: already looked at
            continue
        cell = _CELL.match(xml, start, _next_cell_tag(xml, formula.start()))
        if cell is None or cell.group(3) is None:
            continue
        attrs = dict(_CELL_ATTRS.findall(cell.group(1)))
        inner = cell.group(3)
        ref = attrs.get(b"r")
        if ref is not None and b"<f" in inner and not _CACHED_VALUE.search(inner):
            found.add(_position(ref))
    return found


def _position(ref: bytes) -> tuple[int, int] | None:
    """`b"C5"` → (4, 2); None for a reference that is not a plain cell name."""
    match = _CELL_REF.fullmatch(ref.decode("ascii", "replace"))
    if match is None:
        return None
    return int(match.group(2)) - 1, _column_index(match.group(1))


def _percent_style_ids(archive: zipfile.ZipFile) -> set[bytes]:
    if "xl/styles.xml" not in archive.namelist():
        return set()
    root = _xml(archive, "xl/styles.xml")
    percent_formats = set(BUILTIN_PERCENT_FORMATS)
    for fmt in root.iterfind("m:numFmts/m:numFmt", NS):
        if "%" in fmt.get("formatCode", ""):
            percent_formats.add(int(fmt.get("numFmtId", "-1")))
    xfs = root.find("m:cellXfs", NS)
    if xfs is None:
        return set()
    return {
        str(index).encode()
        for index, xf in enumerate(xfs.iterfind("m:xf", NS))
        if int(xf.get("numFmtId", "0")) in percent_formats
    }


def _relationship_targets(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Relationship id → target of a `.rels` part."""
    rels = _xml(archive, name)
    return {rel.get("Id"): rel.get("Target", "") for rel in rels.iterfind("rel:Relationship", NS)}


def _part_path(target: str) -> str:
    target = target.lstrip("/")
    return target if target.startswith("xl/") else f"xl/{target}"


def _sheet_paths(workbook: ElementTree.Element, targets: dict[str, str]) -> dict[str, str]:
    return {
        sheet.get("name"): _part_path(targets.get(sheet.get(f"{{{NS['r']}}}id"), ""))
        for sheet in workbook.iterfind("m:sheets/m:sheet", NS)
    }


def _external_links(
    archive: zipfile.ZipFile, workbook: ElementTree.Element, targets: dict[str, str]
) -> dict[int, str]:
    """Formula link number (`[1]` in `[1]Sheet1!A1`) → the other workbook, as linked.

    The numbers follow the order of `<externalReferences>`; each link part's own
    relationships name the file (`file:///C:/报表/2022年.xlsx`, or a bare file name).
    """
    links = {}
    references = workbook.iterfind("m:externalReferences/m:externalReference", NS)
    for number, reference in enumerate(references, start=1):
        part = _part_path(targets.get(reference.get(f"{{{NS['r']}}}id"), ""))
        folder, _, file = part.rpartition("/")
        rels = f"{folder}/_rels/{file}.rels"
        if rels not in archive.namelist():
            continue
        names = list(_relationship_targets(archive, rels).values())
        if names:
            links[number] = unquote(names[0])
    return links


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + (ord(letter) - 64)
    return index - 1


def megabytes(size: int) -> str:
    """A size in bytes as the messages give it: `1.5` (MB)."""
    return f"{size / 1024 / 1024:.1f}"


def scan_whole(data: bytes, name: str, large: LargeSheets, limits: Limits) -> XlsxFacts:
    """A large sheet whose XML could not be cut in pieces, checked and scanned whole as
    `scan_xlsx` does the others, before calamine reads it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read(large.paths[name])
    except BROKEN_ARCHIVE as error:
        raise InputError("reader.corrupt_zip") from error
    check_cell_extent(xml, name, limits)
    check_merged_ranges(xml, name, limits)
    return scan_sheet(xml, large.percent_styles, large.links)
