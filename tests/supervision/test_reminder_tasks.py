"""The reminders' task items, read with the status rule in SQL
(`task_counts.open_tasks_due_by`), equal those of every task judged in Python
(`task_status_frame`, as `reminders._task_items` computed them before), on the sample
data (64 tasks, 2021-2023) at several days and horizons, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from data_model.ingest.importer import import_file
from data_model.queries.task_status import task_status_frame
from data_model.store.models import District, Unit
from data_model.supervision.reminders import DEFAULT_FROM_DAYS, reminder_items
from tests.queries.test_task_counts import DAYS  # report period ends, days inside, before any
from tests.task_workbook import task_workbook

# The defaults, and levels reaching 200 days ahead (the horizon a level's first day sets).
LEVELS = [dict(DEFAULT_FROM_DAYS), {**DEFAULT_FROM_DAYS, "remind": -200}]


def python_task_items(conn, as_of: date, levels: dict) -> set[tuple]:
    """(unit, district, task code, content, due date) of every open task due by the
    horizon, from every task judged in Python."""
    horizon = as_of + timedelta(days=max(-min(levels.values()), 0))
    tasks = task_status_frame(conn, as_of)
    if tasks.empty:
        return set()
    unit_districts = dict(
        conn.execute(
            select(Unit.name, District.name).join(District, District.id == Unit.district_id)
        ).all()
    )
    open_tasks = tasks[
        ~tasks["status"].isin(["completed", "suspended"])
        & ~tasks["ongoing"].astype(bool)
        & tasks["deadline"].notna()
    ]
    return {
        (
            row["lead_unit"],
            ("" if pd.isna(row["district"]) else row["district"])
            or unit_districts.get(row["lead_unit"])
            or "",
            row["code"],
            row["content"],
            row["deadline"],
        )
        for row in open_tasks.to_dict("records")
        if row["deadline"] <= horizon
    }


def sql_task_items(conn, as_of: date, levels: dict) -> set[tuple]:
    """The same of `reminder_items`' task rows, before the levels leave out those not due
    yet: each item's due date lies within the horizon, so its level only depends on it."""
    items = reminder_items(conn, as_of, levels)
    tasks = items[items["item"] == "task"]
    return {
        (row["unit"], row["district"], row["task_code"], row["content"], row["due_date"])
        for row in tasks.to_dict("records")
    }


def reached_a_level(items: set[tuple], as_of: date, levels: dict) -> set[tuple]:
    first = min(levels.values())
    return {item for item in items if (as_of - item[4]).days >= first}


@pytest.mark.parametrize("as_of", DAYS)
@pytest.mark.parametrize("levels", LEVELS)
def test_reminder_task_items_equal_every_task_judged_in_python(sample_engine, as_of, levels):
    with sample_engine.connect() as conn:
        expected = reached_a_level(python_task_items(conn, as_of, levels), as_of, levels)
        assert sql_task_items(conn, as_of, levels) == expected
    if as_of == date(2023, 12, 31):  # the sample has open tasks due by then
        assert len(expected) > 0


def test_reminder_task_items_hold_tasks_awaiting_evidence(db_engine, monkeypatch):
    monkeypatch.setenv("EVIDENCE_REQUIRED", "1")
    assert import_file(db_engine, task_workbook(), "tasks.xlsx").status == "accepted"
    as_of, levels = date(2022, 12, 31), {**DEFAULT_FROM_DAYS, "remind": -400}
    with db_engine.connect() as connection:
        statuses = task_status_frame(connection, as_of)["status"]
        assert (statuses == "awaiting_evidence").sum() == 5
        expected = reached_a_level(python_task_items(connection, as_of, levels), as_of, levels)
        assert sql_task_items(connection, as_of, levels) == expected
        assert len(expected) > 0
