"""The storage rule of task lists: a snapshot per (task, report period), and the task's
attributes from its latest report.

The registry (`kind_registry.TASKS`) names it as the tasks' writer; `storage.write_kind`
calls it with its own `write_versioned`, so this module needs nothing from `storage`.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from data_model.periods import period_end, sort_key
from data_model.store.models import Task, TaskSnapshot

TASK_FIELDS = (
    "code",
    "action_id",
    "content",
    "lead_unit_id",
    "co_units",
    "owner",
    "start_date",
    "deadline",
    "deadline_text",
    "ongoing",
    "district_id",
    "report_period",
)
SNAPSHOT_FIELDS = ("report_period", "progress", "stated_status", "progress_note")


def write_tasks(conn: Connection, records: list[dict], submission_id: int, write_versioned):
    """Snapshots per (task, report period); the task's attributes come from its latest report."""
    snapshots = [
        {
            "task_code": r["code"],
            "period_end": period_end(r["report_period"]),
            **{f: r[f] for f in SNAPSHOT_FIELDS},
        }
        for r in records
    ]
    counts = write_versioned(
        conn,
        TaskSnapshot,
        ("task_code", "report_period"),
        snapshots,
        submission_id,
        "report_period",
    )
    latest: dict[str, dict] = {}
    for record in records:
        held = latest.get(record["code"])
        if held is None or sort_key(record["report_period"]) >= sort_key(held["report_period"]):
            latest[record["code"]] = record
    defined = dict(
        conn.execute(
            select(Task.code, Task.report_period).where(
                Task.is_current, Task.code.in_(list(latest))
            )
        ).all()
    )
    definitions = [
        {f: r[f] for f in TASK_FIELDS}
        for code, r in latest.items()
        if code not in defined or sort_key(r["report_period"]) >= sort_key(defined[code])
    ]
    write_versioned(conn, Task, ("code",), definitions, submission_id)
    return counts
