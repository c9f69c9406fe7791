"""Export current data as CSV or Excel with the template's Chinese headers.

Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
return at the start) is prefixed with an apostrophe in every export.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from data_model import settings
from data_model.formatting import local_time
from data_model.i18n import t
from data_model.kinds import (
    AGGREGATIONS,
    DIRECTIONS,
    FREQUENCIES,
    ISSUE_STATUSES,
    KINDS,
    TASK_STATUSES,
)
from data_model.periods import sort_key
from data_model.store.models import (
    Action,
    Activity,
    Brand,
    District,
    EnterpriseIssue,
    Indicator,
    IndicatorValue,
    Submission,
    Task,
    TaskSnapshot,
    Unit,
)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_KINDS = ("indicators", "indicator-values", "tasks", "activities", "issues", "submissions")


def neutralise(value: object) -> object:
    """Text a spreadsheet would evaluate becomes inert text; everything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _word_for(choices: dict[str, str]) -> dict[str, str]:
    words: dict[str, str] = {}
    for word, code in choices.items():
        words.setdefault(code, word)
    return words


def export_frame(conn: Connection, kind: str) -> pd.DataFrame:
    """The current data of `kind` (a name from EXPORT_KINDS) with Chinese column headers."""
    builders = {
        "indicators": _indicators,
        "indicator-values": _indicator_values,
        "tasks": _tasks,
        "activities": _activities,
        "issues": _issues,
        "submissions": _submissions,
    }
    if kind not in builders:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(EXPORT_KINDS)}")
    return builders[kind](conn)


def _headers(kind: str) -> list[str]:
    return [c.header for c in KINDS[kind].columns]


def _frame(conn: Connection, query, columns: list[str]) -> pd.DataFrame:
    rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _indicators(conn: Connection) -> pd.DataFrame:
    i = Indicator
    frame = _frame(
        conn,
        select(
            i.code,
            i.name,
            i.dimension,
            i.unit,
            i.direction,
            i.weight,
            i.target,
            i.frequency,
            i.aggregation,
            i.source,
            i.note,
        )
        .where(i.is_current)
        .order_by(i.code),
        _headers("indicators"),
    )
    frame["指标方向"] = frame["指标方向"].map(_word_for(DIRECTIONS))
    frame["数据频度"] = frame["数据频度"].map(_word_for(FREQUENCIES))
    frame["汇总方式"] = frame["汇总方式"].map(_word_for(AGGREGATIONS))
    return frame


def _indicator_values(conn: Connection) -> pd.DataFrame:
    v, i, d = IndicatorValue, Indicator, District
    frame = _frame(
        conn,
        select(v.indicator_code, i.name, d.name, v.period, v.value, v.note)
        .join(i, (i.code == v.indicator_code) & i.is_current, isouter=True)
        .join(d, d.id == v.district_id)
        .where(v.is_current)
        .order_by(v.indicator_code, d.sort_order, v.period),
        _headers("indicator_values"),
    )
    return _sort_periods(frame, ["指标编码", "区"], "期间")


def _sort_periods(frame: pd.DataFrame, groups: list[str], period_column: str) -> pd.DataFrame:
    """Order periods by time within each run of `groups` the SQL query already ordered.

    Text order would put `2022-Q1` after `2022-12`; the runs keep the SQL order of the
    other keys (for example districts in master-data order, not alphabetical).
    """
    if frame.empty:
        return frame
    keys = frame[groups]
    run = (keys != keys.shift()).any(axis=1).cumsum()
    return (
        frame.assign(_group=run, _order=frame[period_column].map(sort_key))
        .sort_values(["_group", "_order"], kind="stable")
        .drop(columns=["_group", "_order"])
        .reset_index(drop=True)
    )


def _tasks(conn: Connection) -> pd.DataFrame:
    s, k, a, u, d = TaskSnapshot, Task, Action, Unit, aliased(District)
    frame = _frame(
        conn,
        select(
            s.task_code,
            a.name,
            k.content,
            u.name,
            k.co_units,
            k.owner,
            k.start_date,
            k.deadline_text,
            k.deadline,
            s.progress,
            s.stated_status,
            s.progress_note,
            d.name,
            s.report_period,
        )
        .join(k, (k.code == s.task_code) & k.is_current)
        .join(a, a.id == k.action_id)
        .join(u, u.id == k.lead_unit_id)
        .join(d, d.id == k.district_id, isouter=True)
        .where(s.is_current)
        .order_by(s.task_code),
        [*_headers("tasks")[:7], "完成时限", "_deadline", *_headers("tasks")[8:]],
    )
    frame["完成时限"] = [
        text or (deadline.isoformat() if deadline else "")
        for text, deadline in zip(frame["完成时限"], frame["_deadline"], strict=True)
    ]
    frame["任务状态"] = frame["任务状态"].map(_word_for(TASK_STATUSES)).fillna("")
    frame = frame.drop(columns="_deadline")
    return _sort_periods(frame, ["任务编号"], "报送期")


def _activities(conn: Connection) -> pd.DataFrame:
    x, d, b = Activity, District, Brand
    return _frame(
        conn,
        select(
            x.activity_date,
            d.name,
            x.activity_type,
            x.name,
            b.name,
            x.enterprise_count,
            x.participant_count,
            x.organizer,
            x.note,
        )
        .join(d, d.id == x.district_id)
        .join(b, b.id == x.brand_id, isouter=True)
        .where(x.is_current)
        .order_by(x.activity_date, d.sort_order, x.name),
        _headers("activities"),
    )


def _issues(conn: Connection) -> pd.DataFrame:
    e, d = EnterpriseIssue, District
    frame = _frame(
        conn,
        select(
            e.code,
            e.received_date,
            d.name,
            e.enterprise_name,
            e.category,
            e.content,
            e.handling_unit,
            e.status,
            e.resolved_date,
            e.satisfaction,
        )
        .join(d, d.id == e.district_id)
        .where(e.is_current)
        .order_by(e.code),
        _headers("issues"),
    )
    frame["办理状态"] = frame["办理状态"].map(_word_for(ISSUE_STATUSES))
    return frame


def _submissions(conn: Connection) -> pd.DataFrame:
    s = Submission
    keys = [
        "id",
        "uploader",
        "uploaded_at",
        "file_name",
        "sha256",
        "kinds",
        "periods",
        "districts",
        "rows_read",
        "rows_accepted",
        "rows_new",
        "rows_replaced",
        "rows_unchanged",
        "status",
        "valid_rows_only",
    ]
    frame = _frame(
        conn,
        select(*(getattr(s, k) for k in keys)).order_by(s.id),
        [t(f"export.submission_{k}") for k in keys],
    )
    uploaded_at = t("export.submission_uploaded_at")
    frame[uploaded_at] = frame[uploaded_at].map(local_time)  # stored in UTC
    return frame


def write_frame(frame: pd.DataFrame, path: Path | str) -> None:
    """Write a frame as .csv (UTF-8 with BOM, which Excel opens correctly) or .xlsx."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        path.write_bytes(frame.map(neutralise).to_csv(index=False).encode("utf-8-sig"))
    elif path.suffix.lower() == ".xlsx":
        path.write_bytes(frame_to_xlsx(frame))
    else:
        raise ValueError(t("cli.bad_output_type", file=path.name))


def frame_to_xlsx(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """An .xlsx of the frame: bold frozen header, fitted widths, formula-like text neutralised."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name[:31]
    sheet.append([str(c) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append([_cell(value) for value in row])
    for index, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in frame.iloc[:200, index - 1]])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, 4 + longest * 1.8)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel has no time zones: write the local time people read on the wall clock.
        return value.astimezone(settings.local_timezone()).replace(tzinfo=None)
    return neutralise(value)
