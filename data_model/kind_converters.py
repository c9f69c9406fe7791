"""One converter per spreadsheet kind: the raw cells of a data row → the record to store.

Each takes the sheet's `SheetValidator` (its cached parsers and context), the row's raw
cells by field, its 0-based index, the sheet and its layout, and a list to which it adds
(field, InputError) for every problem. The registry (`kind_registry`) names each kind's
converter; `SheetValidator._convert_row` calls it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from data_model.errors import InputError
from data_model.normalize.tasks import derived_task_code, parse_progress
from data_model.text import is_missing

if TYPE_CHECKING:
    from data_model.ingest.validate import SheetValidator


def convert_indicators(v: SheetValidator, raw, index, sheet, layout, errors) -> dict:
    kind = layout.kind
    f = v.field
    unit = f(v.optional_text, raw, "unit", errors)
    return {
        "code": f(v.required_code, raw, "code", errors),
        "name": f(v.required_text, raw, "name", errors),
        "dimension": f(v.required_text, raw, "dimension", errors),
        "unit": unit,
        "direction": f(v.choice_parser(kind, "direction", "positive"), raw, "direction", errors),
        "weight": f(v.weight, raw, "weight", errors),
        "target": f(v.optional_number, raw, "target", errors),
        "frequency": f(v.choice_parser(kind, "frequency", "month"), raw, "frequency", errors),
        "aggregation": f(
            v.choice_parser(kind, "aggregation", "last" if unit == "%" else "sum"),
            raw,
            "aggregation",
            errors,
        ),
        "source": f(v.optional_text, raw, "source", errors),
        "note": f(v.optional_text, raw, "note", errors),
    }


def convert_indicator_values(v: SheetValidator, raw, index, sheet, layout, errors) -> dict:
    f = v.field
    code = v.indicator_code(raw, errors)
    info = v.context.indicators.get(code) if code else None
    value = None
    if info is not None:
        column = layout.columns["value"]
        is_percent_cell = (index, column) in sheet.percent_cells
        header_unit = layout.units.get("value")
        cell = raw["value"]
        if (
            cell.__class__ is float
            and not is_percent_cell
            and not header_unit
            and math.isfinite(cell)
        ):
            value = cell  # the common case of a month-end file: a plain number cell
        else:
            try:
                value = v.value_parser(info.unit, header_unit, is_percent_cell)(cell)
            except InputError as error:
                errors.append(("value", error))
    district_id = v.district_or_default(raw, errors)
    period = v.period_or_default(raw, "period", errors)
    if info is not None and period is not None:
        try:
            v.context.check_frequency(code, period)
        except InputError as error:
            errors.append(("period" if "period" in raw else "indicator_code", error))
    return {
        "indicator_code": code,
        "district_id": district_id,
        "period": period,
        "value": value,
        "note": f(v.optional_text, raw, "note", errors),
    }


def convert_tasks(v: SheetValidator, raw, index, sheet, layout, errors) -> dict:
    kind = layout.kind
    f = v.field
    state = v.task_sheet
    if is_missing(raw.get("report_period")) and state.period is not None:
        report_period = state.period.value
        state.rows_using_period += 1
    else:
        report_period = f(v.period, raw, "report_period", errors)
    deadline = None
    try:
        deadline = v.deadline_parser(report_period)(raw["deadline"])
    except InputError as error:
        errors.append(("deadline", error))
    if is_missing(raw.get("district")) and state.district is not None:
        district_id = v.context.master.district_ids[state.district.value]
        state.rows_using_district += 1
    else:
        district_id = f(v.optional_district, raw, "district", errors)
    progress = None
    stated = f(v.choice_parser(kind, "stated_status", ""), raw, "stated_status", errors)
    column = layout.columns["progress"]
    try:
        parsed = parse_progress(
            raw["progress"], (index, column) in sheet.percent_cells, state.fractions
        )
        progress = parsed.value
        stated = stated or parsed.stated_status
        if parsed.scaled:
            state.scaled[index] = raw["progress"]
    except InputError as error:
        errors.append(("progress", error))
    action_id = f(v.name_parser("action"), raw, "action", errors)
    content = f(v.required_text, raw, "content", errors)
    lead_unit_id = f(v.lead_unit_parser(), raw, "lead_unit", errors)
    # A list without codes (or a row whose code is left blank) gets the code its
    # action, text, lead unit and district make, never its 序号.
    if not is_missing(raw.get("code")):
        code = f(v.required_code, raw, "code", errors)
    elif action_id is not None and content and lead_unit_id is not None:
        code = derived_task_code(
            state.action_names[action_id],
            content,
            state.unit_names[lead_unit_id],
            v.context.master.district_names.get(district_id),
        )
        state.derived[index] = code
    else:
        code = None
    start_date = f(v.optional_date, raw, "start_date", errors)
    if start_date and deadline and deadline.date and deadline.date < start_date:
        error = InputError(
            "validate.deadline_before_start",
            deadline_column=kind.column("deadline").header,
            deadline=deadline.date.isoformat(),
            start_column=kind.column("start_date").header,
            start=start_date.isoformat(),
        )
        errors.append(("deadline", error))
    return {
        "code": code,
        "action_id": action_id,
        "content": content,
        "lead_unit_id": lead_unit_id,
        "co_units": f(v.optional_text, raw, "co_units", errors),
        "owner": f(v.optional_text, raw, "owner", errors),
        "start_date": start_date,
        "deadline": deadline.date if deadline else None,
        "deadline_text": deadline.text if deadline else "",
        "ongoing": deadline.ongoing if deadline else False,
        "district_id": district_id,
        "report_period": report_period,
        "progress": progress,
        "stated_status": stated,
        "progress_note": f(v.optional_text, raw, "progress_note", errors),
    }


def convert_activities(v: SheetValidator, raw, index, sheet, layout, errors) -> dict:
    f = v.field
    return {
        "activity_date": f(v.required_date, raw, "activity_date", errors),
        "district_id": v.district_or_default(raw, errors),
        "activity_type": f(v.list_text_parser("activity_type"), raw, "activity_type", errors),
        "name": f(v.required_text, raw, "name", errors),
        "brand_id": f(v.name_parser("brand", required=False), raw, "brand", errors),
        "enterprise_count": f(v.optional_count, raw, "enterprise_count", errors),
        "participant_count": f(v.optional_count, raw, "participant_count", errors),
        "organizer": f(v.optional_text, raw, "organizer", errors),
        "note": f(v.optional_text, raw, "note", errors),
    }


def convert_issues(v: SheetValidator, raw, index, sheet, layout, errors) -> dict:
    kind = layout.kind
    f = v.field
    received = f(v.required_date, raw, "received_date", errors)
    resolved = f(v.optional_date, raw, "resolved_date", errors)
    if received and resolved and resolved < received:
        errors.append(("resolved_date", InputError("validate.resolved_before_received")))
    return {
        "code": f(v.required_code, raw, "code", errors),
        "received_date": received,
        "district_id": v.district_or_default(raw, errors),
        "enterprise_name": f(v.required_text, raw, "enterprise_name", errors),
        "category": f(v.list_text_parser("category"), raw, "category", errors),
        "content": f(v.required_text, raw, "content", errors),
        "handling_unit": f(v.optional_text, raw, "handling_unit", errors),
        "status": f(v.choice_parser(kind, "status", None, required=True), raw, "status", errors),
        "resolved_date": resolved,
        "satisfaction": f(v.choice_parser(kind, "satisfaction", ""), raw, "satisfaction", errors)
        or "",
    }
