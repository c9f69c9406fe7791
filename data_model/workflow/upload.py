"""The staff upload flow, step by step, for the upload page (no Streamlit here).

prepare (read + dry run) → show problems → correct cells in place → revalidate
→ commit (all or nothing, or valid rows only). Nothing is written before commit.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import islice

import pandas as pd
from sqlalchemy import Engine

from data_model.accounts.permissions import Principal, guarded_import_sheets, import_scope
from data_model.errors import InputError
from data_model.formatting import bracketed, labelled
from data_model.i18n import t
from data_model.ingest.annotate import annotated_file_name, copies_upload, problems_file
from data_model.ingest.importer import (
    ImportOptions,
    already_imported,
    apply_edits,
    file_rejected,
    sha256_of,
    unchanged_unread,
)
from data_model.ingest.isolated import read_isolated
from data_model.ingest.raw_sheet import RawSheet, cell_name, column_letters
from data_model.ingest.validate import parse_text
from data_model.problems import (
    PROBLEM_FIELDS,
    ExplanationNeed,
    ImportReport,
    Problem,
    problem_fields,
)
from data_model.store.kind_registry import kind_of_table

SHEET_COLUMN, ROW_COLUMN, REASON_COLUMN = "_sheet", "_row", "_reason"
# Rows with errors offered for correction in the page at once; after a check again the
# next ones come. More rows than this are a file to correct in Excel.
FIX_IN_PAGE_ROWS = 200
# Rows asked one by one for a 情况说明 in the page; the others take the one text typed for
# every row (a month's file in 元 instead of 万元 made each of its 3,300 rows a sharp
# change, and the page drew 3,300 text boxes).
EXPLAIN_IN_PAGE_ROWS = 20
# Problems listed one by one in a page. A file with more (every row of 300,000 wrong made
# a 57 MB table, sent to the browser on every rerun) is shown counted by kind of problem
# (`problem_groups`) above its first problems; the download lists every one.
PROBLEMS_IN_PAGE = 1_000


@dataclass
class PendingUpload:
    """One uploaded file between upload and commit."""

    name: str
    data: bytes
    sheets: (
        list[RawSheet] | None
    )  # None when the file was not read (unreadable, or imported before)
    report: ImportReport
    edits: dict[tuple[str, int, int], object] = field(default_factory=dict)
    # 情况说明 typed in the page, by (sheet, Excel row), for rows that need one, and the
    # one text for every other row that does (`ImportOptions.explain_rest`).
    explanations: dict[tuple[str, int], str] = field(default_factory=dict)
    explain_rest: str = ""
    # The marked copy of this file could not be made (more memory or time than a read may
    # take): its problems download is the list alone from then on (`problems_download`).
    copy_failed: bool = False

    @property
    def sha256(self) -> str:
        return sha256_of(self.data)

    @property
    def can_commit_all(self) -> bool:
        return self.report.status in ("accepted", "partial") and not self.report.errors

    @property
    def has_valid_rows(self) -> bool:
        return self.report.status in ("accepted", "partial")


def prepare(
    engine: Engine, principal: Principal, name: str, data: bytes, options: ImportOptions
) -> PendingUpload:
    """Read the file and validate it with a dry run: the preview the page shows.

    Everything runs as `principal`: staff rows for another district are errors here
    already, and the attempt is audited. A file whose exact bytes a live submission holds
    is not read again: its report is the command line's "already imported" one; a staff
    member's is read, and is that report only when its rows are theirs to send
    (`importer.unchanged_unread`).
    """
    options = replace(options, scope=import_scope(principal))
    with engine.connect() as conn:
        earlier = already_imported(conn, data, name)
    if unchanged_unread(earlier, options):
        return PendingUpload(name, data, None, earlier)
    try:
        sheets = read_isolated(data, name, options.limits)
    except InputError as error:
        return PendingUpload(name, data, None, file_rejected(name, error))
    report = guarded_import_sheets(
        engine, principal, sheets, data, name, replace(options, dry_run=True)
    )
    return PendingUpload(name, data, sheets, report)


def revalidate(
    engine: Engine,
    principal: Principal,
    pending: PendingUpload,
    edits: dict,
    options: ImportOptions,
) -> PendingUpload:
    """Validate again with cells corrected in the page (no re-upload)."""
    merged = {**pending.edits, **edits}
    sheets = apply_edits(pending.sheets, merged)
    explained = replace(
        options,
        dry_run=True,
        explanations=pending.explanations,
        explain_rest=pending.explain_rest,
    )
    report = guarded_import_sheets(engine, principal, sheets, pending.data, pending.name, explained)
    return replace(pending, report=report, edits=merged)


def explain_rows(
    engine: Engine,
    principal: Principal,
    pending: PendingUpload,
    typed: dict[tuple[str, int], str],
    options: ImportOptions,
    rest: str = "",
) -> PendingUpload:
    """Keep the explanations typed in the page (blank ones dropped) and `rest`, the one
    text for every other row that needs one (blank: none), and check again.

    `rest` explains the rows the page does not ask for one by one, whether or not the
    report lists them: past the file's problem budget (`MAX_LISTED_PROBLEMS`) they are
    only counted, and the page cannot name them."""
    explanations = {**pending.explanations, **typed}
    explanations = {where: text.strip() for where, text in explanations.items() if text.strip()}
    kept = replace(pending, explanations=explanations, explain_rest=rest.strip())
    return revalidate(engine, principal, kept, {}, options)


def recheck(
    engine: Engine, principal: Principal, pending: PendingUpload, options: ImportOptions
) -> PendingUpload:
    """Validate the same pending upload again against the current master data (after an
    admin mapped or registered its unknown names), keeping the cells corrected so far.

    Nothing is uploaded again: the file's bytes and sheets are the ones kept in `pending`.
    """
    if pending.sheets is None:
        return pending
    return revalidate(engine, principal, pending, {}, options)


def commit(
    engine: Engine, principal: Principal, pending: PendingUpload, options: ImportOptions
) -> ImportReport:
    """Store exactly the rows the page's last check validated (`pending.report`), with the
    page's corrections noted on the submission: the cells are not validated again, the
    checks against stored data (scope, closed periods, duplicates, explanations) are."""
    sheets = apply_edits(pending.sheets, pending.edits)
    note = edits_note(pending.sheets, pending.edits)
    return guarded_import_sheets(
        engine,
        principal,
        sheets,
        pending.data,
        pending.name,
        replace(
            options,
            dry_run=False,
            note=note,
            explanations=pending.explanations,
            explain_rest=pending.explain_rest,
        ),
        pending.report.validated,
    )


def explanations_to_ask(
    report: ImportReport, limit: int = EXPLAIN_IN_PAGE_ROWS
) -> tuple[list[ExplanationNeed], int]:
    """The rows the page asks one by one for a 情况说明 (the first `limit` the report
    lists) and how many more rows need one: those take the page's one text for the rest
    (`explain_rows`), including the rows only counted past the file's problem budget."""
    listed = [p.explanation for p in report.errors if p.explanation is not None]
    asked = listed[:limit]
    return asked, report.unexplained_rows - len(asked)


@dataclass(frozen=True)
class ProblemsDownload:
    """The page's download of a file's problems: its label's catalogue key, its file name
    and what builds it when clicked."""

    label_key: str
    file_name: str
    make: Callable[[], bytes]


def problems_download(pending: PendingUpload) -> ProblemsDownload:
    """The marked copy of `pending`'s file while it can be made, else its problem list
    alone, labelled and named for what it gives (错误标注 / 错误清单).

    The copy is built when clicked, after the page has sent the button's name: when it
    cannot be made then, that download is the list, and `pending` remembers it
    (`copy_failed`), so the button says and names the list from the next run on and a
    click no longer waits for a copy that fails (up to `READ_SECONDS`)."""
    marked = copies_upload(pending.report) and not pending.copy_failed
    data, name, report = pending.data, pending.name, pending.report

    def make() -> bytes:
        made = problems_file(data, name, report, copy=marked)
        if marked and not made.marked:
            pending.copy_failed = True
        return made.data

    return ProblemsDownload(
        "upload.download_annotated" if marked else "upload.download_problem_list",
        annotated_file_name(name, report, marked),
        make,
    )


def edits_note(sheets: list[RawSheet], edits: dict) -> str:
    """`指标数据!C3: 福天区 → 福田区; …` — what was corrected in the page before commit."""
    if not edits:
        return ""
    by_name = {s.name: s for s in sheets}
    parts = []
    for (sheet, row, column), value in sorted(edits.items()):
        rows = by_name[sheet].rows
        before = rows[row][column] if row < len(rows) and column < len(rows[row]) else ""
        parts.append(
            f"{sheet}!{cell_name(row, column)}: {parse_text(before)} → {parse_text(value)}"
        )
    return t("upload.edits_note", cells="; ".join(parts))


def error_rows(report: ImportReport) -> set[tuple[str, int]]:
    """(sheet, row index) of every row with a located error."""
    return {(problem.sheet, problem.cell[0]) for problem in report.errors if problem.cell}


def rows_to_fix(pending: PendingUpload, limit: int = FIX_IN_PAGE_ROWS) -> pd.DataFrame:
    """The first `limit` rows with located errors (`error_rows`, by sheet name and row), as
    text, for an editable grid: a file whose every row is wrong (values sent before their
    indicator system: 300,000 rows) is corrected in the file, not in the page.

    Columns: `_sheet`, `_row` (0-based), `_reason` (what is wrong in the row, cell by cell:
    `区：「福天区」不是已登记的区（建议：福田区）`), then the column index (as text) per cell,
    labelled by header text in `column_labels`. Corrections already made are shown.
    """
    if pending.sheets is None:
        return pd.DataFrame()
    wanted = heapq.nsmallest(limit, error_rows(pending.report))
    problems_of: dict[tuple[str, int], list[Problem]] = {key: [] for key in wanted}
    for problem in pending.report.errors:
        if problem.cell and (key := (problem.sheet, problem.cell[0])) in problems_of:
            problems_of[key].append(problem)
    current = {s.name: s for s in apply_edits(pending.sheets, pending.edits)}
    labels = {name: column_labels(pending, name) for name in {name for name, _ in wanted}}
    records = []
    for (sheet_name, row), problems in problems_of.items():
        cells = current[sheet_name].rows[row]
        record = {
            SHEET_COLUMN: sheet_name,
            ROW_COLUMN: row,
            REASON_COLUMN: _row_reasons(problems, labels[sheet_name]),
        }
        for column, cell in enumerate(cells):
            record[str(column)] = parse_text(cell) if cell != "" else ""
        records.append(record)
    return pd.DataFrame(records)


def _row_reasons(problems: list[Problem], labels: dict[str, str]) -> str:
    """The errors of one row, each `column：reason（suggestion）`, in column order."""
    reasons = []
    for problem in sorted(problems, key=lambda p: p.cell[1]):
        reason = problem.message
        if problem.suggestion:
            reason = bracketed(reason, t("upload.suggestion", suggestion=problem.suggestion))
        reasons.append(labelled(labels.get(str(problem.cell[1]), problem.column or ""), reason))
    return t("format.clause_separator").join(reasons)


def error_columns(pending: PendingUpload, sheet_name: str, rows: Iterable[int]) -> set[str]:
    """The columns (index as text, as in `rows_to_fix`) holding a cell with an error in
    one of `rows` (0-based, the grid's)."""
    shown = set(rows)
    found = {
        p.cell[1]
        for p in pending.report.errors
        if p.sheet == sheet_name and p.cell and p.cell[0] in shown
    }
    return {str(column) for column in found}


def column_labels(pending: PendingUpload, sheet_name: str) -> dict[str, str]:
    """Column index (as text) → the header text of that column (or its letter)."""
    sheet = next(s for s in pending.sheets or [] if s.name == sheet_name)
    report = next((s for s in pending.report.sheets if s.sheet == sheet_name), None)
    header = sheet.rows[report.header_row - 1] if report and report.header_row else []
    width = max((len(r) for r in sheet.rows), default=0)
    return {
        str(c): parse_text(header[c]) if c < len(header) and header[c] != "" else column_letters(c)
        for c in range(width)
    }


def edits_from_grid(
    before: pd.DataFrame, after: pd.DataFrame
) -> dict[tuple[str, int, int], object]:
    """The cells changed in the grid: (sheet, row, column) → new text."""
    edits = {}
    for (_, old), (_, new) in zip(before.iterrows(), after.iterrows(), strict=True):
        for column in before.columns:
            if column in (SHEET_COLUMN, ROW_COLUMN, REASON_COLUMN):
                continue
            old_value = "" if pd.isna(old[column]) else str(old[column])
            new_value = "" if pd.isna(new[column]) else str(new[column])
            if old_value != new_value:
                edits[(old[SHEET_COLUMN], int(old[ROW_COLUMN]), int(column))] = new_value.strip()
    return edits


def changes_frame(examples: list[dict], district_names: dict[int, str]) -> pd.DataFrame:
    """Replaced rows as (what, field, old, new) lines a clerk can read."""
    records = []
    for example in examples:
        key = {
            name: district_names.get(value, value) if name == "district_id" else value
            for name, value in example["key"].items()
        }
        what = " / ".join(parse_text(v) for v in key.values())
        for column, (old, new) in example["changes"].items():
            records.append(
                {
                    "what": f"{t('kinds.' + (kind_of_table(example['table']) or 'indicator_values'))}: {what}",
                    "field": column,
                    "old": parse_text(old),
                    "new": parse_text(new),
                }
            )
    return pd.DataFrame(records, columns=["what", "field", "old", "new"])


def problems_frame(report: ImportReport, limit: int | None = None) -> pd.DataFrame:
    """Errors then warnings, one line each, in the order of the file: level, then
    `PROBLEM_FIELDS`; the first `limit` of them when given."""
    rows = [
        (level, *problem_fields(problem)) for level, problem in islice(report.by_level(), limit)
    ]
    return pd.DataFrame(rows, columns=["level", *PROBLEM_FIELDS])


GROUP_COLUMNS = ("level", "sheet", "column", "count", "values", "row", "message")


def problem_groups(report: ImportReport, limit: int = PROBLEMS_IN_PAGE) -> pd.DataFrame:
    """The problems counted by kind, for a file with too many to list one by one: one line
    per level, sheet, column and kind of problem (`Problem.code`, else its message), with
    how many rows have it, how many different values they hold, and the first one's row
    and message. Errors first, then the most frequent; at most `limit` lines."""
    groups: dict[tuple, list] = {}
    for level, problem in report.by_level():
        key = (level, problem.sheet, problem.column, problem.code or problem.message)
        group = groups.get(key)
        if group is None:
            groups[key] = [
                level,
                problem.sheet,
                problem.column,
                1,
                {problem.value},
                problem.row,
                problem.message,
            ]
        else:
            group[3] += 1
            group[4].add(problem.value)
    ordered = sorted(groups.values(), key=lambda g: (g[0] != "error", -g[3]))[:limit]
    rows = [(*g[:4], len(g[4] - {None, ""}), *g[5:]) for g in ordered]
    return pd.DataFrame(rows, columns=list(GROUP_COLUMNS))
