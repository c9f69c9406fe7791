"""The uploaded workbook handed back with its problems marked on the cells.

Bad cells are filled red and carry a comment with the reason (and the suggestion);
warnings are filled yellow; an extra sheet lists every problem. Legacy .xls files
are rebuilt as .xlsx from their cell values, since openpyxl cannot write .xls.
"""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from data_model.formatting import labelled
from data_model.i18n import t
from data_model.ingest.reader import ZIP_MAGIC, read_workbook
from data_model.outputs.export import neutralise
from data_model.problems import ImportReport, Problem

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
AUTHOR = "validation"


def annotated_workbook(data: bytes, file_name: str, report: ImportReport) -> bytes:
    """An .xlsx of the upload with every located problem marked, plus a problem-list sheet."""
    workbook = _open_editable(data, file_name)
    for problem in report.errors:
        _mark(workbook, problem, ERROR_FILL, t("annotate.error"))
    for problem in report.warnings:
        _mark(workbook, problem, WARNING_FILL, t("annotate.warning"))
    _problem_sheet(workbook, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def annotated_file_name(file_name: str) -> str:
    stem = file_name.rsplit(".", 1)[0]
    return t("annotate.file_name", stem=stem)


def _open_editable(data: bytes, file_name: str) -> Workbook:
    if data.startswith(ZIP_MAGIC):
        return load_workbook(io.BytesIO(data))
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in read_workbook(data, file_name):
        target = workbook.create_sheet(sheet.name[:31])
        for row in sheet.rows:
            target.append([neutralise(value) if value != "" else None for value in row])
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
    if problem.suggestion:
        text += "\n" + t("annotate.suggestion", suggestion=problem.suggestion)
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
    headers = [
        t(f"annotate.column_{key}")
        for key in ("kind", "sheet", "row", "column", "value", "message", "suggestion")
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for label, problems in (
        (t("annotate.error"), report.errors),
        (t("annotate.warning"), report.warnings),
    ):
        for p in problems:
            sheet.append(
                [
                    label,
                    neutralise(p.sheet),
                    p.row,
                    neutralise(p.column or ""),
                    neutralise(p.value or ""),
                    neutralise(p.message),
                    neutralise(p.suggestion or ""),
                ]
            )
    for index, width in enumerate((8, 16, 8, 16, 20, 80, 16), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
