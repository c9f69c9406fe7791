"""Open an uploaded workbook safely and hand out its sheets as rows of raw cell values.

Checks that cost little run before any parsing: file size, file type by its first
bytes (not its name), and for zip-based workbooks the uncompressed size (zip-bomb
guard). Cells come from python-calamine (cached values for formulas). Percent
number formats are found from the workbook's styles, and only when some style is
a percent format are the affected cells located, so large files without percent
styles never pay for reading formats.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from data_model.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXTENSIONS = (".xlsx", ".xlsm", ".xls")
BUILTIN_PERCENT_FORMATS = {9, 10}
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 1024 * 1024 * 1024
    max_rows_per_sheet: int = 1_000_000


@dataclass
class RawSheet:
    """One sheet: `rows[i]` is Excel row `i + 1`, `rows[i][j]` column `j + 1` ('' when empty)."""

    name: str
    visible: bool
    rows: list[list[object]]
    # (row index, column index), 0-based, of numeric cells formatted as percent.
    percent_cells: frozenset[tuple[int, int]] = field(default_factory=frozenset)


def read_workbook(data: bytes, file_name: str, limits: Limits | None = None) -> list[RawSheet]:
    """All sheets of a workbook, or InputError with a one-line reason."""
    limits = limits or Limits()
    if len(data) > limits.max_file_bytes:
        raise InputError(
            "reader.file_too_large", size_mb=_mb(len(data)), limit_mb=_mb(limits.max_file_bytes)
        )
    if not data:
        raise InputError("reader.empty_file", file=file_name)
    if data.startswith(ZIP_MAGIC):
        _check_zip(data, limits)
    elif not data.startswith(OLE_MAGIC):
        raise InputError("reader.not_a_workbook", file=file_name)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine raises several unrelated types for bad files
        raise _unreadable(error, file_name) from error
    percent_by_sheet = _percent_cells(data) if data.startswith(ZIP_MAGIC) else {}
    sheets = []
    with workbook:
        for meta in workbook.sheets_metadata:
            visible = meta.visible == SheetVisibleEnum.Visible
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
            except Exception as error:
                raise _unreadable(error, file_name) from error
            if sheet.total_height > limits.max_rows_per_sheet:
                raise InputError(
                    "reader.too_many_rows",
                    sheet=meta.name,
                    rows=sheet.total_height,
                    limit=limits.max_rows_per_sheet,
                )
            rows = sheet.to_python(skip_empty_area=False)
            sheets.append(
                RawSheet(meta.name, visible, rows, percent_by_sheet.get(meta.name, frozenset()))
            )
    if not sheets:
        raise InputError("reader.no_sheets", file=file_name)
    return sheets


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def _unreadable(error: Exception, file_name: str) -> InputError:
    name = type(error).__name__
    if "Password" in name or "password" in str(error).lower() or "encrypt" in str(error).lower():
        return InputError("reader.encrypted", file=file_name)
    return InputError("reader.corrupt", file=file_name)


def _check_zip(data: bytes, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise InputError("reader.corrupt_zip") from error
    if "xl/workbook.xml" not in names:
        raise InputError("reader.zip_not_workbook")
    if total > limits.max_uncompressed_bytes:
        raise InputError(
            "reader.zip_too_large", size_mb=_mb(total), limit_mb=_mb(limits.max_uncompressed_bytes)
        )


_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _percent_cells(data: bytes) -> dict[str, frozenset[tuple[int, int]]]:
    """Sheet name → cells whose style is a percent number format (xlsx/xlsm only)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            styles = _percent_style_ids(archive)
            if not styles:
                return {}
            result = {}
            for sheet_name, path in _sheet_paths(archive).items():
                if path in archive.namelist():
                    result[sheet_name] = _cells_with_styles(archive, path, styles)
            return result
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile):
        return {}


def _percent_style_ids(archive: zipfile.ZipFile) -> set[str]:
    if "xl/styles.xml" not in archive.namelist():
        return set()
    root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    percent_formats = set(BUILTIN_PERCENT_FORMATS)
    for fmt in root.iterfind("m:numFmts/m:numFmt", NS):
        if "%" in fmt.get("formatCode", ""):
            percent_formats.add(int(fmt.get("numFmtId", "-1")))
    xfs = root.find("m:cellXfs", NS)
    if xfs is None:
        return set()
    return {
        str(index)
        for index, xf in enumerate(xfs.iterfind("m:xf", NS))
        if int(xf.get("numFmtId", "0")) in percent_formats
    }


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in rels.iterfind("rel:Relationship", NS)
    }
    paths = {}
    for sheet in workbook.iterfind("m:sheets/m:sheet", NS):
        target = targets.get(sheet.get(f"{{{NS['r']}}}id"), "")
        target = target.lstrip("/")
        paths[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return paths


def _cells_with_styles(
    archive: zipfile.ZipFile, path: str, styles: set[str]
) -> frozenset[tuple[int, int]]:
    found = set()
    cell_tag = f"{{{NS['m']}}}c"
    with archive.open(path) as stream:
        for _event, element in ElementTree.iterparse(stream):
            if element.tag == cell_tag:
                if element.get("s") in styles and element.get("t") in (None, "n"):
                    match = _CELL_REF.fullmatch(element.get("r", ""))
                    if match:
                        found.add((int(match.group(2)) - 1, _column_index(match.group(1))))
                element.clear()
    return frozenset(found)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - 64)
    return index - 1
