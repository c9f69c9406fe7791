"""The status counts at each report period end the write path keeps
(data_model/store/summaries_task_status.py) equal a recomputation from the raw rows by
the plain status rule (`task_rules.status_of`), after every step of random sequences of
task imports, supersedes, rollbacks, review approvals, evidence attachments and merges of
districts, lead units and actions, on SQLite and on PostgreSQL.

Each example runs in one transaction that is rolled back at its end, so the examples
share one database per engine. The steps go through the write path itself
(`storage.write_kind`, `storage.rollback_submission`, `master_admin.merge_entries`, and
evidence stored as `evidence.attach` stores it); the tasks get other schedules (due
before, inside and after the report periods, ongoing, without a deadline), districts,
lead units and actions as they are superseded, so that statuses move between every one
of STATUSES and tasks move between groups.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import and_, insert, select

from data_model.accounts.permissions import SYSTEM
from data_model.admin.master_admin import merge_entries
from data_model.store import summaries_task_status, summaries_tasks
from data_model.store.models import Action, District, Evidence, Task, TaskSnapshot, Unit
from data_model.store.storage import create_submission, rollback_submission, update_submission
from data_model.store.storage import write_kind as write_kind_rows
from tests.conftest import database_examples, live_submission_ids, task_record

START = datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
TASKS = ("T1", "T2", "T3", "T4")
TASK_PERIODS = ("2024-03", "2024-Q1", "2024-Q2", "2024-Q3", "2024")
# (start, deadline, ongoing): a plain schedule, one due inside Q2, one starting in Q2,
# one due before the first report, an ongoing task, and one without a deadline.
SCHEDULES = (
    (date(2024, 1, 1), date(2024, 12, 31), False),
    (date(2024, 1, 1), date(2024, 5, 15), False),
    (date(2024, 4, 1), date(2024, 9, 30), False),
    (date(2023, 1, 1), date(2023, 12, 31), False),
    (None, None, True),
    (date(2024, 1, 1), None, False),
)
MERGED = ("districts", "units", "actions")

task_rows = st.dictionaries(
    st.tuples(st.sampled_from(TASKS), st.sampled_from(TASK_PERIODS)),
    st.tuples(
        st.sampled_from((0.0, 10.0, 50.0, 100.0)),
        st.sampled_from(("", "", "completed", "suspended")),
        st.sampled_from((None, 0, 1, 2)),  # the task's district (None: city-wide)
        st.integers(0, 1),  # its lead unit
        st.integers(0, 1),  # its action
        st.integers(0, len(SCHEDULES) - 1),
    ),
    min_size=1,
    max_size=6,
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("tasks"), task_rows, st.booleans()),
        st.tuples(st.just("rollback"), st.integers(0, 20)),
        st.tuples(st.just("approve"), st.integers(0, 20)),
        st.tuples(st.just("evidence"), st.integers(0, 50)),
        st.tuples(st.just("merge"), st.sampled_from(MERGED), st.integers(0, 2), st.integers(0, 2)),
    ),
    min_size=1,
    max_size=8,
)


def master_entries(engine) -> dict[str, list[tuple[int, str]]]:
    """(id, name) of the districts, units and actions the steps use."""
    with engine.connect() as conn:
        districts = conn.execute(
            select(District.id, District.name)
            .where(District.kind != "city")
            .order_by(District.sort_order)
        ).all()
        units = conn.execute(
            select(Unit.id, Unit.name).where(Unit.district_id.is_not(None)).order_by(Unit.id)
        ).all()
        actions = conn.execute(select(Action.id, Action.name).order_by(Action.id)).all()
    return {
        "districts": [tuple(row) for row in districts[:3]],
        "units": [tuple(row) for row in units[:2]],
        "actions": [tuple(row) for row in actions[:2]],
    }


def records_of(rows: dict, ids: dict[str, list[int]]) -> list[dict]:
    return [
        task_record(
            code,
            ids["actions"][action],
            ids["units"][unit],
            None if district is None else ids["districts"][district],
            SCHEDULES[schedule],
            (period, progress, stated),
        )
        for (code, period), (progress, stated, district, unit, action, schedule) in rows.items()
    ]


def attach_evidence(conn, pick: int, at: datetime) -> None:
    """Evidence on one of the current reports, stored as `evidence.attach` stores it:
    under the district and lead unit of the task then (a later rollback or upload may
    give the code to another owner, whose counts its files must then leave out)."""
    s, task = TaskSnapshot.__table__, Task.__table__
    reports = conn.execute(
        select(
            s.c.task_code,
            s.c.report_period,
            s.c.period_end,
            task.c.district_id,
            task.c.lead_unit_id,
        )
        .join(task, and_(task.c.code == s.c.task_code, task.c.is_current))
        .where(s.c.is_current)
        .order_by(s.c.task_code, s.c.report_period)
    ).all()
    if not reports:
        return
    code, period, end, district_id, lead_unit_id = reports[pick % len(reports)]
    conn.execute(
        insert(Evidence).values(
            task_code=code,
            district_id=district_id,
            lead_unit_id=lead_unit_id,
            report_period=period,
            period_end=end,
            file_name="a.pdf",
            file_type="pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            content=b"%",
            stored_path="",
            uploader="test",
            uploaded_at=at,
            note="",
        )
    )
    summaries_task_status.evidence_attached(conn, code, end)


def assert_summary_exact(conn) -> None:
    assert summaries_task_status.stored_rows(conn) == summaries_task_status.expected_rows(conn)


def run_steps(engine, entries: dict, sequence: list) -> None:
    # Each index names an entry; a merge makes the gone one's index name the survivor.
    ids = {key: [entry[0] for entry in listed] for key, listed in entries.items()}
    names = {key: [entry[1] for entry in listed] for key, listed in entries.items()}
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            held: dict[int, list[dict]] = {}
            for number, step in enumerate(sequence):
                at = START + timedelta(hours=number)
                if step[0] == "tasks":
                    _, rows, for_review = step
                    submission_id = create_submission(
                        conn,
                        uploaded_at=at,
                        uploader="test",
                        file_name=f"step{number}.xlsx",
                        sha256=f"{number:064x}",
                        kinds="tasks",
                        status="pending" if for_review else "accepted",
                    )
                    records = records_of(rows, ids)
                    if for_review:  # held: nothing is current until it is approved
                        held[submission_id] = records
                    else:
                        write_kind_rows(conn, "tasks", records, submission_id)
                elif step[0] == "approve" and held:
                    submission_id = sorted(held)[step[1] % len(held)]
                    records = held.pop(submission_id)
                    write_kind_rows(conn, "tasks", records, submission_id)  # as review does
                    update_submission(conn, submission_id, status="accepted")
                elif step[0] == "rollback":
                    live = live_submission_ids(conn)
                    if live:
                        rollback_submission(conn, live[step[1] % len(live)], by="test")
                elif step[0] == "evidence":
                    attach_evidence(conn, step[1], at)
                elif step[0] == "merge":
                    _, key, gone, kept = step
                    gone, kept = gone % len(ids[key]), kept % len(ids[key])
                    if ids[key][gone] == ids[key][kept]:
                        continue
                    merge_entries(conn, SYSTEM, key, names[key][gone], names[key][kept])
                    gone_id = ids[key][gone]
                    for at_index, entry_id in enumerate(ids[key]):
                        if entry_id == gone_id:
                            ids[key][at_index] = ids[key][kept]
                            names[key][at_index] = names[key][kept]
                    for records in held.values():  # held rows name the survivor now
                        column = {"districts": "district_id", "units": "lead_unit_id"}.get(
                            key, "action_id"
                        )
                        for record in records:
                            if record[column] == gone_id:
                                record[column] = ids[key][kept]
                assert_summary_exact(conn)
            summaries_tasks.rebuild(conn)  # the recomputation migrations and a restore use
            assert_summary_exact(conn)
        finally:
            transaction.rollback()


def test_a_small_known_sequence_keeps_the_status_counts_exact(db_engine):
    """Tasks due inside and after the periods, reported behind, overdue, complete and
    suspended; a supersede moving a task to another district and schedule; evidence on an
    early complete report; a rollback, an approval and a merge of two lead units."""
    entries = master_entries(db_engine)
    run_steps(
        db_engine,
        entries,
        [
            (
                "tasks",
                {
                    ("T1", "2024-Q1"): (10.0, "", 0, 0, 0, 0),
                    ("T2", "2024-Q1"): (0.0, "", None, 1, 1, 1),
                    ("T3", "2024-Q1"): (100.0, "", 1, 0, 0, 0),
                },
                False,
            ),
            ("tasks", {("T2", "2024-Q2"): (50.0, "", None, 1, 1, 1)}, True),
            ("evidence", 2),
            (
                "tasks",
                {
                    ("T1", "2024-Q3"): (10.0, "", 1, 0, 0, 2),
                    ("T4", "2024"): (0.0, "suspended", 2, 1, 0, 4),
                },
                False,
            ),
            ("rollback", 1),
            ("approve", 0),
            ("merge", "units", 1, 0),
            ("tasks", {("T3", "2024-03"): (50.0, "", 1, 0, 1, 5)}, False),
        ],
    )
    with db_engine.connect() as conn:  # the example's transaction left nothing behind
        assert sum(summaries_task_status.stored_rows(conn).values()) == 0


@database_examples(60)
@given(sequence=steps)
def test_random_imports_rollbacks_approvals_evidence_and_merges_keep_the_status_counts_exact(
    db_engine, sequence
):
    run_steps(db_engine, master_entries(db_engine), sequence)
