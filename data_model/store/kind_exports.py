"""A kind's current rows as a frame with the template's Chinese headers.

`stored_columns` serves every kind whose export is its columns as stored (a master-data
id shown as its name, an enumeration code as its word); the registry names a builder of
its own for a kind stored otherwise (indicator values, tasks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from data_model.kinds import INDICATOR_VALUES, TASK_STATUSES, TASKS, Kind
from data_model.periods import sort_key
from data_model.store.models import (
    Action,
    Brand,
    District,
    Indicator,
    IndicatorValue,
    Task,
    TaskSnapshot,
    Unit,
)

if TYPE_CHECKING:
    from data_model.store.kind_registry import KindRule

# Stored ids of master data, shown by name: column → the table that names it.
NAMED_BY = {"district_id": District, "brand_id": Brand, "action_id": Action, "lead_unit_id": Unit}


def headers(kind: Kind) -> list[str]:
    return [c.header for c in kind.columns]


def word_for(choices: dict[str, str]) -> dict[str, str]:
    """Stored code → the first word that names it."""
    words: dict[str, str] = {}
    for word, code in choices.items():
        words.setdefault(code, word)
    return words


def frame_of(conn: Connection, query, columns: list[str]) -> pd.DataFrame:
    rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def stored_columns(conn: Connection, rule: KindRule) -> pd.DataFrame:
    """The kind's columns as stored in its table, ordered by its key (districts in
    master-data order); enumeration codes shown as their words."""
    table = rule.table.__table__
    selected, joins, names = [], [], {}
    for column in rule.kind.columns:
        stored = column.field if column.field in table.c else f"{column.field}_id"
        if stored in NAMED_BY:
            named = aliased(NAMED_BY[stored])
            names[stored] = named
            joins.append((named, named.id == table.c[stored], not column.required))
            selected.append(named.name)
        else:
            selected.append(table.c[stored])
    query = select(*selected).select_from(table)
    for named, on, outer in joins:
        query = query.join(named, on, isouter=outer)
    order = [names[k].sort_order if k == "district_id" else table.c[k] for k in rule.record_key]
    frame = frame_of(conn, query.where(table.c.is_current).order_by(*order), headers(rule.kind))
    for column in rule.kind.columns:
        if column.choices:
            words = word_for(column.choices)
            frame[column.header] = frame[column.header].map(lambda v, w=words: w.get(v, v))
    return frame


def indicator_values(conn: Connection, rule: KindRule) -> pd.DataFrame:
    v, i, d = IndicatorValue, Indicator, District
    frame = frame_of(
        conn,
        select(v.indicator_code, i.name, d.name, v.period, v.value, v.note)
        .join(i, (i.code == v.indicator_code) & i.is_current, isouter=True)
        .join(d, d.id == v.district_id)
        .where(v.is_current)
        .order_by(v.indicator_code, d.sort_order, v.period),
        headers(INDICATOR_VALUES),
    )
    return sort_periods(frame, ["指标编码", "区"], "期间")


def tasks(conn: Connection, rule: KindRule) -> pd.DataFrame:
    s, k, a, u, d = TaskSnapshot, Task, Action, Unit, aliased(District)
    columns = headers(TASKS)
    frame = frame_of(
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
        [*columns[:7], "完成时限", "_deadline", *columns[8:]],
    )
    frame["完成时限"] = [
        text or (deadline.isoformat() if deadline else "")
        for text, deadline in zip(frame["完成时限"], frame["_deadline"], strict=True)
    ]
    frame["任务状态"] = frame["任务状态"].map(word_for(TASK_STATUSES)).fillna("")
    frame = frame.drop(columns="_deadline")
    return sort_periods(frame, ["任务编号"], "报送期")


def sort_periods(frame: pd.DataFrame, groups: list[str], period_column: str) -> pd.DataFrame:
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
