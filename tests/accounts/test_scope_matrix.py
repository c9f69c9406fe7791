"""Scope on both sides of a write: role × kind × what the row would do; and on the
review side, reviewer × kind × whose rows × approve or return.

A staff member may write a row only when the incoming row and the stored row it would
replace are both theirs. Kinds whose key holds no district (a task's code, an issue's
number) are where a key collision could reach another district's row, so for them the
"supersede another's row" case sends another district's key under the staff member's
own district. Every rejected file leaves every stored row as it was.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data_model.accounts.permissions import OutOfScope, PermissionDenied, Principal, guarded_import
from data_model.ingest.importer import ImportOptions, import_file
from data_model.store.kind_registry import versioned_tables
from data_model.workflow.review import approve, return_submission, review_queue, set_review_rule
from tests.conftest import (
    ACTIVITY_HEADER,
    INDICATOR_HEADER,
    VALUE_HEADER,
    activity_row,
    indicator_rows,
    make_xlsx,
)
from tests.task_workbook import TASK_HEADER

STAFF = Principal("wang", "staff", ("南山区",))
PRINCIPALS = {"admin": Principal("chen", "admin"), "leader": Principal("zhao", "leader")}
PRINCIPALS["staff"] = STAFF
ISSUE_HEADER = ["诉求编号", "受理日期", "区", "企业名称", "诉求类别", "诉求内容", "办理状态"]
SCENARIOS = ("new_own", "new_other", "replace_own", "replace_other")


def value_row(code: str, district: str, value: float, period: str = "2023-03") -> list:
    return [code, "", district, period, value, ""]


def task_row(code: str, district: str, progress: int, unit: str = "市发展改革委") -> list:
    start = dt.datetime(2023, 1, 1)
    return [
        code,
        "领跑行动",
        "任务内容",
        unit,
        "张三",
        start,
        "2023年底",
        progress,
        "",
        district,
        "2023-Q1",
    ]


def issue_row(code: str, district: str, status: str = "已受理") -> list:
    return [
        code,
        dt.datetime(2023, 3, 1),
        district,
        "某某科技有限公司",
        "融资贷款",
        "贷款受阻",
        status,
    ]


def indicator_row(code: str, weight: int) -> list:
    return [code, f"指标{code}", "营商环境", "天", "逆向", weight, 1, "月", "期末值"]


# What is stored before each test: one row of 南山区 and one of 福田区 per kind.
STORED = {
    "indicators": ("指标体系", INDICATOR_HEADER, []),  # indicator_rows() are stored anyway
    "indicator_values": (
        "指标数据",
        VALUE_HEADER,
        [value_row("YS02", "南山区", 10), value_row("YS02", "福田区", 20)],
    ),
    "tasks": (
        "任务清单",
        TASK_HEADER,
        [task_row("N1", "南山区", 10), task_row("F1", "福田区", 10)],
    ),
    "activities": (
        "活动台账",
        ACTIVITY_HEADER,
        [
            activity_row(name="南山宣讲会", district="南山区", companies=30),
            activity_row(name="福田宣讲会", district="福田区", companies=30),
        ],
    ),
    "issues": (
        "企业诉求",
        ISSUE_HEADER,
        [issue_row("SQ-N", "南山区"), issue_row("SQ-F", "福田区")],
    ),
}
# The one row each scenario sends, per kind.
ROWS = {
    "indicators": {
        "new_own": indicator_row("YS08", 5),
        "new_other": indicator_row("YS09", 5),
        "replace_own": indicator_row("YS01", 7),
        "replace_other": indicator_row("YS03", 7),
    },
    "indicator_values": {
        "new_own": value_row("YS02", "南山区", 11, "2023-04"),
        "new_other": value_row("YS02", "福田区", 21, "2023-04"),
        "replace_own": value_row("YS02", "南山区", 12),
        "replace_other": value_row("YS02", "福田区", 22),  # the key holds the district
    },
    "tasks": {
        "new_own": task_row("N2", "南山区", 5),
        "new_other": task_row("F2", "福田区", 5),
        "replace_own": task_row("N1", "南山区", 50),
        "replace_other": task_row("F1", "南山区", 50),  # 福田区's task code, own district
    },
    "activities": {
        "new_own": activity_row(name="南山沙龙", district="南山区", companies=10),
        "new_other": activity_row(name="福田沙龙", district="福田区", companies=10),
        "replace_own": activity_row(name="南山宣讲会", district="南山区", companies=99),
        # the key holds the district
        "replace_other": activity_row(name="福田宣讲会", district="福田区", companies=99),
    },
    "issues": {
        "new_own": issue_row("SQ-N2", "南山区"),
        "new_other": issue_row("SQ-F2", "福田区"),
        "replace_own": issue_row("SQ-N", "南山区", "已办结"),
        "replace_other": issue_row("SQ-F", "南山区", "已办结"),  # 福田区's number, own district
    },
}
# role → kind → scenario → (status, rows new, rows replaced); leaders may not upload.
EXPECTED = {
    "admin": {
        kind: {
            "new_own": ("accepted", 1, 0),
            "new_other": ("accepted", 1, 0),
            "replace_own": ("accepted", 0, 1),
            "replace_other": ("accepted", 0, 1),
        }
        for kind in ROWS
    },
    "staff": {
        kind: {
            "new_own": ("accepted", 1, 0),
            "new_other": ("rejected", 0, 0),
            "replace_own": ("accepted", 0, 1),
            "replace_other": ("rejected", 0, 0),
        }
        for kind in ROWS
    },
}
EXPECTED["staff"]["indicators"] = dict.fromkeys(SCENARIOS, ("rejected", 0, 0))


@pytest.fixture
def stored(engine):
    sheets = {name: [header, *rows] for name, header, rows in STORED.values() if rows}
    sheets["指标体系"] = indicator_rows()
    report = import_file(engine, make_xlsx(sheets), "stored.xlsx", ImportOptions(uploader="chen"))
    assert report.status == "accepted", report.errors
    return engine


def current_rows(engine) -> dict[str, set[tuple]]:
    """Every current row of every versioned table, without ids."""
    with engine.connect() as conn:
        return {
            model.__tablename__: {
                tuple(v for k, v in row._mapping.items() if k not in ("id", "replaced_id"))
                for row in conn.execute(select(model.__table__).where(model.__table__.c.is_current))
            }
            for model in versioned_tables()
        }


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("kind", list(ROWS))
@pytest.mark.parametrize("role", ["admin", "leader", "staff"])
def test_scope_matrix(stored, role, kind, scenario):
    engine = stored
    sheet, header, _ = STORED[kind]
    data = make_xlsx({sheet: [header, ROWS[kind][scenario]]})
    before = current_rows(engine)
    if role == "leader":
        with pytest.raises(PermissionDenied):
            guarded_import(engine, PRINCIPALS[role], data, "upload.xlsx")
        assert current_rows(engine) == before
        return
    report = guarded_import(engine, PRINCIPALS[role], data, "upload.xlsx")
    status, new, replaced = EXPECTED[role][kind][scenario]
    assert report.status == status, [e.message for e in report.errors]
    if status == "rejected":
        assert current_rows(engine) == before
        assert [(e.sheet, e.row) for e in report.errors] == [(sheet, 2)]
    else:
        assert (report.rows_new, report.rows_replaced) == (new, replaced)


@pytest.mark.parametrize(
    ("kind", "key"), [("tasks", "F1"), ("issues", "SQ-F")], ids=["task code", "issue number"]
)
def test_a_key_of_another_district_is_refused_without_showing_its_data(stored, kind, key):
    """The finding: 南山区 staff sent 福田区's key under 区=南山区 and replaced 福田区's row."""
    sheet, header, _ = STORED[kind]
    data = make_xlsx({sheet: [header, ROWS[kind]["replace_other"]]})
    before = current_rows(stored)
    report = guarded_import(stored, STAFF, data, "collision.xlsx")
    assert report.status == "rejected"
    (error,) = report.errors
    assert key in error.message and "南山区" in error.message
    assert "福田" not in error.message  # whose key it is stays unsaid
    assert current_rows(stored) == before


def test_staff_whose_unit_leads_a_task_may_update_it_from_any_district(engine):
    """A task is in scope by its district or its lead unit, on both sides of the write."""
    sheet, header, _ = STORED["tasks"]
    admin = ImportOptions(uploader="chen")
    first = make_xlsx({sheet: [header, task_row("U1", "福田区", 10, unit="市商务局")]})
    assert import_file(engine, first, "u1.xlsx", admin).status == "accepted"
    unit_staff = Principal("li", "staff", (), ("市商务局",))
    update = make_xlsx({sheet: [header, task_row("U1", "福田区", 60, unit="市商务局")]})
    report = guarded_import(engine, unit_staff, update, "u1-update.xlsx")
    assert (report.status, report.rows_replaced) == ("accepted", 1)
    # Moving the task to a unit outside the scope is refused on the incoming side.
    moved = make_xlsx({sheet: [header, task_row("U1", "福田区", 70, unit="市司法局")]})
    assert guarded_import(engine, unit_staff, moved, "u1-moved.xlsx").status == "rejected"


# --- the review side: reviewer × kind × whose rows × decision --------------------------

REVIEWERS = {
    "nanshan": Principal("li", "reviewer", ("南山区",)),
    "futian": Principal("sun", "reviewer", ("福田区",)),
    # Bound to the lead unit of every task here (task_row's 市发展改革委), to no district.
    "unit": Principal("zhou", "reviewer", (), ("市发展改革委",)),
    "admin": PRINCIPALS["admin"],
}
SUBMITTERS = {
    "南山区": (STAFF, "replace_own"),
    "福田区": (Principal("liu", "staff", ("福田区",)), "new_other"),
}
REVIEWED_KINDS = ("indicator_values", "tasks", "activities", "issues")


def may_decide(reviewer: str, kind: str, district: str) -> bool:
    """SPEC §9 written out: admins everywhere, a reviewer within their districts or units."""
    if reviewer == "admin":
        return True
    if reviewer == "unit":
        return kind == "tasks"
    return {"nanshan": "南山区", "futian": "福田区"}[reviewer] == district


@pytest.mark.parametrize("decision", ["approve", "return"])
@pytest.mark.parametrize("district", list(SUBMITTERS))
@pytest.mark.parametrize("kind", REVIEWED_KINDS)
@pytest.mark.parametrize("reviewer", list(REVIEWERS))
def test_review_scope_matrix(stored, reviewer, kind, district, decision):
    engine = stored
    with engine.begin() as conn:
        set_review_rule(conn, PRINCIPALS["admin"], kind, True)
    staff, scenario = SUBMITTERS[district]
    sheet, header, _ = STORED[kind]
    report = guarded_import(
        engine, staff, make_xlsx({sheet: [header, ROWS[kind][scenario]]}), "u.xlsx"
    )
    assert report.status == "pending", [e.message for e in report.errors]
    before = current_rows(engine)
    principal = REVIEWERS[reviewer]
    with engine.connect() as conn:
        queued = report.submission_id in review_queue(conn, principal)["id"].tolist()
    act = (
        (lambda: approve(engine, principal, report.submission_id))
        if decision == "approve"
        else (lambda: return_submission(engine, principal, report.submission_id, "请核实"))
    )
    if not may_decide(reviewer, kind, district):
        assert not queued
        with pytest.raises(OutOfScope):
            act()
        assert current_rows(engine) == before
        return
    assert queued
    act()
    changed = current_rows(engine) != before
    assert changed == (decision == "approve")
