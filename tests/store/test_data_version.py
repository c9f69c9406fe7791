"""The pages' cache key (`queries.data_version`) changes with every committed write a page
shows, and only then: imports, rollbacks, schedule edits, master data, indicator
definitions, review rules and decisions, closed periods, recorded bulletins, escalation
levels, notices and evidence, each write tested on both engines."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select

from data_model.accounts.permissions import SYSTEM, Principal, guarded_import, guarded_rollback
from data_model.admin import master_admin
from data_model.admin.indicator_admin import current_indicators, save_indicators
from data_model.admin.master_workbook import export_workbook, import_workbook
from data_model.admin.period_closing import close_period, reopen_period
from data_model.ingest.importer import ImportOptions, import_file
from data_model.outputs.bulletin import bulletin_figures
from data_model.outputs.restatement import record_publication
from data_model.queries.schedule import ensure_default_schedule, replace_schedule, schedule_frame
from data_model.queries.shared import data_version
from data_model.reference.master import load_master_data_file
from data_model.store.models import Brand, TaskSnapshot
from data_model.supervision.notices import issue_notices
from data_model.supervision.reminders import reminder_items, set_escalation_levels
from data_model.workflow import evidence, review
from tests.accounts.test_permissions import activity
from tests.conftest import ACTIVITY_HEADER, VALUE_HEADER, indicator_rows, make_xlsx
from tests.reminder_data import load_reminder_data
from tests.task_workbook import task_workbook


def version(engine) -> tuple:
    with engine.connect() as conn:
        return data_version(conn)


def changed(engine, before: tuple) -> set[str]:
    """The write locks whose version moved since `before`."""
    return {
        name for (name, old), (_, new) in zip(before, version(engine), strict=True) if old != new
    }


@pytest.fixture
def indicators(engine):
    data = make_xlsx({"指标体系": indicator_rows()})
    assert import_file(engine, data, "i.xlsx").status == "accepted"
    return engine


def values(value: float) -> bytes:
    return make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2023-03", value, ""]]})


def test_an_import_changes_the_version_of_its_kinds(indicators):
    before = version(indicators)
    assert import_file(indicators, values(5), "v.xlsx").status == "accepted"
    assert changed(indicators, before) == {"indicator_values"}


@pytest.mark.parametrize(
    "outcome",
    ["dry run", "rejected", "unchanged"],
)
def test_an_import_that_writes_nothing_leaves_the_version(indicators, outcome):
    assert import_file(indicators, values(5), "v.xlsx").status == "accepted"
    before = version(indicators)
    if outcome == "dry run":
        report = import_file(indicators, values(6), "v.xlsx", ImportOptions(dry_run=True))
    elif outcome == "rejected":
        bad = make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "福天区", "2023-03", 1, ""]]})
        report = import_file(indicators, bad, "bad.xlsx")
    else:  # the same values in another file
        report = import_file(indicators, values(5.0), "again.xlsx", ImportOptions(note="again"))
    expected = {"dry run": ("accepted", None), "rejected": ("rejected", None)}
    if outcome in expected:
        assert (report.status, report.submission_id) == expected[outcome]
    else:
        assert report.status == "unchanged"
    assert changed(indicators, before) == set()


def test_a_rollback_changes_the_version(indicators):
    report = import_file(indicators, values(5), "v.xlsx")
    before = version(indicators)
    guarded_rollback(indicators, Principal("chen", "admin"), report.submission_id)
    assert changed(indicators, before) == {"indicator_values"}


def test_schedule_edits_change_the_version(engine):
    before = version(engine)
    with engine.begin() as conn:
        assert ensure_default_schedule(conn, "2023-01", "2023-01") > 0
    assert changed(engine, before) == {"schedule"}
    before = version(engine)
    with engine.begin() as conn:
        replace_schedule(conn, schedule_frame(conn).iloc[:3])
    assert changed(engine, before) == {"schedule"}


def test_a_start_neither_changes_the_version_nor_merges_defaults_into_existing_master_data(
    engine,
):
    before = version(engine)
    with engine.begin() as conn:
        assert sum(load_master_data_file(conn).values()) == 0
    assert changed(engine, before) == set()
    with engine.begin() as conn:
        conn.execute(delete(Brand).where(Brand.name == "民企话坛"))
    with engine.begin() as conn:
        # The database has master data: the defaults are not merged back in.
        assert sum(load_master_data_file(conn).values()) == 0
    assert changed(engine, before) == set()


# --- every write a page shows, one by one ------------------------------------------------
#
# Users, sign-in sessions, held uploads, deliveries and the audit trail are read afresh on
# every run of the pages that show them (never through `ui.query`), so their writes need
# no version; every table a cached query reads is written under a write lock below.


def staff_upload(engine, name: str = "待审核的宣讲会"):
    return guarded_import(
        engine,
        Principal("wang", "staff", ("南山区",)),
        make_xlsx({"活动台账": [ACTIVITY_HEADER, activity("南山区", name)]}),
        f"{name}.xlsx",
    )


def review_rule(engine) -> None:
    with engine.begin() as conn:
        review.set_review_rule(conn, SYSTEM, "activities", True)


def held(engine) -> int:
    review_rule(engine)
    return staff_upload(engine).submission_id


def in_transaction(action):
    def run(engine, prepared):
        with engine.begin() as conn:
            action(conn, prepared)

    return run


def task_report(engine) -> tuple[str, str]:
    assert import_file(engine, task_workbook(), "t.xlsx").status == "accepted"
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(TaskSnapshot.task_code, TaskSnapshot.report_period).limit(1)).one()
        )


def closed(engine, period: str = "2023") -> None:
    with engine.begin() as conn:
        close_period(conn, SYSTEM, "indicator_values", period)


def defined(engine) -> None:
    data = make_xlsx({"指标体系": indicator_rows()})
    assert import_file(engine, data, "i.xlsx").status == "accepted"


def publication(conn, _):
    record_publication(
        conn,
        bulletin_figures(conn, "2022", date(2023, 1, 15)),
        b"f",
        "xlsx",
        "b.xlsx",
        None,
        "admin",
    )


def edited_indicators(engine, _):
    with engine.connect() as conn:
        table = current_indicators(conn)
    table.loc[0, table.columns[1]] = "企业开办用时"
    assert save_indicators(engine, SYSTEM, table, "edit.xlsx").status == "accepted"


def master_workbook(conn, _):
    data = export_workbook(conn, SYSTEM, record=False)
    assert import_workbook(conn, SYSTEM, data, "m.xlsx", replace=True).status == "accepted"


# name → (what the write needs first, the write, the write locks whose version moves)
WRITES = {
    "master data: add": (
        None,
        in_transaction(
            lambda c, _: master_admin.add_entry(
                c, SYSTEM, "units", name="市气象局", category="city_department"
            )
        ),
        {"master_data"},
    ),
    "master data: edit": (
        None,
        in_transaction(
            lambda c, _: master_admin.edit_entry(c, SYSTEM, "units", "市司法局", email="a@b.test")
        ),
        {"master_data"},
    ),
    "master data: rename": (
        None,
        in_transaction(
            lambda c, _: master_admin.rename_entry(c, SYSTEM, "units", "市委统战部", "统战部")
        ),
        {"master_data"},
    ),
    "master data: alias": (
        None,
        in_transaction(
            lambda c, _: master_admin.add_alias(c, SYSTEM, "units", "市司法局", "司法局本部")
        ),
        {"master_data"},
    ),
    "master data: merge": (
        None,
        in_transaction(
            lambda c, _: master_admin.merge_entries(c, SYSTEM, "districts", "南山区", "福田区")
        ),
        {
            "master_data",
            "indicator_values",
            "tasks",
            "activities",
            "issues",
            "schedule",
            "review",
            "evidence",  # evidence records the district it was attached under
        },
    ),
    "master data: deactivate": (
        None,
        in_transaction(lambda c, _: master_admin.set_active(c, SYSTEM, "units", "市司法局", False)),
        {"master_data"},
    ),
    "master data: delete": (
        None,
        in_transaction(lambda c, _: master_admin.delete_entry(c, SYSTEM, "units", "市司法局")),
        {"master_data"},
    ),
    "master data: workbook": (None, in_transaction(master_workbook), {"master_data", "schedule"}),
    "indicators edited in the page": (defined, edited_indicators, {"indicators"}),
    "review rule": (
        None,
        in_transaction(lambda c, _: review.set_review_rule(c, SYSTEM, "activities", True)),
        {"review"},
    ),
    "review: a file held": (
        review_rule,
        lambda engine, _: staff_upload(engine),
        {"activities", "review"},
    ),
    "review: returned": (
        held,
        lambda engine, sid: review.return_submission(engine, SYSTEM, sid, "请核对"),
        {"activities", "review"},
    ),
    "review: approved": (
        held,
        lambda engine, sid: review.approve(engine, SYSTEM, sid),
        {"activities", "review"},
    ),
    "period closed": (
        None,
        in_transaction(lambda c, _: close_period(c, SYSTEM, "indicator_values", "2023")),
        {"indicator_values", "periods"},
    ),
    "period reopened": (
        closed,
        in_transaction(
            lambda c, _: reopen_period(c, SYSTEM, "indicator_values", "2023", "更正数据")
        ),
        {"indicator_values", "periods"},
    ),
    "bulletin recorded": (lambda e: closed(e, "2022"), in_transaction(publication), {"periods"}),
    "escalation levels": (
        None,
        in_transaction(
            lambda c, _: set_escalation_levels(c, SYSTEM, {"remind": -5, "urge": 0, "supervise": 9})
        ),
        {"reminders"},
    ),
    "evidence attached": (
        task_report,
        lambda engine, key: evidence.attach(engine, SYSTEM, *key, "报告.pdf", b"%PDF-1.4\n%%EOF\n"),
        {"evidence", "tasks"},  # with EVIDENCE_REQUIRED, a task may now count as completed
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_a_page_shows_changes_the_version(db_engine, write):
    prepare, act, locks = WRITES[write]
    prepared = prepare(db_engine) if prepare else None
    before = version(db_engine)
    act(db_engine, prepared)
    assert changed(db_engine, before) == locks


def test_notices_issued_change_the_version(db_engine):
    load_reminder_data(db_engine)
    as_of = date(2023, 7, 1)
    with db_engine.connect() as conn:
        items = reminder_items(conn, as_of).head(1)
    assert len(items) == 1
    before = version(db_engine)
    with db_engine.begin() as conn:
        issue_notices(conn, SYSTEM, items, as_of, issued_on=as_of)
    assert changed(db_engine, before) == {"reminders"}
