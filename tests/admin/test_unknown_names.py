"""Unknown names in an upload are never a dead end (data_model.admin.unknown_names): each is an
error naming the nearest known names, grouped one per distinct name, and an admin maps it
to an entry (an alias) or registers it as new, after which the same pending upload passes
when re-checked. Staff cannot resolve; every resolution is audited and bumps the data
version. Unknown districts stay errors. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data_model.accounts.permissions import PermissionDenied, Principal
from data_model.admin import master_admin
from data_model.admin.unknown_names import (
    Resolution,
    new_entry_fields,
    resolve,
    resolve_all,
    unknown_names,
)
from data_model.errors import InputError
from data_model.ingest.importer import ImportOptions
from data_model.ingest.templates import template_workbook
from data_model.queries.shared import master_lists
from data_model.reference.master import load_master
from data_model.store import audit
from data_model.store.models import Task, Unit
from data_model.store.storage import write_versions
from data_model.workflow.upload import commit, prepare, recheck
from tests.conftest import ACTIVITY_HEADER, ISSUE_HEADER, make_xlsx
from tests.task_workbook import TASK_HEADER

ADMIN = Principal("root", "admin")
STAFF = Principal("clerk", "staff", districts=("南山区",))
OPTIONS = ImportOptions(uploader="tester")
NEW_DEPARTMENTS = ["市应急管理局", "市水务局", "市气象局"]


def task_list(units: list[str], district: str = "") -> bytes:
    rows = [
        [
            f"T{number:02d}",
            "领跑行动",
            f"任务{number}",
            unit,
            "张三",
            dt.datetime(2022, 1, 1),
            "2022年底前",
            10,
            "",
            district,
            "2022-Q1",
        ]
        for number, unit in enumerate(units, start=1)
    ]
    return make_xlsx({"任务清单": [TASK_HEADER, *rows]})


def version(engine) -> int:
    with engine.connect() as conn:
        return dict(write_versions(conn))["master_data"]


def test_unknown_lead_units_are_grouped_with_their_row_counts_and_nearest_names(db_engine):
    engine = db_engine
    data = task_list(["市发展和改革委", "市应急管理局", "市发展和改革委", "市 应急管理局"])
    pending = prepare(engine, ADMIN, "t.xlsx", data, OPTIONS)
    assert pending.report.status == "rejected"
    names = unknown_names(pending.report)
    assert [(n.list_key, n.value, n.rows) for n in names] == [
        ("units", "市发展和改革委", 2),
        ("units", "市应急管理局", 2),
    ]
    assert names[0].close == "市发展改革委"
    assert 1 <= len(names[1].candidates) <= 3
    assert all(c in pending.report.errors[0].message for c in names[0].candidates)


@pytest.mark.parametrize(
    "cell",
    [
        "市发展改革委、市工商联",
        "市发展改革委\n市工商联",
        "市发展改革委，市工商联",
        "市发展改革委 市工商联",
    ],
)
def test_a_lead_unit_cell_naming_several_units_is_an_error_not_a_name_to_resolve(db_engine, cell):
    pending = prepare(
        db_engine, ADMIN, "t.xlsx", task_list([cell, "市发展改革委、某某新局"]), OPTIONS
    )
    assert pending.report.status == "rejected"
    assert unknown_names(pending.report) == []
    errors = pending.report.errors
    assert [(e.row, e.column) for e in errors] == [(2, "牵头单位"), (3, "牵头单位")]
    assert "市发展改革委、市工商联" in errors[0].message
    assert "配合单位" in errors[0].message
    assert "市发展改革委、某某新局" in errors[1].message


def test_mapping_to_an_entry_adds_an_alias_and_the_same_upload_then_passes(db_engine):
    engine = db_engine
    pending = prepare(engine, ADMIN, "t.xlsx", task_list(["市发改委员会"]), OPTIONS)
    before = version(engine)
    resolve_all(engine, ADMIN, [Resolution("units", "市发改委员会", target="市发展改革委")])
    assert version(engine) > before
    pending = recheck(engine, ADMIN, pending, OPTIONS)
    assert pending.report.status == "accepted", pending.report.errors
    assert commit(engine, ADMIN, pending, OPTIONS).status == "accepted"
    with engine.connect() as conn:
        assert load_master(conn).units.match("市发改委员会") == "市发展改革委"
        unit = conn.execute(select(Unit.name).join(Task, Task.lead_unit_id == Unit.id)).scalar_one()
        event = audit.events(conn, action="master_change").iloc[0]
    assert unit == "市发展改革委"
    assert event["username"] == "root"
    assert (event["detail"]["op"], event["detail"]["name"], event["detail"]["new"]) == (
        "alias",
        "市发展改革委",
        "市发改委员会",
    )


def test_registering_new_units_with_their_category_lets_the_list_pass(db_engine):
    engine = db_engine
    pending = prepare(engine, ADMIN, "t.xlsx", task_list(NEW_DEPARTMENTS), OPTIONS)
    names = unknown_names(pending.report)
    assert [n.value for n in names] == NEW_DEPARTMENTS
    with engine.begin() as conn:
        fields = [new_entry_fields(conn, n) for n in names]
        assert fields == [{"category": "city_department"}] * 3
        resolve(
            conn,
            ADMIN,
            [Resolution("units", n.value, None, f) for n, f in zip(names, fields, strict=True)],
        )
    pending = recheck(engine, ADMIN, pending, OPTIONS)
    assert pending.report.status == "accepted", pending.report.errors
    with engine.connect() as conn:
        units = master_admin.entries(conn, "units")
        events = audit.events(conn, action="master_change")
    added = {u["name"]: u["category"] for u in units if u["name"] in NEW_DEPARTMENTS}
    assert added == dict.fromkeys(NEW_DEPARTMENTS, "city_department")
    assert sorted(events["detail"].map(lambda d: d["op"])) == ["add"] * 3


def test_a_new_district_federation_gets_its_category_and_district_guessed(db_engine):
    engine = db_engine
    with engine.connect() as conn:
        names = unknown_names(
            prepare(engine, ADMIN, "t.xlsx", task_list(["南山区个私协会商会"]), OPTIONS).report
        )
        assert new_entry_fields(conn, names[0]) == {"category": "chamber", "district": "南山区"}


def test_resolutions_are_all_or_nothing(db_engine):
    engine = db_engine
    before = version(engine)
    with pytest.raises(InputError):
        resolve_all(
            engine,
            ADMIN,
            [
                Resolution("units", "市应急管理局", None, {"category": "city_department"}),
                Resolution("units", "市水务局", target="没有这个单位"),
            ],
        )
    assert version(engine) == before
    with engine.connect() as conn:
        assert load_master(conn).units.lookup("市应急管理局") is None


def test_staff_cannot_resolve_but_their_pending_upload_passes_once_an_admin_has(db_engine):
    engine = db_engine
    data = task_list(["市应急管理局"], district="南山区")
    pending = prepare(engine, STAFF, "t.xlsx", data, OPTIONS)
    assert unknown_names(pending.report)[0].value == "市应急管理局"
    before = version(engine)
    with pytest.raises(PermissionDenied):
        resolve_all(engine, STAFF, [Resolution("units", "市应急管理局", target="市商务局")])
    assert version(engine) == before
    pending = recheck(engine, STAFF, pending, OPTIONS)
    assert pending.report.status == "rejected"  # nothing changed yet
    with engine.begin() as conn:
        master_admin.add_entry(
            conn, ADMIN, "units", name="市应急管理局", category="city_department"
        )
    pending = recheck(engine, STAFF, pending, OPTIONS)
    assert pending.report.status == "accepted", pending.report.errors


def test_activity_types_and_issue_categories_are_checked_and_resolvable(db_engine):
    engine = db_engine
    activity = [
        dt.datetime(2022, 3, 1),
        "南山区",
        "企业沙龙",
        "沙龙一",
        "",
        3,
        5,
        "",
        "",
    ]
    issue = [
        "SQ1",
        dt.datetime(2022, 3, 1),
        "南山区",
        "甲公司",
        "融资",
        "贷款",
        "",
        "已受理",
        "",
        "",
    ]
    data = make_xlsx(
        {
            "活动台账": [
                ACTIVITY_HEADER,
                activity,
            ],
            "企业诉求": [
                ISSUE_HEADER,
                issue,
            ],
        }
    )
    pending = prepare(engine, ADMIN, "a.xlsx", data, OPTIONS)
    names = {(n.list_key, n.value): n for n in unknown_names(pending.report)}
    assert set(names) == {("activity_types", "企业沙龙"), ("issue_categories", "融资")}
    assert names[("issue_categories", "融资")].candidates[0] == "融资贷款"
    resolve_all(
        engine,
        ADMIN,
        [
            Resolution("activity_types", "企业沙龙"),
            Resolution("issue_categories", "融资", target="融资贷款"),
        ],
    )
    pending = recheck(engine, ADMIN, pending, OPTIONS)
    assert pending.report.status == "accepted", pending.report.errors


def test_an_unknown_district_stays_an_error_with_its_suggestion_and_is_not_resolvable(db_engine):
    engine = db_engine
    pending = prepare(engine, ADMIN, "t.xlsx", task_list(["市商务局"], district="福天区"), OPTIONS)
    assert pending.report.status == "rejected"
    assert pending.report.errors[0].suggestion == "福田区"
    assert unknown_names(pending.report) == []


def test_templates_offer_the_activity_types_and_issue_categories_as_dropdowns(db_engine):
    with db_engine.connect() as conn:
        lists = master_lists(conn)
    assert "政策宣讲会" in lists["activity_types"]
    assert "融资贷款" in lists["issue_categories"]
    book = load_workbook(io.BytesIO(template_workbook(["activities", "issues"], lists)))
    for sheet, header in (("活动台账", "活动类型"), ("企业诉求", "诉求类别")):
        column = next(c.column_letter for c in book[sheet][1] if c.value == header)
        validations = book[sheet].data_validations.dataValidation
        assert any(f"{column}2:{column}5000" in str(v.sqref) for v in validations)
