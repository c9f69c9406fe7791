"""The fast path of indicator-value validation: a sheet converted column by column.

A month-end file repeats a few hundred codes, twelve districts and a period over
hundreds of thousands of rows. `plain_indicator_values` converts each distinct cell of a
column once, with the same per-field rules `kind_converters.convert_indicator_values`
applies to a row, and builds the records of the rows where every cell converts without a
problem. Every other row goes the one plain way (`SheetValidator._convert_row`), which
reports its problems. `tests/ingest/test_plain_rows.py` checks, with fixed sheets and
with hypothesis, that both ways give the same records, problems and warnings.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np

from data_model.errors import InputError
from data_model.ingest.value_record import ValueRecord
from data_model.kinds import is_too_long_cell

if TYPE_CHECKING:
    from data_model.ingest.layout import SheetLayout
    from data_model.ingest.raw_sheet import RawSheet
    from data_model.ingest.validate import SheetValidator


def plain_indicator_values(
    v: SheetValidator, sheet: RawSheet, layout: SheetLayout, indexes: list[int]
) -> list[ValueRecord | None]:
    """The record of each data row that is plain (a `ValueRecord`, the dict the per-row
    way makes in less memory), None for the others.

    A month-end file repeats a few hundred codes, twelve districts and a period over
    hundreds of thousands of rows, so the cells are converted column by column: each
    distinct cell once, by the same per-row code given a row of that one cell. A row is
    plain when all its cells convert without a problem and none of them is an
    uncalculated formula. The other rows (None) go through `SheetValidator._convert_row`, which
    reports their problems exactly as for any other kind.
    """
    rows = [sheet.rows[i] for i in indexes]
    width = min(map(len, rows), default=0)

    def cells_of(column: int) -> list:
        if column < width:
            return list(map(itemgetter(column), rows))
        return [row[column] if column < len(row) else "" for row in rows]

    def converted(field_name: str, convert: Callable[[dict, list], object]) -> list:
        column = layout.columns.get(field_name)
        if column is None:
            return [_convert_plain(convert, {})] * len(rows)
        cells = cells_of(column)
        keys = _cell_keys(cells)
        distinct = dict(zip(keys, cells, strict=True))
        results = {
            key: _convert_plain(convert, {field_name: cell}) for key, cell in distinct.items()
        }
        return list(map(results.__getitem__, keys))

    code_field = "indicator_code" if "indicator_code" in layout.columns else "indicator_name"
    codes = converted(code_field, v.indicator_code)
    districts = converted("district", v.district_or_default)
    periods = converted("period", lambda raw, errors: v.period_or_default(raw, "period", errors))
    notes = converted("note", lambda raw, errors: v.field(v.optional_text, raw, "note", errors))
    # A period finer than its indicator's frequency is the converter's error to report.
    coarse = {c for c, info in v.context.indicators.items() if info.frequency != "month"}
    if coarse:
        fits: dict[tuple, bool] = {}
        for position, (code, period) in enumerate(zip(codes, periods, strict=True)):
            if code in coarse and period is not _NOT_PLAIN:
                key = (code, period)
                if key not in fits:
                    fits[key] = _fits_frequency(v, code, period)
                if not fits[key]:
                    periods[position] = _NOT_PLAIN
    value_column = layout.columns["value"]
    header_unit = layout.units.get("value")
    percent_rows = {r for r, c in sheet.percent_cells if c == value_column}
    value_cells = cells_of(value_column)
    # A finite number cell is the value as it stands, unless a percent format or
    # the header's unit changes it; any other cell is parsed for the row's indicator.
    finite = _finite_floats(value_cells)
    if finite:  # the usual case, told in C: every cell a finite float
        values = list(value_cells)
    else:
        values = [
            cell if cell.__class__ is float and math.isfinite(cell) else _NOT_PLAIN
            for cell in value_cells
        ]
    if finite and not header_unit and not percent_rows:
        parsed = []  # every value as it stands
    else:
        parsed = [
            position
            for position, value in enumerate(values)
            if value is _NOT_PLAIN or header_unit or indexes[position] in percent_rows
        ]
    for position in parsed:
        code = codes[position]
        if code is _NOT_PLAIN:
            values[position] = _NOT_PLAIN
            continue
        is_percent_cell = indexes[position] in percent_rows
        parse = v.value_parser(v.context.indicators[code].unit, header_unit, is_percent_cell)
        try:
            values[position] = parse(value_cells[position])
        except InputError:
            values[position] = _NOT_PLAIN
    irregular = {r for r, c in sheet.formulas_without_value if c in layout.columns.values()}
    columns = (codes, districts, periods, values, notes)
    if not irregular and not any(_NOT_PLAIN in column for column in columns):
        # The usual case, every row plain: the records made without a test per row.
        return list(map(ValueRecord, *columns))
    return [
        None
        if code is _NOT_PLAIN
        or district is _NOT_PLAIN
        or period is _NOT_PLAIN
        or value is _NOT_PLAIN
        or note is _NOT_PLAIN
        or index in irregular
        else ValueRecord(code, district, period, value, note)
        for index, code, district, period, value, note in zip(
            indexes, codes, districts, periods, values, notes, strict=True
        )
    ]


# What a cell of a row that is not plain converts to in `plain_indicator_values`.
_NOT_PLAIN = object()


def _fits_frequency(v: SheetValidator, code: str, period: str) -> bool:
    try:
        v.context.check_frequency(code, period)
    except InputError:
        return False
    return True


def _finite_floats(cells: list) -> bool:
    """Whether every cell is a float (not a subclass) and finite, told without a Python
    step per cell."""
    if not cells or set(map(type, cells)) != {float}:
        return False
    return bool(np.isfinite(np.fromiter(cells, np.float64, len(cells))).all())


def _convert_plain(convert: Callable[[dict, list], object], raw: dict) -> object:
    if any(map(is_too_long_cell, raw.values())):
        return _NOT_PLAIN  # its problem is reported by the row's own way
    errors: list = []
    result = convert(raw, errors)
    return _NOT_PLAIN if errors else result


def _cell_keys(cells: list) -> list:
    """The cells as dict keys that keep 1, 1.0 and True apart (text, the usual case, as is)."""
    if set(map(type, cells)) <= {str}:
        return cells
    return [(cell.__class__, cell) for cell in cells]
