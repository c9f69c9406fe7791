"""情况说明: the rows of an upload that need an explanation, where it comes from, and storing it.

A row needs one when it is
- a task report that is 逾期 or 滞后 on the last day of its report period (`task_status`),
- an indicator value that misses its indicator's target by more than EXPLAIN_TARGET_MARGIN
  percent of the target (below it for 正向, above it for 逆向 indicators). A target is
  compared with values it applies to: any period's value of a stock, rate or mean
  (汇总方式 期末值/平均), and a year's value of a count or amount (求和), whose monthly or
  quarterly values are parts of the annual target, not misses of it,
- an indicator value far from its previous period's (`plausibility.sharp_changes`).

The text is the row's own 进展情况 (tasks) or 备注/说明 (indicator values) cell when it has
one, else the one typed in the upload page for that row, else the page's one text for the
rows not typed one by one (`ImportOptions.explain_rest`: also the rows past the problems a
file lists), else the `--explain` text of the command line. A row still without one is an
error on that row (the upload is refused, or the row left out with "import valid rows
only"). Stored explanations point at the exact row version they explain
(`Explanation.row_table`, `row_id`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import compress
from operator import attrgetter, or_

import pandas as pd
from sqlalchemy import Connection, delete, insert, select

from data_model.i18n import t
from data_model.periods import granularity, period_end
from data_model.problems import ExplanationNeed, Problem
from data_model.reference.master import load_master
from data_model.store.db import driver_rows
from data_model.store.models import Explanation, Indicator, IndicatorValue, TaskSnapshot
from data_model.store.record_fields import fields_getter
from data_model.task_rules import TaskFacts, status_of

REASONS = ("overdue", "behind", "missed_target", "sharp_change")
# The column of each kind whose text, when present, is the row's explanation.
TEXT_COLUMNS = {"tasks": "progress_note", "indicator_values": "note"}
ROW_TABLES = {"tasks": "task_snapshot", "indicator_values": "indicator_value"}


@dataclass(frozen=True)
class Explained:
    """A row's explanation found before writing: stored once the row is."""

    need: ExplanationNeed
    record: dict
    text: str
    source: str  # sheet | page | cli


def indicator_targets(conn: Connection, by_kind) -> dict[str, tuple[float, str, str]]:
    """code → (target, direction, aggregation) of the current indicators with a target,
    with those the same workbook defines taking precedence."""
    found = {
        code: (target, direction, aggregation)
        for code, target, direction, aggregation in conn.execute(
            select(
                Indicator.code, Indicator.target, Indicator.direction, Indicator.aggregation
            ).where(Indicator.is_current, Indicator.target.is_not(None))
        )
    }
    for _, valid in by_kind.get("indicators", []):
        for row in valid:
            record = row.record
            if record.get("target") is None:
                found.pop(record["code"], None)
            else:
                found[record["code"]] = (
                    record["target"],
                    record["direction"],
                    record["aggregation"],
                )
    return found


def misses_target(
    value: float, period: str, target: float, direction: str, aggregation: str, margin: float
) -> bool:
    """Whether `value` of `period` misses `target` by more than `margin` percent of it."""
    if aggregation == "sum" and granularity(period) != "year":
        return False
    allowed = abs(target) * margin / 100
    if direction == "negative":
        return value > target + allowed
    return value < target - allowed


def task_reasons(record: dict) -> tuple[str, ...]:
    """('overdue',) or ('behind',) for a task report late on its period's last day, else ()."""
    facts = TaskFacts(
        progress=record["progress"],
        stated_status=record["stated_status"],
        start_date=record["start_date"],
        deadline=record["deadline"],
        ongoing=record["ongoing"],
    )
    status = status_of(facts, period_end(record["report_period"]))
    return (status,) if status in ("overdue", "behind") else ()


def find_needs(
    conn: Connection, by_kind, sharp_rows: Mapping[str, Set[int]], margin: float
) -> list[tuple[ExplanationNeed, dict]]:
    """Every valid row of `by_kind` that needs an explanation, with its record.
    `sharp_rows`: the Excel rows far from their previous period's, by sheet name (every
    one, not only those a report lists)."""
    found = []
    for sheet_report, valid in by_kind.get("tasks", []):
        for row in valid:
            reasons = task_reasons(row.record)
            if reasons:
                need = ExplanationNeed(
                    sheet_report.sheet, row.row, "tasks", row.record["code"], reasons
                )
                found.append((need, row.record))
    values = by_kind.get("indicator_values", [])
    if values:
        targets = indicator_targets(conn, by_kind)
        names = load_master(conn).district_names
        for sheet_report, valid in values:
            facts_of = fields_getter(
                map(attrgetter("record"), valid), ["indicator_code", "value", "period"]
            )
            sharp_here = sharp_rows.get(sheet_report.sheet, set())
            for row in _may_need(valid, targets, sharp_here):
                record = row.record
                code, value, period = facts_of(record)
                reasons = []
                target = targets.get(code)
                if target is not None and misses_target(value, period, *target, margin):
                    reasons.append("missed_target")
                if row.row in sharp_here:
                    reasons.append("sharp_change")
                if reasons:
                    subject = " · ".join(
                        (
                            record["indicator_code"],
                            names.get(record["district_id"], ""),
                            record["period"],
                        )
                    )
                    need = ExplanationNeed(
                        sheet_report.sheet, row.row, "indicator_values", subject, tuple(reasons)
                    )
                    found.append((need, record))
    return found


def _may_need(valid: list, targets: dict, sharp_rows: Set[int]) -> Iterable:
    """The rows of `valid` (in order) whose indicator has a target or that changed
    sharply (their Excel row in `sharp_rows`): only they may need an explanation. Told
    for all rows in C, without a Python step per row (most of a month-end file's rows are
    neither)."""
    code_of = fields_getter(map(attrgetter("record"), valid), ["indicator_code"])
    codes = map(code_of, map(attrgetter("record"), valid))
    sharp = map(sharp_rows.__contains__, map(attrgetter("row"), valid))
    return compress(valid, map(or_, map(targets.__contains__, codes), sharp))


def explain(
    needs: list[tuple[ExplanationNeed, dict]],
    typed: dict[tuple[str, int], str],
    fallback: str,
    rest: str = "",
) -> tuple[list[Explained], list[ExplanationNeed]]:
    """Each need's text: the row's own cell, else `typed[(sheet, row)]` (the upload page),
    else `rest` (the page's text for every other row), else `fallback` (--explain).
    Returns the explained rows and those still without one."""
    explained, missing = [], []
    rest = rest.strip()
    for need, record in needs:
        own = (record.get(TEXT_COLUMNS[need.kind]) or "").strip()
        typed_text = (typed.get((need.sheet, need.row)) or "").strip() or rest
        if own:
            explained.append(Explained(need, record, own, "sheet"))
        elif typed_text:
            explained.append(Explained(need, record, typed_text, "page"))
        elif fallback.strip():
            explained.append(Explained(need, record, fallback.strip(), "cli"))
        else:
            missing.append(need)
    return explained, missing


def missing_problem(need: ExplanationNeed) -> Problem:
    """The error a row without a needed explanation gets."""
    return Problem(
        sheet=need.sheet,
        row=need.row,
        column=None,
        value=need.subject,
        message=t("explanations.missing", reasons=need.reason_text(), subject=need.subject),
        suggestion=t(f"explanations.how_{need.kind}"),
        suggests_value=False,
        explanation=need,
        code="explanations.missing",
    )


def store(conn: Connection, explained: list[Explained], submission_id: int, author: str) -> int:
    """Write the explanations of rows just stored, each linked to the current version of its
    row (a row left unchanged by this upload keeps its id; its explanation is replaced)."""
    if not explained:
        return 0
    now = datetime.now(UTC)
    rows = []
    for kind, model, key in (
        ("tasks", TaskSnapshot, ("task_code", "report_period")),
        ("indicator_values", IndicatorValue, ("indicator_code", "district_id", "period")),
    ):
        mine = [e for e in explained if e.need.kind == kind]
        if not mine:
            continue
        record_key = ("code", "report_period") if kind == "tasks" else key
        ids = _current_ids(conn, model, key, [tuple(e.record[k] for k in record_key) for e in mine])
        for item in mine:
            row_id = ids.get(tuple(item.record[k] for k in record_key))
            if row_id is None:
                continue  # left out of this import (valid rows only)
            rows.append(
                {
                    "row_table": ROW_TABLES[kind],
                    "row_id": row_id,
                    "submission_id": submission_id,
                    "reasons": ",".join(item.need.reasons),
                    "text": item.text,
                    "source": item.source,
                    "author": author,
                    "created_at": now,
                }
            )
    table = Explanation.__table__
    for row_table in {r["row_table"] for r in rows}:
        ids = [r["row_id"] for r in rows if r["row_table"] == row_table]
        for start in range(0, len(ids), 500):
            conn.execute(
                delete(table).where(
                    table.c.row_table == row_table, table.c.row_id.in_(ids[start : start + 500])
                )
            )
    if rows:
        conn.execute(insert(table), rows)
    return len(rows)


def _current_ids(conn: Connection, model, key: tuple[str, ...], values: list[tuple]) -> dict:
    """The ids of the current rows with these keys, by key.

    Each key column is matched against its own list of values (which the current-key
    index serves on both engines; SQLite scanned the table for a list of tuples), and
    the rows whose whole key is one of `values` are kept.
    """
    table = model.__table__
    columns = [table.c[k] for k in key]
    found = {}
    unique = sorted(set(values), key=str)
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        wanted = set(chunk)
        query = select(table.c.id, *columns).where(
            table.c.is_current,
            *(
                column.in_(sorted({v[i] for v in chunk}, key=str))
                for i, column in enumerate(columns)
            ),
        )
        for row in driver_rows(conn, query):  # ids, codes, periods: plain tuples will do
            key = row[1:]
            if key in wanted:
                found[key] = row[0]
    return found


# --- reading them back, for the pages, the presentation and the bulletin -------------


def explanation_join(row_table: str, row_id_column):
    """Left-join condition and text column for a query over `row_table` rows."""
    table = Explanation.__table__.alias()
    return table, (table.c.row_table == row_table) & (table.c.row_id == row_id_column)


def value_explanations(
    conn: Connection, indicator_code: str, periods: Iterable[str] = ()
) -> pd.DataFrame:
    """Explanations of an indicator's current values: district, period, reasons, text."""
    value, district = IndicatorValue.__table__, load_master(conn).district_names
    table, on = explanation_join("indicator_value", value.c.id)
    query = (
        select(value.c.district_id, value.c.period, table.c.reasons, table.c.text)
        .select_from(value)
        .join(table, on)
        .where(value.c.is_current, value.c.indicator_code == indicator_code)
    )
    periods = list(periods)
    if periods:
        query = query.where(value.c.period.in_(periods))
    rows = [
        (district.get(d, ""), period, reasons, text)
        for d, period, reasons, text in conn.execute(query)
    ]
    return pd.DataFrame(rows, columns=["district", "period", "reasons", "text"])
