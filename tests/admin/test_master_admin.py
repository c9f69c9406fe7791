"""Master data managed in the product (data_model.admin.master_admin): renames keep the old name
as an alias, merges move every reference (history too) in one transaction, a referenced
entry is deactivated rather than deleted, every change is audited, bumps the data version
and is for admins only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data_model.accounts import users
from data_model.accounts.permissions import SYSTEM, PermissionDenied, Principal
from data_model.admin import master_admin
from data_model.errors import InputError
from data_model.ingest.importer import ImportOptions, import_file
from data_model.reference.master import load_master
from data_model.store import audit
from data_model.store.models import (
    Activity,
    District,
    ExpectedSubmission,
    IndicatorValue,
    Task,
    Unit,
)
from data_model.store.storage import write_versions
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx
from tests.task_workbook import TASK_HEADER

ADMIN = Principal("root", "admin")


def tasks_xlsx(unit: str, period: str = "2022-Q1", progress: int = 10) -> bytes:
    return make_xlsx(
        {
            "任务清单": [
                TASK_HEADER,
                [
                    "T01",
                    "领跑行动",
                    "优化营商环境",
                    unit,
                    "张三",
                    dt.datetime(2022, 1, 1),
                    "2022年底前",
                    progress,
                    "",
                    "",
                    period,
                ],
            ]
        }
    )


def values_xlsx(district: str, period: str, value: float) -> bytes:
    return make_xlsx(
        {
            "指标体系": indicator_rows(),
            "指标数据": [VALUE_HEADER, ["YS01", "企业开办时间", district, period, value, ""]],
        }
    )


def upload(engine, data: bytes, name: str = "f.xlsx"):
    return import_file(engine, data, name, ImportOptions(uploader="tester"))


def version(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(write_versions(conn))


def test_rename_keeps_the_old_name_as_an_alias_so_an_upload_with_it_still_matches(engine):
    with engine.begin() as conn:
        users.create_user(conn, "wang", "staff", "a-long-password-1", by="t", units=["市委统战部"])
    before = version(engine)
    with engine.begin() as conn:
        entry = master_admin.rename_entry(conn, ADMIN, "units", "市委统战部", "市委统一战线部")
    assert "市委统战部" in entry["aliases"]
    assert version(engine)["master_data"] > before["master_data"]
    report = upload(engine, tasks_xlsx("市委统战部"))
    assert report.status == "accepted", report.errors
    with engine.connect() as conn:
        unit_id = conn.execute(select(Task.lead_unit_id)).scalar_one()
        assert conn.execute(select(Unit.name).where(Unit.id == unit_id)).scalar_one() == (
            "市委统一战线部"
        )
        # A user bound to the old name follows the rename.
        assert list(users.get_user(conn, "wang").units) == ["市委统一战线部"]
        event = audit.events(conn, action="master_change").iloc[0]
    assert event["username"] == "root"
    assert event["detail"]["op"] == "rename"
    assert (event["detail"]["old"], event["detail"]["new"]) == ("市委统战部", "市委统一战线部")


def test_merge_moves_every_reference_in_history_and_keeps_the_names_as_aliases(engine):
    assert upload(engine, values_xlsx("南山区", "2022-01", 3), "a.xlsx").status == "accepted"
    # A second submission supersedes the first: the old row stays in history.
    assert upload(engine, values_xlsx("南山区", "2022-01", 4), "b.xlsx").status == "accepted"
    with engine.begin() as conn:
        users.create_user(conn, "li", "staff", "a-long-password-1", by="t", districts=["南山区"])
        conn.execute(
            ExpectedSubmission.__table__.insert().values(
                district_id=select(District.id).where(District.name == "南山区").scalar_subquery(),
                kind="indicator_values",
                period="2022-01",
                due_date=dt.date(2022, 2, 10),
                note="",
            )
        )
    before = version(engine)
    with engine.begin() as conn:
        result = master_admin.merge_entries(conn, ADMIN, "districts", "南山区", "福田区")
    assert result["moved"] >= 4  # two value rows, one schedule entry, one unit, one user
    after = version(engine)
    assert after["master_data"] > before["master_data"]
    assert after["indicator_values"] > before["indicator_values"]
    with engine.connect() as conn:
        futian = conn.execute(select(District).where(District.name == "福田区")).one()
        assert conn.execute(select(District.id).where(District.name == "南山区")).first() is None
        rows = conn.execute(select(IndicatorValue.district_id, IndicatorValue.is_current)).all()
        assert sorted(rows) == [(futian.id, False), (futian.id, True)]
        assert conn.execute(select(ExpectedSubmission.district_id)).scalar_one() == futian.id
        assert (
            conn.execute(select(Unit.district_id).where(Unit.name == "南山区工商联")).scalar_one()
            == futian.id
        )
        assert list(users.get_user(conn, "li").districts) == ["福田区"]
        assert {"南山区", "南山", "440305", "nanshan"} <= set(futian.aliases)
        assert load_master(conn).districts.match("南山区") == "福田区"
        assert load_master(conn).districts.match("nanshanqu") == "福田区"
    report = upload(engine, values_xlsx("南山", "2022-02", 5), "c.xlsx")
    assert report.status == "accepted", report.errors


def test_merge_is_all_or_nothing_and_refuses_a_clash_of_current_rows(engine):
    assert upload(engine, values_xlsx("南山区", "2022-01", 3), "a.xlsx").status == "accepted"
    assert upload(engine, values_xlsx("福田区", "2022-01", 4), "b.xlsx").status == "accepted"
    with pytest.raises(InputError) as caught, engine.begin() as conn:
        master_admin.merge_entries(conn, ADMIN, "districts", "南山区", "福田区")
    assert caught.value.key == "master.merge_conflict"
    assert "YS01 / 2022-01" in caught.value.message()
    with engine.connect() as conn:
        assert conn.execute(select(District.id).where(District.name == "南山区")).first()
        assert len(set(conn.execute(select(IndicatorValue.district_id)).scalars())) == 2


def test_merge_into_itself_and_unknown_entries_are_clear_errors(engine):
    with pytest.raises(InputError) as caught, engine.begin() as conn:
        master_admin.merge_entries(conn, ADMIN, "units", "市工商联", "深圳市总商会")
    assert caught.value.key == "master.merge_into_itself"
    with pytest.raises(InputError) as caught, engine.begin() as conn:
        master_admin.rename_entry(conn, ADMIN, "units", "市委统战布", "x")
    assert caught.value.key == "master.unknown_entry"
    assert caught.value.suggestion == "市委统战部"


def test_a_name_or_alias_of_another_entry_is_refused_naming_that_entry(engine):
    with pytest.raises(InputError) as caught, engine.begin() as conn:
        master_admin.add_entry(conn, ADMIN, "units", name="新单位", aliases="市发改委、新单位简称")
    assert caught.value.key == "master.exists_as_alias"
    assert "市发展改革委" in caught.value.message()
    with pytest.raises(InputError) as caught, engine.begin() as conn:
        master_admin.rename_entry(conn, ADMIN, "districts", "南山区", "福田")
    assert caught.value.key == "master.name_taken"


def test_adding_an_existing_name_says_it_exists_without_offering_a_merge(engine):
    with pytest.raises(InputError) as caught, engine.begin() as conn:
        master_admin.add_entry(conn, ADMIN, "units", name="市发展改革委")
    assert caught.value.message() == "已有名为「市发展改革委」的责任单位。"
    assert caught.value.suggestion is None  # no "did you mean" repeating the name
    with pytest.raises(InputError) as caught, engine.begin() as conn:
        master_admin.add_entry(conn, ADMIN, "units", name="市发改委")
    assert caught.value.message() == (
        "「市发改委」已是责任单位「市发展改革委」的别名或代码。"
        "如指的就是该责任单位，请直接使用「市发展改革委」；否则请换一个名称。"
    )
    assert caught.value.suggestion is None
    # Giving an existing entry a name another one has keeps the offer to merge.
    with pytest.raises(InputError) as caught, engine.begin() as conn:
        master_admin.add_alias(conn, ADMIN, "units", "市工商联", "市发改委")
    assert caught.value.key == "master.name_taken"


def test_a_deactivated_entry_is_refused_in_a_new_upload_with_what_to_do(engine):
    with engine.begin() as conn:
        master_admin.deactivate_entry(conn, ADMIN, "units", "市司法局")
    report = upload(engine, tasks_xlsx("市司法局"))
    assert report.status == "rejected"
    (problem,) = report.errors
    assert "已停用" in problem.message and "重新启用" in problem.message
    assert problem.value == "市司法局"
    with engine.begin() as conn:
        master_admin.reactivate_entry(conn, ADMIN, "units", "市司法局")
    assert upload(engine, tasks_xlsx("市司法局")).status == "accepted"


def test_a_deactivated_district_is_refused_and_left_out_of_the_template_lists(engine):
    with engine.begin() as conn:
        master_admin.deactivate_entry(conn, ADMIN, "districts", "光明区")
        assert "光明区" not in load_master(conn).districts.names
    report = upload(engine, values_xlsx("光明", "2022-01", 3))
    assert report.status == "rejected"
    assert "「光明区」已停用" in report.errors[0].message


def test_a_referenced_entry_can_only_be_deactivated_an_unreferenced_one_deleted(engine):
    assert upload(engine, tasks_xlsx("市财政局")).status == "accepted"
    with pytest.raises(InputError) as caught, engine.begin() as conn:
        master_admin.delete_entry(conn, ADMIN, "units", "市财政局")
    assert caught.value.key == "master.referenced"
    assert "停用" in caught.value.message()
    with engine.begin() as conn:
        master_admin.delete_entry(conn, ADMIN, "units", "深圳市商业联合会")
        names = set(master_admin.list_entries(conn, ADMIN, "units")["name"])
    assert "深圳市商业联合会" not in names and "市财政局" in names


def test_edit_changes_fields_and_refuses_a_parent_cycle(engine):
    with engine.begin() as conn:
        entry = master_admin.edit_entry(
            conn, ADMIN, "units", "市工商联研究室", category="other", aliases="研究室、政研室"
        )
        assert entry["aliases"] == ["研究室", "政研室"] and entry["parent"] == "市工商联"
    with pytest.raises(InputError) as caught, engine.begin() as conn:
        master_admin.edit_entry(conn, ADMIN, "units", "市工商联", parent="研究室")
    assert caught.value.key == "master.parent_cycle"
    with pytest.raises(InputError) as caught, engine.begin() as conn:
        master_admin.edit_entry(conn, ADMIN, "districts", "南山区", kind="县")
    assert caught.value.key == "master.bad_choice"


def test_activity_types_and_issue_categories_are_lists_and_renames_follow_the_rows(engine):
    activity = [dt.datetime(2023, 3, 1), "南山区", "政策宣讲会", "宣讲", "", 30, 80]
    header = ["活动日期", "区", "活动类型", "活动名称", "所属品牌", "参与企业数", "参与人数"]
    assert upload(engine, make_xlsx({"活动台账": [header, activity]})).status == "accepted"
    with engine.begin() as conn:
        frame = master_admin.list_entries(conn, ADMIN, "activity_types")
        assert "直联走访" in set(frame["name"])
        assert int(frame.set_index("name").loc["政策宣讲会", "references"]) == 1
        master_admin.rename_entry(conn, ADMIN, "activity_types", "政策宣讲会", "政策宣讲")
        assert conn.execute(select(Activity.activity_type)).scalar_one() == "政策宣讲"
        categories = master_admin.list_entries(conn, ADMIN, "issue_categories")
        assert "融资贷款" in set(categories["name"])


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_only_admins_manage_master_data(engine, role):
    principal = Principal("someone", role, districts=("南山区",))
    calls = [
        lambda conn: master_admin.list_entries(conn, principal, "units"),
        lambda conn: master_admin.add_entry(conn, principal, "units", name="某单位"),
        lambda conn: master_admin.rename_entry(conn, principal, "units", "市商务局", "商务局"),
        lambda conn: master_admin.merge_entries(conn, principal, "units", "市商务局", "市财政局"),
        lambda conn: master_admin.deactivate_entry(conn, principal, "brands", "民企话坛"),
        lambda conn: master_admin.delete_entry(conn, principal, "brands", "民企话坛"),
    ]
    before = version(engine)
    for call in calls:
        with pytest.raises(PermissionDenied), engine.begin() as conn:
            call(conn)
    assert version(engine) == before
    with engine.connect() as conn:
        assert audit.events(conn, action="master_change").empty


def test_the_system_actor_may_manage_master_data(engine):
    with engine.begin() as conn:
        master_admin.add_entry(conn, SYSTEM, "brands", name="民企服务月", aliases="服务月")
        assert load_master(conn).brands.match("服务月") == "民企服务月"
        event = audit.events(conn, action="master_change").iloc[0]
    assert event["detail"]["op"] == "add" and event["detail"]["list"] == "brands"
