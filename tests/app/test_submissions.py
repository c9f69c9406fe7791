"""The submissions page: list, detail, stored file, rollback with confirmation, late list."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.ingest.importer import import_file
from data_model.queries.schedule import ensure_default_schedule
from data_model.store.models import Submission
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx, sign_in_app

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "submissions.py")


@pytest.fixture
def engine_dir(empty_db, monkeypatch):
    engine = empty_db.open()
    import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    import_file(
        engine,
        make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", 5, ""]]}),
        "a.xlsx",
    )
    import_file(
        engine,
        make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", 7, ""]]}),
        "b.xlsx",
    )
    empty_db.use(monkeypatch)
    yield engine
    engine.dispose()


def statuses(engine) -> dict[int, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Submission.id, Submission.status)).all())


def test_list_shows_every_submission_and_opens_one_with_its_file(engine_dir, empty_db):
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run()
    assert not app.exception
    listing = app.dataframe[0].value
    assert listing["文件名"].tolist() == ["b.xlsx", "a.xlsx", "indicators.xlsx"]
    assert listing["状态"].tolist() == ["已导入", "已被替代", "已导入"]
    assert any(b.label == "下载原始文件" for b in app.get("download_button"))


def test_rollback_needs_confirmation_and_restores_the_previous_value(engine_dir, empty_db):
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run()
    button = next(b for b in app.button if b.label == "撤回")
    assert button.disabled
    app.checkbox(key="sure_3").check().run()
    next(b for b in app.button if b.label == "撤回").click().run()
    assert not app.exception
    assert statuses(engine_dir) == {1: "accepted", 2: "accepted", 3: "rolled_back"}
    assert "已撤回批次 #3" in app.success[0].value


def test_late_list_names_districts_that_have_not_reported(engine_dir, empty_db):
    with engine_dir.begin() as conn:
        ensure_default_schedule(conn, "2022-03", "2022-03")
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run()
    assert not app.exception
    late = next(d.value for d in app.dataframe if "逾期天数" in d.value.columns)
    # 11 districts owe March values and a Q1 task report; only 南山区 sent March values.
    assert len(late) == 21
    assert ("南山区", "指标数据") not in set(zip(late["区"], late["数据类型"], strict=True))
    assert "21 项应报数据逾期未报" in app.markdown[-1].value


def test_without_a_schedule_the_late_tab_says_who_sets_one_up(engine_dir, empty_db):
    # It said 截至该日期，所有应报数据均已报送。 with no schedule at all.
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run()
    assert not app.exception
    assert not [s for s in app.success if "均已报送" in s.value]
    assert [i.value for i in app.info if "报送计划" in i.value] == [
        "尚未设置报送计划，无法判断哪些数据未按时报送。请在本页“报送计划”标签中生成默认计划或逐行填写。"
    ]
    leader = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db, "leader").run()
    assert [i.value for i in leader.info if "报送计划" in i.value] == [
        "尚未设置报送计划，无法判断哪些数据未按时报送。报送计划由管理员在本页“报送计划”标签中设置。"
    ]
