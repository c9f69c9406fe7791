"""Reminders on fixed dates: the exact open items per unit with their escalation level,
the levels an admin sets, the notification sentence, the 督办通知 documents and the CLI."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from sqlalchemy import select

from data_model.accounts.permissions import SYSTEM, PermissionDenied, Principal
from data_model.cli import main
from data_model.errors import InputError
from data_model.i18n import LANGUAGES, catalogue
from data_model.store import audit
from data_model.store.models import SupervisionNotice
from data_model.supervision.notices import issue_notices, notice_file, notices_frame
from data_model.supervision.reminders import (
    DEFAULT_FROM_DAYS,
    escalation_levels,
    in_scope,
    item_status,
    items_frame,
    level_of,
    reminder_items,
    set_escalation_levels,
    summary_text,
    whose_items,
)
from tests.reminder_data import load_reminder_data

COLUMNS = ["unit", "district", "item", "kind", "period", "task_code", "days_late", "days_left"]


@pytest.fixture
def engine(db_engine):
    """A fresh database with tests/reminder_data.py loaded, on SQLite and PostgreSQL."""
    load_reminder_data(db_engine)
    return db_engine


def rows(items) -> list[list]:
    return [[*r[:-1], r[-1]] for r in items[[*COLUMNS, "level"]].values.tolist()]


def test_levels_start_on_the_configured_days():
    levels = DEFAULT_FROM_DAYS
    assert [level_of(day, levels) for day in (-4, -3, -1, 0, 6, 7, 400)] == [
        None,
        "remind",
        "remind",
        "urge",
        "urge",
        "supervise",
        "supervise",
    ]


def test_open_items_and_levels_on_fixed_dates(engine):
    with engine.connect() as conn:
        before_due = reminder_items(conn, date(2022, 9, 28))
        due_day = reminder_items(conn, date(2022, 9, 30))
        week_late = reminder_items(conn, date(2022, 10, 8))
        year_end = reminder_items(conn, date(2023, 1, 1))
    # K02 (deadline 30 June) was not yet reported complete on 28 September; 福田区's
    # August values were reported on 5 September; its Q3 tasks are due on 10 October.
    assert rows(before_due) == [
        ["市发展改革委", "", "task", "", "", "K02", 90, 0, "supervise"],
        ["南山区工商联", "南山区", "report", "indicator_values", "2022-08", "", 18, 0, "supervise"],
        ["市商务局", "南山区", "report", "tasks", "2022-Q3", "", 0, 2, "remind"],
        ["市商务局", "南山区", "task", "", "", "K03", 0, 2, "remind"],
    ]
    assert rows(due_day) == [
        ["南山区工商联", "南山区", "report", "indicator_values", "2022-08", "", 20, 0, "supervise"],
        ["市商务局", "南山区", "report", "tasks", "2022-Q3", "", 0, 0, "urge"],
        ["市商务局", "南山区", "task", "", "", "K03", 0, 0, "urge"],
    ]
    assert rows(week_late) == [
        ["南山区工商联", "南山区", "report", "indicator_values", "2022-08", "", 28, 0, "supervise"],
        ["市商务局", "南山区", "report", "tasks", "2022-Q3", "", 8, 0, "supervise"],
        ["市商务局", "南山区", "task", "", "", "K03", 8, 0, "supervise"],
        ["福田区工商联", "福田区", "report", "tasks", "2022-Q3", "", 0, 2, "remind"],
    ]
    # Suspended K07 (due 2022-12-31), ongoing K05 and K04 (due 2023-06-30) never appear.
    assert set(year_end["task_code"]) == {"", "K03"}
    assert set(year_end["level"]) == {"supervise"}


def test_an_admin_sets_the_levels_and_they_change_the_list(engine):
    with engine.begin() as conn:
        assert escalation_levels(conn) == DEFAULT_FROM_DAYS
        set_escalation_levels(conn, SYSTEM, {"remind": "-14", "urge": 1, "supervise": 30})
    with engine.connect() as conn:
        assert escalation_levels(conn) == {"remind": -14, "urge": 1, "supervise": 30}
        items = reminder_items(conn, date(2022, 9, 28))
        changes = audit.events(conn, action="escalation_change")
    assert [(r[0], r[4], r[5], r[8]) for r in rows(items)] == [
        ("市发展改革委", "", "K02", "supervise"),
        ("南山区工商联", "2022-08", "", "urge"),
        ("市商务局", "2022-Q3", "", "remind"),
        ("市商务局", "", "K03", "remind"),
        ("福田区工商联", "2022-Q3", "", "remind"),  # 12 days ahead: within 14
    ]
    assert changes["detail"][0]["new"] == {"remind": -14, "urge": 1, "supervise": 30}


@pytest.mark.parametrize(
    ("levels", "key"),
    [
        ({"remind": "x", "urge": 0, "supervise": 7}, "reminders.level_not_a_number"),
        ({"remind": -3, "urge": 0, "supervise": 999}, "reminders.level_out_of_range"),
        ({"remind": 0, "urge": 0, "supervise": 7}, "reminders.levels_out_of_order"),
    ],
)
def test_bad_levels_are_refused_and_nothing_changes(engine, levels, key):
    with engine.begin() as conn, pytest.raises(InputError) as caught:
        set_escalation_levels(conn, SYSTEM, levels)
    assert caught.value.key == key
    with engine.connect() as conn:
        assert escalation_levels(conn) == DEFAULT_FROM_DAYS


def test_only_admins_set_levels_or_issue_notices(engine):
    leader = Principal("zhao", "leader")
    with engine.begin() as conn:
        with pytest.raises(PermissionDenied):
            set_escalation_levels(conn, leader, DEFAULT_FROM_DAYS)
        with pytest.raises(PermissionDenied):
            issue_notices(conn, leader, reminder_items(conn, date(2022, 10, 8)), date(2022, 10, 8))


def test_the_notification_sentence_for_a_staff_member_and_for_the_city(engine):
    staff = Principal("wang", "staff", ("南山区",))
    with engine.connect() as conn:
        items = reminder_items(conn, date(2022, 9, 28))
        levels = escalation_levels(conn)
    mine = in_scope(items, staff)
    assert list(mine["unit"]) == ["南山区工商联", "市商务局", "市商务局"]
    assert summary_text(mine, levels, whose="district", language="zh-CN") == (
        "你区有 1 项报送将于 3 日内到期，1 项报送已逾期 18 天，"
        "1 项任务将于 3 日内到期，其中 1 项已进入督办。"
    )
    assert summary_text(items, levels, whose="city", language="zh-CN") == (
        "全市有 1 项报送将于 3 日内到期，1 项报送已逾期 18 天，"
        "1 项任务将于 3 日内到期，1 项任务已逾期 90 天，其中 2 项已进入督办。"
    )
    assert summary_text(items.iloc[0:0], levels, whose="district") is None
    assert summary_text(mine, levels, whose="district", language="zh-CN", slipping=2).endswith(
        "其中 1 项已进入督办，2 项任务按目前进度预计将逾期。"
    )
    assert summary_text(
        items.iloc[0:0], levels, whose="district", language="zh-CN", slipping=1
    ) == ("你区有 1 项任务按目前进度预计将逾期。")
    due_day_levels = {"remind": 0, "urge": 1, "supervise": 7}
    with engine.connect() as conn:
        on_due_day = in_scope(reminder_items(conn, date(2022, 9, 30), due_day_levels), staff)
    assert summary_text(on_due_day, due_day_levels, whose="district", language="zh-CN") == (
        "你区有 1 项报送今日到期，1 项报送已逾期 20 天，1 项任务今日到期，其中 1 项已进入督办。"
    )


def test_english_reminders_of_one_item_or_one_day_take_the_singular():
    late = {"days_late": 1, "days_left": 0}
    assert item_status(late, "en") == "1 day late"
    assert item_status({"days_late": 0, "days_left": 1}, "en") == "due in 1 day"
    assert item_status({"days_late": 0, "days_left": 2}, "en") == "due in 2 days"
    assert item_status(late, "zh-CN") == "逾期 1 天"
    levels = {"remind": -1, "urge": 1, "supervise": 7}  # 提醒 from the day before the due date
    items = pd.DataFrame(
        {"item": ["task", "task"], "days_late": [0, 1], "level": ["remind", "urge"]}
    )
    assert summary_text(items, levels, whose="unit", language="en") == (
        "Your unit has 1 task(s) due within 1 day; 1 task 1 day late."
    )
    assert summary_text(items.iloc[0:0], levels, whose="unit", language="en", slipping=1) == (
        "Your unit has 1 task expected to miss its deadline at the current pace."
    )


def test_the_notification_names_what_the_staff_member_is_bound_to():
    assert whose_items(Principal("wang", "staff", ("南山区",))) == "district"
    assert whose_items(Principal("li", "staff", (), ("市商务局",))) == "unit"
    assert whose_items(Principal("zhao", "staff", ("南山区",), ("市商务局",))) == "district_unit"
    assert whose_items(Principal("boss", "leader")) == "city"
    levels = {"remind": -3, "urge": 0, "supervise": 7}
    items = pd.DataFrame({"item": ["task"], "days_late": [982], "level": ["supervise"]})
    assert summary_text(items, levels, "district", language="en").startswith(
        "Your district has 1 task 982 days late"
    )
    assert summary_text(items, levels, "district", language="zh-CN").startswith(
        "你区有 1 项任务已逾期 982 天"
    )


def test_the_supervision_table_names_the_kinds_of_item_as_labels():
    items = pd.DataFrame(
        {
            "level": ["supervise", "remind"],
            "unit": ["市发展改革委", "市商务局"],
            "district": ["", "南山区"],
            "item": ["task", "report"],
            "kind": ["", "tasks"],
            "period": ["", "2022-Q3"],
            "task_code": ["K02", ""],
            "content": ["开展营商环境评价", ""],
            "due_date": [date(2022, 6, 30), date(2022, 9, 30)],
            "days_late": [90, 0],
            "days_left": [0, 2],
        }
    )
    assert items_frame(items, "en")["Item"].tolist() == ["Task", "Submission"]
    assert items_frame(items, "zh-CN")["事项"].tolist() == ["任务", "报送"]


def document_text(data: bytes) -> tuple[list[str], list[list[str]]]:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[cell.text for cell in row.cells] for t in document.tables for row in t.rows]
    return paragraphs, tables


def test_one_numbered_notice_per_unit_with_its_items(engine):
    as_of = date(2022, 10, 8)
    with engine.begin() as conn:
        items = reminder_items(conn, as_of)
        issued = issue_notices(conn, SYSTEM, items, as_of, issued_on=date(2022, 10, 9))
    assert [(n.number, n.unit, len(n.items)) for n in issued] == [
        (1, "南山区工商联", 1),
        (2, "市商务局", 2),
        (3, "福田区工商联", 1),
    ]
    with engine.connect() as conn:
        name, data = notice_file(conn, issued[1].id)
        stored = conn.execute(
            select(SupervisionNotice.unit_name, SupervisionNotice.items).order_by(
                SupervisionNotice.number
            )
        ).all()
        listed = notices_frame(conn)
        events = audit.events(conn, action="notice")
    assert name == "督办〔2022〕2号_市商务局.docx"
    paragraphs, table = document_text(data)
    assert paragraphs[0] == "督办通知"
    assert paragraphs[1] == "督办〔2022〕2号"
    assert "市商务局：" in paragraphs
    assert any("你单位有以下 2 项工作" in p for p in paragraphs)
    assert table[0] == ["序号", "事项", "内容", "到期日", "状态", "级别"]
    assert table[1:] == [
        ["1", "报送", "南山区 任务清单 2022-Q3", "2022-09-30", "逾期 8 天", "督办"],
        ["2", "任务", "K03 建设外贸企业服务平台", "2022-09-30", "逾期 8 天", "督办"],
    ]
    assert [(u, [i.get("task_code") or i["period"] for i in its]) for u, its in stored] == [
        ("南山区工商联", ["2022-08"]),
        ("市商务局", ["2022-Q3", "K03"]),
        ("福田区工商联", ["2022-Q3"]),
    ]
    assert list(listed["number"]) == ["督办〔2022〕3号", "督办〔2022〕2号", "督办〔2022〕1号"]
    assert len(events) == 3


def test_notice_numbers_run_on_within_a_year_and_restart_in_the_next(engine):
    as_of = date(2022, 10, 8)
    with engine.begin() as conn:
        items = reminder_items(conn, as_of)
        nanshan = items[items["unit"] == "南山区工商联"]
        first = issue_notices(conn, SYSTEM, nanshan, as_of, issued_on=date(2022, 10, 9))
        second = issue_notices(conn, SYSTEM, items, as_of, issued_on=date(2022, 12, 1))
        next_year = issue_notices(conn, SYSTEM, nanshan, as_of, issued_on=date(2023, 1, 3))
    assert [n.number for n in first] == [1]
    assert [n.number for n in second] == [2, 3, 4]
    assert [(n.year, n.number) for n in next_year] == [(2023, 1)]


def test_nothing_to_issue_is_said_and_nothing_recorded(engine):
    with engine.begin() as conn:
        empty = reminder_items(conn, date(2022, 1, 1))
        with pytest.raises(InputError) as caught:
            issue_notices(conn, SYSTEM, empty, date(2022, 1, 1))
    assert caught.value.key == "notices.nothing_to_issue"
    with engine.connect() as conn:
        assert notices_frame(conn).empty


def test_cli_remind_prints_one_json_object_per_item(engine, capsys):
    url = engine.url.render_as_string(hide_password=False)
    assert main(["remind", "--db", url, "--as-of", "2022-10-08", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    objects = [json.loads(line) for line in lines]
    assert [
        (o["unit"], o["district"], o["item"], o["due_date"], o["days_late"], o["level"])
        for o in objects
    ] == [
        ("南山区工商联", "南山区", "report", "2022-09-10", 28, "supervise"),
        ("市商务局", "南山区", "report", "2022-09-30", 8, "supervise"),
        ("市商务局", "南山区", "task", "2022-09-30", 8, "supervise"),
        ("福田区工商联", "福田区", "report", "2022-10-10", 0, "remind"),
    ]


def test_cli_remind_send_without_a_channel_sends_nothing_and_says_so(engine, capsys, monkeypatch):
    for name in ("SMTP_HOST", "WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    url = engine.url.render_as_string(hide_password=False)
    assert main(["remind", "--db", url, "--as-of", "2022-10-08", "--send"]) == 0
    out = capsys.readouterr().out
    assert "福田区工商联" in out and "SMTP_HOST" in out
    with engine.connect() as conn:
        assert audit.events(conn, action="delivery").empty


def test_cli_remind_refuses_a_bad_date(capsys):
    assert main(["remind", "--as-of", "2022-13-01"]) == 2
    assert "2022-13-01" in capsys.readouterr().err


def test_every_literal_key_exists():
    # Same keys and placeholders in every language: tests/test_i18n_catalogue.py.
    namespaces = ("reminders", "notices", "delivery")
    root = Path(__file__).resolve().parents[2]
    sources = [
        "data_model/supervision/reminders.py",
        "data_model/supervision/notices.py",
        "data_model/supervision/delivery.py",
        "pages/supervision.py",
        "ui.py",
    ]
    pattern = re.compile(r"[\"']((?:" + "|".join(namespaces) + r")\.[a-z_]+)[\"']")
    used = {key for source in sources for key in pattern.findall((root / source).read_text())}
    assert "reminders.sentence_due_soon" in used and "notices.opening" in used
    for language in LANGUAGES:
        assert not used - catalogue(language).keys(), language
