"""A workbook as the reader hands it out (`RawSheet`), the names Excel gives its cells,
and the limits of reading one (`Limits`): what the reader, its checks of a file's XML
(`xlsx_scan`) and everything reading sheets share."""

from __future__ import annotations

from dataclasses import dataclass, field

from data_model import settings

# The rows of an Excel sheet: no sheet Excel or WPS saves reaches further.
EXCEL_ROWS = 1_048_576


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 1024 * 1024 * 1024
    # Rows up to the last one holding a value (`drop_trailing_blank_rows`): a template
    # formatted down to Excel's last row, or saved with a dimension saying so, is no larger
    # than its values. Before a cell is parsed, what a sheet's XML or records declare or
    # reach is bounded by Excel's grid instead (`EXCEL_ROWS`) and by the cells below.
    max_rows_per_sheet: int = 1_000_000
    # Real wide tables have a few hundred columns at most (120 months, 300 indicators);
    # a sheet thousands of columns wide is a mistake or an attack, and every column
    # costs header and label recognition time.
    max_columns_per_sheet: int = 1_000
    # Cells from A1 to the farthest cell: calamine allocates all of them (32 bytes each),
    # so this bounds the memory one sheet can take, about 1 GB, whatever its declared size.
    max_cells_per_sheet: int = 30_000_000
    # Merged ranges: calamine hands each over as Python objects (20 million of them, from a
    # 1 MB file, took 4.6 GB). A task list merges a few cells per group of rows.
    max_merged_ranges_per_sheet: int = 500_000
    # A workbook of many sheets: each is read and kept while the next is (15 nearly empty
    # sheets spanning A1:AD1000000, from a 10 KB file, took 5.9 GB and 30 s).
    max_sheets: int = 1_000
    max_cells_per_workbook: int = 30_000_000
    # Distinct texts of the workbook (its shared strings), which calamine reads whole when
    # it opens the file: 100 million empty ones, from a 0.7 MB file, took 2.5 GB.
    max_shared_strings: int = 5_000_000
    # What reading one file may take (`isolated.read_isolated`): the address space of the
    # child process that reads it, and its CPU and wall time (`settings.read_memory_mb`,
    # `settings.read_seconds`).
    max_read_memory_bytes: int = 2048 * 1024 * 1024
    max_read_seconds: float = 60.0


def upload_limits() -> Limits:
    """The limits of this deployment's settings (`MAX_UPLOAD_MB`, `READ_MEMORY_MB`,
    `READ_SECONDS`), the others as `Limits` has them."""
    return Limits(
        max_file_bytes=settings.max_upload_mb() * 1024 * 1024,
        max_read_memory_bytes=settings.read_memory_mb() * 1024 * 1024,
        max_read_seconds=settings.read_seconds(),
    )


@dataclass
class RawSheet:
    """One sheet: `rows[i]` is Excel row `i + 1`, `rows[i][j]` column `j + 1` ('' when empty).

    Merged cells are already filled: every cell of a merged range holds the value of
    its top-left cell (a unit or action merged over ten task rows applies to all ten).
    """

    name: str
    visible: bool
    rows: list[list[object]]
    # (row index, column index), 0-based, of numeric cells formatted as percent.
    percent_cells: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    # Formula cells with no cached value (the workbook was saved without calculating).
    formulas_without_value: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    # Other workbooks the sheet's formulas refer to (`[1]Sheet1!A1`), as the link names
    # them: their values are the ones cached when the file was last saved.
    external_links: tuple[str, ...] = ()
    # 0-based rows hidden in Excel, by hand or by a filter: read and imported as the others,
    # which the importer says (`importer._warn_hidden_rows`).
    hidden_rows: frozenset[int] = field(default_factory=frozenset)


def cell_name(row: int, column: int) -> str:
    """`(4, 2)` → `C5` (0-based indexes to the name Excel shows)."""
    return f"{column_letters(column)}{row + 1}"


def column_letters(column: int) -> str:
    """`2` → `C` (a 0-based index to the letters Excel shows)."""
    letters = ""
    column += 1
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def is_blank_row(row: list) -> bool:
    """No cell of the row holds a value: each is empty or only spaces."""
    for cell in row:  # a plain loop: this runs once per row of month-end files
        if cell == "" or cell is None:
            continue
        if isinstance(cell, str) and not cell.strip():
            continue
        return False
    return True


def drop_trailing_blank_rows(rows: list[list[object]]) -> None:
    """`rows` up to the last one holding a value: the empty rows after it (formatted
    cells, an empty `<row>` on Excel's last row) are no part of the sheet's data."""
    while rows and is_blank_row(rows[-1]):
        rows.pop()
