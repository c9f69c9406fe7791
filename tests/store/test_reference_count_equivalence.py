"""The master-data reference counts the write path keeps
(data_model/store/summaries_references.py) equal a count of the raw rows, and the master
page's counts (`master_admin.reference_counts`, which reads them) equal what counting
every table gave before they were kept, after every step of random sequences of imports
of indicator values, tasks, activities and issues, supersedes, rollbacks, rows held by
review and approved, merges of every list and renames of the lists held as names, on
SQLite and on PostgreSQL.

Each example runs in one transaction that is rolled back at its end, so the examples
share one database per engine. The steps go through the write path itself
(`storage.write_kind`, as an import and a review approval call it;
`storage.rollback_submission`; `master_admin.merge_entries` and `rename_entry`); rows
held by review are kept as `review_hold` keeps them, where merges and renames reach them.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from data_model.accounts.permissions import SYSTEM
from data_model.admin import master_admin
from data_model.errors import InputError
from data_model.ingest.importer import import_file
from data_model.store import review_hold, summaries_references
from data_model.store.kind_registry import REGISTRY
from data_model.store.models import (
    Action,
    Activity,
    ActivityType,
    Brand,
    District,
    EnterpriseIssue,
    IndicatorValue,
    IssueCategory,
    Task,
    Unit,
    User,
)
from data_model.store.storage import create_submission, rollback_submission, update_submission
from data_model.store.storage import write_kind as write_kind_rows
from tests.conftest import database_examples, live_submission_ids, task_record
from tests.store.test_score_summary_equivalence import indicator_sheet

START = datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
# Every column of the kinds' tables naming a master-data entry: what is counted.
COUNTED = {
    (IndicatorValue, "district_id"),
    (Task, "district_id"),
    (Task, "lead_unit_id"),
    (Task, "action_id"),
    (Activity, "district_id"),
    (Activity, "brand_id"),
    (Activity, "activity_type"),
    (EnterpriseIssue, "district_id"),
    (EnterpriseIssue, "category"),
}
MODELS = {
    "districts": District,
    "units": Unit,
    "actions": Action,
    "brands": Brand,
    "activity_types": ActivityType,
    "issue_categories": IssueCategory,
}
# A name rows may hold that no entry has (the upload does not resolve these lists): it
# counts for an entry only once one is renamed to it.
UNLISTED = {"activity_types": "未登记类型", "issue_categories": "未登记类别"}
CODES = ("YS01", "YS02", "YS03")
PERIODS = ("2024-01", "2024-02", "2024-Q1")
DAYS = (date(2024, 1, 10), date(2024, 2, 10))

index = st.integers(0, 2)
value_rows = st.dictionaries(
    st.tuples(st.sampled_from(CODES), index, st.sampled_from(PERIODS)),
    st.sampled_from((1.0, 2.0)),
    min_size=1,
    max_size=5,
)
task_rows = st.dictionaries(
    st.tuples(st.sampled_from(("T1", "T2", "T3")), st.sampled_from(("2024-Q1", "2024-Q2"))),
    st.tuples(st.one_of(st.none(), index), index, index, st.sampled_from((0.0, 50.0))),
    min_size=1,
    max_size=4,
)
activity_rows = st.dictionaries(
    st.tuples(st.sampled_from(DAYS), index, st.sampled_from(("宣讲", "走访"))),
    st.tuples(index, st.one_of(st.none(), index), st.integers(1, 2)),
    min_size=1,
    max_size=4,
)
issue_rows = st.dictionaries(
    st.sampled_from(("Q1", "Q2", "Q3")),
    st.tuples(index, index, st.sampled_from(("received", "resolved"))),
    min_size=1,
    max_size=3,
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("indicator_values"), value_rows, st.booleans()),
        st.tuples(st.just("tasks"), task_rows, st.booleans()),
        st.tuples(st.just("activities"), activity_rows, st.booleans()),
        st.tuples(st.just("issues"), issue_rows, st.booleans()),
        st.tuples(st.just("rollback"), st.integers(0, 20)),
        st.tuples(st.just("approve"), st.integers(0, 20)),
        st.tuples(st.just("merge"), st.sampled_from(sorted(MODELS)), index, index),
        st.tuples(st.just("rename"), st.sampled_from(sorted(UNLISTED)), index, st.integers(0, 1)),
    ),
    min_size=1,
    max_size=8,
)


@pytest.fixture
def engine(db_engine):
    """A fresh database with the indicators the values name; on SQLite and PostgreSQL."""
    import_file(db_engine, indicator_sheet(1000, 10, False), "indicators.xlsx")
    return db_engine


def first_entries(conn) -> dict[str, list[str]]:
    """The names of up to three entries of each list the steps use (a district, not the city;
    a unit of a district); a text list's third is a name no entry has."""
    found = {}
    for key, model in MODELS.items():
        query = select(model.name).order_by(model.sort_order, model.id)
        if model is District:
            query = query.where(District.kind != "city")
        if model is Unit:
            query = query.where(Unit.district_id.is_not(None))
        names = list(conn.execute(query.limit(3)).scalars())
        if key in UNLISTED:
            names[2] = UNLISTED[key]
        found[key] = names
    return found


class Lists:
    """Each list's entries the steps name, by index: a merge makes the merged entry's
    index name the survivor; a rename, the new name."""

    def __init__(self, conn) -> None:
        self.names = first_entries(conn)

    def name(self, key: str, at: int) -> str:
        """The entry index `at` names (modulo the list: the actions are two)."""
        return self.names[key][at % len(self.names[key])]

    def id(self, conn, key: str, at: int) -> int:
        model = MODELS[key]
        return conn.execute(select(model.id).where(model.name == self.name(key, at))).scalar_one()

    def merged(self, key: str, gone: str, kept: str) -> None:
        self.names[key] = [kept if name == gone else name for name in self.names[key]]

    def renamed(self, key: str, old: str, new: str) -> None:
        self.names[key] = [new if name == old else name for name in self.names[key]]


def records_of(conn, lists: Lists, kind: str, rows: dict) -> list[dict]:
    def of(key, at):
        return None if at is None else lists.id(conn, key, at)

    if kind == "indicator_values":
        return [
            {
                "indicator_code": code,
                "district_id": of("districts", district),
                "period": period,
                "value": value,
                "note": "",
            }
            for (code, district, period), value in rows.items()
        ]
    if kind == "tasks":
        return [
            task_record(
                code,
                of("actions", action),
                of("units", unit),
                of("districts", district),
                (date(2024, 1, 1), date(2024, 12, 31), False),
                (period, progress, ""),
            )
            for (code, period), (district, unit, action, progress) in rows.items()
        ]
    if kind == "activities":
        return [
            {
                "activity_date": day,
                "district_id": of("districts", district),
                "activity_type": lists.name("activity_types", kind_at),
                "name": name,
                "brand_id": of("brands", brand),
                "enterprise_count": count,
                "participant_count": None,
                "organizer": "",
                "note": "",
            }
            for (day, district, name), (kind_at, brand, count) in rows.items()
        ]
    return [
        {
            "code": code,
            "received_date": DAYS[0],
            "district_id": of("districts", district),
            "enterprise_name": "某企业",
            "category": lists.name("issue_categories", category),
            "content": "诉求",
            "handling_unit": "",
            "status": status,
            "resolved_date": DAYS[1] if status == "resolved" else None,
            "satisfaction": "",
        }
        for code, (district, category, status) in rows.items()
    ]


def counted_from_rows(conn) -> dict[tuple[str, str, str], int]:
    """Every row of the kinds' tables (every version) counted in Python, keyed as
    `summaries_references.stored`."""
    found: Counter = Counter()
    for model, column in COUNTED:
        for value in conn.execute(select(model.__table__.c[column])).scalars():
            if value is not None:
                found[(model.__tablename__, column, str(value))] += 1
    return dict(found)


def counted_before(conn, list_key: str) -> dict[int, int]:
    """`master_admin.reference_counts` as it was before the counts were kept: every table
    that references the list counted, grouped by entry (held rows not counted)."""
    counts: dict[int, int] = {}
    for model, column, _ in master_admin.id_references(list_key):
        col = model.__table__.c[column]
        for entry_id, count in conn.execute(
            select(col, func.count()).where(col.is_not(None)).group_by(col)
        ):
            counts[entry_id] = counts.get(entry_id, 0) + count
    model = MODELS[list_key]
    ids = dict(conn.execute(select(model.name, model.id)).all())
    for table_model, column, _ in master_admin.text_references(list_key):
        col = table_model.__table__.c[column]
        for name, count in conn.execute(select(col, func.count()).group_by(col)):
            if name in ids:
                counts[ids[name]] = counts.get(ids[name], 0) + count
    if list_key in master_admin.USER_BINDINGS:
        for bound in conn.execute(
            select(getattr(User, master_admin.USER_BINDINGS[list_key]))
        ).scalars():
            for name in set(bound or ()):
                if name in ids:
                    counts[ids[name]] = counts.get(ids[name], 0) + 1
    return counts


def assert_counts_exact(conn) -> None:
    assert summaries_references.stored(conn) == counted_from_rows(conn)
    for list_key in MODELS:
        assert master_admin.reference_counts(conn, list_key) == counted_before(conn, list_key)


def run_steps(engine, sequence: list) -> None:
    with engine.connect() as conn:
        transaction = conn.begin()
        if conn.dialect.name == "sqlite":
            # pysqlite begins a transaction only before a data-changing statement, so a
            # merge or rename as an example's first write would open its SAVEPOINT outside
            # any transaction, and releasing it would commit the merge into the database
            # the examples share. Begin the example's transaction now.
            conn.exec_driver_sql("BEGIN")
        try:
            lists = Lists(conn)
            held: list[int] = []
            for number, step in enumerate(sequence):
                run_step(conn, lists, held, number, step)
                assert_counts_exact(conn)
            kept = summaries_references.stored(conn)
            summaries_references.rebuild(conn)  # the recount the migration and a restore use
            assert summaries_references.stored(conn) == kept
        finally:
            transaction.rollback()


def run_step(conn, lists: Lists, held: list[int], number: int, step: tuple) -> None:
    action = step[0]
    if action in ("indicator_values", "tasks", "activities", "issues"):
        _, rows, for_review = step
        submission_id = create_submission(
            conn,
            uploaded_at=START + timedelta(hours=number),
            uploader="test",
            file_name=f"step{number}.xlsx",
            sha256=f"{number:064x}",
            kinds=action,
            status="pending" if for_review else "accepted",
        )
        # One record per key, as the importer allows: two indices may name one entry now.
        key = REGISTRY[action].record_key
        records = list(
            {tuple(r[k] for k in key): r for r in records_of(conn, lists, action, rows)}.values()
        )
        if for_review:  # held: nothing stored until it is approved
            review_hold.hold_records(conn, submission_id, [(action, "s", 2, r) for r in records])
            held.append(submission_id)
        else:
            write_kind_rows(conn, action, records, submission_id)
    elif action == "approve" and held:
        submission_id = held.pop(step[1] % len(held))
        rows = review_hold.held_records(conn, submission_id)  # as merges and renames left them
        write_kind_rows(conn, rows[0]["kind"], [row["record"] for row in rows], submission_id)
        review_hold.release_records(conn, submission_id)
        update_submission(conn, submission_id, status="accepted")
    elif action == "rollback":
        live = live_submission_ids(conn)
        if live:
            rollback_submission(conn, live[step[1] % len(live)], by="test")
    elif action == "merge":
        _, key, gone, kept = step
        gone, kept = lists.name(key, gone), lists.name(key, kept)
        if gone == kept or key in UNLISTED and UNLISTED[key] in (gone, kept):
            return  # into itself; a name no entry has cannot be merged
        try:
            with conn.begin_nested():
                master_admin.merge_entries(conn, SYSTEM, key, gone, kept)
        except InputError:
            return  # two districts holding a current value of the same indicator and period
        lists.merged(key, gone, kept)
    elif action == "rename":
        _, key, at, target = step
        old = lists.name(key, at)
        new = (UNLISTED[key], f"{old}甲")[target]
        if old == UNLISTED[key] or new in lists.names[key]:
            return
        try:
            with conn.begin_nested():
                master_admin.rename_entry(conn, SYSTEM, key, old, new)
        except InputError:
            return  # the new name is another entry's
        lists.renamed(key, old, new)


def test_a_small_known_sequence_keeps_the_reference_counts_exact(engine):
    """Values superseded in part and unchanged in part; a held task list approved after
    the units it names were merged; an activity whose type no entry had until a rename;
    a rollback; a district merge."""
    run_steps(
        engine,
        [
            ("indicator_values", {("YS01", 0, "2024-01"): 1.0, ("YS02", 1, "2024-01"): 1.0}, False),
            ("indicator_values", {("YS01", 0, "2024-01"): 2.0, ("YS02", 1, "2024-01"): 1.0}, False),
            ("tasks", {("T1", "2024-Q1"): (None, 1, 0, 0.0), ("T2", "2024-Q1"): (2, 0, 1, 0.0)}, True),
            ("merge", "units", 1, 0),
            ("approve", 0),
            ("activities", {(DAYS[0], 0, "宣讲"): (2, 0, 1), (DAYS[1], 1, "走访"): (0, None, 1)}, False),
            ("rename", "activity_types", 0, 0),
            ("issues", {"Q1": (0, 1, "received")}, False),
            ("rollback", 0),
            ("merge", "districts", 2, 0),
        ],
    )  # fmt: skip
    with engine.connect() as conn:  # the example's transaction left nothing behind
        assert summaries_references.stored(conn) == {}


@database_examples(30)
@given(sequence=steps)
def test_random_writes_rollbacks_approvals_merges_and_renames_keep_the_counts_exact(
    engine, sequence
):
    run_steps(engine, sequence)
