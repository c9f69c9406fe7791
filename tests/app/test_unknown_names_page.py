"""Unknown names in the upload page: an admin resolves a task list's unknown lead units in
place (one row per distinct name, the close one preselected, the others registered as new
in one click) and commits without re-uploading; staff see the same names with what to do
and re-check the same pending upload once an admin has acted. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.permissions import Principal
from data_model.admin import master_admin
from data_model.store.models import Task, Unit
from tests.admin.test_unknown_names import task_list
from tests.app.conftest import upload_page, upload_page_as_nanshan_staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW_UNITS = ["市应急管理局", "市气象局", "市交通运输局"]
CLOSE = "市发展和改革委"  # a long form of 市发展改革委


def stored_lead_units(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(
            conn.execute(
                select(Unit.name).join(Task, Task.lead_unit_id == Unit.id).where(Task.is_current)
            ).scalars()
        )


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label.startswith(label))


def test_admin_maps_one_registers_the_others_and_commits_without_reuploading(engine, empty_db):
    app = upload_page(empty_db)
    units = [CLOSE, *NEW_UNITS, CLOSE]
    app.file_uploader(key="upload_files").set_value(("list.xlsx", task_list(units), XLSX))
    app.run()
    assert not app.exception
    assert button(app, "确认导入").disabled
    names = next(d.value for d in app.dataframe if "文件中的写法" in d.value.columns)
    assert names["文件中的写法"].tolist() == [CLOSE, *NEW_UNITS]
    assert names["行数"].tolist() == [2, 1, 1, 1]
    close = next(s for s in app.selectbox if s.label.startswith(f"责任单位「{CLOSE}」"))
    assert close.value == "市发展改革委"  # preselected, not yet applied
    assert all(
        s.value == "" for s in app.selectbox if any(f"「{u}」" in s.label for u in NEW_UNITS)
    )

    button(app, "将 3 个没有相近名称的全部登记为新").click().run()
    assert not app.exception
    assert any("已处理 3 个名称" in s.value for s in app.success)
    names = next(d.value for d in app.dataframe if "文件中的写法" in d.value.columns)
    assert names["文件中的写法"].tolist() == [CLOSE]

    button(app, "应用所选处理").click().run()
    assert not app.exception
    assert not any("文件中的写法" in d.value.columns for d in app.dataframe)
    assert any("将新增 5 条" in i.value for i in app.info)
    button(app, "确认导入").click().run()
    assert not app.exception
    assert stored_lead_units(engine) == sorted(["市发展改革委"] * 2 + NEW_UNITS)
    with engine.connect() as conn:
        added = {
            u["name"]: u["category"]
            for u in master_admin.entries(conn, "units")
            if u["name"] in NEW_UNITS
        }
        alias_of = master_admin.find_entry(conn, "units", CLOSE)["name"]
    assert added == dict.fromkeys(NEW_UNITS, "city_department")
    assert alias_of == "市发展改革委"


def test_staff_see_what_to_do_and_recheck_once_an_admin_has_added_the_unit(engine, empty_db):
    app = upload_page_as_nanshan_staff(empty_db)
    data = task_list(["市应急管理局"], district="南山区")
    app.file_uploader(key="upload_files").set_value(("list.xlsx", data, XLSX))
    app.run()
    assert not app.exception
    assert any("请联系本会管理员" in w.value and "无需重新上传" in w.value for w in app.warning)
    assert not any(b.label == "应用所选处理" for b in app.button)  # staff cannot resolve
    assert button(app, "确认导入").disabled

    button(app, "重新检查").click().run()  # nothing changed yet
    assert not app.exception
    assert button(app, "确认导入").disabled

    with engine.begin() as conn:
        master_admin.add_entry(
            conn, Principal("root", "admin"), "units", name="市应急管理局", category="other"
        )
    button(app, "重新检查").click().run()
    assert not app.exception
    assert any("已按最新的主数据重新检查" in s.value for s in app.success)
    assert not button(app, "确认导入").disabled
    button(app, "确认导入").click().run()
    assert not app.exception
    assert stored_lead_units(engine) == ["市应急管理局"]


def problem_reasons(app: AppTest) -> list[str]:
    problems = next(d.value for d in app.dataframe if "原因与处理办法" in d.value.columns)
    return problems["原因与处理办法"].tolist()


def test_one_unknown_name_is_explained_by_who_may_register_it_and_offered_as_one(engine, empty_db):
    data = task_list(["市应急管理局"], district="南山区")
    admin = upload_page(empty_db)
    admin.file_uploader(key="upload_files").set_value(("list.xlsx", data, XLSX))
    admin.run()
    assert not admin.exception
    (reason,) = problem_reasons(admin)
    # One name: the button does not say "all 1".
    assert any(b.label == "将这 1 个没有相近名称的登记为新" for b in admin.button)
    assert "联系管理员" not in reason  # the admin is offered the mapping right here
    assert reason.endswith("如确需新增，请在“主数据管理”中登记。")
    staff = upload_page_as_nanshan_staff(empty_db)
    staff.file_uploader(key="upload_files").set_value(("list.xlsx", data, XLSX))
    staff.run()
    assert not staff.exception
    (reason,) = problem_reasons(staff)
    assert reason.endswith("如确需新增，请联系管理员。")


TEN_DEPARTMENTS = [
    "市应急管理局",
    "市水务局",  # 市税务局 is registered: similar, but never preselected
    "市气象局",
    "市交通运输局",
    "市文化广电旅游体育局",
    "市卫生健康委",
    "市生态环境局",
    "市教育局",
    "市民政局",  # likewise 市财政局
    "市退役军人事务局",
]


def test_ten_departments_never_seen_are_imported_with_two_clicks(engine, empty_db):
    app = upload_page(empty_db)
    data = task_list(TEN_DEPARTMENTS)
    app.file_uploader(key="upload_files").set_value(("ten.xlsx", data, XLSX))
    app.run()
    assert not app.exception
    button(app, "将 10 个没有相近名称的全部登记为新").click().run()
    assert not app.exception
    button(app, "确认导入").click().run()
    assert not app.exception
    assert stored_lead_units(engine) == sorted(TEN_DEPARTMENTS)


def test_more_names_than_a_form_holds_are_offered_most_used_first_then_the_rest(engine, empty_db):
    # A task list with a different unit on every row once made a form of 4,000 drop-downs.
    from data_model.admin.unknown_names import RESOLVE_IN_PAGE

    once = [f"市第{n}未知办" for n in range(RESOLVE_IN_PAGE + 5)]
    twice = "市应急管理局"
    app = upload_page(empty_db)
    units = [*once, twice, twice]
    app.file_uploader(key="upload_files").set_value(("list.xlsx", task_list(units), XLSX))
    app.run()
    assert not app.exception
    names = next(d.value for d in app.dataframe if "文件中的写法" in d.value.columns)
    assert len(names) == RESOLVE_IN_PAGE + 6  # the table lists every name
    assert any(
        w.value.startswith(f"未登记的名称共 {RESOLVE_IN_PAGE + 6} 个，下面先列出使用行数最多的")
        for w in app.warning
    )
    offered = [s.label for s in app.selectbox if s.label.startswith("责任单位「")]
    assert len(offered) == RESOLVE_IN_PAGE
    assert offered[-1] == f"责任单位「{twice}」（2 行）"  # the most used, in the file's order
    assert offered[0].startswith("责任单位「市第0未知办」")
    assert not any(f"「{once[-1]}」" in label for label in offered)

    button(app, f"将 {RESOLVE_IN_PAGE} 个没有相近名称的全部登记为新").click().run()
    assert not app.exception
    rest = next(d.value for d in app.dataframe if "文件中的写法" in d.value.columns)
    assert rest["文件中的写法"].tolist() == once[RESOLVE_IN_PAGE - 1 :]
    assert not any(w.value.startswith("未登记的名称共") for w in app.warning)
