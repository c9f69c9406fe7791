"""Turn the data rows of a recognised sheet into records ready to store, with every problem found.

Each distinct raw value of a column is normalised once (a month-end workbook repeats
the same district and period thousands of times); problems carry the sheet, the
Excel row number, the column header as written in the file and the raw value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from operator import is_not

from data_model.errors import InputError, quoted
from data_model.formatting import join_names, local_today
from data_model.i18n import t
from data_model.ingest.layout import SheetLayout, data_row_indexes
from data_model.ingest.plain_rows import plain_indicator_values
from data_model.ingest.raw_sheet import RawSheet, cell_name
from data_model.ingest.sheet_meta import metadata_problem
from data_model.ingest.task_lists import SheetFact, read_task_sheet
from data_model.kinds import FREE_TEXT_LIMIT, TASKS, example_values, is_too_long_cell
from data_model.normalize.dates import parse_date, parse_deadline
from data_model.normalize.names import NameMatcher, normalize_name
from data_model.normalize.numbers import parse_count_number, parse_number
from data_model.normalize.tasks import is_fraction_column
from data_model.periods import (
    GRANULARITIES,
    granularity,
    parse_period,
    period_label,
    to_granularity,
)
from data_model.problems import OwnerCells, Problem, SheetReport, UnknownNameHint
from data_model.reference.master import RESOLVABLE_LISTS, MasterData
from data_model.store.kind_registry import REGISTRY
from data_model.text import code_text, is_missing, to_halfwidth

# The record fields the scope check reads, and the columns that give them.
_OWNER_FIELDS = (("district_id", "district"), ("lead_unit_id", "lead_unit"), ("code", "code"))

# What joins several units in one cell: 、 , ; and line breaks (after `to_halfwidth`).
_UNIT_SEPARATORS = re.compile(r"[、,;\r\n]+")

# The years a record's date may fall in (`_plausible_date`).
EARLIEST_YEAR = 2000
YEARS_AHEAD = 1

# Rows of a long indicator-value sheet validated together (see SheetValidator.validate).
PLAIN_CHUNK = 50_000
# What stands for a row let go once validated (`SheetValidator.validate`, release_rows).
_RELEASED: tuple = ()


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    unit: str
    frequency: str = "month"  # 数据频度: `periods.GRANULARITIES`' month, quarter or year


@dataclass
class ValidationContext:
    """What validation needs beyond the row: master data, known indicators, upload options."""

    master: MasterData
    indicators: dict[str, IndicatorInfo]
    period: str | None = None  # from the upload form / --period, for sheets without a period
    district: str | None = None  # likewise for the district
    # Whether the submitter may upload the indicator system (an admin): the advice for an
    # unknown indicator code is to upload it, or else to ask an admin to add it.
    may_define_indicators: bool = True
    # Whether the submitter may register names in the master data (an admin): the advice
    # for an unknown name is to register it, or else to ask an admin to.
    may_register_names: bool = True
    # Keep where each row names its district, lead unit and code (`SheetReport.owner_cells`),
    # for a scoped upload, whose scope check points at the cell of a row it refuses.
    locate_owners: bool = False
    _indicator_names: NameMatcher | None = field(default=None, repr=False)

    def message(self, error: InputError) -> str:
        """`error`'s message for this submitter: an admin is not told to ask an admin."""
        if error.key == "normalize.name_unknown" and self.may_register_names:
            return InputError("normalize.name_unknown_admin", **error.params).message()
        return error.message()

    def check_frequency(self, code: str, period: str) -> None:
        """Refuse a value for a period finer than its indicator's frequency (a month of an
        annual indicator): the aggregation reads an indicator's values at its frequency or
        one figure for the very period asked, so such a value would never be counted, and
        the year it was meant for would show as not reported. A coarser period (a year's
        figure of a monthly indicator) is read as the figure for that period."""
        info = self.indicators.get(code)
        if info is None or period is None:
            return
        frequency = info.frequency
        if GRANULARITIES.index(granularity(period)) > GRANULARITIES.index(frequency):
            raise InputError(
                "validate.finer_than_frequency",
                code=code,
                frequency=t(f"indicators.frequency_{frequency}"),
                period=period_label(period),
                example=period_label(to_granularity(period, frequency)),
            )

    def add_indicators(self, infos: list[IndicatorInfo]) -> None:
        for info in infos:
            self.indicators[info.code] = info
        self._indicator_names = None

    def indicator_names(self) -> NameMatcher:
        if self._indicator_names is None:
            # A name shared by two indicators (or equal to another's code) cannot pick
            # one of them: such names are left out, and those indicators match by code.
            keys = Counter(normalize_name(i.name) for i in self.indicators.values())
            keys.update(normalize_name(code) for code in self.indicators)
            self._indicator_names = NameMatcher(
                [
                    (info.code, [info.name] if keys[normalize_name(info.name)] == 1 else [])
                    for info in self.indicators.values()
                ],
                "normalize.kind_indicator",
            )
        return self._indicator_names


@dataclass(slots=True)  # one per valid row of a file: no __dict__ each
class ValidRow:
    row: int  # Excel row number
    record: dict
    # The 0-based column of the value, in a wide table, where one row holds many values.
    column: int | None = None


@dataclass
class _TaskSheet:
    """What a task list's rows share: defaults from the sheet or the upload, and what the
    rows took from them (reported once the rows are read)."""

    period: SheetFact | None = None
    district: SheetFact | None = None
    fractions: bool = False
    rows_using_period: int = 0
    rows_using_district: int = 0
    action_names: dict[int, str] = field(default_factory=dict)
    unit_names: dict[int, str] = field(default_factory=dict)
    derived: dict[int, str] = field(default_factory=dict)  # 0-based row → code
    scaled: dict[int, object] = field(default_factory=dict)  # 0-based row → raw fraction


def _status_conflict(record: dict) -> str | None:
    """The warning's key when a task row's stated status and progress contradict each
    other: 已完成 below 100% (counted completed all the same, `task_rules.status_of`), or
    未启动 with progress (counted by its progress: 100% is completed)."""
    stated, progress = record["stated_status"], record["progress"]
    if stated == "completed" and progress < 100:
        return "validate.task_completed_below_100"
    if stated == "not_started" and progress > 0:
        return "validate.task_not_started_with_progress"
    return None


class _Cached:
    """Memoise a parser per distinct raw value, remembering failures too."""

    __slots__ = ("parse", "results")

    def __init__(self, parse: Callable[[object], object]) -> None:
        self.parse = parse
        self.results: dict = {}

    def __call__(self, raw: object) -> object:
        # Text keys stand alone; other cells keep their type (1, 1.0 and True are equal).
        key = raw if raw.__class__ is str else (raw.__class__, raw)
        try:
            result = self.results[key]
        except KeyError:
            try:
                result = self.parse(raw)
            except InputError as error:
                result = error
            self.results[key] = result
        if isinstance(result, InputError):
            # Without its last traceback: raising the same error again would chain each
            # raise's frames onto it, keeping every row's frame (and its cells) alive
            # (300,000 wrong rows: 630 MB).
            raise result.with_traceback(None)
        return result


def parse_text(raw: object) -> str:
    """Cell as text: numbers without a spurious `.0`, dates as ISO, stripped. Never evaluated."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def _required_text(raw: object) -> str:
    if is_missing(raw):
        raise InputError("validate.required")
    return parse_text(raw)


def _required_code(raw: object) -> str:
    """An indicator code, task code or issue number (`text.code_text`)."""
    return code_text(_required_text(raw))


def _optional_text(raw: object) -> str:
    return "" if is_missing(raw) else parse_text(raw)


def _optional_number(raw: object) -> float | None:
    return parse_number(raw)


def _required_number(raw: object) -> float:
    value = parse_number(raw)
    if value is None:
        raise InputError("validate.required")
    return value


# The largest count a column holds: an INTEGER is 32 bits on PostgreSQL (3e9 raised a
# DataError out of the import) and 64 on SQLite (9.3e18 raised an OverflowError).
MAX_COUNT = 2**31 - 1


# The largest weight of an indicator: weights are relative (the sample's are 2 to 5); a
# weight of 1e308 made every weighted score infinite, and every district ranked first.
MAX_WEIGHT = 10_000


def _weight(raw: object) -> float | None:
    value = parse_number(raw)
    if value is not None and not 0 <= value <= MAX_WEIGHT:
        raise InputError("validate.bad_weight", value=parse_text(raw), limit=MAX_WEIGHT)
    return value


def _optional_count(raw: object) -> int | None:
    value = parse_count_number(raw)
    if value is None:
        return None
    if value < 0 or not float(value).is_integer():
        raise InputError("validate.not_a_count", value=parse_text(raw))
    if value > MAX_COUNT:
        raise InputError("validate.count_too_large", value=parse_text(raw), limit=MAX_COUNT)
    return int(value)


def _plausible_date(day: dt.date) -> dt.date:
    """`day` when a record of the pilot can bear it (an activity's, an issue's, a task's
    start): from EARLIEST_YEAR to YEARS_AHEAD years after this one. Outside, it is a date
    cell holding a small number (1 is 1900-01-01) or a mistyped year (2062 for 2026)."""
    latest = local_today().year + YEARS_AHEAD
    if not EARLIEST_YEAR <= day.year <= latest:
        raise InputError(
            "validate.date_out_of_range", value=day.isoformat(), first=EARLIEST_YEAR, last=latest
        )
    return day


def _required_date(raw: object) -> dt.date:
    return _plausible_date(parse_date(raw))


def _optional_date(raw: object) -> dt.date | None:
    return None if is_missing(raw) else _plausible_date(parse_date(raw))


def _choice(choices: dict[str, str], required: bool, default: str | None = None):
    normalized = {"".join(to_halfwidth(k).split()): v for k, v in choices.items()}

    def parse(raw: object) -> str | None:
        if is_missing(raw):
            if required:
                raise InputError("validate.required")
            return default
        text = "".join(to_halfwidth(str(raw)).split())
        if text in normalized:
            return normalized[text]
        raise InputError(
            "validate.not_in_choices", value=parse_text(raw), choices=join_names(choices)
        )

    return parse


def _name_text(matcher: NameMatcher):
    """A required name of a list kept as text (activity type, issue category): its
    canonical name."""

    def parse(raw: object) -> str:
        if is_missing(raw):
            raise InputError("validate.required")
        return matcher.match(raw)

    return parse


def _name_id(matcher: NameMatcher, ids: dict[str, int], required: bool):
    def parse(raw: object) -> int | None:
        if is_missing(raw):
            if required:
                raise InputError("validate.required")
            return None
        return ids[matcher.match(raw)]

    return parse


def _lead_unit_id(matcher: NameMatcher, ids: dict[str, int]):
    """A task's lead unit: one registered unit. A cell naming several units (the lead and
    its co-operating units, 「市发展改革委、市工商联」) is an error that says so and names the
    co-operating units' column; it is not an unknown name, which an admin could map to
    one unit or register as a unit of its own. Joined by 、 , ; or line breaks, one known
    unit among the parts makes it several; joined by spaces only, every part must be a
    known unit (a space may sit inside one unit's name as written)."""
    one = _name_id(matcher, ids, True)

    def several(raw: object) -> list[str]:
        text = to_halfwidth(str(raw))
        parts = [p.strip() for p in _UNIT_SEPARATORS.split(text) if p.strip()]
        if len(parts) > 1 and any(matcher.lookup(p) is not None for p in parts):
            return parts
        parts = text.split()
        if len(parts) > 1 and all(matcher.lookup(p) is not None for p in parts):
            return parts
        return []

    def parse(raw: object) -> int | None:
        if not is_missing(raw) and matcher.lookup(raw) is None and (parts := several(raw)):
            raise InputError(
                "validate.several_lead_units",
                units=join_names(matcher.lookup(p) or p for p in parts),
                lead=TASKS.column("lead_unit").header,
                co_units=TASKS.column("co_units").header,
            )
        return one(raw)

    return parse


class SheetValidator:
    """Validates the rows of one sheet of a known kind."""

    def __init__(self, context: ValidationContext) -> None:
        self.context = context
        master = context.master
        self.district = _Cached(_name_id(master.districts, master.district_ids, True))
        self.optional_district = _Cached(_name_id(master.districts, master.district_ids, False))
        self.period = _Cached(_required_period)
        self.required_text = _Cached(_required_text)
        self.required_code = _Cached(_required_code)
        self.optional_text = _Cached(_optional_text)
        self.required_date = _Cached(_required_date)
        self.optional_date = _Cached(_optional_date)
        self.optional_number = _Cached(_optional_number)
        self.required_number = _Cached(_required_number)
        self.optional_count = _Cached(_optional_count)
        self.weight = _Cached(_weight)
        # Parsers that depend on more than the cell (a kind's choices, the indicator's
        # unit, the report period), made on first use and kept for this validator.
        self._parsers: dict[tuple, _Cached] = {}
        self.task_sheet = _TaskSheet()

    def _memo(self, key: tuple, make: Callable[[], Callable[[object], object]]) -> _Cached:
        parser = self._parsers.get(key)
        if parser is None:
            parser = self._parsers[key] = _Cached(make())
        return parser

    def choice_parser(self, kind, field_name: str, default, required: bool = False) -> _Cached:
        choices = kind.column(field_name).choices
        return self._memo(
            ("choice", kind.name, field_name, default),
            lambda: _choice(choices, required, default),
        )

    def name_parser(self, what: str, required: bool = True) -> _Cached:
        master = self.context.master
        matcher, ids = {
            "action": (master.actions, master.action_ids),
            "unit": (master.units, master.unit_ids),
            "brand": (master.brands, master.brand_ids),
        }[what]
        return self._memo(("name", what, required), lambda: _name_id(matcher, ids, required))

    def lead_unit_parser(self) -> _Cached:
        master = self.context.master
        return self._memo(("lead_unit",), lambda: _lead_unit_id(master.units, master.unit_ids))

    def list_text_parser(self, what: str) -> _Cached:
        master = self.context.master
        matcher = {
            "activity_type": master.activity_types,
            "category": master.issue_categories,
        }[what]
        return self._memo(("list_text", what), lambda: _name_text(matcher))

    def value_parser(self, unit: str, header_unit: str | None, is_percent_cell: bool) -> _Cached:
        def parse(raw: object) -> float:
            if header_unit and unit and header_unit != unit:
                raise InputError("validate.header_unit_mismatch", found=header_unit, expected=unit)
            value = parse_number(raw, unit=unit or None, percent_format=is_percent_cell)
            if value is None:
                raise InputError("validate.required")
            return value

        return self._memo(("value", unit, header_unit, is_percent_cell), lambda: parse)

    def deadline_parser(self, report_period: str | None) -> _Cached:
        return self._memo(
            ("deadline", report_period), lambda: lambda raw: parse_deadline(raw, report_period)
        )

    def validate(
        self, sheet: RawSheet, layout: SheetLayout, report: SheetReport, release_rows: bool = False
    ) -> list[ValidRow]:
        """The valid rows of the sheet, every problem of the others in `report`.

        With `release_rows` (the caller reads the sheet for this import only), the rows of
        a long value sheet are let go a chunk at a time once validated, so that they and
        the records do not all exist at once.
        """
        indexes = self._data_row_indexes(sheet, layout, report)
        report.rows_read += len(indexes)
        owners = self._owner_columns(layout) if self.context.locate_owners else None
        report.owner_cells = owners
        if layout.kind.name == "tasks" and not self._prepare_tasks(sheet, layout, indexes, report):
            return []
        if layout.kind.name == "indicator_values":
            # A chunk at a time: the column lists made on the way exist for one chunk only.
            records = []
            for start in range(0, len(indexes), PLAIN_CHUNK):
                chunk = indexes[start : start + PLAIN_CHUNK]
                found = plain_indicator_values(self, sheet, layout, chunk)
                self._convert_others(sheet, layout, chunk, found, report)
                records.extend(found)
                if owners is not None:
                    self._note_owners(sheet, chunk, found, owners)
                if release_rows:
                    for index in chunk:
                        sheet.rows[index] = _RELEASED
        else:
            records = [None] * len(indexes)
            self._convert_others(sheet, layout, indexes, records, report)
            if owners is not None:
                self._note_owners(sheet, indexes, records, owners)
        if all(map(is_not, records, repeat(None))):  # every row valid: no test per row
            valid = list(map(ValidRow, map((1).__add__, indexes), records))
        else:
            valid = [
                ValidRow(index + 1, record)
                for index, record in zip(indexes, records, strict=True)
                if record is not None
            ]
        if layout.kind.name == "tasks":
            self._report_task_defaults(sheet, layout, valid, report)
        return valid

    def _owner_columns(self, layout: SheetLayout) -> OwnerCells:
        return OwnerCells(
            columns={
                field_name: (
                    layout.columns[column_field],
                    layout.headers.get(column_field) or layout.kind.column(column_field).header,
                )
                for field_name, column_field in _OWNER_FIELDS
                if column_field in layout.columns
            }
        )

    def _note_owners(
        self, sheet: RawSheet, indexes: list[int], records: list, owners: OwnerCells
    ) -> None:
        """Note the owner cells of the valid rows written otherwise than the stored name."""
        for field_name, (column, _header) in owners.columns.items():
            name_of = owner_name(self.context.master, field_name)
            for index, record in zip(indexes, records, strict=True):
                if record is None or field_name not in record:
                    continue
                raw = _at(sheet.rows[index], column)
                if raw.__class__ is not str or raw != name_of(record[field_name]):
                    owners.written[(index, field_name)] = _display(raw)

    def _convert_others(
        self,
        sheet: RawSheet,
        layout: SheetLayout,
        indexes: list[int],
        records: list[dict | None],
        report: SheetReport,
    ) -> None:
        """The rows without a record yet (None), one by one; None again when the row has
        problems, now in the report."""
        if all(map(is_not, records, repeat(None))):
            return  # the usual chunk of a long value sheet: every row plain
        for position in [p for p, record in enumerate(records) if record is None]:
            records[position] = self._convert_row(sheet, layout, indexes[position], report)

    def _prepare_tasks(
        self, sheet: RawSheet, layout: SheetLayout, indexes: list[int], report: SheetReport
    ) -> bool:
        """Read what a task list states for all its rows (title, metadata rows, upload
        options); False, with the problem in the report, when its rows cannot be read."""
        master = self.context.master
        facts = read_task_sheet(sheet.rows[: layout.header_row], master)
        period = facts.period
        if period is None and self.context.period:
            period = SheetFact(self.context.period, None, "")
        district = facts.district
        if district is None and self.context.district:
            try:
                name = master.districts.match(self.context.district)
                district = SheetFact(name, None, "")
            except InputError:
                pass
        progress_column = layout.columns["progress"]
        self.task_sheet = _TaskSheet(
            period=period,
            district=district,
            fractions=is_fraction_column(
                [
                    (
                        _at(sheet.rows[i], progress_column),
                        (i, progress_column) in sheet.percent_cells,
                    )
                    for i in indexes
                ]
            ),
            action_names={i: n for n, i in master.action_ids.items()},
            unit_names=master.unit_names,
        )
        if facts.district_error is not None:
            part, error = facts.district_error
            report.add_error(metadata_problem(sheet.name, part, error))
            return False
        if period is None and "report_period" not in layout.columns and indexes:
            report.add_error(
                Problem(sheet.name, None, None, None, t("validate.task_list_needs_period"))
            )
            return False
        return True

    def _report_task_defaults(
        self, sheet: RawSheet, layout: SheetLayout, valid: list[ValidRow], report: SheetReport
    ) -> None:
        """Say where the sheet's period and district came from, which codes were made
        for tasks without one, and which fractions were read as percent points."""
        state = self.task_sheet
        for fact, used, what in (
            (state.period, state.rows_using_period, "period"),
            (state.district, state.rows_using_district, "district"),
        ):
            if fact is None or not used:
                continue
            value = period_label(fact.value) if what == "period" else fact.value
            if fact.row is None:
                message = t(f"validate.task_{what}_from_upload", value=value)
            else:
                message = t(f"validate.task_{what}_from_sheet", value=value, row=fact.row)
            report.add_warning(Problem(sheet.name, fact.row, None, fact.text or None, message))
        if state.fractions and state.scaled:
            report.add_warning(
                Problem(sheet.name, None, None, None, t("validate.task_progress_fractions"))
            )
        header = layout.kind.column("code").header
        progress_header = layout.headers.get("progress") or layout.kind.column("progress").header
        for row in valid:
            index = row.row - 1
            if not state.fractions and index in state.scaled:
                raw = state.scaled[index]
                report.add_warning(
                    Problem(
                        sheet.name,
                        row.row,
                        progress_header,
                        _display(raw),
                        t(
                            "validate.task_progress_fraction",
                            value=_display(raw),
                            percent=_display(row.record["progress"]),
                        ),
                        cell=(index, layout.columns["progress"]),
                        code="validate.task_progress_fraction",
                    )
                )
            if index in state.derived:
                report.add_warning(
                    Problem(
                        sheet.name,
                        row.row,
                        header,
                        row.record["code"],
                        t("validate.task_code_derived", code=row.record["code"]),
                        code="validate.task_code_derived",
                    )
                )
            if conflict := _status_conflict(row.record):
                self._warn_status_conflict(sheet, layout, row, conflict, report)

    def _warn_status_conflict(
        self, sheet: RawSheet, layout: SheetLayout, row: ValidRow, key: str, report: SheetReport
    ) -> None:
        """A warning at the status cell (or the progress cell that stated it) of a row whose
        stated status and progress disagree, saying which of them the statistics follow."""
        field_name = "stated_status" if "stated_status" in layout.columns else "progress"
        column = layout.columns[field_name]
        written = _display(_at(sheet.rows[row.row - 1], column))
        message = t(
            key,
            status=written,
            progress=_display(row.record["progress"]),
            status_column=layout.kind.column("stated_status").header,
            progress_column=layout.kind.column("progress").header,
        )
        report.add_warning(
            Problem(
                sheet.name,
                row.row,
                layout.headers.get(field_name) or layout.kind.column(field_name).header,
                written,
                message,
                cell=(row.row - 1, column),
                code=key,
            )
        )

    def _convert_row(
        self, sheet: RawSheet, layout: SheetLayout, index: int, report: SheetReport
    ) -> dict | None:
        """The record of one data row, or None after adding its problems to the report."""
        row = sheet.rows[index]
        raw = {f: (row[c] if c < len(row) else "") for f, c in layout.columns.items()}
        rule = REGISTRY[layout.kind.name]
        long_cells = dict(_too_long_cells(raw, rule.text_limits))
        # Not parsed: a giant text is not copied by each normaliser, nor reported twice.
        raw.update(dict.fromkeys(long_cells, ""))
        errors: list[tuple[str, InputError]] = []
        uncalculated = sheet.formulas_without_value
        if uncalculated:
            errors.extend(
                (f, InputError("validate.formula_no_value", cell=cell_name(index, c)))
                for f, c in layout.columns.items()
                if (index, c) in uncalculated
            )
        record = rule.convert(self, raw, index, sheet, layout, errors)
        if record is not None:
            errors.extend(_too_long(record, rule.text_limits))
        if long_cells:
            errors = [*long_cells.items(), *((f, e) for f, e in errors if f not in long_cells)]
        if not errors:
            return record
        for field_name, error in errors:
            column = layout.columns.get(field_name)
            report.add_error(
                Problem(
                    sheet=sheet.name,
                    row=index + 1,
                    column=layout.headers.get(field_name) or layout.kind.column(field_name).header,
                    value=None if column is None else _display(_at(row, column)),
                    message=self.context.message(error),
                    suggestion=error.suggestion,
                    cell=None if column is None else (index, column),
                    unknown_name=_unknown_name(error),
                    code=error.key,
                )
            )
        return None

    def _data_row_indexes(
        self, sheet: RawSheet, layout: SheetLayout, report: SheetReport
    ) -> list[int]:
        """Indexes of the rows below the header that hold data (not blank, not a footnote).

        The template's example row, left in place under the header, is skipped with a warning.
        """
        rows = sheet.rows
        first = layout.header_row + 1
        indexes = data_row_indexes(rows, first)
        if indexes and indexes[0] == first:
            row = rows[first]
            columns = layout.columns.items()
            raw = {f: (row[c] if c < len(row) else "") for f, c in columns}
            shipped = example_values(layout.kind, self.context.master.lists())
            example = {f: shipped[f] for f, _ in columns}
            if _is_template_example(raw, example):
                report.add_warning(
                    Problem(sheet.name, first + 1, None, None, t("validate.example_row_skipped"))
                )
                del indexes[0]
        return indexes

    def field(self, parse, raw: dict, name: str, errors: list) -> object:
        try:
            return parse(raw.get(name, ""))
        except InputError as error:
            errors.append((name, error))
            return None

    # --- what the converters of kind_converters use ----------------------------------

    def indicator_code(self, raw: dict, errors: list) -> str | None:
        code = raw.get("indicator_code")
        if code is not None:
            try:
                found = self._memo(("indicator_code",), lambda: self._known_code)(code)
            except InputError as error:
                errors.append(("indicator_code", error))
                return None
            if found is not None:
                return found
        if "indicator_name" in raw and not is_missing(raw["indicator_name"]):
            try:
                return self._memo(("indicator_name",), lambda: self._match_indicator_name)(
                    raw["indicator_name"]
                )
            except InputError as error:
                errors.append(("indicator_name", error))
                return None
        field_name = "indicator_code" if "indicator_code" in raw else "indicator_name"
        errors.append((field_name, InputError("validate.required")))
        return None

    def _known_code(self, raw: object) -> str | None:
        """The indicator code of a cell; None when blank (the name column may name it)."""
        if is_missing(raw):
            return None
        code = code_text(parse_text(raw))
        if code not in self.context.indicators:
            if self.context.may_define_indicators:
                raise InputError("validate.unknown_indicator", value=code)
            raise InputError("validate.unknown_indicator_ask_admin", value=code)
        return code

    def _match_indicator_name(self, raw: object) -> str:
        return self.context.indicator_names().match(raw)

    def district_or_default(self, raw: dict, errors: list) -> int | None:
        if "district" not in raw and self.context.district:
            raw = {"district": self.context.district}
        return self.field(self.district, raw, "district", errors)

    def period_or_default(self, raw: dict, name: str, errors: list) -> str | None:
        if name not in raw and self.context.period:
            raw = {name: self.context.period}
        return self.field(self.period, raw, name, errors)


def _unknown_name(error: InputError) -> UnknownNameHint | None:
    """What the page needs to resolve an unknown unit, action, brand, activity type or
    issue category in place; None for any other problem (an unknown district included)."""
    if error.key != "normalize.name_unknown":
        return None
    list_key = RESOLVABLE_LISTS.get(error.params.get("kind_key"))
    if list_key is None:
        return None
    return UnknownNameHint(
        list_key,
        error.params["value"],
        getattr(error, "candidates", ()),
        getattr(error, "close", None),
    )


def _required_period(raw: object) -> str:
    if is_missing(raw):
        raise InputError("validate.required")
    return parse_period(raw)


def owner_name(master: MasterData, field_name: str) -> Callable[[object], str | None]:
    """How a record's owner field (`_OWNER_FIELDS`) reads by name: a district's or lead
    unit's id as its stored name (None for an id not listed), a code as it is."""
    if field_name == "district_id":
        return master.district_names.get
    if field_name == "lead_unit_id":
        return master.unit_names.get
    return str


def _at(row: list, column: int) -> object:
    return row[column] if column < len(row) else ""


def _is_template_example(raw: dict, example: dict[str, str]) -> bool:
    return all(_display(raw[f]) == example[f] for f in raw)


def _too_long(record: dict, limits: dict[str, int]) -> list[tuple[str, InputError]]:
    """The record's texts longer than their column holds (`KindRule.text_limits`)."""
    return [
        (name, too_long(limit, len(record[name])))
        for name, limit in limits.items()
        if record.get(name).__class__ is str and len(record[name]) > limit
    ]


def _too_long_cells(raw: dict, limits: dict[str, int]) -> list[tuple[str, InputError]]:
    """The raw cells too long for any column (`is_too_long_cell`), each with its field's own
    limit (`KindRule.text_limits`; `FREE_TEXT_LIMIT` for a field that is not text)."""
    return [
        (name, too_long(limits.get(name, FREE_TEXT_LIMIT), len(cell)))
        for name, cell in raw.items()
        if is_too_long_cell(cell)
    ]


def too_long(limit: int, length: int) -> InputError:
    """A text of `length` characters where at most `limit` fit; free text (a cell of up to
    `FREE_TEXT_LIMIT`) is told to keep its main points."""
    key = "validate.text_too_long" if limit >= FREE_TEXT_LIMIT else "validate.too_long"
    return InputError(key, limit=limit, length=length)


def _display(raw: object) -> str:
    return quoted(parse_text(raw)) if raw not in (None, "") else ""
