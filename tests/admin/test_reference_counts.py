"""The master-data page's `references` column (`master_admin.reference_counts`) through
the real import, review, rollback, merge and rename paths, on both engines: it counts
every version of the data rows, not the rows held by review (which `references`, the
delete check, does count), follows merges and renames, and reads the kept counts
(`summaries_references`), not the kinds' tables."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import event, select

from data_model.accounts.permissions import SYSTEM, guarded_import
from data_model.admin import master_admin
from data_model.ingest.importer import import_file
from data_model.store import summaries_references
from data_model.store.models import Submission
from data_model.store.storage import rollback_submission
from data_model.workflow.review import set_review_rule
from tests.accounts.test_permissions import ADMIN
from tests.admin.test_master_admin import values_xlsx
from tests.conftest import ACTIVITY_HEADER, VALUE_HEADER, indicator_rows, make_xlsx
from tests.workflow.test_review import NANSHAN_STAFF

KIND_TABLES = re.compile(r"\b(indicator_value|task|task_snapshot|activity|enterprise_issue)\b")


def activities_xlsx(*rows: tuple[str, str, str]) -> bytes:
    """Activities of (district, type, brand) on one day, each named after its row."""
    return make_xlsx(
        {
            "活动台账": [
                ACTIVITY_HEADER,
                *(
                    [dt.datetime(2023, 3, 15), district, kind, f"活动{n}", brand, 10, 80]
                    for n, (district, kind, brand) in enumerate(rows)
                ),
            ]
        }
    )


def shown(engine, list_key: str) -> dict[str, int]:
    """The list's `references` column as the page shows it: name → count."""
    with engine.connect() as conn:
        frame = master_admin.list_entries(conn, SYSTEM, list_key)
    return dict(zip(frame["name"], frame["references"].astype(int), strict=True))


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after.get(name, 0) - count for name, count in before.items()} | {
        name: count for name, count in after.items() if name not in before
    }


def only_changes(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: n for name, n in changed(before, after).items() if n}


def test_the_column_counts_every_version_follows_merges_and_renames_and_not_held_rows(
    db_engine,
):
    districts = shown(db_engine, "districts")
    first = import_file(
        db_engine,
        make_xlsx(
            {
                "指标体系": indicator_rows(),
                "指标数据": [
                    VALUE_HEADER,
                    ["YS01", "", "南山区", "2022-01", 3, ""],
                    ["YS01", "", "福田区", "2022-01", 4, ""],
                ],
            }
        ),
        "a.xlsx",
    )
    assert first.status == "accepted"
    # One value replaced, one unchanged: the replaced row stays in history and counts.
    second = import_file(db_engine, values_xlsx("南山区", "2022-01", 5), "b.xlsx")
    assert (second.rows_new, second.rows_replaced) == (0, 1)
    third = import_file(db_engine, values_xlsx("福田区", "2022-01", 4), "c.xlsx")
    assert third.status == "unchanged" or third.rows_unchanged == 1
    assert only_changes(districts, shown(db_engine, "districts")) == {"南山区": 2, "福田区": 1}

    brands, types = shown(db_engine, "brands"), shown(db_engine, "activity_types")
    report = import_file(
        db_engine,
        activities_xlsx(("南山区", "政策宣讲会", "民企话坛"), ("福田区", "政策宣讲会", "")),
        "d.xlsx",
    )
    assert report.status == "accepted", report.message
    assert only_changes(brands, shown(db_engine, "brands")) == {"民企话坛": 1}
    assert only_changes(types, shown(db_engine, "activity_types")) == {"政策宣讲会": 2}
    assert only_changes(districts, shown(db_engine, "districts")) == {"南山区": 3, "福田区": 2}

    # Held by review: not counted by the page, as before; counted by the delete check.
    with db_engine.begin() as conn:
        assert set_review_rule(conn, ADMIN, "activities", True)
    held = guarded_import(
        db_engine, NANSHAN_STAFF, activities_xlsx(("南山区", "政策宣讲会", "民企话坛")), "e.xlsx"
    )
    assert held.status == "pending"
    assert only_changes(districts, shown(db_engine, "districts")) == {"南山区": 3, "福田区": 2}
    with db_engine.connect() as conn:
        nanshan = master_admin.find_entry(conn, "districts", "南山区")
        before_held = master_admin.reference_counts(conn, "districts")[nanshan["id"]]
        found = master_admin.references(conn, "districts", nanshan)
    assert sum(found.values()) == before_held + 1

    # A rollback marks rows not current: history, still counted.
    with db_engine.begin() as conn:
        rollback_submission(conn, second.submission_id, by="admin")
    assert only_changes(districts, shown(db_engine, "districts")) == {"南山区": 3, "福田区": 2}

    with db_engine.begin() as conn:
        master_admin.merge_entries(conn, SYSTEM, "districts", "福田区", "罗湖区")
        master_admin.merge_entries(conn, SYSTEM, "brands", "民企话坛", "深圳企业家日")
        master_admin.rename_entry(conn, SYSTEM, "activity_types", "政策宣讲会", "政策宣讲")
    after = shown(db_engine, "districts")
    assert "福田区" not in after
    assert after["罗湖区"] == districts["罗湖区"] + districts["福田区"] + 2
    assert after["南山区"] == districts["南山区"] + 3
    merged = shown(db_engine, "brands")
    assert "民企话坛" not in merged and merged["深圳企业家日"] == brands["深圳企业家日"] + 1
    renamed = shown(db_engine, "activity_types")
    assert "政策宣讲会" not in renamed and renamed["政策宣讲"] == 2
    with db_engine.connect() as conn:
        assert summaries_references.stored(conn) == summaries_references.recount(conn)
        statuses = set(conn.execute(select(Submission.status)).scalars())
    assert {"pending", "rolled_back"} <= statuses


def test_reading_the_counts_reads_none_of_the_kinds_tables(db_engine):
    import_file(db_engine, values_xlsx("南山区", "2022-01", 5), "a.xlsx")
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db_engine, "before_cursor_execute", seen)
    try:
        with db_engine.connect() as conn:
            counts = {key: master_admin.reference_counts(conn, key) for key in master_admin.LISTS}
    finally:
        event.remove(db_engine, "before_cursor_execute", seen)
    assert statements and not [s for s in statements if KIND_TABLES.search(s)]
    with db_engine.connect() as conn:
        nanshan = master_admin.find_entry(conn, "districts", "南山区")["id"]
        assert counts["districts"][nanshan] == (
            1 + sum(1 for e in master_admin.entries(conn, "units") if e["district"] == "南山区")
        )
