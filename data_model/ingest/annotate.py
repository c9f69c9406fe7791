"""The uploaded workbook handed back with its problems marked on the cells.

Bad cells are filled red and carry a comment with the reason (and the suggestion);
warnings are filled yellow; an extra sheet lists every problem. Legacy .xls files
are rebuilt as .xlsx from their cell values, since openpyxl cannot write .xls.

An upload of more than ANNOTATE_MAX_ROWS data rows gets the problem list alone: a
marked copy is made by loading every cell into openpyxl, and 300,000 rows took 80 s of
CPU and 2.7 GB of memory, for a file whose problems are read from the list anyway. The
copy is made in a child process limited as a read is (`isolated.run_isolated`): a file
of few data rows can still hold millions of cells in sheets that are not read (openpyxl
loads them all). When the copy needs more than that, the problem list alone is given;
`ProblemsFile.marked` says which was made, and `annotated_file_name` names each for what it is.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from data_model.errors import InputError
from data_model.formatting import labelled
from data_model.i18n import t
from data_model.ingest.isolated import read_isolated, run_isolated
from data_model.ingest.raw_sheet import upload_limits
from data_model.ingest.reader import ZIP_MAGIC
from data_model.outputs.export import xlsx_cell
from data_model.problems import ImportReport, Problem

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
AUTHOR = "validation"
ANNOTATE_MAX_ROWS = 50_000  # data rows of an upload that are copied and marked


@dataclass(frozen=True)
class ProblemsFile:
    """A download of an upload's problems: its bytes, and whether they are a marked copy
    of the upload (`marked`) or the problem-list sheet alone."""

    data: bytes
    marked: bool


def problems_file(
    data: bytes, file_name: str, report: ImportReport, copy: bool = True
) -> ProblemsFile:
    """The upload marked with every located problem, plus a problem-list sheet; the
    problem-list sheet alone when `copy` is False or the upload is too large to copy
    (`ANNOTATE_MAX_ROWS`, or more memory or time than a read may take)."""
    if not (copy and copies_upload(report)):
        return ProblemsFile(_problem_list(report), marked=False)
    shown = replace(report, validated=None)  # the problems only, not the validated rows
    try:
        marked = run_isolated(_marked_copy, (data, file_name, shown), file_name, upload_limits())
    except InputError:
        return ProblemsFile(_problem_list(report), marked=False)
    return ProblemsFile(marked, marked=True)


def annotated_workbook(data: bytes, file_name: str, report: ImportReport) -> bytes:
    """`problems_file`'s bytes: the marked copy, or the problem list alone."""
    return problems_file(data, file_name, report).data


def _marked_copy(data: bytes, file_name: str, report: ImportReport) -> bytes:
    workbook = _open_editable(data, file_name)
    for problem in report.errors:
        _mark(workbook, problem, ERROR_FILL, t("annotate.error"))
    for problem in report.warnings:
        _mark(workbook, problem, WARNING_FILL, t("annotate.warning"))
    _problem_sheet(workbook, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def copies_upload(report: ImportReport) -> bool:
    """Whether `annotated_workbook` tries to mark a copy of the upload; else it gives the
    problem list alone (more than ANNOTATE_MAX_ROWS data rows)."""
    return sum(sheet.rows_read for sheet in report.sheets) <= ANNOTATE_MAX_ROWS


def annotated_file_name(file_name: str, report: ImportReport, marked: bool | None = None) -> str:
    """The download's name, saying what it holds: `{stem}_错误标注.xlsx` for a marked copy
    (`marked`), `{stem}_错误清单.xlsx` for the problem list alone. `marked` None: what
    `copies_upload` expects."""
    stem = file_name.rsplit(".", 1)[0]
    if marked is None:
        marked = copies_upload(report)
    return t("annotate.file_name" if marked else "annotate.list_file_name", stem=stem)


def _open_editable(data: bytes, file_name: str) -> Workbook:
    if data.startswith(ZIP_MAGIC):
        return load_workbook(io.BytesIO(data))
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in read_isolated(data, file_name):
        target = workbook.create_sheet(sheet.name[:31])
        for row in sheet.rows:
            target.append([xlsx_cell(target, value) if value != "" else None for value in row])
    return workbook


def _mark(workbook: Workbook, problem: Problem, fill: PatternFill, label: str) -> None:
    if problem.sheet not in workbook.sheetnames or problem.row is None:
        return
    sheet = workbook[problem.sheet]
    row, column = problem.cell if problem.cell else (problem.row - 1, 0)
    cell = sheet.cell(row + 1, column + 1)
    if not hasattr(cell, "comment") or type(cell).__name__ == "MergedCell":
        cell = _merge_anchor(sheet, row + 1, column + 1)
    text = labelled(label, problem.message)
    if problem.suggestion and problem.suggests_value:
        text += "\n" + t("annotate.suggestion", suggestion=problem.suggestion)
    elif problem.suggestion:  # what to do, not a value to write: "建议改为" would misread it
        text += "\n" + problem.suggestion
    if cell.comment is not None:
        text = cell.comment.text + "\n" + text
    cell.fill = fill
    cell.comment = Comment(text, AUTHOR, width=320, height=140)


def _merge_anchor(sheet, row: int, column: int):
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return sheet.cell(merged.min_row, merged.min_col)
    return sheet.cell(row, column)


def _problem_sheet(workbook: Workbook, report: ImportReport) -> None:
    sheet = workbook.create_sheet(t("annotate.sheet_name"), 0)
    rows = _problem_rows(sheet, report)
    sheet.append(next(rows))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    _list_layout(sheet)


def _problem_list(report: ImportReport) -> bytes:
    """A workbook of the problem-list sheet alone, written row by row (write-only)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(t("annotate.sheet_name"))
    _list_layout(sheet)
    rows = _problem_rows(sheet, report)
    sheet.append([_bold(sheet, header) for header in next(rows)])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    cell.font = Font(bold=True)
    return cell


def _problem_rows(sheet, report: ImportReport) -> Iterator[list]:
    """The problem list as `sheet` takes it: its headers, then one row per error and
    warning."""
    yield [
        t(f"annotate.column_{key}")
        for key in ("kind", "sheet", "row", "column", "value", "message", "suggestion")
    ]
    labels = {level: t(f"annotate.{level}") for level in ("error", "warning")}
    for level, p in report.by_level():
        yield [
            labels[level],
            xlsx_cell(sheet, p.sheet),
            p.row,
            xlsx_cell(sheet, p.column or ""),
            xlsx_cell(sheet, p.value or ""),
            xlsx_cell(sheet, p.message),
            xlsx_cell(sheet, p.suggestion or ""),
        ]


def _list_layout(sheet) -> None:
    """The problem list's column widths and frozen header."""
    for index, width in enumerate((8, 16, 8, 16, 20, 80, 16), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
