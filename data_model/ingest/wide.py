"""Wide indicator tables: one value per cell, the fixed dimension named by the sheet.

Three orientations (SPEC §4):

- districts down, indicators across, for one period;
- indicators down, periods across, for one geography;
- geographies down, periods across, for one indicator.

The fixed dimension comes from a metadata row (`地区：深圳`, `指标：国内生产总值(亿元)`,
`时间：2022年第一季度`, `单位：亿元`), from the title (`2022年第一季度各区…统计表`) or
from the upload's period/district options. Period headers may omit the year
(`一季度`, `3月`) when the title or options name it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace

from data_model.errors import InputError, quoted
from data_model.ingest.layout import data_row_indexes, header_candidates
from data_model.ingest.raw_sheet import RawSheet, cell_name
from data_model.ingest.sheet_meta import MetaPart, meta_parts, metadata_problem
from data_model.ingest.validate import ValidationContext, ValidRow, parse_text
from data_model.kinds import INDICATOR_VALUES as INDICATOR_VALUES_KIND
from data_model.normalize.numbers import parse_number
from data_model.periods import parse_period
from data_model.problems import OwnerCells, Problem, SheetReport
from data_model.text import clean_header, is_missing, remove_whitespace

DISTRICTS_X_INDICATORS = "districts_x_indicators"
INDICATORS_X_PERIODS = "indicators_x_periods"
GEOGRAPHIES_X_PERIODS = "geographies_x_periods"

_META_KEYS = {
    "geography": ("地区", "区域", "行政区", "区", "地市", "城市", "统计范围"),
    "indicator": ("指标", "指标名称"),
    "period": ("时间", "期间", "统计期", "报告期", "统计时间", "时期", "年份", "月份"),
    "unit": ("单位", "计量单位"),
}
_TITLE_PERIOD = re.compile(
    r"(?P<p>[0-9]{4}年(?:度|第?[一二三四1-4]季度|[上下]半年|1-[0-9]{1,2}月|[0-9]{1,2}月份?)?)"
)
_PARTIAL_PERIOD = re.compile(r"^(第?[一二三四1-4]季度|[上下]半年|[0-9]{1,2}月份?|1-[0-9]{1,2}月)$")
_DISTRICT_LABELS = {"区", "地区", "区域", "辖区", "行政区", "区县", "所属区"}
_INDICATOR_LABELS = {"指标", "指标名称", "指标编码", "项目"}
_TOTAL_LABELS = {"合计", "总计", "小计", "总计(全市)"}
_LABEL_SAMPLE_ROWS = 60
KINDS_OF_LABEL = ("district", "indicator")


@dataclass
class SheetMetadata:
    """What rows above the header (and the upload options) say about the whole sheet."""

    period: str | None = None
    geography: object = None  # raw text, matched later
    indicator: str | None = None  # indicator name or code as written
    indicator_unit: str | None = None
    unit: str | None = None
    # Where each of the above was written (`geography` → its part), and a period
    # metadata part that names no period: problems with them name that cell.
    sources: dict[str, MetaPart] = field(default_factory=dict)
    period_error: tuple[MetaPart, InputError] | None = None

    @property
    def year(self) -> str | None:
        return self.period[:4] if self.period else None


@dataclass
class WideLayout:
    orientation: str
    header_row: int  # 0-based index of the (last) header row
    label_column: int
    value_columns: dict[int, str]  # column → indicator code or canonical period
    headers: dict[int, str]  # column → header text as written
    header_units: dict[int, str] = field(default_factory=dict)
    metadata: SheetMetadata = field(default_factory=SheetMetadata)
    ignored_headers: list[str] = field(default_factory=list)


def read_metadata(rows: list[list]) -> SheetMetadata:
    """Metadata rows and the title above a header: `地区：深圳`, `2022年第一季度…统计表`…"""
    reader = _MetadataReader()
    for index, row in enumerate(rows):
        reader.add_row(index, row)
    return reader.metadata()


class _MetadataReader:
    """Reads metadata rows one at a time, so that every header candidate's rows above it
    are read once in all, not once per candidate."""

    def __init__(self) -> None:
        self._found = SheetMetadata()
        self._title_period: str | None = None

    def add_row(self, index: int, row: list) -> None:
        for part in meta_parts(index, row):
            if part.key is not None and _apply_meta(self._found, part):
                continue
            if self._title_period is None:
                self._title_period = _period_in_title(part.compact)

    def metadata(self) -> SheetMetadata:
        """What the rows added so far say (a copy: later rows do not change it).

        A period metadata row that names no period is not overruled by the title: the
        user is told about that row instead."""
        found = self._found
        period = found.period
        if period is None and found.period_error is None:
            period = self._title_period
        return replace(found, period=period, sources=dict(found.sources))


def _apply_meta(found: SheetMetadata, part: MetaPart) -> bool:
    """Take a `键：值` part into `found`; False when the key names no metadata."""
    key, value = part.key, part.value
    for name, keys in _META_KEYS.items():
        if key not in keys:
            continue
        if name == "geography":
            found.geography = value
        elif name == "indicator":
            found.indicator, found.indicator_unit = clean_header(value)
        elif name == "unit":
            found.unit = value
        else:
            try:
                found.period = parse_period(value)
            except InputError as error:
                # `统计时间：2022年3月5日`: the period within a date still counts.
                found.period = _period_in_title(value)
                if found.period is None:
                    found.period_error = (part, error)
                    return True
            found.period_error = None
        found.sources[name] = part
        return True
    return False


def _period_in_title(text: str) -> str | None:
    match = _TITLE_PERIOD.search(remove_whitespace(text))
    if not match:
        return None
    try:
        return parse_period(match.group("p"))
    except InputError:
        return None


def period_header(raw: object, year: str | None) -> str | None:
    """A column header read as a period (`2018年`, `2022年3月`, `一季度` with a known year)."""
    if raw in ("", None) or isinstance(raw, bool):
        return None
    if isinstance(raw, float | int) and not 1990 <= raw <= 2100:
        return None
    text = raw if not isinstance(raw, str) else clean_header(raw)[0]
    try:
        return parse_period(text)
    except InputError:
        pass
    if year and isinstance(text, str) and _PARTIAL_PERIOD.match(text):
        try:
            return parse_period(f"{year}年{text}")
        except InputError:
            return None
    return None


def detect_wide(sheet: RawSheet, context: ValidationContext) -> WideLayout | None:
    """The best wide layout of a sheet, or None when no row reads as a wide header.

    The cost is bounded by the cells scanned (the first header rows and the label sample
    below them), each distinct cell value being matched once: a sheet of 16,384 columns
    of numbers once took minutes, matching every cell again for every header candidate.
    """
    candidates = header_candidates(sheet.rows)
    metadata_above = _metadata_above(sheet.rows, candidates)
    labels = _LabelScores(sheet, context, max((index for index, _ in candidates), default=0))
    headers = _HeaderReader(context)
    best: tuple[int, WideLayout] | None = None
    for index, row in candidates:
        metadata = metadata_above[index if row is sheet.rows[index] else index - 1]
        year = metadata.year or (context.period[:4] if context.period else None)
        periods: dict[int, str] = {}
        indicators: dict[int, str] = {}
        units: dict[int, str] = {}
        for column, cell in enumerate(row):
            period, code, unit = headers.read(cell, year)
            if period is not None:
                periods[column] = period
            elif code is not None:
                indicators[column] = code
                if unit:
                    units[column] = unit
        value_columns = periods if len(periods) >= len(indicators) else indicators
        if not value_columns:
            continue
        label = labels.label_column(index, row, set(value_columns))
        if label is None:
            continue
        label_column, label_kind = label
        if value_columns is indicators:
            if label_kind != "district":
                continue
            orientation = DISTRICTS_X_INDICATORS
        else:
            orientation = (
                INDICATORS_X_PERIODS if label_kind == "indicator" else GEOGRAPHIES_X_PERIODS
            )
        layout = WideLayout(
            orientation=orientation,
            header_row=index,
            label_column=label_column,
            value_columns=value_columns,
            headers={c: parse_text(row[c]) for c in value_columns},
            header_units=units if value_columns is indicators else {},
            metadata=metadata,
            ignored_headers=[
                parse_text(cell)
                for c, cell in enumerate(row)
                if c != label_column and c not in value_columns and cell not in ("", None)
            ],
        )
        if best is None or len(value_columns) > best[0]:
            best = (len(value_columns), layout)
    return best[1] if best else None


def _metadata_above(rows: list[list], candidates: list[tuple[int, list]]) -> list[SheetMetadata]:
    """`result[n]`: what the first `n` rows say, for every `n` a header candidate needs."""
    reader = _MetadataReader()
    result = [reader.metadata()]
    for index, row in enumerate(rows[: max((index for index, _ in candidates), default=0)]):
        reader.add_row(index, row)
        result.append(reader.metadata())
    return result


def _value_key(cell: object) -> tuple[type, object]:
    # By type too: 1, 1.0 and True are equal as dict keys but not as cells.
    return cell.__class__, cell


class _HeaderReader:
    """Header cells read as (period, indicator code, unit), each distinct cell once."""

    def __init__(self, context: ValidationContext) -> None:
        self._context = context
        self._read: dict[tuple, tuple[str | None, str | None, str | None]] = {}

    def read(self, cell: object, year: str | None) -> tuple[str | None, str | None, str | None]:
        key = (*_value_key(cell), year)
        found = self._read.get(key)
        if found is None:
            period = period_header(cell, year)
            code, unit = (
                (None, None) if period is not None else _indicator_header(cell, self._context)
            )
            found = self._read[key] = (period, code, unit)
        return found


def _indicator_header(cell: object, context: ValidationContext) -> tuple[str | None, str | None]:
    if not isinstance(cell, str) or not cell.strip():
        return None, None
    name, unit = clean_header(cell)
    return context.indicator_names().lookup(name), unit


class _LabelScores:
    """How many cells of each column name districts or indicators, below any header row.

    Every cell that may fall in a label sample (the rows below the lowest header
    candidate, `_LABEL_SAMPLE_ROWS` deep) is matched once, and the rows where each
    column matches are kept in order; a candidate's sample is then counted by bisection,
    in time proportional to the columns that match at all.
    """

    def __init__(self, sheet: RawSheet, context: ValidationContext, last_header: int) -> None:
        self._context = context
        self._matched: dict[tuple[type, object], tuple[bool, bool]] = {}
        # column → (rows naming a district, rows naming an indicator), ascending.
        self._rows_matching: dict[int, tuple[list[int], list[int]]] = {}
        for index, row in enumerate(sheet.rows[: last_header + 1 + _LABEL_SAMPLE_ROWS]):
            for column, cell in enumerate(row):
                if is_missing(cell):
                    continue
                district, indicator = self._match(cell)
                if district or indicator:
                    districts, indicators = self._rows_matching.setdefault(column, ([], []))
                    if district:
                        districts.append(index)
                    if indicator:
                        indicators.append(index)
        # Left to right: of equally good label columns the leftmost is taken.
        self._rows_matching = dict(sorted(self._rows_matching.items()))

    def _match(self, cell: object) -> tuple[bool, bool]:
        key = _value_key(cell)
        found = self._matched.get(key)
        if found is None:
            found = self._matched[key] = (
                _district_or_none(cell, self._context) is not None,
                _indicator_or_none(cell, self._context) is not None,
            )
        return found

    def label_column(
        self, header: int, row: list, value_columns: set[int]
    ) -> tuple[int, str] | None:
        """The column whose data cells name districts or indicators best, and which it is."""
        first, end = header + 1, header + 1 + _LABEL_SAMPLE_ROWS
        best: tuple[int, int, str] | None = None
        for column, matching in self._rows_matching.items():
            if column in value_columns:
                continue
            for kind, rows in zip(KINDS_OF_LABEL, matching, strict=True):
                matches = bisect_left(rows, end) - bisect_left(rows, first)
                if matches and (best is None or matches > best[0]):
                    best = (matches, column, kind)
        if best:
            return best[1], best[2]
        # No label matched (every name misspelt): trust a header that says what the column is.
        for column, cell in enumerate(row):
            # Only text can name these labels (a number is never `地区`): skipping the
            # rest spares cleaning every cell of a sheet of numbers for every candidate.
            is_label = isinstance(cell, str) and column not in value_columns
            name = clean_header(cell)[0] if is_label else ""
            if name in _DISTRICT_LABELS:
                return column, "district"
            if name in _INDICATOR_LABELS:
                return column, "indicator"
        return None


def _district_or_none(raw: object, context: ValidationContext) -> str | None:
    return context.master.districts.lookup(raw)


def _indicator_or_none(raw: object, context: ValidationContext) -> str | None:
    if not isinstance(raw, str):
        return None
    return context.indicator_names().lookup(clean_header(raw)[0])


# --- conversion ------------------------------------------------------------------------


class WideConverter:
    """Turns the cells of a wide sheet into indicator-value records."""

    def __init__(self, sheet: RawSheet, layout: WideLayout, context: ValidationContext) -> None:
        self.sheet = sheet
        self.layout = layout
        self.context = context
        self.problems: list[Problem] = []

    def convert(self, report: SheetReport) -> list[ValidRow]:
        fixed = self._fixed_dimension(report)
        if fixed is None:
            return []
        label_header = parse_text(self.sheet.rows[self.layout.header_row][self.layout.label_column])
        owners = self._owner_cells(label_header) if self.context.locate_owners else None
        report.owner_cells = owners
        district_names = self.context.master.district_names
        valid: list[ValidRow] = []
        for index in data_row_indexes(self.sheet.rows, self.layout.header_row + 1):
            row = self.sheet.rows[index]
            label_raw = _at(row, self.layout.label_column)
            if is_missing(label_raw) or remove_whitespace(parse_text(label_raw)) in _TOTAL_LABELS:
                continue
            try:
                label = self._label(label_raw)
            except InputError as error:
                report.rows_read += 1
                report.add_error(
                    self._problem(
                        index, self.layout.label_column, label_header or None, label_raw, error
                    )
                )
                continue
            if (
                owners is not None
                and "district_id" in owners.columns
                and (label_raw.__class__ is not str or label_raw != district_names.get(label))
            ):
                owners.written[(index, "district_id")] = quoted(parse_text(label_raw))
            for column, key in self.layout.value_columns.items():
                raw = _at(row, column)
                uncalculated = (index, column) in self.sheet.formulas_without_value
                if is_missing(raw) and not uncalculated:
                    continue
                report.rows_read += 1
                record = self._record(fixed, label, key)
                try:
                    if uncalculated:
                        raise InputError("validate.formula_no_value", cell=cell_name(index, column))
                    record["value"] = self._value(raw, record["indicator_code"], index, column)
                    self.context.check_frequency(record["indicator_code"], record["period"])
                except InputError as error:
                    report.add_error(
                        self._problem(index, column, self.layout.headers[column], raw, error)
                    )
                    continue
                valid.append(ValidRow(index + 1, record, column))
        return valid

    def _owner_cells(self, label_header: str) -> OwnerCells:
        """Where the rows name their district: the label column, or the metadata cell that
        names it for the whole sheet (none when the upload's district is used)."""
        owners = OwnerCells()
        if self.layout.orientation != INDICATORS_X_PERIODS:
            header = label_header or INDICATOR_VALUES_KIND.column("district").header
            owners.columns["district_id"] = (self.layout.label_column, header)
        elif self.layout.metadata.geography:
            part = self.layout.metadata.sources.get("geography")
            if part is not None:
                owners.whole_sheet["district_id"] = (
                    part.row,
                    part.column,
                    part.column_name,
                    part.text,
                )
        return owners

    def _fixed_dimension(self, report: SheetReport) -> object:
        """The period, geography id or indicator code fixed for the whole sheet."""
        meta = self.layout.metadata
        orientation = self.layout.orientation
        source: str | None = None  # the metadata the value came from, if any
        try:
            if orientation == DISTRICTS_X_INDICATORS:
                if meta.period is None and meta.period_error is not None:
                    part, error = meta.period_error
                    report.add_error(metadata_problem(self.sheet.name, part, error))
                    return None
                source = "period" if meta.period else None
                period = meta.period or self.context.period
                if period is None:
                    raise InputError("wide.needs_period")
                return period
            if orientation == INDICATORS_X_PERIODS:
                source = "geography" if meta.geography else None
                geography = meta.geography or self.context.district
                if geography is None:
                    names = self.context.master.districts.names
                    raise InputError("wide.needs_geography", example=names[0] if names else "")
                return self.context.master.district_ids[
                    self.context.master.districts.match(geography)
                ]
            if meta.indicator is None:
                raise InputError("wide.needs_indicator")
            source = "indicator"
            code = self.context.indicator_names().match(meta.indicator)
            self._check_unit(code, meta.indicator_unit)
            return code
        except InputError as error:
            part = meta.sources.get(source) if source else None
            report.add_error(
                metadata_problem(self.sheet.name, part, error)
                if part is not None
                else Problem(self.sheet.name, None, None, None, error.message(), error.suggestion)
            )
            return None

    def _label(self, raw: object) -> object:
        if self.layout.orientation == INDICATORS_X_PERIODS:
            name, unit = clean_header(raw)
            code = self.context.indicator_names().match(name)
            self._check_unit(code, unit)
            return code
        master = self.context.master
        return master.district_ids[master.districts.match(raw)]

    def _record(self, fixed: object, label: object, key: str) -> dict:
        orientation = self.layout.orientation
        if orientation == DISTRICTS_X_INDICATORS:
            code, district, period = key, label, fixed
        elif orientation == INDICATORS_X_PERIODS:
            code, district, period = label, fixed, key
        else:
            code, district, period = fixed, label, key
        return {"indicator_code": code, "district_id": district, "period": period, "note": ""}

    def _value(self, raw: object, code: str, index: int, column: int) -> float:
        self._check_unit(code, self.layout.header_units.get(column))
        if self.layout.orientation != INDICATORS_X_PERIODS:  # there each row names its own unit
            self._check_unit(code, self.layout.metadata.unit)
        unit = self.context.indicators[code].unit or None
        value = parse_number(
            raw, unit=unit, percent_format=(index, column) in self.sheet.percent_cells
        )
        if value is None:
            raise InputError("validate.required")
        return value

    def _check_unit(self, code: str, unit: str | None) -> None:
        expected = self.context.indicators[code].unit
        if unit and expected and unit != expected:
            raise InputError("validate.header_unit_mismatch", found=unit, expected=expected)

    def _problem(
        self, index: int, column: int, header: str | None, raw: object, error: InputError
    ) -> Problem:
        return Problem(
            sheet=self.sheet.name,
            row=index + 1,
            column=header,
            value=quoted(parse_text(raw)) if raw not in ("", None) else "",
            message=self.context.message(error),
            suggestion=error.suggestion,
            cell=(index, column),
            code=error.key,
        )


def _at(row: list, column: int) -> object:
    return row[column] if column < len(row) else ""
