"""A staff upload waiting for unknown names is held on the server: the staff member leaves
the page (a new session), an admin resolves the names from the list of what staff are
waiting for, and the staff member opens the held upload in yet another session, re-checks
and commits it without uploading the file again. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from data_model.store.models import HeldUpload
from tests.app.conftest import upload_page, upload_page_as_nanshan_staff
from tests.app.test_unknown_names_page import XLSX, button, stored_lead_units, task_list

UNKNOWN = ["市应急管理局", "市气象局"]


def held_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(HeldUpload)).scalar()


def test_held_upload_survives_the_session_and_is_committed_after_the_admin_acts(engine, empty_db):
    first = upload_page_as_nanshan_staff(empty_db)
    first.file_uploader(key="upload_files").set_value(
        ("南山任务.xlsx", task_list(UNKNOWN, district="南山区"), XLSX)
    )
    first.run()
    assert not first.exception
    assert any("已保存在系统中" in i.value for i in first.info)
    assert held_count(engine) == 1

    later = upload_page_as_nanshan_staff(empty_db)  # another session: nothing uploaded in it
    assert not later.exception
    held_text = " ".join(m.value for m in later.markdown)
    assert "南山任务.xlsx" in held_text
    assert "尚待登记的名称：市应急管理局、市气象局" in held_text

    admin = upload_page(empty_db)
    assert not admin.exception
    assert any("员工上传中尚待登记的名称（1 份文件）" in e.label for e in admin.expander)
    assert any("nanshan-staff" in m.value and "南山任务.xlsx" in m.value for m in admin.markdown)
    button(admin, "将 2 个没有相近名称的全部登记为新").click().run()
    assert not admin.exception
    assert any("已处理 2 个名称" in s.value for s in admin.success)
    assert not any("员工上传中尚待登记的名称" in e.label for e in admin.expander)

    again = upload_page_as_nanshan_staff(empty_db)
    assert any("均已登记" in m.value for m in again.markdown)
    button(again, "打开并重新检查").click().run()
    assert not again.exception
    assert any("将新增 2 条" in i.value for i in again.info)
    button(again, "确认导入").click().run()
    assert not again.exception
    assert stored_lead_units(engine) == sorted(UNKNOWN)
    assert held_count(engine) == 0
    assert not any("已保存、待重新检查的上传" in m.value for m in again.markdown)


def test_cells_corrected_before_leaving_are_kept_and_a_held_upload_can_be_deleted(engine, empty_db):
    bad = task_list(["市应急管理局"], district="南三区")
    first = upload_page_as_nanshan_staff(empty_db)
    first.file_uploader(key="upload_files").set_value(("bad.xlsx", bad, XLSX))
    first.run()
    grid = next(e for e in first.data_editor)
    column = next(c for c in grid.value.columns if (grid.value[c] == "南三区").any())
    first.session_state[grid.key] = {
        "edited_rows": {0: {column: "南山区"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    button(first, "重新校验").click().run()
    assert not first.exception
    with engine.connect() as conn:
        edits = conn.execute(select(HeldUpload.edits)).scalar()
    assert [e[3] for e in edits] == ["南山区"]

    later = upload_page_as_nanshan_staff(empty_db)
    button(later, "打开并重新检查").click().run()
    assert not later.exception
    shown = " ".join(str(e.value.values.tolist()) for e in later.data_editor)
    assert "南山区" in shown and "南三区" not in shown  # the correction came back with it

    button(later, "删除").click().run()
    assert not later.exception
    assert any("已删除保存的上传「bad.xlsx」" in s.value for s in later.success)
    assert held_count(engine) == 0
