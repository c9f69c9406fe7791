"""The summaries the write path keeps (data_model/store/summaries_tasks.py) equal a recomputation
from the raw rows after every step of random sequences of imports, supersedes, rollbacks
and review approvals, on SQLite and on PostgreSQL.

Each example runs in one transaction that is rolled back at its end, so the examples
share one database per engine. The steps go through the write path itself
(`storage.write_kind`, as the importer and a review approval call it, and
`storage.rollback_submission`); the data is a few indicators, tasks, districts, units and
report periods, so that later steps supersede earlier rows, move tasks to another
district or lead unit, and report two periods ending on the same day (2024-03 and 2024-Q1).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from data_model.store import summaries_tasks
from data_model.store.models import Action, District, Unit
from data_model.store.storage import create_submission, rollback_submission, update_submission
from data_model.store.storage import write_kind as write_kind_rows
from tests.conftest import database_examples, live_submission_ids

START = datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
VALUE_PERIODS = ("2024-01", "2024-02", "2024-03", "2024-Q1")
TASK_PERIODS = ("2024-03", "2024-Q1", "2024-Q2", "2024-Q3", "2024")

value_rows = st.dictionaries(
    st.tuples(st.sampled_from(("A1", "A2")), st.integers(0, 2), st.sampled_from(VALUE_PERIODS)),
    st.integers(0, 3),
    min_size=1,
    max_size=6,
)
task_rows = st.dictionaries(
    st.tuples(st.sampled_from(("T1", "T2", "T3")), st.sampled_from(TASK_PERIODS)),
    st.tuples(
        st.sampled_from((0.0, 50.0, 100.0)),
        st.sampled_from(("", "", "completed", "suspended")),
        st.sampled_from((None, 0, 1)),  # the task's district (None: city-wide)
        st.integers(0, 1),  # its lead unit
    ),
    min_size=1,
    max_size=6,
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("indicator_values"), value_rows, st.booleans()),
        st.tuples(st.just("tasks"), task_rows, st.booleans()),
        st.tuples(st.just("rollback"), st.integers(0, 20)),
        st.tuples(st.just("approve"), st.integers(0, 20)),
    ),
    min_size=1,
    max_size=7,
)


def master_ids(engine) -> dict:
    with engine.connect() as conn:
        districts = conn.execute(
            select(District.id).where(District.kind != "city").order_by(District.sort_order)
        )
        units = conn.execute(select(Unit.id).where(Unit.district_id.is_not(None)).order_by(Unit.id))
        return {
            "districts": list(districts.scalars())[:3],
            "units": list(units.scalars())[:2],
            "action": conn.execute(select(Action.id).order_by(Action.id)).scalars().first(),
        }


def records_of(kind: str, rows: dict, ids: dict) -> list[dict]:
    if kind == "indicator_values":
        return [
            {
                "indicator_code": code,
                "district_id": ids["districts"][district],
                "period": period,
                "value": float(value),
                "note": "",
            }
            for (code, district, period), value in rows.items()
        ]
    return [
        {
            "code": code,
            "action_id": ids["action"],
            "content": f"任务 {code}",
            "lead_unit_id": ids["units"][unit],
            "co_units": "",
            "owner": "",
            "start_date": date(2024, 1, 1),
            "deadline": date(2024, 12, 31),
            "deadline_text": "",
            "ongoing": False,
            "district_id": None if district is None else ids["districts"][district],
            "report_period": period,
            "progress": progress,
            "stated_status": stated,
            "progress_note": "",
        }
        for (code, period), (progress, stated, district, unit) in rows.items()
    ]


def assert_summaries_exact(conn) -> None:
    assert summaries_tasks.stored_rows(conn) == summaries_tasks.expected_rows(conn)


def run_steps(engine, ids: dict, sequence: list) -> None:
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            held: dict[int, tuple[str, list[dict]]] = {}
            for number, step in enumerate(sequence):
                at = START + timedelta(hours=number)
                if step[0] in ("indicator_values", "tasks"):
                    kind, rows, for_review = step
                    submission_id = create_submission(
                        conn,
                        uploaded_at=at,
                        uploader="test",
                        file_name=f"step{number}.xlsx",
                        sha256=f"{number:064x}",
                        kinds=kind,
                        status="pending" if for_review else "accepted",
                    )
                    records = records_of(kind, rows, ids)
                    if for_review:  # held: nothing is current until it is approved
                        held[submission_id] = (kind, records)
                    else:
                        write_kind_rows(conn, kind, records, submission_id)
                elif step[0] == "approve" and held:
                    submission_id = sorted(held)[step[1] % len(held)]
                    kind, records = held.pop(submission_id)
                    write_kind_rows(conn, kind, records, submission_id)  # as review._write_held
                    update_submission(conn, submission_id, status="accepted")
                elif step[0] == "rollback":
                    live = live_submission_ids(conn)
                    if live:
                        rollback_submission(conn, live[step[1] % len(live)], by="test")
                assert_summaries_exact(conn)
            summaries_tasks.rebuild(conn)  # the recomputation migrations and a restore use
            assert_summaries_exact(conn)
        finally:
            transaction.rollback()


def test_a_small_known_sequence_keeps_the_summaries_exact(db_engine):
    """A supersede that moves a task to another district, one that gives a task another
    lead unit only, a report ending on the same day as another, a rollback of the first
    supersede and an approval of an earlier held upload."""
    ids = master_ids(db_engine)
    run_steps(
        db_engine,
        ids,
        [
            (
                "tasks",
                {("T1", "2024-Q1"): (50.0, "", 0, 0), ("T2", "2024-Q2"): (0.0, "", None, 1)},
                False,
            ),
            ("tasks", {("T1", "2024-03"): (100.0, "", 1, 0)}, True),
            ("indicator_values", {("A1", 0, "2024-03"): 1, ("A2", 1, "2024-Q1"): 2}, False),
            (
                "tasks",
                {("T1", "2024-Q1"): (60.0, "", 1, 1), ("T1", "2024"): (100.0, "", 1, 1)},
                False,
            ),
            ("indicator_values", {("A1", 0, "2024-03"): 3}, False),
            ("tasks", {("T2", "2024-Q3"): (50.0, "", None, 0)}, False),  # another lead unit only
            ("rollback", 2),
            ("approve", 0),
            ("rollback", 0),
        ],
    )
    with db_engine.connect() as conn:  # the example's transaction left nothing behind
        assert summaries_tasks.stored_rows(conn) == summaries_tasks.expected_rows(conn)
        assert sum(summaries_tasks.stored_rows(conn)["latest"].values()) == 0


@database_examples(50)
@given(sequence=steps)
def test_random_imports_supersedes_rollbacks_and_approvals_keep_the_summaries_exact(
    db_engine, sequence
):
    run_steps(db_engine, master_ids(db_engine), sequence)
