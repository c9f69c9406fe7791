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
from dataclasses import dataclass, field

from data_model.errors import InputError
from data_model.layout import header_candidates, is_blank_row, is_footnote_row
from data_model.normalize.numbers import parse_number
from data_model.normalize.periods import parse_period
from data_model.normalize.text import clean_header, is_missing, remove_whitespace, to_halfwidth
from data_model.problems import Problem, SheetReport
from data_model.reader import RawSheet, cell_name
from data_model.validate import ValidationContext, ValidRow, parse_text

DISTRICTS_X_INDICATORS = "districts_x_indicators"
INDICATORS_X_PERIODS = "indicators_x_periods"
GEOGRAPHIES_X_PERIODS = "geographies_x_periods"

_META_KEYS = {
    "geography": ("地区", "区域", "行政区", "区", "地市", "城市", "统计范围"),
    "indicator": ("指标", "指标名称"),
    "period": ("时间", "期间", "统计期", "报告期", "统计时间", "时期", "年份", "月份"),
    "unit": ("单位", "计量单位"),
}
_META_PART = re.compile(r"^(?P<key>[^:]{1,6}):(?P<value>.+)$")
_TITLE_PERIOD = re.compile(
    r"(?P<p>[0-9]{4}年(?:度|第?[一二三四1-4]季度|[上下]半年|1-[0-9]{1,2}月|[0-9]{1,2}月份?)?)"
)
_PARTIAL_PERIOD = re.compile(r"^(第?[一二三四1-4]季度|[上下]半年|[0-9]{1,2}月份?|1-[0-9]{1,2}月)$")
_DISTRICT_LABELS = {"区", "地区", "区域", "辖区", "行政区", "区县", "所属区"}
_INDICATOR_LABELS = {"指标", "指标名称", "指标编码", "项目"}
_TOTAL_LABELS = {"合计", "总计", "小计", "总计(全市)"}
_LABEL_SAMPLE_ROWS = 60


@dataclass
class SheetMetadata:
    """What rows above the header (and the upload options) say about the whole sheet."""

    period: str | None = None
    geography: object = None  # raw text, matched later
    indicator: str | None = None  # indicator name or code as written
    indicator_unit: str | None = None
    unit: str | None = None

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
    found = SheetMetadata()
    title_period = None
    for row in rows:
        for cell in row:
            if not isinstance(cell, str) or not cell.strip():
                continue
            text = to_halfwidth(cell).replace("：", ":")
            for part in re.split(r"\s{2,}|;|；|\t", text):
                part = part.strip()
                match = _META_PART.match(remove_whitespace(part))
                if match and _apply_meta(found, match.group("key"), match.group("value")):
                    continue
                if title_period is None:
                    title_period = _period_in_title(part)
    if found.period is None:
        found.period = title_period
    return found


def _apply_meta(found: SheetMetadata, key: str, value: str) -> bool:
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
            except InputError:
                return False
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
    """The best wide layout of a sheet, or None when no row reads as a wide header."""
    best: tuple[int, WideLayout] | None = None
    for index, row in header_candidates(sheet.rows):
        metadata = read_metadata(sheet.rows[: index if row is sheet.rows[index] else index - 1])
        year = metadata.year or (context.period[:4] if context.period else None)
        periods: dict[int, str] = {}
        indicators: dict[int, str] = {}
        units: dict[int, str] = {}
        for column, cell in enumerate(row):
            period = period_header(cell, year)
            if period is not None:
                periods[column] = period
                continue
            code, unit = _indicator_header(cell, context)
            if code is not None:
                indicators[column] = code
                if unit:
                    units[column] = unit
        value_columns = periods if len(periods) >= len(indicators) else indicators
        if not value_columns:
            continue
        label = _label_column(sheet, index, row, set(value_columns), context)
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


def _indicator_header(cell: object, context: ValidationContext) -> tuple[str | None, str | None]:
    if not isinstance(cell, str) or not cell.strip():
        return None, None
    name, unit = clean_header(cell)
    try:
        return context.indicator_names().match(name), unit
    except InputError:
        return None, None


def _label_column(
    sheet: RawSheet, header: int, row: list, value_columns: set[int], context: ValidationContext
) -> tuple[int, str] | None:
    """The column whose data cells name districts or indicators best, and which it is."""
    sample = [
        r for r in sheet.rows[header + 1 : header + 1 + _LABEL_SAMPLE_ROWS] if not is_blank_row(r)
    ]
    best: tuple[int, int, str] | None = None
    for column in range(max((len(r) for r in sample), default=0)):
        if column in value_columns:
            continue
        cells = [r[column] for r in sample if column < len(r) and not is_missing(r[column])]
        for kind, matches in (
            ("district", _count_matches(cells, _district_or_none, context)),
            ("indicator", _count_matches(cells, _indicator_or_none, context)),
        ):
            if matches and (best is None or matches > best[0]):
                best = (matches, column, kind)
    if best:
        return best[1], best[2]
    # No label matched (every name misspelt): trust a header that says what the column is.
    for column, cell in enumerate(row):
        name = clean_header(cell)[0] if column not in value_columns else ""
        if name in _DISTRICT_LABELS:
            return column, "district"
        if name in _INDICATOR_LABELS:
            return column, "indicator"
    return None


def _count_matches(cells: list, match, context: ValidationContext) -> int:
    return sum(1 for cell in cells if match(cell, context) is not None)


def _district_or_none(raw: object, context: ValidationContext) -> str | None:
    try:
        return context.master.districts.match(raw)
    except InputError:
        return None


def _indicator_or_none(raw: object, context: ValidationContext) -> str | None:
    if not isinstance(raw, str):
        return None
    try:
        return context.indicator_names().match(clean_header(raw)[0])
    except InputError:
        return None


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
        valid: list[ValidRow] = []
        for index in range(self.layout.header_row + 1, len(self.sheet.rows)):
            row = self.sheet.rows[index]
            if is_blank_row(row) or is_footnote_row(row):
                continue
            label_raw = _at(row, self.layout.label_column)
            if is_missing(label_raw) or remove_whitespace(parse_text(label_raw)) in _TOTAL_LABELS:
                continue
            try:
                label = self._label(label_raw)
            except InputError as error:
                report.rows_read += 1
                report.errors.append(
                    self._problem(
                        index, self.layout.label_column, label_header or None, label_raw, error
                    )
                )
                continue
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
                except InputError as error:
                    report.errors.append(
                        self._problem(index, column, self.layout.headers[column], raw, error)
                    )
                    continue
                valid.append(ValidRow(index + 1, record))
        return valid

    def _fixed_dimension(self, report: SheetReport) -> object:
        """The period, geography id or indicator code fixed for the whole sheet."""
        meta = self.layout.metadata
        orientation = self.layout.orientation
        try:
            if orientation == DISTRICTS_X_INDICATORS:
                period = meta.period or self.context.period
                if period is None:
                    raise InputError("wide.needs_period")
                return period
            if orientation == INDICATORS_X_PERIODS:
                geography = meta.geography or self.context.district
                if geography is None:
                    raise InputError("wide.needs_geography")
                return self.context.master.district_ids[
                    self.context.master.districts.match(geography)
                ]
            if meta.indicator is None:
                raise InputError("wide.needs_indicator")
            code = self.context.indicator_names().match(meta.indicator)
            self._check_unit(code, meta.indicator_unit)
            return code
        except InputError as error:
            report.errors.append(
                Problem(self.sheet.name, None, None, None, error.message(), error.suggestion)
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
            value=parse_text(raw) if raw not in ("", None) else "",
            message=error.message(),
            suggestion=error.suggestion,
            cell=(index, column),
        )


def _at(row: list, column: int) -> object:
    return row[column] if column < len(row) else ""
