"""The master workbook: every master list as one .xlsx (a sheet per list, Chinese headers,
aliases in one column separated by `、`), written by `export_workbook` and read back by
`import_workbook` with the importer's problem format, all or nothing.

Without `replace` an import adds the workbook's new entries and updates existing ones
matched by name; entries it does not list stay as they are. With `replace`, on a
database without data rows, the workbook becomes the whole master data (another city).
A round trip export → import changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from operator import itemgetter

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Connection, delete, func, insert, select, update

from data_model.accounts.permissions import Principal, require
from data_model.admin.master_admin import (
    ALIAS_SEPARATOR,
    LISTS,
    ListSpec,
    _keys,
    clean_fields,
    entries,
    kind_name,
)
from data_model.errors import InputError
from data_model.formatting import join_names, unit_word
from data_model.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from data_model.ingest.importer import file_rejected
from data_model.ingest.isolated import read_isolated
from data_model.ingest.raw_sheet import RawSheet
from data_model.normalize.names import normalize_name
from data_model.outputs.export import xlsx_cell
from data_model.problems import ImportReport, Problem, SheetReport
from data_model.reference.master import load_master
from data_model.store import audit, summaries_periods
from data_model.store.kind_registry import versioned_tables
from data_model.store.models import ExpectedSubmission, Unit, User
from data_model.store.storage import take_write_locks
from data_model.text import clean_header, is_missing

# The order lists are written in: a unit names its district, so districts come first.
LIST_ORDER = tuple(LISTS)
COLUMN_WIDTH = {"name": 28, "aliases": 48, "description": 30, "parent": 22}


def sheet_title(list_key: str, language: str = DEFAULT_LANGUAGE) -> str:
    return t(f"master.list_{list_key}", language)


def _cell(sheet: Worksheet, field: str, value: object) -> object:
    """An entry's field as the workbook writes it; text a spreadsheet would evaluate
    (`=HYPERLINK(…)`) made inert, as in every export, and read back as written."""
    if field == "aliases":
        return xlsx_cell(sheet, ALIAS_SEPARATOR.join(value or ()))
    if field == "kind":
        return t(f"master.kind_{value}", DEFAULT_LANGUAGE)
    if field == "category":
        return t(f"master.category_{value}", DEFAULT_LANGUAGE)
    if field == "is_active":
        return t("master.active" if value else "master.inactive", DEFAULT_LANGUAGE)
    return xlsx_cell(sheet, value)


def export_workbook(conn: Connection, principal: Principal, *, record: bool = True) -> bytes:
    """All master lists as one workbook, recorded in the audit log as an export unless
    the caller records it (the page's download button does)."""
    require(principal, "manage_master_data")
    workbook = Workbook()
    workbook.remove(workbook.active)
    total = 0
    for key in LIST_ORDER:
        spec = LISTS[key]
        sheet = workbook.create_sheet(sheet_title(key))
        sheet.append([t(f"master.col_{f}", DEFAULT_LANGUAGE) for f in spec.fields])
        for entry in entries(conn, key):
            sheet.append([_cell(sheet, f, entry[f]) for f in spec.fields])
            total += 1
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, field in enumerate(spec.fields):
            letter = sheet.cell(row=1, column=index + 1).column_letter
            sheet.column_dimensions[letter].width = COLUMN_WIDTH.get(field, 14)
        sheet.freeze_panes = "A2"
    if record:
        audit.record(conn, principal.username, "export", what="master_data", rows=total)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class _Row:
    """One workbook row of a list: where it is, the raw values and the cleaned entry."""

    excel_row: int
    raw: dict
    headers: dict  # field → header text as written
    entry: dict | None = None
    existing: dict | None = None


def _list_of_sheet(name: str) -> str | None:
    key = normalize_name(name)
    for list_key in LISTS:
        labels = {normalize_name(sheet_title(list_key, lang)) for lang in LANGUAGES}
        if key in labels | {normalize_name(list_key)}:
            return list_key
    return None


def _field_of_header(spec: ListSpec, raw: object) -> str | None:
    text, _ = clean_header(raw)
    key = normalize_name(text)
    for field in spec.fields:
        labels = {normalize_name(t(f"master.col_{field}", lang)) for lang in LANGUAGES}
        if key in labels | {field}:
            return field
    return None


def _read_sheet(spec: ListSpec, sheet: RawSheet, report: SheetReport) -> list[_Row]:
    rows = sheet.rows
    header_index = next(
        (i for i, row in enumerate(rows) if any(not is_missing(v) for v in row)), None
    )
    if header_index is None:
        return []
    report.header_row = header_index + 1
    columns = {}
    for j, value in enumerate(rows[header_index]):
        field = _field_of_header(spec, value)
        if field is not None and field not in columns.values():
            columns[j] = field
    if "name" not in columns.values():
        report.add_error(
            Problem(
                sheet.name,
                header_index + 1,
                t("master.col_name"),
                None,
                t("master.column_missing", column=t("master.col_name")),
            )
        )
        return []
    headers = {field: str(rows[header_index][j]) for j, field in columns.items()}
    result = []
    for i in range(header_index + 1, len(rows)):
        row = rows[i]
        if all(is_missing(v) for v in row):
            continue
        raw = {field: (row[j] if j < len(row) else "") for j, field in columns.items()}
        result.append(_Row(i + 1, raw, headers))
    report.rows_read = len(result)
    return result


def _problem(sheet: str, row: _Row, field: str | None, message: str, suggestion=None) -> Problem:
    value = row.raw.get(field) if field else None
    return Problem(
        sheet,
        row.excel_row,
        row.headers.get(field) or (t(f"master.col_{field}") if field else None),
        None if value is None or value == "" else str(value),
        message,
        suggestion,
    )


def import_workbook(
    conn: Connection,
    principal: Principal,
    data: bytes,
    file_name: str,
    *,
    replace: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Read a master workbook and apply it in the caller's transaction, all or nothing.

    Problems are reported like the importer's (sheet, Excel row, column, value, message,
    suggestion); with any error nothing is written (status `rejected`), and so for a
    workbook with no master-data sheet at all. Counts are in
    `rows_new` (added), `rows_replaced` (updated) and `rows_unchanged`.
    """
    require(principal, "manage_master_data")
    try:
        sheets = read_isolated(data, file_name)
    except InputError as error:
        return file_rejected(file_name, error)
    report = ImportReport(file=file_name, status="rejected")
    lists: dict[str, tuple[SheetReport, list[_Row]]] = {}
    for sheet in sheets:
        sheet_report = SheetReport(sheet=sheet.name, budget=report.budget)
        report.sheets.append(sheet_report)
        list_key = _list_of_sheet(sheet.name)
        if list_key is None or list_key in lists or not sheet.visible:
            sheet_report.add_warning(
                Problem(
                    sheet.name,
                    None,
                    None,
                    None,
                    t(
                        "master.sheet_unknown",
                        sheet=sheet.name,
                        choices=join_names(sheet_title(k) for k in LIST_ORDER),
                    ),
                )
            )
            continue
        sheet_report.layout = list_key
        lists[list_key] = (sheet_report, _read_sheet(LISTS[list_key], sheet, sheet_report))
    if not lists:  # another workbook (a task list): refused, not "nothing changed"
        return file_rejected(
            file_name,
            InputError(
                "master.no_master_sheet",
                file=file_name,
                sheets=join_names(sheet.name for sheet in sheets) or "-",
                choices=join_names(sheet_title(k) for k in LIST_ORDER),
            ),
        )

    if replace:
        _check_replace(conn, lists, report)
    existing = {key: entries(conn, key) for key in LIST_ORDER}
    for key in LIST_ORDER:
        if key in lists:
            _clean_rows(conn, LISTS[key], lists[key], existing[key], replace)
    _check_references(lists, existing, replace)

    errors = report.error_count
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    for key, (sheet_report, rows) in lists.items():
        for row in rows:
            if row.entry is None:
                continue
            sheet_report.rows_valid += 1
            sheet_report.rows_accepted += 1
            if row.existing is None:
                counts["added"] += 1
            elif _differs(LISTS[key], row.entry, row.existing):
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    report.rows_new, report.rows_replaced, report.rows_unchanged = counts.values()
    if errors:
        report.message = t(
            "master.import_rejected",
            errors=errors,
            errors_noun=unit_word("format.unit_problems", errors),
        )
        return report
    if dry_run:
        report.status = "accepted"
        report.message = t("master.import_dry_run", **counts)
        return report
    if not replace and not counts["added"] and not counts["updated"]:
        report.status = "unchanged"
        report.message = t("master.import_unchanged", unchanged=counts["unchanged"])
        return report
    take_write_locks(
        conn, ["master_data", "schedule"] if replace else ["master_data"], principal.username
    )
    if replace:
        _clear(conn)
    _write(conn, lists, replace)
    load_master(conn)  # the matchers the importer builds must accept the result
    report.status = "accepted"
    report.message = (
        t("master.import_replaced", added=counts["added"])
        if replace
        else t("master.import_accepted", **counts)
    )
    audit.record(
        conn,
        principal.username,
        "master_change",
        list="all",
        op="replace" if replace else "import",
        file=file_name,
        **counts,
    )
    return report


def _check_replace(conn: Connection, lists: dict, report: ImportReport) -> None:
    rows = sum(
        conn.execute(select(func.count()).select_from(model)).scalar_one()
        for model in versioned_tables()
    )
    problem = None
    if rows:
        problem = t("master.replace_has_data", rows=rows)
    elif "districts" not in lists or not lists["districts"][1]:
        problem = t("master.replace_no_districts")
    if problem:
        report.sheets.insert(
            0, SheetReport(sheet="", errors=[Problem("", None, None, None, problem)])
        )


def _clean_rows(
    conn: Connection,
    spec: ListSpec,
    sheet: tuple[SheetReport, list[_Row]],
    existing: list[dict],
    replace: bool,
) -> None:
    """Clean each row (on top of the entry of the same name, when updating) and check
    that no name, code or alias is used twice, in the file or against the database."""
    report, rows = sheet
    by_name = {normalize_name(e["name"]): e for e in existing} if not replace else {}
    # Each stored entry's keys, made once: compared with every row's, they were made again
    # for each row (2,000 units exported and imported again: 18.6 s).
    owners: dict[str, list[tuple[int, dict]]] = {}
    if not replace:
        for index, other in enumerate(existing):
            for key in _keys(spec.key, other):
                owners.setdefault(key, []).append((index, other))
    seen: dict[str, _Row] = {}
    for position, row in enumerate(rows):
        name = normalize_name(row.raw.get("name"))
        base = by_name.get(name)
        try:
            entry = clean_fields(spec, row.raw, base)
        except InputError as error:
            field = getattr(error, "field", None)
            report.add_error(_problem(report.sheet, row, field, error.message(), error.suggestion))
            continue
        if entry.get("sort_order") is None:
            entry["sort_order"] = position if base is None else base["sort_order"]
        problem = None
        for key in _keys(spec.key, entry):
            other = seen.get(key)
            if other is not None:
                problem = _problem(
                    report.sheet,
                    row,
                    "name",
                    t(
                        "master.duplicate_in_file",
                        value=row.raw.get("name"),
                        other_row=other.excel_row,
                        other=other.entry["name"],
                        kind=kind_name(spec),
                    ),
                )
                break
        if problem is None and not replace:
            # The first stored entry, other than the one updated, sharing a key.
            taken = [
                (index, other)
                for key in _keys(spec.key, entry)
                for index, other in owners.get(key, ())
                if other is not base
            ]
            if taken:
                other = min(taken, key=itemgetter(0))[1]
                problem = _problem(
                    report.sheet,
                    row,
                    "name",
                    t(
                        "master.name_taken",
                        value=entry["name"],
                        kind=kind_name(spec),
                        other=other["name"],
                        name=entry["name"],
                    ),
                    other["name"],
                )
        if problem is not None:
            report.add_error(problem)
            continue
        row.entry, row.existing = entry, base
        for key in _keys(spec.key, entry):
            seen[key] = row


def _check_references(lists: dict, existing: dict, replace: bool) -> None:
    """A unit's district and parent must name a district / unit of the workbook (or, when
    not replacing, of the database); the entry's value becomes that canonical name."""
    if "units" not in lists:
        return
    report, rows = lists["units"]
    for field, list_key in (("district", "districts"), ("parent", "units")):
        known: dict[str, str] = {}
        pool = [] if replace else list(existing[list_key])
        if list_key in lists:
            pool += [r.entry for r in lists[list_key][1] if r.entry is not None]
        for entry in pool:
            for key in _keys(list_key, entry):
                known.setdefault(key, entry["name"])
        for row in rows:
            if row.entry is None or not row.entry.get(field):
                continue
            name = known.get(normalize_name(row.entry[field]))
            if name is None:
                report.add_error(
                    _problem(
                        report.sheet,
                        row,
                        field,
                        t(
                            "master.unknown_reference",
                            value=row.entry[field],
                            kind=kind_name(LISTS[list_key]),
                        ),
                    )
                )
                row.entry = None
            else:
                row.entry[field] = name
    _check_parent_cycles(report, rows, [] if replace else existing["units"])


def _check_parent_cycles(report: SheetReport, rows: list[_Row], existing: list[dict]) -> None:
    """No unit may be its own parent, directly or through others."""
    parents = {e["name"]: e["parent"] for e in existing}
    parents.update({r.entry["name"]: r.entry.get("parent", "") for r in rows if r.entry})
    cycling = _reaching_a_cycle(parents)
    for row in rows:
        if row.entry is None or not row.entry.get("parent"):
            continue
        name, parent = row.entry["name"], row.entry["parent"]
        if name in cycling:
            message = (
                t("master.parent_self", name=name)
                if parent == name
                else t("master.parent_cycle", name=name, parent=parent)
            )
            report.add_error(_problem(report.sheet, row, "parent", message))
            row.entry = None


def _reaching_a_cycle(parents: dict[str, str]) -> set[str]:
    """The names whose chain of parents comes back on itself, each name followed once (a
    chain of 10,000 units followed from each of them took 4.6 s)."""
    cycling: set[str] = set()
    ending: set[str] = set()
    for start in parents:
        path: list[str] = []
        on_path: set[str] = set()
        current = start
        while current and current not in ending and current not in cycling:
            if current in on_path:
                cycling.update(path)
                break
            path.append(current)
            on_path.add(current)
            current = parents.get(current, "")
        else:
            (cycling if current in cycling else ending).update(path)
    return cycling


def _differs(spec: ListSpec, entry: dict, existing: dict) -> bool:
    return any(entry.get(f) != existing.get(f) for f in spec.fields)


def _clear(conn: Connection) -> None:
    """Remove every master entry and what only refers to them (schedule, bindings)."""
    conn.execute(delete(ExpectedSubmission))
    conn.execute(update(Unit).values(parent_id=None))
    for key in reversed(LIST_ORDER):
        conn.execute(delete(LISTS[key].model))


def _write(conn: Connection, lists: dict, replace: bool) -> None:
    ids: dict[str, dict[str, int]] = {}
    districts_written = False
    for key in LIST_ORDER:
        spec = LISTS[key]
        ids[key] = dict(conn.execute(select(spec.model.name, spec.model.id)).all())
        if key not in lists:
            continue
        for row in lists[key][1]:
            entry = row.entry
            if entry is None or (
                row.existing is not None and not _differs(spec, entry, row.existing)
            ):
                continue
            values = {f: entry[f] for f in spec.fields if f not in ("district", "parent")}
            districts_written = districts_written or key == "districts"
            if key == "units":
                values["district_id"] = ids["districts"].get(entry.get("district"))
            if key == "actions" and not values.get("code"):
                values["code"] = f"A{entry['sort_order'] + 1}"
            if row.existing is None:
                new_id = conn.execute(insert(spec.model).values(**values)).inserted_primary_key[0]
                ids[key][entry["name"]] = new_id
            else:
                conn.execute(
                    update(spec.model).where(spec.model.id == row.existing["id"]).values(**values)
                )
    if "units" in lists:
        for row in lists["units"][1]:
            if row.entry is None:
                continue
            parent = ids["units"].get(row.entry.get("parent")) if row.entry.get("parent") else None
            conn.execute(
                update(Unit).where(Unit.name == row.entry["name"]).values(parent_id=parent)
            )
    if replace:
        _drop_stale_bindings(conn, ids)
    if districts_written or (replace and "districts" in lists):
        summaries_periods.rebuild(conn)  # which geographies are counted and scored may have changed


def _drop_stale_bindings(conn: Connection, ids: dict[str, dict[str, int]]) -> None:
    """Users bound to districts or units that no longer exist lose those bindings."""
    for user_id, districts, units in conn.execute(
        select(User.id, User.districts, User.units)
    ).all():
        kept_d = [d for d in districts or () if d in ids["districts"]]
        kept_u = [u for u in units or () if u in ids["units"]]
        if kept_d != list(districts or ()) or kept_u != list(units or ()):
            conn.execute(
                update(User).where(User.id == user_id).values(districts=kept_d, units=kept_u)
            )
