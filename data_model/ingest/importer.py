"""Import one uploaded workbook: read, recognise sheets, validate, then store all or nothing."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import repeat
from operator import attrgetter, itemgetter

import numpy as np
from sqlalchemy import Connection, Engine, insert, select

from data_model import cycle_collector, settings
from data_model.errors import InputError
from data_model.evaluation import score_summary  # noqa: F401  (installs the store's scorer)
from data_model.formatting import join_names, time_text, unit_word
from data_model.i18n import t
from data_model.ingest.isolated import read_isolated
from data_model.ingest.layout import (
    detect_layout,
    is_instruction_sheet,
    resembled_kind,
)
from data_model.ingest.plausibility import (
    common_power,
    power_of_ten,
    scale_message,
    sharp_changes,
)
from data_model.ingest.raw_sheet import (
    Limits,
    RawSheet,
    cell_name,
    column_letters,
    is_blank_row,
    upload_limits,
)
from data_model.ingest.validate import (
    IndicatorInfo,
    SheetValidator,
    ValidationContext,
    ValidRow,
    owner_name,
    parse_text,
)
from data_model.ingest.validated import Validated
from data_model.ingest.value_record import FIELDS as VALUE_FIELDS
from data_model.ingest.value_record import ValueRecord
from data_model.ingest.wide import WideConverter, detect_wide
from data_model.problems import SCALE_HINT, ImportReport, OwnerCells, Problem, SheetReport
from data_model.queries import explanations
from data_model.reference.master import load_master
from data_model.store.audit import SYSTEM_ACTOR, actor_name
from data_model.store.closed_periods import (
    Closure,
    PeriodClosed,
    refused_records,
)
from data_model.store.kind_registry import (
    DISTRICT_OR_UNIT,
    INDICATOR_DEFINER,
    REGISTRY,
    kind_order,
)
from data_model.store.models import Indicator, Submission, SubmissionFile
from data_model.store.record_fields import fields_getter
from data_model.store.review_hold import (
    PENDING,
    REVIEW_LOCK,
    hold_records,
    needs_review,
    returned_to_resubmit,
)
from data_model.store.storage import (
    WriterBusy,
    create_submission,
    refresh_statuses,
    superseded_submissions,
    take_write_locks,
    update_submission,
    write_kind,
)
from data_model.store.write_counts import WriteCounts
from data_model.text import without_non_xml

LIVE_STATUSES = ("accepted", "partial", "superseded")
# Bytes a submission waiting for review holds are not taken again either.
HELD_STATUSES = (*LIVE_STATUSES, PENDING)


@dataclass(frozen=True)
class SubmitterScope:
    """What a staff submitter may send: rows of these districts (names) or lead units.

    Indicator definitions are master data: only a scope with `may_define_indicators`
    (an admin's) may change them. None as the scope means no restriction (admin, CLI).
    """

    districts: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    may_define_indicators: bool = False

    def as_record(self) -> dict:
        """The scope as its submission records it (`Submission.submitter_scope`)."""
        return {
            "districts": sorted(self.districts),
            "units": sorted(self.units),
            "may_define_indicators": self.may_define_indicators,
        }

    @classmethod
    def from_record(cls, record: dict) -> SubmitterScope:
        return cls(
            districts=frozenset(record.get("districts") or ()),
            units=frozenset(record.get("units") or ()),
            may_define_indicators=bool(record.get("may_define_indicators")),
        )


@dataclass
class ImportOptions:
    uploader: str = SYSTEM_ACTOR
    period: str | None = None  # canonical period for sheets that do not name one
    district: str | None = None  # district name for sheets that do not name one
    valid_rows_only: bool = False
    dry_run: bool = False
    # The deployment's (`MAX_UPLOAD_MB`, `READ_MEMORY_MB`, `READ_SECONDS`), for every import.
    limits: Limits = field(default_factory=upload_limits)
    scope: SubmitterScope | None = None
    # The submitter saw the sharp-change warnings and confirmed them (recorded).
    confirm_warnings: bool = False
    note: str = ""  # e.g. the cells corrected in the page before commit
    store_file: bool = True
    # 情况说明 typed in the upload page, by (sheet, Excel row), for rows that need one
    # and whose own column is empty; `explain` for every such row (the CLI's --explain).
    explanations: dict[tuple[str, int], str] = field(default_factory=dict)
    explain: str = ""
    # The upload page's one 情况说明 for every row needing one that was not typed one by
    # one: the rows past the few it asks for, also those past the problems a file lists.
    explain_rest: str = ""
    # Whether a row without a needed explanation is refused: None follows the setting
    # EXPLANATIONS_REQUIRED (default on); False for loading the sample history, which
    # predates explanations.
    require_explanations: bool | None = None
    # The upload page, where cells with an error can be corrected and checked again: a
    # refusal says so rather than only "fix the file and upload it again" (the CLI's).
    fix_in_page: bool = False


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Records an import's outcome on the import's own connection (`permissions.record_import`).
Recorder = Callable[[Connection, ImportReport], None]


def import_file(
    engine: Engine,
    data: bytes,
    file_name: str,
    options: ImportOptions | None = None,
    record: Recorder | None = None,
) -> ImportReport:
    """Validate and store one workbook. Nothing is written unless the status is accepted/partial.

    `record`, when given, records the outcome (the audit event): see `_in_one_transaction`.
    """
    options = options or ImportOptions()
    return _in_one_transaction(
        engine,
        options,
        lambda conn: import_file_in_transaction(conn, data, file_name, options),
        record,
    )


def import_file_in_transaction(
    conn: Connection, data: bytes, file_name: str, options: ImportOptions
) -> ImportReport:
    """`import_file` inside the caller's transaction (see `import_in_transaction`): bytes a
    live submission holds are reported unchanged without being read again, except to a
    scoped submitter (`unchanged_unread`)."""
    earlier = already_imported(conn, data, file_name)
    if unchanged_unread(earlier, options):
        return earlier
    try:
        sheets = read_isolated(data, file_name, options.limits)
    except InputError as error:
        return file_rejected(file_name, error)
    report = ImportReport(file=file_name, status="rejected")
    # Read for this import only: the rows are let go as they are validated, and from
    # then on the records are all it needs.
    by_kind = _validate_sheets(conn, sheets, options, report, release_rows=True)
    del sheets
    return _check_and_store(conn, by_kind, report, data, options, earlier)


def unchanged_unread(earlier: ImportReport | None, options: ImportOptions) -> bool:
    """Whether the import is `earlier` (`already_imported`) without reading the file: not
    for a scoped (staff) submitter, who is told so only once the scope check has passed
    every row (`_check_and_store`). A staff member uploading the indicator system an
    admin imported was told 已于 … 由 系统（命令行） 导入, not that it is not theirs to send."""
    return earlier is not None and options.scope is None


def _written_since(conn: Connection, earlier) -> bool:
    """Whether a submission stored after `earlier` holds rows of a kind `earlier` holds."""
    kinds = set(earlier.kinds.split(",")) - {""}
    later = conn.execute(
        select(Submission.kinds).where(
            Submission.id > earlier.id, Submission.status.in_(LIVE_STATUSES)
        )
    ).scalars()
    return any(kinds & set(other.split(",")) for other in later)


def already_imported(conn: Connection, data: bytes, file_name: str) -> ImportReport | None:
    """The "unchanged" report when a live submission, or one waiting for review, holds
    exactly these bytes, else None. Not when a later upload has stored rows of its kinds
    since: it may have replaced some of this file's rows, and uploading the file again is
    how a clerk puts them back, so the file is read and compared row by row.

    When that submission stored the file with cells corrected in the upload page, or only
    its valid rows, the message says so: the file itself still holds what was corrected or
    left out, and only the stored version is complete.
    """
    earlier = conn.execute(
        select(
            Submission.uploaded_at,
            Submission.uploader,
            Submission.id,
            Submission.note,
            Submission.status,
            Submission.rows_rejected,
            Submission.kinds,
        )
        .where(Submission.sha256 == sha256_of(data), Submission.status.in_(HELD_STATUSES))
        .order_by(Submission.id.desc())
    ).first()
    if earlier is None or (earlier.status != PENDING and _written_since(conn, earlier)):
        return None
    message = t(
        "importer.already_pending" if earlier.status == PENDING else "importer.already_imported",
        date=time_text(earlier.uploaded_at),
        user=actor_name(earlier.uploader),
        id=earlier.id,
    )
    if earlier.note:
        message += t("importer.already_imported_corrected", note=earlier.note)
    if earlier.rows_rejected:
        message += t("importer.already_imported_partial", count=earlier.rows_rejected)
    return ImportReport(
        file=file_name, status="unchanged", submission_id=earlier.id, message=message
    )


def file_rejected(file_name: str, error: InputError) -> ImportReport:
    """The report for a file refused as a whole (not a workbook, too large...)."""
    report = ImportReport(file=file_name, status="rejected", message=error.message())
    problem = Problem(sheet="", row=None, column=None, value=file_name, message=error.message())
    report.sheets.append(SheetReport(sheet="", errors=[problem]))
    return report


def apply_edits(
    sheets: list[RawSheet], edits: dict[tuple[str, int, int], object]
) -> list[RawSheet]:
    """Sheets with cells corrected in the page: (sheet, row index, column index) → new value.
    A text typed or pasted there loses the characters the reader drops from a file's
    (`text.NOT_XML`: PostgreSQL refuses a NUL, an .xlsx cannot hold a control character)."""
    if not edits:
        return sheets
    result = []
    for sheet in sheets:
        mine = {(r, c): v for (name, r, c), v in edits.items() if name == sheet.name}
        if not mine:
            result.append(sheet)
            continue
        rows = [list(row) for row in sheet.rows]
        for (r, c), value in mine.items():
            while len(rows) <= r:
                rows.append([])
            while len(rows[r]) <= c:
                rows[r].append("")
            rows[r][c] = without_non_xml(value) if isinstance(value, str) else value
        uncalculated = sheet.formulas_without_value - set(mine)
        result.append(replace(sheet, rows=rows, formulas_without_value=frozenset(uncalculated)))
    return result


def import_sheets(
    engine: Engine,
    sheets: list[RawSheet],
    data: bytes,
    file_name: str,
    options: ImportOptions | None = None,
    validated: Validated | None = None,
    record: Recorder | None = None,
) -> ImportReport:
    """Validate and store sheets already read (and perhaps corrected in the page).

    `data` are the bytes as uploaded: their SHA-256 identifies the submission and
    they are stored with it so the exact file can be downloaded later; bytes a live
    submission holds are reported unchanged, as `import_file` reports them. With
    `validated` (a dry run's `report.validated`), its rows are written without
    validating the cells again. `record` as for `import_file`.
    """
    options = options or ImportOptions()

    def work(conn: Connection) -> ImportReport:
        earlier = already_imported(conn, data, file_name)
        if unchanged_unread(earlier, options):
            return earlier
        return import_in_transaction(conn, sheets, data, file_name, options, validated, earlier)

    return _in_one_transaction(engine, options, work, record)


def _in_one_transaction(
    engine: Engine,
    options: ImportOptions,
    work: Callable[[Connection], ImportReport],
    record: Recorder | None = None,
) -> ImportReport:
    """`work(conn)` in one transaction, committed when its report writes, else rolled back.

    `record(conn, report)` runs in that same transaction when it writes, so the audit
    event is committed exactly with the rows: a process killed between two commits would
    otherwise leave rows stored without the event that says who stored them. When nothing
    is written, it runs after the rollback, in a transaction of its own.
    """
    with cycle_collector.paused(), engine.connect() as conn:
        transaction = conn.begin()
        try:
            with _import_page_cache(conn):
                report = work(conn)
            stores = writes(report, options)
            if stores and record is not None:
                record(conn, report)
        except BaseException:
            transaction.rollback()
            raise
        if stores:
            transaction.commit()
        else:
            transaction.rollback()
            if record is not None:
                with conn.begin():
                    record(conn, report)
    return report


# SQLite's page cache while an import runs. Each connection has 128 MB (`store.db`), which
# the pages an import writes fill (a million rows and their indexes are more than that)
# on top of its records; the writes go in file order, so a smaller cache costs no time.
IMPORT_PAGE_CACHE_KB = 32 * 1024


@contextmanager
def _import_page_cache(conn: Connection) -> Iterator[None]:
    """On SQLite, the connection's page cache at IMPORT_PAGE_CACHE_KB for the block, then
    as it was (inside the transaction: the commit writes only pages already cached)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    size = int(conn.exec_driver_sql("PRAGMA cache_size").scalar())
    conn.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_PAGE_CACHE_KB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={size}")


def writes(report: ImportReport, options: ImportOptions) -> bool:
    """Whether an import with this outcome leaves rows to commit (stored for real, or
    held for review)."""
    return report.status in ("accepted", "partial", PENDING) and not options.dry_run


def import_in_transaction(
    conn: Connection,
    sheets: list[RawSheet],
    data: bytes,
    file_name: str,
    options: ImportOptions,
    validated: Validated | None = None,
    earlier: ImportReport | None = None,
) -> ImportReport:
    """Validate `sheets` and write them on `conn`, inside the caller's transaction.
    `earlier`: the stored file's unchanged report, for a scoped submitter (`_check_and_store`).

    A dry run keeps its validated rows in `report.validated`; given back as `validated`,
    they are checked against the stored data and written without validating again.

    The caller commits when `writes(report, options)` and otherwise rolls back, so
    several files can share one transaction (the sample data is loaded all or nothing).
    Before the current rows are read, the write locks of the kinds present are taken,
    by a dry run too (it writes and rolls back): a second import of the same keys at once
    waits for the first and then replaces its rows, instead of failing on the current-key
    index, and a dry run reports what committing would do once the first has committed.
    """
    report = ImportReport(file=file_name, status="rejected")
    if validated is None:
        by_kind = _validate_sheets(conn, sheets, options, report)
        if options.dry_run:
            report.validated = Validated.keep(report.sheets, by_kind)
    else:
        report.sheets, by_kind = validated.fresh()
        report.validated = validated
    return _check_and_store(conn, by_kind, report, data, options, earlier)


def _check_and_store(
    conn: Connection,
    by_kind,
    report: ImportReport,
    data: bytes,
    options: ImportOptions,
    earlier: ImportReport | None = None,
) -> ImportReport:
    """The checks that need the database or every row, then the decision and the writes.

    `earlier`: the report of a live submission holding these very bytes, for a scoped
    submitter (`unchanged_unread`): it is the outcome when the scope refuses none of the
    file's rows; else the file is refused for its rows outside the scope, as any other."""
    if by_kind and (options.valid_rows_only or not report.errors):
        try:
            take_write_locks(conn, by_kind, holder=options.uploader)
        except WriterBusy:
            report.message = t("importer.writer_busy")
            _count_valid(by_kind)
            return report
    if options.scope is not None:
        errors = report.error_count
        _check_scope(conn, by_kind, options.scope)
        if earlier is not None and report.error_count == errors:
            return earlier
    closed = _check_closed_periods(conn, by_kind)
    _check_duplicates(by_kind, report)
    sharp_rows = _warn_sharp_changes(conn, by_kind, report)
    explained = _check_explanations(conn, by_kind, report, options, sharp_rows)
    del sharp_rows  # a row number per sharp change (300,000 in 元): not kept while writing
    _decide_and_write(conn, by_kind, report, options, data, explained)
    if closed and report.status == "rejected":
        report.message = t(
            "closed_periods.upload_refused", closed="；".join(c.describe() for c in closed)
        )
    return report


def _check_explanations(
    conn: Connection,
    by_kind,
    report: ImportReport,
    options: ImportOptions,
    sharp_rows: dict[str, set[int]],
) -> list[explanations.Explained]:
    """The rows' explanations; a row that needs one and has none is an error on that row
    (and left out of a valid-rows-only import) unless `require_explanations` is off.
    `sharp_rows`: every sharply changed row by sheet, listed or only counted."""
    needs = explanations.find_needs(conn, by_kind, sharp_rows, settings.explain_target_margin())
    explained, missing = explanations.explain(
        needs, options.explanations, options.explain, options.explain_rest
    )
    required = options.require_explanations
    if required is None:
        required = settings.explanations_required()
    if missing and required:
        report.unexplained_rows = len(missing)
        unexplained = {(n.sheet, n.row) for n in missing}
        reports = {s.sheet: s for sheets in by_kind.values() for s, _ in sheets}
        for need in missing:
            reports[need.sheet].add_error(explanations.missing_problem(need))
        for sheets in by_kind.values():
            for sheet_report, valid in sheets:
                valid[:] = [v for v in valid if (sheet_report.sheet, v.row) not in unexplained]
    return explained


def _check_closed_periods(conn: Connection, by_kind) -> list[Closure]:
    """Rows that would change a closed period are errors naming the period, who closed it
    and when (`closed_periods`); returns the closures that refused a row, in order."""
    refused: dict[int, Closure] = {}
    for kind, sheets in by_kind.items():
        found_at = refused_records(conn, kind, [row.record for _, valid in sheets for row in valid])
        for place in sorted(found_at):
            closure = found_at[place][0]
            refused.setdefault(closure.id, closure)
        _refuse_rows(
            sheets,
            found_at,
            lambda sheet_report, row, found: _row_problem(
                sheet_report, row, PeriodClosed(*found).message(), "closed_periods.refused"
            ),
        )
    return list(refused.values())


def _refuse_rows(sheets, refused: dict[int, object], problem: Callable) -> None:
    """Drop the valid rows of a kind's `sheets` whose place among them (counted across the
    sheets, as the records were given to the check) is in `refused`, each an error on its
    sheet: `problem(sheet_report, row, refused[place])` gives the Problem."""
    if not refused:
        return
    place = 0
    for sheet_report, valid in sheets:
        kept = []
        for row in valid:
            reason = refused.get(place)
            place += 1
            if reason is None:
                kept.append(row)
                continue
            sheet_report.add_error(problem(sheet_report, row, reason))
        valid[:] = kept


def _row_problem(sheet_report: SheetReport, row: ValidRow, message: str, code: str) -> Problem:
    """A problem of a whole row, at no one cell."""
    return Problem(sheet_report.sheet, row.row, None, None, message, code=code)


def _validate_sheets(
    conn: Connection,
    sheets,
    options: ImportOptions,
    report: ImportReport,
    release_rows: bool = False,
) -> dict[str, list[tuple[SheetReport, list[ValidRow]]]]:
    context = ValidationContext(
        master=load_master(conn),
        indicators={
            code: IndicatorInfo(code, name, unit, frequency)
            for code, name, unit, frequency in conn.execute(
                select(Indicator.code, Indicator.name, Indicator.unit, Indicator.frequency).where(
                    Indicator.is_current
                )
            )
        },
        period=options.period,
        district=options.district,
        locate_owners=options.scope is not None,
        may_define_indicators=options.scope is None or options.scope.may_define_indicators,
        may_register_names=options.scope is None,
    )
    recognised = []
    unrecognised = []
    for sheet in sheets:
        sheet_report = SheetReport(sheet=sheet.name, budget=report.budget)
        if is_instruction_sheet(sheet):
            continue
        report.sheets.append(sheet_report)
        if not sheet.visible:
            sheet_report.add_warning(_sheet_problem(sheet.name, t("importer.hidden_sheet")))
            continue
        if sheet.external_links:
            links = join_names(sheet.external_links)
            sheet_report.add_warning(
                _sheet_problem(sheet.name, t("importer.external_links", links=links))
            )
        if all(is_blank_row(row) for row in sheet.rows):
            sheet_report.add_warning(_sheet_problem(sheet.name, t("importer.empty_sheet")))
            continue
        layout = detect_layout(sheet)
        if layout is None:
            unrecognised.append((sheet, sheet_report))
            continue
        sheet_report.kind = layout.kind.name
        sheet_report.layout = "long"
        sheet_report.header_row = layout.header_row + 1
        _warn_ignored(sheet_report, layout.ignored_headers, layout.header_row)
        _warn_hidden_rows(sheet, sheet_report, layout.header_row)
        recognised.append((sheet, layout, sheet_report))
    if not recognised and not unrecognised and all(not s.errors for s in report.sheets):
        report.sheets.clear()
        report.sheets.append(
            SheetReport(sheet="", errors=[_sheet_problem("", t("importer.empty_workbook"))])
        )

    by_kind: dict[str, list[tuple[SheetReport, list[ValidRow]]]] = {}
    recognised.sort(key=lambda item: kind_order().index(item[1].kind.name))
    for sheet, layout, sheet_report in recognised:
        valid = SheetValidator(context).validate(sheet, layout, sheet_report, release_rows)
        if layout.kind.name == "indicators":
            context.add_indicators(
                [
                    IndicatorInfo(
                        v.record["code"], v.record["name"], v.record["unit"], v.record["frequency"]
                    )
                    for v in valid
                ]
            )
        if sheet_report.rows_read == 0:
            sheet_report.add_warning(_sheet_problem(sheet.name, t("importer.no_data_rows")))
        by_kind.setdefault(layout.kind.name, []).append((sheet_report, valid))

    # Wide tables are recognised by their indicator names and periods, so they are
    # looked at last, when the indicators of this very workbook are known too.
    headerless = []
    for sheet, sheet_report in unrecognised:
        wide = detect_wide(sheet, context)
        if wide is None:
            headerless.append((sheet, sheet_report))
            continue
        sheet_report.kind = "indicator_values"
        sheet_report.layout = wide.orientation
        sheet_report.header_row = wide.header_row + 1
        _warn_ignored(sheet_report, wide.ignored_headers, wide.header_row)
        _warn_hidden_rows(sheet, sheet_report, wide.header_row)
        valid = WideConverter(sheet, wide, context).convert(sheet_report)
        by_kind.setdefault("indicator_values", []).append((sheet_report, valid))
    for sheet, sheet_report in headerless:
        _report_headerless(sheet, sheet_report, others_read=bool(by_kind))
    return by_kind


def _report_headerless(sheet, sheet_report: SheetReport, others_read: bool) -> None:
    """A sheet without a header of any kind. Beside sheets that were read, one that does
    not resemble any kind either (a notes or contents sheet: 填报说明, 备注, 目录) is
    skipped with a warning, so that it does not stop the data beside it; one that
    resembles a kind, or the only sheet of a file, is an error saying what is missing."""
    if others_read and resembled_kind(sheet) is None:
        sheet_report.add_warning(_sheet_problem(sheet.name, t("importer.sheet_skipped")))
    else:
        sheet_report.add_error(_sheet_problem(sheet.name, _no_header_message(sheet)))


def _no_header_message(sheet) -> str:
    resembled = resembled_kind(sheet)
    if resembled is None:
        return t("importer.no_header")
    kind, found, missing = resembled
    return t(
        "importer.resembles_kind" if found else "importer.missing_columns",
        kind=t(f"kinds.{kind.name}"),
        found=join_names(found),
        columns=join_names(missing),
    )


def _warn_ignored(sheet_report: SheetReport, ignored: list[str], header_row: int) -> None:
    if ignored:
        sheet_report.add_warning(
            _sheet_problem(
                sheet_report.sheet,
                t("importer.ignored_columns", columns=join_names(ignored)),
                row=header_row + 1,
            )
        )


# The hidden rows a warning names one by one; more are counted.
HIDDEN_ROWS_NAMED = 10


def _warn_hidden_rows(sheet, sheet_report: SheetReport, header_row: int) -> None:
    """Rows below the header that hold values but are hidden in Excel (by hand or by a
    filter): read and imported like the others, which the submitter may not expect, as
    Excel does not show them."""
    if not sheet.hidden_rows:
        return
    rows = sheet.rows
    hidden = sorted(
        index
        for index in sheet.hidden_rows
        if header_row < index < len(rows) and not is_blank_row(rows[index])
    )
    if not hidden:
        return
    named = join_names(str(index + 1) for index in hidden[:HIDDEN_ROWS_NAMED])
    message = (
        t("importer.hidden_rows", rows=named)
        if len(hidden) <= HIDDEN_ROWS_NAMED
        else t("importer.hidden_rows_many", rows=named, count=len(hidden))
    )
    sheet_report.add_warning(_sheet_problem(sheet.name, message, row=hidden[0] + 1))


def _sheet_problem(sheet: str, message: str, row: int | None = None) -> Problem:
    return Problem(sheet=sheet, row=row, column=None, value=None, message=message)


def _check_scope(conn: Connection, by_kind, scope: SubmitterScope) -> None:
    """Rows outside the submitter's scope are errors naming the row: the row itself, and
    the stored row it would replace (a key that belongs to another district or unit)."""
    master = load_master(conn)
    mine = t(
        "importer.scope_mine", districts=join_names(sorted(scope.districts | scope.units)) or "-"
    )
    for kind, sheets in by_kind.items():
        refused = scope_refusals(
            conn, kind, [row.record for _, valid in sheets for row in valid], scope
        )
        owner_field = REGISTRY[kind].stored_owner

        def problem(
            sheet_report: SheetReport, row: ValidRow, code: str, kind=kind, owner_field=owner_field
        ) -> Problem:
            if code == SCOPE_OUTSIDE:
                message = _out_of_scope_message(kind, row.record, master, mine)
                field_name = _outside_field(kind, sheet_report.owner_cells, row)
            else:
                # Says only that the key is taken, not whose it is or what it holds.
                message = t(SCOPE_KEY_TAKEN, code=row.record[owner_field], mine=mine)
                field_name = owner_field
            where = _owner_cell(sheet_report.owner_cells, row, field_name, master)
            if where is None:
                return _row_problem(sheet_report, row, message, code)
            column, value, cell = where
            return Problem(
                sheet_report.sheet,
                cell[0] + 1,
                column,
                value,
                message,
                cell=cell,
                code=code,
            )

        _refuse_rows(sheets, refused, problem)


def _outside_field(kind: str, owners: OwnerCells | None, row: ValidRow) -> str | None:
    """The field of a row outside the scope whose cell to correct: its district; for a
    task (its district's or its lead unit's), the district when its cell names one, else
    the lead unit; none for an indicator (master data, refused whatever the row says)."""
    owner = REGISTRY[kind].owner
    if owner == INDICATOR_DEFINER:
        return None
    if owner == DISTRICT_OR_UNIT and owners is not None:
        names_district = owners.written.get((row.row - 1, "district_id")) != ""
        if not (names_district and "district_id" in owners.columns):
            return "lead_unit_id"
    return "district_id"


def _owner_cell(
    owners: OwnerCells | None, row: ValidRow, field_name: str | None, master
) -> tuple[str, str, tuple[int, int]] | None:
    """(column as the file's header reads, the cell as written, its 0-based cell) of the
    cell where `row` names `field_name`, or None when no cell does (the upload's district)."""
    if owners is None or field_name is None:
        return None
    if field_name in owners.whole_sheet:
        index, column, letters, text = owners.whole_sheet[field_name]
        return letters, text, (index, column)
    if field_name not in owners.columns:
        return None
    column, header = owners.columns[field_name]
    index = row.row - 1
    value = owners.written.get((index, field_name))
    if value is None:  # written as the stored name
        value = owner_name(master, field_name)(row.record[field_name]) or ""
    return header, value, (index, column)


# Why `scope_refusals` refuses a record: the row is not the scope's to submit, or its key
# is held by a current row that is not (the row would take that row over).
SCOPE_OUTSIDE = "importer.scope"
SCOPE_KEY_TAKEN = "importer.scope_key_taken"


def scope_refusals(
    conn: Connection, kind: str, records: list[dict], scope: SubmitterScope
) -> dict[int, str]:
    """The records of `kind` that `scope` may not write, by their place in `records`:
    SCOPE_OUTSIDE (the row is for another district or unit) or SCOPE_KEY_TAKEN (its key
    belongs to a current row of another district or unit, which it would replace).

    The one scope rule of a write: an import's commit (`_check_scope`) and a review
    approval (`review.approve`, against the submitter's scope as it is then) both run it.
    """
    master = load_master(conn)
    allowed_districts = {
        master.district_ids[d] for d in scope.districts if d in master.district_ids
    }
    allowed_units = {master.unit_ids[u] for u in scope.units if u in master.unit_ids}
    owner_rule = REGISTRY[kind].owner

    def in_scope(row) -> bool:
        if owner_rule == INDICATOR_DEFINER:
            return scope.may_define_indicators
        if owner_rule == DISTRICT_OR_UNIT:
            return row["district_id"] in allowed_districts or row["lead_unit_id"] in allowed_units
        return row["district_id"] in allowed_districts

    stored = _stored_owners(conn, kind, records)
    owner_field = REGISTRY[kind].stored_owner
    refused: dict[int, str] = {}
    for place, record in enumerate(records):
        owner = stored.get(record[owner_field]) if stored else None
        if not in_scope(record):
            refused[place] = SCOPE_OUTSIDE
        elif owner is not None and not in_scope(owner):
            refused[place] = SCOPE_KEY_TAKEN
    return refused


def _stored_owners(conn: Connection, kind: str, records: list[dict]) -> dict[object, dict]:
    """The current stored rows (their district and lead unit) that `records` would replace,
    by key, for the kinds whose key does not hold the district (`KindRule.stored_owner`: a
    task code or an issue number another district may already use); an empty dict for
    the others."""
    rule = REGISTRY[kind]
    if rule.stored_owner is None or not records:
        return {}
    field_name = rule.stored_owner
    table = rule.tables[0].__table__
    columns = [c for c in ("district_id", "lead_unit_id") if c in table.c]
    keys = sorted({r[field_name] for r in records}, key=str)
    found: dict[object, dict] = {}
    for start in range(0, len(keys), 5000):
        query = select(table.c[field_name], *(table.c[c] for c in columns)).where(
            table.c.is_current, table.c[field_name].in_(keys[start : start + 5000])
        )
        for row in conn.execute(query).mappings():
            found[row[field_name]] = dict(row)
    return found


def _out_of_scope_message(kind: str, record: dict, master, mine: str) -> str:
    owner = REGISTRY[kind].owner
    if owner == INDICATOR_DEFINER:
        return t("importer.scope_indicators")
    if owner == DISTRICT_OR_UNIT:
        return t("importer.scope_other_task", mine=mine)
    return t(
        "importer.scope_other_district",
        district=master.district_names.get(record["district_id"], "?"),
        mine=mine,
    )


def _check_duplicates(by_kind, report: ImportReport) -> None:
    """A key seen twice in one file is an error on the later row naming the earlier one."""
    for kind, sheets in by_kind.items():
        names = REGISTRY[kind].record_key
        key_of = itemgetter(*names)  # a kind with a one-field key: the value itself
        # A one-field key (a code) is named in the problem, under its column's header.
        header = REGISTRY[kind].kind.column(names[0]).header if len(names) == 1 else None
        seen: dict[object, tuple[str, ValidRow]] = {}
        for position, (sheet_report, valid) in enumerate(sheets, start=1):
            if position == len(sheets) and not seen and _keys_distinct(valid, names):
                continue  # the usual case: one sheet of the kind, no key repeats
            keys = [key_of(row.record) for row in valid]
            if len(set(keys)) == len(keys) and seen.keys().isdisjoint(keys):
                # The usual case, no key repeats, settled without a loop in Python; the
                # keys are recorded only for a later sheet of the same kind.
                if position < len(sheets):
                    where = zip(repeat(sheet_report.sheet), valid)
                    seen.update(zip(keys, where, strict=True))
                continue
            kept = []
            for key, row in zip(keys, valid, strict=True):
                first = seen.get(key)
                if first is None:
                    seen[key] = (sheet_report.sheet, row)
                    kept.append(row)
                    continue
                sheet_report.add_error(_duplicate(sheet_report.sheet, row, *first, header, key))
            valid[:] = kept


def _duplicate(
    sheet: str,
    row: ValidRow,
    first_sheet: str,
    first: ValidRow,
    header: str | None = None,
    key: object = None,
) -> Problem:
    """The problem of `row`, whose key `first` (of `first_sheet`) had: located by its row,
    or by its cell when it is a value of a wide table (one row, many values); a one-field
    key is named, under its column's `header`."""
    if first.column is None:
        where = t("importer.row_ref", row=first.row)
    else:
        where = t("importer.cell_ref", cell=cell_name(first.row - 1, first.column))
    if first_sheet != sheet:
        where = t("importer.in_sheet", sheet=first_sheet, where=where)
    column = header if row.column is None else column_letters(row.column)
    return Problem(
        sheet=sheet,
        row=row.row,
        column=column,
        value=None if header is None else str(key),
        message=t("importer.duplicate_key", first=where),
        cell=None if row.column is None else (row.row - 1, row.column),
        code="importer.duplicate_key",
    )


def _keys_distinct(valid: list[ValidRow], names: tuple[str, ...]) -> bool:
    """True when no two rows' keys (their records' `names` fields) are equal, told from
    the keys' hashes held in one array (distinct hashes are distinct keys) instead of a
    million key tuples at once. False when two keys are equal or only share a hash: the
    caller's check settles it."""
    key_of = fields_getter(map(attrgetter("record"), valid), names)
    records = map(attrgetter("record"), valid)  # not a list: a million more pointers
    hashes = np.fromiter(map(hash, map(key_of, records)), dtype=np.int64, count=len(valid))
    # Sorted, equal hashes are neighbours: a few milliseconds, where np.unique (a hash
    # table in numpy 2) took a third of a second at 300k rows.
    hashes.sort()
    return not (hashes[1:] == hashes[:-1]).any()


def _warn_sharp_changes(conn: Connection, by_kind, report: ImportReport) -> dict[str, set[int]]:
    """Values far from the previous period's: warnings the submitter must confirm, in
    `report.sharp_changes` while its sheets list them (the file's problem budget) and
    counted past it (`unlisted_sharp_changes`). Returns the rows of every one, listed or
    not, by sheet: each needs its explanation all the same."""
    rows: dict[str, set[int]] = {}
    for sheet_report, valid in by_kind.get("indicator_values", []):
        found = rows.setdefault(sheet_report.sheet, set())
        powers: Counter = Counter()
        for change in sharp_changes(conn, [v.record for v in valid], [v.row for v in valid]):
            found.add(change.row)
            powers[power_of_ten(change)] += 1
            problem = Problem(
                sheet_report.sheet,
                change.row,
                None,
                parse_text(change.value),
                change.message(),
                code="plausibility.sharp_change",
            )
            if sheet_report.add_warning(problem):
                report.sharp_changes.append(problem)
            else:
                report.unlisted_sharp_changes += 1
        del powers[None]
        power = common_power(powers, len(found))
        if power is not None:
            message = scale_message(sheet_report.sheet, power, powers[power])
            # First (`ImportReport.scale_hints`), and listed past the budget too: it says
            # what the rows below have in common.
            hint = Problem(sheet_report.sheet, None, None, None, message, code=SCALE_HINT)
            sheet_report.warnings.insert(0, hint)
    return rows


def _confirmed_warnings(report: ImportReport) -> list[dict]:
    """The sharp changes a submitter confirmed, as their submission records them
    (`Submission.confirmed_warnings`): each listed one, then how many more were confirmed
    without being listed, when some were."""
    confirmed: list[dict] = [
        {"sheet": p.sheet, "row": p.row, "message": p.message} for p in report.sharp_changes
    ]
    if report.unlisted_sharp_changes:
        confirmed.append({"unlisted": report.unlisted_sharp_changes})
    return confirmed


def _count_valid(by_kind) -> None:
    """Each sheet's valid rows, as the checks so far have left them (`rows_valid`)."""
    for sheets in by_kind.values():
        for sheet_report, valid in sheets:
            sheet_report.rows_valid = len(valid)


def _decide_and_write(
    conn: Connection,
    by_kind,
    report: ImportReport,
    options: ImportOptions,
    data: bytes,
    explained: list[explanations.Explained],
) -> None:
    has_errors = report.error_count > 0
    _count_valid(by_kind)
    valid_count = sum(len(valid) for sheets in by_kind.values() for _, valid in sheets)
    rows_read = sum(s.rows_read for s in report.sheets)
    if has_errors and (not options.valid_rows_only or valid_count == 0):
        report.status = "rejected"
        # "Import valid rows only" is advice only when some row is valid.
        key = "importer.rejected" if valid_count else "importer.rejected_every_row"
        if options.fix_in_page and any(problem.cell for problem in report.errors):
            key += "_fix_in_page"
        report.message = t(
            key,
            errors=report.error_count,
            errors_noun=unit_word("format.unit_errors", report.error_count),
        )
        return
    if valid_count == 0:
        report.status = "rejected"
        report.message = t("importer.nothing_to_import")
        return
    status = "partial" if has_errors else "accepted"
    # Only a scoped (staff) submitter's rows wait for review; an admin's count at once.
    report.needs_review = options.scope is not None and needs_review(
        conn,
        {
            kind: [row.record for _, valid in sheets for row in valid]
            for kind, sheets in by_kind.items()
        },
    )
    held = report.needs_review and not options.dry_run
    master = load_master(conn)
    periods, districts = _summary(by_kind, master.district_names)
    confirmed = _confirmed_warnings(report) if options.confirm_warnings else []
    submission_id = create_submission(
        conn,
        uploader=options.uploader,
        file_name=report.file,
        sha256=sha256_of(data),
        file_size=len(data),
        note=options.note,
        confirmed_warnings=confirmed,
        kinds=",".join(k for k in kind_order() if k in by_kind),
        periods=",".join(periods),
        districts=",".join(districts),
        rows_read=rows_read,
        rows_accepted=valid_count,
        rows_rejected=rows_read - valid_count,
        status=PENDING if held else status,
        valid_rows_only=options.valid_rows_only,
        submitter_scope=None if options.scope is None else options.scope.as_record(),
    )
    if held:
        _hold_for_review(conn, by_kind, report, options, data, submission_id)
        return
    totals = WriteCounts()
    for kind in kind_order():
        for sheet_report, valid in by_kind.get(kind, []):
            sheet_report.rows_accepted = len(valid)
        records = [row.record for _, valid in by_kind.get(kind, []) for row in valid]
        if records:
            totals.add(write_kind(conn, kind, records, submission_id))
    report.rows_new, report.rows_replaced, report.rows_unchanged = (
        totals.new,
        totals.replaced,
        totals.unchanged,
    )
    if totals.new == 0 and totals.replaced == 0:
        report.status = "unchanged"
        report.message = t("importer.no_changes", rows=totals.unchanged)
        return
    explanations.store(conn, explained, submission_id, options.uploader)
    update_submission(
        conn,
        submission_id,
        rows_new=totals.new,
        rows_replaced=totals.replaced,
        rows_unchanged=totals.unchanged,
    )
    report.replaced_examples = totals.replaced_examples
    if options.store_file:
        conn.execute(insert(SubmissionFile).values(submission_id=submission_id, content=data))
    refresh_statuses(conn, superseded_submissions(conn, submission_id))
    report.status = status
    report.submission_id = None if options.dry_run else submission_id
    key = "importer.dry_run" if options.dry_run else f"importer.{status}"
    report.message = t(
        key,
        new=totals.new,
        replaced=totals.replaced,
        unchanged=totals.unchanged,
        errors=report.error_count,
        errors_noun=unit_word("format.unit_errors", report.error_count),
        id=submission_id,
    )


def _hold_for_review(
    conn: Connection,
    by_kind,
    report: ImportReport,
    options: ImportOptions,
    data: bytes,
    submission_id: int,
) -> None:
    """Keep the valid records as the submission's pending rows: nothing becomes current
    until a reviewer approves (see `review.approve`)."""
    rows = []
    for kind in kind_order():
        for sheet_report, valid in by_kind.get(kind, []):
            sheet_report.rows_accepted = len(valid)
            rows.extend((kind, sheet_report.sheet, row.row, row.record) for row in valid)
    count = hold_records(conn, submission_id, rows)
    resubmits = returned_to_resubmit(conn, options.uploader, by_kind)
    if resubmits is not None:
        update_submission(conn, submission_id, resubmission_of=resubmits)
    if options.store_file:
        conn.execute(insert(SubmissionFile).values(submission_id=submission_id, content=data))
    take_write_locks(conn, [REVIEW_LOCK], holder=options.uploader)
    report.status = PENDING
    report.submission_id = submission_id
    report.resubmission_of = resubmits
    report.message = t(
        "importer.pending_resubmitted" if resubmits else "importer.pending",
        id=submission_id,
        rows=count,
        returned=resubmits,
    )


def _summary(by_kind, district_names: dict[int, str]) -> tuple[list[str], list[str]]:
    from data_model.periods import sort_key

    periods: set[str | None] = set()
    districts: set[int | None] = set()
    for sheets in by_kind.values():
        for _, valid in sheets:
            # No kind has both a period and a report period. A record is a dict or a
            # ValueRecord (the same mapping, in less memory).
            records = [row.record for row in valid]
            value_records = bool(records) and set(map(type, records)) == {ValueRecord}
            for field_name, found in (
                ("period", periods),
                ("report_period", periods),
                ("district_id", districts),
            ):
                found.update(_field_values(records, field_name, value_records))
    periods = {p for p in periods if p}
    districts = {d for d in districts if d}
    return (
        sorted(periods, key=sort_key)[:200],
        [district_names[d] for d in sorted(districts)],
    )


def _field_values(records: list, field_name: str, value_records: bool = False) -> set:
    """`{record.get(field_name) for record in records}`: one itemgetter over all of them
    in the usual case (every record of a kind has the same fields). `value_records`: the
    records are all `ValueRecord`s (of no other class), whose fields are read as
    attributes, and a field they lack is None in every one."""
    if value_records:
        if field_name not in VALUE_FIELDS:
            return {None}
        return set(map(attrgetter(field_name), records))
    try:
        return set(map(fields_getter(records, [field_name]), records))
    except (KeyError, AttributeError):  # AttributeError: a ValueRecord has no such field
        return {record.get(field_name) for record in records}
