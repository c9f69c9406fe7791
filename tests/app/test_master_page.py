"""The master-data page: a tab per list, changes through master_admin, admins only."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_model.reference.master import load_master
from data_model.store import audit
from tests.conftest import sign_in_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/master.py"


@pytest.fixture
def data_dir(empty_db, monkeypatch):
    """The app's database (either engine), with the default master data."""
    empty_db.use(monkeypatch)
    return empty_db


def open_page(data_dir, tab: str | None = None) -> AppTest:
    """The page as an admin sees it, on `tab` (the first, 区, by default)."""
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), data_dir, role="admin")
    app.run()
    app.switch_page(PAGE).run()
    if tab is not None:
        app.session_state["master_tab"] = tab
        app.run()
    assert not app.exception, app.exception
    return app


def engine(data_dir):
    return data_dir.open()


def test_an_admin_sees_a_tab_per_list_with_its_table(data_dir):
    app = open_page(data_dir)
    assert [t.value for t in app.title] == ["主数据管理"]
    labels = [tab.label for tab in app.tabs]
    assert labels[:6] == ["区", "责任单位", "行动", "品牌", "活动类型", "诉求类别"]
    (districts,) = [d.value for d in app.dataframe]  # only the open tab runs
    assert "南山区" in set(districts["名称"])
    app = open_page(data_dir, tab="责任单位")
    (units,) = [d.value for d in app.dataframe]
    assert "市工商联" in set(units["名称"])
    assert set(units["状态"]) == {"启用"}


def test_an_admin_adds_and_renames_a_unit_in_the_page(data_dir):
    app = open_page(data_dir, tab="责任单位")
    app.text_input(key="add_units_name").input("市总工会")
    app.text_input(key="add_units_aliases").input("深圳市总工会、总工会")
    app.selectbox(key="add_units_category").select("other")
    add = next(b for b in app.button if b.label == "新增" and "units" in b.id)
    add.click().run()
    assert not app.exception, app.exception
    assert any("已新增责任单位「市总工会」" in s.value for s in app.success)
    assert "市总工会" in set(app.dataframe[0].value["名称"])

    app.selectbox(key="rename_units_pick").select("市总工会")
    app.text_input(key="rename_units_new").input("深圳市总工会机关")
    app.button(key="rename_units_go").click().run()
    assert not app.exception, app.exception
    with engine(data_dir).connect() as conn:
        assert load_master(conn).units.match("总工会") == "深圳市总工会机关"
        assert load_master(conn).units.match("市总工会") == "深圳市总工会机关"
        ops = [d["op"] for d in audit.events(conn, action="master_change")["detail"]]
    assert ops == ["rename", "add"]


def test_a_mistake_is_shown_and_changes_nothing(data_dir):
    app = open_page(data_dir)
    app.selectbox(key="merge_districts_gone").select("南山区")
    app.selectbox(key="merge_districts_kept").select("南山区")
    app.button(key="merge_districts_go").click().run()
    assert not app.exception, app.exception
    assert any("合并到它自己" in e.value for e in app.error)


def test_adding_a_unit_that_exists_says_so_plainly(data_dir):
    app = open_page(data_dir, tab="责任单位")
    app.text_input(key="add_units_name").input("市工商联")
    add = next(b for b in app.button if b.label == "新增" and "units" in b.id)
    add.click().run()
    assert not app.exception, app.exception
    assert [e.value for e in app.error] == ["已有名为「市工商联」的责任单位。"]


@pytest.mark.parametrize(
    "lang, tab, notes",
    [
        ("en", "Export / import", ["The workbook is in Chinese, the language its import reads."]),
        ("zh-CN", "导出/导入", []),  # the workbook's own language: nothing to say
    ],
)
def test_the_master_export_says_it_is_in_chinese_to_other_readers(
    data_dir, request, lang, tab, notes
):
    app = AppTest.from_file(APP, default_timeout=60)
    if lang == "en":
        request.getfixturevalue("in_english")  # the tabs' labels, formatted in this thread
        app.query_params["lang"] = "en"
    app = sign_in_app(app, data_dir, role="admin")
    app.run()
    app.switch_page(PAGE).run()
    app.session_state["master_tab"] = tab
    app.run()
    assert not app.exception, app.exception
    assert "master_export" in [b.key for b in app.get("download_button")]
    shown = [c.value for c in app.caption]
    assert [c for c in shown if "Chinese" in c or "中文" in c] == notes


def test_deactivating_from_the_page_refuses_the_entry_in_uploads(data_dir):
    app = open_page(data_dir, tab="品牌")
    app.selectbox(key="status_brands_pick").select("民企话坛")
    app.button(key="status_brands_toggle").click().run()
    assert not app.exception, app.exception
    with engine(data_dir).connect() as conn:
        master = load_master(conn)
    assert "民企话坛" not in master.brands.names


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_staff_and_leaders_do_not_get_the_page(data_dir, role):
    binding = {"districts": ["南山区"]} if role == "staff" else {}
    app = sign_in_app(
        AppTest.from_file(APP, default_timeout=60), data_dir, role=role, **binding
    ).run()
    assert not app.exception
    # The page is not even registered for them (a typed address gets the refusal).
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(PAGE)
