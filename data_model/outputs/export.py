"""Export current data as CSV or Excel with the template's Chinese headers.

Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
return at the start) never becomes one: a CSV prefixes it with an apostrophe (a CSV cell
has no type), an .xlsx writes it as a text cell with Excel's quote prefix (`xlsx_cell`),
which keeps the text as written, so that a workbook exported and imported again holds the
same text.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Connection

from data_model import settings
from data_model.i18n import t
from data_model.store.kind_registry import CLI_NAMES, REGISTRY
from data_model.store.submissions import submissions_for_people, submissions_frame
from data_model.text import without_non_xml

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SUBMISSIONS = "submissions"


def neutralise(value: object) -> object:
    """A value as a CSV writes it: text a spreadsheet would evaluate becomes inert text,
    and text loses the characters no workbook can hold (stored before the reader dropped
    them: `text.NOT_XML`); everything else is unchanged."""
    if isinstance(value, str):
        value = without_non_xml(value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


def xlsx_cell(sheet: Worksheet, value: object) -> object:
    """A value as `sheet.append` takes it in every .xlsx this app writes: text loses the
    characters no workbook can hold; text a spreadsheet would evaluate becomes a text cell
    with the quote prefix, shown and read back as written, and still text when someone
    edits it in Excel (openpyxl would otherwise store `=…` as a formula). Everything else
    is unchanged. The cell starts at A1 (`append` moves it): a write-only sheet first tries
    a cell as a value, and its refusal names the cell by its coordinate."""
    if not isinstance(value, str):
        return value
    value = without_non_xml(value)
    if not value.startswith(FORMULA_PREFIXES):
        return value
    cell = Cell(sheet, row=1, column=1, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def export_kinds() -> tuple[str, ...]:
    """What `export_frame` exports: each kind by its command-line name, and the submissions."""
    return (*CLI_NAMES, SUBMISSIONS)


def export_frame(conn: Connection, kind: str) -> pd.DataFrame:
    """The current data of `kind` (a name from `export_kinds()`) with Chinese column headers."""
    if kind == SUBMISSIONS:
        return submissions_export(conn)
    if kind not in CLI_NAMES:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(export_kinds())}")
    return REGISTRY[CLI_NAMES[kind]].export_frame(conn)


def submissions_export(conn: Connection, uploader: str | None = None) -> pd.DataFrame:
    """The submissions (one uploader's when `uploader` is given) as the submissions page
    downloads its list, oldest first."""
    frame = submissions_for_people(submissions_frame(conn, uploader))
    return frame.iloc[::-1].reset_index(drop=True)


# The files a table is written as (`write_frame`).
TABLE_SUFFIXES = (".xlsx", ".csv")


def output_suffix(path: Path | str, suffixes: tuple[str, ...] = TABLE_SUFFIXES) -> str:
    """The extension of `path` in lower case when it is one of `suffixes` (what the caller
    writes); a ValueError naming them otherwise: an .xlsx written as `t.csv` opens as
    garbage."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        choices = t("cli.suffix_or").join(suffixes)
        raise ValueError(t("cli.bad_output_type", file=path.name, suffixes=choices))
    return suffix


def write_frame(frame: pd.DataFrame, path: Path | str) -> None:
    """Write a frame as .csv (UTF-8 with BOM, which Excel opens correctly) or .xlsx."""
    path = Path(path)
    if output_suffix(path) == ".csv":
        # Cell by cell into columns of objects: `DataFrame.map` infers the columns' types
        # again, and a rank change column of 0 and None came out as 0.0 and NaN.
        cells = pd.DataFrame(
            {
                i: pd.Series([neutralise(v) for v in frame.iloc[:, i]], dtype=object)
                for i in range(frame.shape[1])
            }
        )
        cells.columns = frame.columns
        path.write_bytes(cells.to_csv(index=False).encode("utf-8-sig"))
    else:
        path.write_bytes(frame_to_xlsx(frame, path.stem))


def excel_sheet_name(name: str) -> str:
    """`name` as a sheet's name: without the characters Excel refuses there, at most 31."""
    for character in "[]:*?/\\":
        name = name.replace(character, " ")
    return name[:31]


def frame_to_xlsx(frame: pd.DataFrame, sheet_name: str) -> bytes:
    """An .xlsx of the frame on a sheet named `sheet_name` (what the table is, in the
    reader's language, usually the file's name): bold frozen header, fitted widths,
    formula-like text neutralised."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = excel_sheet_name(sheet_name)
    sheet.append([xlsx_cell(sheet, str(c)) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append([_cell(sheet, value) for value in row])
    for index, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in frame.iloc[:200, index - 1]])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, 4 + longest * 1.8)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Worksheet, value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel has no time zones: write the local time people read on the wall clock.
        return value.astimezone(settings.local_timezone()).replace(tzinfo=None)
    return xlsx_cell(sheet, value)
