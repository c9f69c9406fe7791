"""The task-completion page on the sample data (2021-2023, 64 tasks) and on an empty database."""

from __future__ import annotations

import datetime as dt
import json
import re

from streamlit.testing.v1 import AppTest

from data_model.ingest.importer import import_file
from tests.app.conftest import (
    HOSTILE_CODE_SHOWN,
    assert_shown_as_written,
    captions,
    import_hostile_tasks,
    open_app_page,
    subheaders,
)
from tests.conftest import AppDatabase, make_xlsx
from tests.rates import figure_texts, miswritten_rates, rates_in
from tests.task_workbook import JAN, TASK_HEADER

PAGE = "pages/tasks.py"


def open_page(db: AppDatabase, monkeypatch, **query) -> AppTest:
    return open_app_page(PAGE, db, monkeypatch, **query)


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_task_lists_put_the_key_columns_first_and_the_long_text_last(sample_db, monkeypatch):
    """At 1366 px the overdue and behind lists showed neither 逾期天数 nor 所属区 without
    scrolling: the key columns come first, the content is of bounded width, the
    explanation is last."""
    app = open_page(sample_db, monkeypatch)
    overdue, behind = app.dataframe[0], app.dataframe[1]
    key = ["任务编号", "任务内容", "牵头单位", "所属区", "完成时限"]
    assert list(overdue.value.columns)[:6] == [*key, "逾期天数"]
    assert list(behind.value.columns)[:6] == [*key, "落后(百分点)"]
    for table in (overdue, behind):
        assert list(table.value.columns)[-1] == "情况说明"
        widths = {
            name: column.get("width") for name, column in json.loads(table.proto.columns).items()
        }
        assert (widths["任务内容"], widths["情况说明"]) == ("medium", "large")


def test_year_end_2023_shows_six_overdue_tasks_with_their_deadlines(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    assert app.title[0].value == "任务完成"
    assert app.sidebar.selectbox(key="f_period").value == "2023"
    assert metrics(app) == {
        "纳入统计任务": "62 项",
        "完成率": "69.4%",
        "按期完成率": "81.6%",
        "逾期任务": "6 项",
        "滞后任务": "3 项",
    }
    headings = subheaders(app)
    assert "截至2023年12月31日，62项任务已完成43项（69.4%），逾期6项" in headings
    assert "逾期任务6项，最长逾期365天（A5-10）" in headings
    assert "滞后任务3项，进度平均落后 33.9 个百分点" in headings
    assert "完成率由2021年第一季度的 18.2% 升至2023年第四季度的 69.4%" in headings
    assert "牵头单位绩效排名：宝安区工商联等7个单位并列第一（100.0分）" in headings
    # Three units share last place: the finding names all three, not the last row's.
    assert (
        "26个牵头单位中，6个有逾期任务（红色）；"
        "末位为坪山区工商联、大鹏新区工商联、深汕特别合作区工商联（0.0分）。"
    ) in captions(app)

    overdue = app.dataframe[0].value
    assert len(overdue) == 6
    first = overdue.iloc[0]
    assert (first["任务编号"], first["责任人"], first["逾期天数"]) == ("A5-10", "郑勇晨", 365)
    assert (first["完成时限"].isoformat(), first["时限原文"]) == ("2022-12-31", "2022年底")
    assert overdue["逾期天数"].tolist() == [365, 184, 184, 184, 184, 92]

    behind = app.dataframe[1].value
    assert behind["任务编号"].tolist() == ["A6-09", "A2-07", "A4-09"]

    ranking = next(d.value for d in app.dataframe if "名次" in d.value.columns)
    assert len(ranking) == 26
    assert ranking["名次"].tolist()[:9] == [1, 1, 1, 1, 1, 1, 1, 8, 8]
    assert ranking["名次"].iloc[-1] == 24
    assert len(app.get("download_button")) == 4  # overdue, behind, 将逾期, ranking
    assert len(app.get("plotly_chart")) == 4  # the open rate tab, progress, timeline, ranking
    # The title's 100.0 is the bar's: one way to write an appraisal score.
    bars = json.loads(app.get("plotly_chart")[-1].proto.spec)["data"][0]["text"]
    assert bars[:8] == ["100.0"] * 7 + ["90.0"]


def test_only_the_open_rate_tab_is_drawn_and_another_opens_on_choice(sample_db, monkeypatch):
    def rate_findings(app: AppTest) -> list[str]:
        return [c.value for c in app.caption if "柱为完成率" in c.value]

    app = open_page(sample_db, monkeypatch)
    assert [f.split("中，")[0] for f in rate_findings(app)] == ["6个行动"]
    app.session_state["rate_tabs"] = "按牵头单位"
    app.run()
    assert not app.exception
    assert [f.split("中，")[0] for f in rate_findings(app)] == ["26个牵头单位"]


def test_district_filter_drops_city_wide_tasks(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    app.sidebar.multiselect(key="f_districts").set_value(["南山区"]).run()
    assert not app.exception
    assert metrics(app)["纳入统计任务"] == "2 项"
    assert metrics(app)["完成率"] == "50%"
    assert "无逾期任务" in subheaders(app)
    assert app.query_params["districts"] == "440305"


def test_action_filter_from_a_link(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, action="A5")
    assert app.sidebar.selectbox(key="f_action").value == "连心行动"
    assert metrics(app)["逾期任务"] == "2 项"
    assert app.dataframe[0].value["任务编号"].tolist() == ["A5-10", "A5-09"]
    by_action = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert by_action["layout"]["title"]["text"] == "连心行动完成率 54.5%"


def test_an_earlier_period_is_judged_at_its_end(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, gran="quarter", period="2023-Q2")
    assert app.sidebar.selectbox(key="f_period").value == "2023-Q2"
    assert metrics(app)["逾期任务"] == "1 项"
    assert metrics(app)["滞后任务"] == "7 项"
    assert "逾期任务1项，最长逾期181天（A5-10）" in subheaders(app)


def test_page_in_english(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, lang="en")
    assert app.title[0].value == "Task completion"
    assert metrics(app)["Overdue tasks"] == "6 tasks"
    # The heading names a task by its code: its Markdown is written literally (`ui.literal`).
    assert "6 overdue tasks; the longest is 365 days late \\(A5-10\\)" in subheaders(app)


def test_in_english_one_task_or_lead_unit_is_written_in_the_singular(sample_db, monkeypatch):
    """2023-Q2 has one overdue task; 南山区 one behind, one slipping and one lead unit."""
    app = open_page(sample_db, monkeypatch, lang="en", gran="quarter", period="2023-Q2")
    assert "1 overdue task, 181 days late \\(A5-10\\)" in subheaders(app)
    assert "Overdue tasks involve 1 lead unit; their average progress is 85%." in captions(app)
    app = open_page(sample_db, monkeypatch, lang="en", districts="440305")
    assert "As of 2023-12-31, 1 of 2 tasks complete (50%); 0 overdue" in subheaders(app)
    assert "1 task behind schedule, 38.5 points behind" in subheaders(app)
    assert (
        "1 task expected to miss its deadline at the current pace (due within 14 weeks)"
        in subheaders(app)
    )
    assert "1 task active in 2023, 0 overdue" in subheaders(app)
    assert "Of 1 lead unit, 0 with overdue tasks \\(red\\)" in captions(app)
    # Counts without a noun beside them take no verb that would have to agree with them.
    assert (
        "Of 2 actions\\: 1 with every task completed, 1 below the overall completion rate of "
        "50%, 0 with overdue tasks."
    ) in captions(app)


def test_empty_database_shows_a_friendly_state(empty_db, monkeypatch):
    app = open_page(empty_db, monkeypatch)
    assert app.title[0].value == "任务完成"
    assert app.info and "暂无数据" in app.info[0].value
    assert not app.get("plotly_chart")


def test_tasks_expected_to_miss_their_deadline_next_quarter_are_listed(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, gran="quarter", period="2022-Q2")
    assert "5 项任务按目前进度预计将逾期（14 周内到期）" in subheaders(app)
    table = next(d.value for d in app.dataframe if "预计完成日期" in d.value.columns)
    assert table["任务编号"].tolist() == ["A1-04", "A2-04", "A3-06", "A5-05", "A6-05"]
    assert table["预计完成日期"].tolist()[:2] == ["2022-10-25", "2022-10-16"]
    assert set(table["所属区"]) == {"市级（不分区）"}


def test_the_forecast_list_follows_the_district_filter(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, districts="440305")
    assert "1 项任务按目前进度预计将逾期（14 周内到期）" in subheaders(app)
    table = next(d.value for d in app.dataframe if "预计完成日期" in d.value.columns)
    assert table["任务编号"].tolist() == ["A6-09"]


def test_a_long_overdue_list_is_shown_a_page_at_a_time_with_its_count(empty_db, monkeypatch):
    # 25 tasks past their deadline: longest late first, 20 rows a page, a page number.
    rows = [TASK_HEADER]
    for n in range(25):
        deadline = dt.date(2022, 1, 1) + dt.timedelta(days=n)
        rows.append(
            [
                f"L{n:02d}",
                "领跑行动",
                f"任务{n}",
                "市商务局",
                "",
                JAN,
                deadline,
                10,
                "",
                "",
                "2022-Q4",
            ]
        )
    engine = empty_db.open()
    assert import_file(engine, make_xlsx({"任务清单": rows}), "tasks.xlsx").status == "accepted"
    engine.dispose()
    app = open_page(empty_db, monkeypatch, period="2022")
    assert "逾期任务25项，最长逾期364天（L00）" in subheaders(app)
    first = app.dataframe[0].value
    assert first["任务编号"].tolist() == [f"L{n:02d}" for n in range(20)]
    assert any(c.value.startswith("第 1–20 项，共 25 项") for c in app.caption)
    app.number_input(key="overdue_page").set_value(2).run()
    assert not app.exception
    assert app.dataframe[0].value["任务编号"].tolist() == [f"L{n:02d}" for n in range(20, 25)]
    assert app.dataframe[0].value["逾期天数"].tolist() == [344, 343, 342, 341, 340]
    assert any(c.value.startswith("第 21–25 项，共 25 项") for c in app.caption)


def test_a_staff_members_hostile_task_list_reaches_a_leader_as_written(empty_db, monkeypatch):
    """The code, action, lead unit, content and evidence file name of a staff member's task
    are Markdown images and HTML links (`import_hostile_tasks`). On the leader's page the
    headings, findings and buttons show them as text, so the browser fetches nothing, and
    no chart label, title or hover is a link."""
    import_hostile_tasks(empty_db)
    app = open_app_page(PAGE, empty_db, monkeypatch, role="leader", period="2022")
    assert f"逾期任务1项，最长逾期184天（{HOSTILE_CODE_SHOWN}）" in subheaders(app)
    [ranking] = [h for h in subheaders(app) if h.startswith("牵头单位绩效排名")]
    assert "\\!\\[\\]\\(http\\://203.0.113.9/u.png\\)\\<a href=" in ranking
    buttons = [b.proto.label for b in app.get("download_button")]
    assert "下载 \\!\\[\\]\\(p.png\\).pdf" in buttons  # the evidence file
    assert_shown_as_written(app)


def shown_texts(app: AppTest) -> list[str]:
    """Every text of the page a reader sees, its charts' labels and hovers included."""
    texts = [e.value for e in [*app.title, *app.subheader, *app.caption, *app.markdown]]
    texts += [text for m in app.metric for text in (m.value, m.delta or "")]
    for chart in app.get("plotly_chart"):
        texts += figure_texts(json.loads(chart.proto.spec))
    return texts


def test_the_page_writes_every_rate_one_way_hovers_included(sample_db, monkeypatch):
    for language in ("zh-CN", "en"):
        texts = shown_texts(open_page(sample_db, monkeypatch, lang=language))
        assert miswritten_rates(texts) == [], language
        # 提质行动 completed 7 of its 10 tasks: 70%, as the titles write a whole rate.
        assert "70% (7/10)" in texts
        assert {"69.4%", "70%", "81.8%"} <= set(rates_in(texts))


def test_the_timeline_axis_names_months_in_the_pages_language(sample_db, monkeypatch):
    ticks, hovers = {}, {}
    for language in ("zh-CN", "en"):
        app = open_page(sample_db, monkeypatch, lang=language)
        specs = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
        (timeline,) = [s for s in specs if s["layout"].get("xaxis", {}).get("type") == "date"]
        ticks[language] = timeline["layout"]["xaxis"].get("ticktext")
        hovers[language] = [h for trace in timeline["data"] for h in trace.get("customdata") or []]
    # Its hovers' days too, as the page writes a day (时限原文 as the list wrote it).
    starts = [re.search(r"开始：([^<]*)", h).group(1) for h in hovers["zh-CN"]]
    assert starts and all(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", day) for day in starts)
    assert all(re.search(r"Start: \d{4}-\d{2}-\d{2}<br>", h) for h in hovers["en"])
    # The 2023 timeline's first page runs from 2021 to 2024: a tick every six months.
    assert ticks == {
        "zh-CN": ["2021年7月", "2022年1月", "2022年7月", "2023年1月", "2023年7月", "2024年1月"],
        "en": ["Jul 2021", "Jan 2022", "Jul 2022", "Jan 2023", "Jul 2023", "Jan 2024"],
    }


def test_a_scope_where_no_task_is_done_or_late_yet_ranks_its_units(sample_db, monkeypatch):
    # 南山区's 聚力行动 (A6) task in 2023 is neither completed nor overdue: its on-time rate is
    # undefined for every unit, which left the ranking's column without a number and
    # made the page fail on rounding it.
    app = open_page(sample_db, monkeypatch, action="A6", districts="440305")
    assert not app.exception
    ranking = next(f.value for f in app.dataframe if "得分" in f.value.columns)
    assert ranking["按期完成率(%)"].isna().all()
    # Nothing late yet: the on-time part counts as 100 (`appraisal_score`).
    assert ranking["得分"].tolist() == [40 + 0.6 * ranking["完成率(%)"].iloc[0]]
