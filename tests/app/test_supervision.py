"""The notification area beside every page and the 督办 supervision page, on a fixed day
(28 September 2022) of tests/reminder_data.py, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import get_user
from data_model.i18n import t
from data_model.supervision import reminders
from data_model.supervision.notices import notices_frame
from tests.app.conftest import APP
from tests.app.test_signin_links import ignore_pages_folder
from tests.conftest import TEST_PASSWORD, sign_in_app
from tests.reminder_data import load_reminder_data

DAY = date(2022, 9, 28)
STAFF_SENTENCE = (
    "你区有 1 项报送将于 3 日内到期，1 项报送已逾期 18 天，1 项任务将于 3 日内到期，"
    "其中 1 项已进入督办。"
)
CITY_SENTENCE = (
    "全市有 1 项报送将于 3 日内到期，1 项报送已逾期 18 天，1 项任务将于 3 日内到期，"
    "1 项任务已逾期 90 天，其中 2 项已进入督办。"
)


@pytest.fixture
def app_db(empty_db, monkeypatch):
    """A fresh database with the reminder data, the app pointed at it, the day fixed."""
    engine = empty_db.open()
    load_reminder_data(engine)
    engine.dispose()
    empty_db.use(monkeypatch)
    monkeypatch.setattr(reminders, "today", lambda: DAY)
    for name in ("SMTP_HOST", "WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    return empty_db


def reminder_boxes(app: AppTest) -> list[str]:
    return [m.value for m in app.sidebar.markdown if 'class="reminders"' in m.value]


def signed_in_at(app_db, monkeypatch, page: str, username: str) -> AppTest:
    """A session opened at `pages/<page>.py`'s address, signed in through the form: the
    sign-in reruns app.py at that address (see tests/app/test_signin_links.py)."""
    ignore_pages_folder(monkeypatch)
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page(f"pages/{page}.py")
    app.run()
    app.text_input[0].input(username)
    app.text_input[1].input(TEST_PASSWORD)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize("page", ["overview", "tasks", "upload"])
def test_staff_see_their_own_scope_beside_the_page_and_in_a_toast_at_sign_in(
    app_db, monkeypatch, page
):
    sign_in_app(AppTest.from_file(APP), app_db, role="staff", username="wang", districts=["南山区"])
    app = signed_in_at(app_db, monkeypatch, page, "wang")
    assert app.title[0].value == t(f"{page}.title", "zh-CN")
    boxes = reminder_boxes(app)
    assert len(boxes) == 1 and STAFF_SENTENCE in boxes[0]
    assert "#C62828" in boxes[0]  # edged in the colour of the highest level reached: 督办
    assert [toast.value for toast in app.toast] == [f"登录提醒：{STAFF_SENTENCE}"]
    app.run()
    assert not app.toast  # once, at sign-in
    assert STAFF_SENTENCE in reminder_boxes(app)[0]


def test_a_leader_sees_the_whole_city_and_no_supervision_link(app_db):
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), app_db, role="leader").run()
    assert not app.exception
    assert CITY_SENTENCE in reminder_boxes(app)[0]
    # counted as of today, which the box says beside a page's own period; the date is not
    # cut at a hyphen where the sidebar wraps
    day = f'<span style="white-space:nowrap">{DAY.isoformat()}</span>'
    assert f"<b>待办提醒（截至今天 {day}）</b>" in reminder_boxes(app)[0]
    assert not app.sidebar.get("page_link")


def test_an_admin_gets_a_link_to_the_supervision_page(app_db):
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), app_db, role="admin").run()
    assert CITY_SENTENCE in reminder_boxes(app)[0]
    assert [link.label for link in app.sidebar.get("page_link")] == ["查看督办清单"]


def test_nothing_due_shows_no_notification(app_db, monkeypatch):
    monkeypatch.setattr(reminders, "today", lambda: date(2022, 1, 1))
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), app_db, role="leader").run()
    assert not app.exception
    assert reminder_boxes(app) == []


def open_supervision(app_db, role: str = "admin") -> AppTest:
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), app_db, role=role)
    app.switch_page("pages/supervision.py").run()
    assert not app.exception
    return app


def test_the_supervision_page_lists_filters_and_exports_every_item(app_db):
    app = open_supervision(app_db)
    assert app.title[0].value == "督办"
    table = app.dataframe[0].value
    assert list(table["责任单位"]) == ["市发展改革委", "南山区工商联", "市商务局", "市商务局"]
    assert [list(cell) for cell in table["级别"]] == [["督办"], ["督办"], ["提醒"], ["提醒"]]
    assert list(table["状态"]) == ["逾期 90 天", "逾期 18 天", "2 天后到期", "2 天后到期"]
    assert "sup_download" in [b.key for b in app.get("download_button")]
    badges = [m.value for m in app.markdown if "#F9A825" in m.value]
    assert badges and "提醒：2 项" in badges[0] and "督办：2 项" in badges[0]

    app.multiselect(key="sup_levels_filter").set_value(["remind"]).run()
    assert list(app.dataframe[0].value["责任单位"]) == ["市商务局", "市商务局"]
    app.multiselect(key="sup_levels_filter").set_value([]).run()
    app.multiselect(key="sup_items_filter").set_value(["task"]).run()
    assert list(app.dataframe[0].value["内容"]) == [
        "K02 开展营商环境评价",
        "K03 建设外贸企业服务平台",
    ]


def test_issuing_notices_from_the_page_numbers_one_per_unit(app_db):
    app = open_supervision(app_db)
    assert app.multiselect(key="sup_notice_units_supervise").value == [
        "南山区工商联",
        "市发展改革委",
    ]
    app.button(key="sup_issue").click().run()
    assert not app.exception
    engine = app_db.open()
    with engine.connect() as conn:
        issued = notices_frame(conn)
    engine.dispose()
    # Two notice numbers are a list: 、 between them (it was ，).
    numbers = sorted(issued["number"])
    assert numbers[0].startswith("督办〔") and numbers[0].endswith("〕1号")
    assert app.success[0].value == f"已生成 2 份督办通知：{numbers[0]}、{numbers[1]}。"
    assert sorted(issued["unit"]) == ["南山区工商联", "市发展改革委"]
    assert sorted(issued["items"]) == [1, 1]
    assert f"sup_notice_{issued['id'].iloc[0]}" in [b.key for b in app.get("download_button")]


def test_an_admin_sets_the_levels_on_the_page(app_db):
    app = open_supervision(app_db)
    app.number_input(key="sup_day_remind").set_value(-14)
    app.number_input(key="sup_day_supervise").set_value(30)
    app.button(key="FormSubmitter:sup_levels-保存级别设置").click().run()
    assert not app.exception
    assert "提醒 -14 天" in app.success[0].value
    table = app.dataframe[0].value
    assert [list(cell) for cell in table["级别"]] == [
        ["督办"],
        ["催办"],
        ["提醒"],
        ["提醒"],
        ["提醒"],
    ]
    assert "福田区工商联" in list(table["责任单位"])


def test_a_bad_level_order_is_refused_on_the_page(app_db):
    app = open_supervision(app_db)
    app.number_input(key="sup_day_urge").set_value(10)
    app.button(key="FormSubmitter:sup_levels-保存级别设置").click().run()
    assert not app.exception
    assert "督办必须晚于催办开始" in app.error[0].value


def test_delivery_is_off_until_configured(app_db):
    app = open_supervision(app_db)
    assert any("SMTP_HOST" in i.value for i in app.info)
    assert "sup_send" not in [b.key for b in app.button]


def test_staff_cannot_reach_the_supervision_page(app_db, monkeypatch):
    sign_in_app(AppTest.from_file(APP), app_db, role="staff", username="wang", districts=["南山区"])
    app = signed_in_at(app_db, monkeypatch, "supervision", "wang")
    assert app.title[0].value == t("overview.title", "zh-CN")
    assert not [b for b in app.button if b.key == "sup_issue"]


def test_an_admin_records_a_user_e_mail_on_the_admin_page(app_db):
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), app_db, role="admin")
    app.switch_page("pages/admin.py").run()
    app.text_input(key="admin_email_test-admin").input("chen@gov.test")
    app.button(key="admin_save_email").click().run()
    assert not app.exception
    assert app.success[0].value == "已保存 test-admin 的电子邮箱。"
    engine = app_db.open()
    with engine.connect() as conn:
        assert get_user(conn, "test-admin").email == "chen@gov.test"
    engine.dispose()


def test_signing_in_at_the_presentation_shows_no_toast_over_the_slides(app_db, monkeypatch):
    sign_in_app(AppTest.from_file(APP), app_db, role="staff", username="wang", districts=["南山区"])
    app = signed_in_at(app_db, monkeypatch, "present", "wang")
    assert not app.toast  # a room is watching: the reminders stay in the sidebar
