"""Generate the downloadable template workbooks (one sheet per kind plus instructions)."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from data_model.formatting import join_names
from data_model.i18n import t
from data_model.ingest.layout import TEMPLATE_LISTS_SHEET
from data_model.kinds import MASTER_FIELDS, Kind, example_values
from data_model.store.kind_registry import KINDS

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
REQUIRED_FILL = PatternFill("solid", fgColor="C00000")
EXAMPLE_FONT = Font(color="808080", italic=True)
LISTS_SHEET = TEMPLATE_LISTS_SHEET
FIXED_TIME = datetime(2024, 1, 1)


def template_workbook(kinds: list[str], master_lists: dict[str, list[str]]) -> bytes:
    """An .xlsx holding an instructions sheet and one sheet per kind, as bytes.

    `master_lists` gives the current names for dropdowns: keys districts, actions,
    units, brands, activity_types, issue_categories. Dropdowns read their options from a hidden sheet so long lists work.
    """
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = t("templates.instructions_sheet")
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    list_ranges = _write_lists(lists, master_lists)
    for name in kinds:
        kind = KINDS[name]
        examples = example_values(kind, master_lists)
        _write_kind_sheet(workbook.create_sheet(kind.sheet), kind, list_ranges, examples)
    _write_instructions(instructions, [KINDS[name] for name in kinds])
    workbook.move_sheet(LISTS_SHEET, offset=len(workbook.sheetnames))
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.properties.creator = t("templates.creator")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_lists(sheet, master_lists: dict[str, list[str]]) -> dict[str, str]:
    ranges = {}
    for column_index, (key, names) in enumerate(sorted(master_lists.items()), start=1):
        letter = get_column_letter(column_index)
        sheet.cell(1, column_index, key)
        for row, name in enumerate(names, start=2):
            sheet.cell(row, column_index, name)
        last = max(len(names) + 1, 2)
        ranges[key] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${last}"
    return ranges


def _write_kind_sheet(
    sheet, kind: Kind, list_ranges: dict[str, str], examples: dict[str, str]
) -> None:
    for index, column in enumerate(kind.columns, start=1):
        cell = sheet.cell(1, index, column.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        hint = t("templates.required") if column.required else t("templates.optional")
        if column.aliases:
            hint += "\n" + t("templates.aliases", aliases=join_names(column.aliases))
        if column.choices:
            hint += "\n" + t("templates.choices", choices=join_names(_first_words(column.choices)))
        cell.comment = Comment(hint, t("templates.creator"), width=260, height=120)
        shipped = column.example
        value = examples[column.field] if isinstance(shipped, str) else shipped
        example = sheet.cell(2, index, value if value is not None else "")
        example.font = EXAMPLE_FONT
        sheet.column_dimensions[get_column_letter(index)].width = column.width * 1.6
        _add_validation(sheet, column, index, list_ranges)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 30


def _first_words(choices: dict[str, str]) -> list[str]:
    """One word per stored code: the first spelling listed is the one the dropdown offers."""
    seen, words = set(), []
    for word, code in choices.items():
        if code not in seen:
            seen.add(code)
            words.append(word)
    return words


def _add_validation(sheet, column, index: int, list_ranges: dict[str, str]) -> None:
    letter = get_column_letter(index)
    formula = None
    if column.choices:
        formula = '"' + ",".join(_first_words(column.choices)) + '"'
    elif column.field in MASTER_FIELDS and MASTER_FIELDS[column.field] in list_ranges:
        formula = list_ranges[MASTER_FIELDS[column.field]]
    if formula is None:
        return
    validation = DataValidation(type="list", formula1=formula, allow_blank=not column.required)
    validation.error = t("templates.choose_from_list")
    validation.showErrorMessage = False  # staff may paste aliases the importer accepts
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}5000")


def _write_instructions(sheet, kinds: list[Kind]) -> None:
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90
    sheet.cell(1, 1, t("templates.title")).font = Font(bold=True, size=14)
    row = 3
    for line in t("templates.general").split("\n"):
        sheet.cell(row, 1, line)
        row += 1
    row += 1
    for kind in kinds:
        sheet.cell(row, 1, kind.sheet).font = Font(bold=True, size=12)
        sheet.cell(row, 2, t(f"templates.about_{kind.name}"))
        row += 1
        for column in kind.columns:
            mark = "*" if column.required else ""
            sheet.cell(row, 1, column.header + mark)
            parts = [t("templates.required") if column.required else t("templates.optional")]
            if column.field in kind.sheet_fields:
                parts.append(t(f"templates.may_omit_{kind.name}_{column.field}"))
            if column.choices:
                parts.append(
                    t("templates.choices", choices=join_names(_first_words(column.choices)))
                )
            if column.aliases:
                parts.append(t("templates.aliases", aliases=join_names(column.aliases)))
            sheet.cell(row, 2, "；".join(parts))
            row += 1
        row += 1
