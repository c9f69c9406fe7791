"""Presentation mode: the URL values, the slides built on the sample data, the shared finding
sentences on hand-made frames, and the projector restyling of the slides' charts."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest

from data_model.charts.common import LINE_BREAK, STATUS_COLORS
from data_model.charts.present import CHART_FONT_SIZE, MAP_LABEL_SIZE, projector, slide_figure
from data_model.charts.tasks import rate_bars
from data_model.evaluation.scoring import composite_finding, district_scores, ranking_headline
from data_model.i18n import t
from data_model.ingest.importer import import_file
from data_model.outputs import presentation
from data_model.outputs.presentation import (
    DEFAULT_INTERVAL,
    MAX_INTERVAL,
    MIN_INTERVAL,
    SLIDE_GROUPS,
    Stage,
    _overview_title,
    build_slides,
    next_slide,
    parse_params,
    restage,
)
from data_model.queries.coverage_queries import map_finding, measure_texts
from data_model.queries.headlines import headline_figures
from data_model.queries.shared import activity_count, highlights, tasks_at_period_end
from data_model.queries.task_queries import (
    overdue_finding,
    overdue_tasks,
    overdue_title,
    rates_title,
    scoped_tasks,
)
from data_model.queries.trends_queries import series_finding
from tests.rates import figure_texts, miswritten_rates
from tests.task_workbook import task_workbook

ALL = tuple(SLIDE_GROUPS)
AFTER_2023 = date(2024, 6, 30)  # task figures as of 2023-12-31, whatever the real today


# --- the URL ------------------------------------------------------------------------------


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


def test_defaults_show_every_slide_every_20_seconds():
    setup = parse_params({})
    assert setup.groups == ALL == ("overview", "coverage", "tasks", "trends", "evaluation")
    assert setup.interval == DEFAULT_INTERVAL == 20
    assert setup.notices == ()


def test_slides_keep_the_order_given_and_drop_duplicates_and_case():
    setup = parse_params({"slides": " Evaluation,tasks,,evaluation ", "interval": "45"})
    assert setup.groups == ("evaluation", "tasks")
    assert setup.interval == 45
    assert setup.notices == ()


def test_unknown_slides_are_dropped_with_a_notice_quoting_them():
    setup = parse_params({"slides": "overview,bogus,<script>"})
    assert setup.groups == ("overview",)
    [notice] = setup.notices
    text = notice.text("zh-CN")
    assert "bogus, <script>" in text and "overview, coverage, tasks, trends, evaluation" in text


def test_only_unknown_slides_fall_back_to_all():
    setup = parse_params({"slides": "nothing"})
    assert setup.groups == ALL
    assert [n.key for n in setup.notices] == ["present.unknown_slides"]


@pytest.mark.parametrize(
    ("given", "used"),
    [("2", MIN_INTERVAL), ("-30", MIN_INTERVAL), ("1000", MAX_INTERVAL), ("7.6", 8)],
)
def test_the_interval_is_clamped_to_5_to_300_seconds_with_a_notice(given, used):
    setup = parse_params({"interval": given})
    assert setup.interval == used
    [notice] = setup.notices
    assert notice.key == "present.interval_clamped"
    assert f"“{given}”" in notice.text("zh-CN") and f"{used} 秒" in notice.text("zh-CN")


@pytest.mark.parametrize("given", ["5", "300", "30s"])
def test_intervals_inside_the_range_are_kept(given):
    setup = parse_params({"interval": given})
    assert setup.interval == int(given.rstrip("s"))
    assert setup.notices == ()


@pytest.mark.parametrize("given", ["fast", "nan", "inf", "1e999"])
def test_an_interval_that_is_no_number_falls_back_to_the_default(given):
    setup = parse_params({"interval": given})
    assert setup.interval == DEFAULT_INTERVAL
    assert [n.key for n in setup.notices] == ["present.bad_interval"]


def test_slides_advance_and_loop():
    assert next_slide(None, 6) == 0
    assert [next_slide(i, 6) for i in range(6)] == [1, 2, 3, 4, 5, 0]
    assert next_slide(9, 6) == 4  # a stored index from a longer set still lands on a slide
    assert next_slide(None, 0) == 0


# --- the slides on the sample data ----------------------------------------------------------


@pytest.fixture(scope="module")
def sample(sample_db):
    engine = sample_db.open()
    yield engine
    engine.dispose()


def test_the_first_run_shows_slide_1_with_slide_2_waiting_behind():
    assert restage(None, 6, "tick", now=0, interval=20) == Stage((0, 1), front=0)


def test_a_tick_swaps_in_the_waiting_slide_and_prepares_the_one_after():
    stage = restage(Stage((0, 1), front=0), 6, "tick", now=20, interval=20)
    assert stage == Stage((2, 1), front=1)  # slide 2 (index 1) in front, 3 behind
    stage = restage(stage, 6, "tick", now=40, interval=20)
    assert stage == Stage((2, 3), front=0)
    assert restage(Stage((4, 5), front=1), 6, "tick", now=0, interval=20).shown == 0  # loops


def test_next_swaps_and_previous_redraws_the_front_slot():
    stage = restage(Stage((0, 1), front=0), 6, "next", now=5, interval=20)
    assert stage == Stage((2, 1), front=1, moved_at=5)
    stage = restage(stage, 6, "previous", now=6, interval=20)
    assert stage == Stage((1, 0), front=1, moved_at=6)  # slide 1 drawn where it is seen
    assert restage(stage, 6, "previous", now=7, interval=20).shown == 5


def test_the_timer_waits_half_an_interval_after_a_click():
    clicked = Stage((2, 1), front=1, moved_at=100)
    assert restage(clicked, 6, "tick", now=109, interval=20).shown == 1  # stays
    assert restage(clicked, 6, "tick", now=110, interval=20).shown == 2  # moves on


def test_one_slide_has_nothing_behind_it_and_fewer_slides_forget_old_slots():
    assert restage(None, 1, "tick", now=0, interval=20) == Stage((0, None), front=0)
    assert restage(Stage((0, None)), 1, "next", now=1, interval=20).slots == (0, None)
    shrunk = restage(Stage((4, 5), front=1), 3, "tick", now=0, interval=20)
    assert shrunk == Stage((1, 0), front=1)  # slide 6 is gone: start again at slide 1
    assert restage(Stage((0, 1)), 0, "tick", now=0, interval=20) == Stage()


def test_an_unknown_move_is_refused():
    with pytest.raises(ValueError, match="sideways"):
        restage(None, 3, "sideways", now=0, interval=20)


@pytest.fixture(scope="module")
def slides(sample):
    with sample.connect() as conn:
        return {
            s.key: s for s in build_slides(conn, ALL, "2023", "year", "zh-CN", today=AFTER_2023)
        }


def test_every_slide_of_the_sample_data_in_order(sample):
    with sample.connect() as conn:
        keys = [s.key for s in build_slides(conn, ALL, "2023", "year", today=AFTER_2023)]
        chosen = build_slides(conn, ("evaluation", "tasks"), "2023", "year", today=AFTER_2023)
    assert keys == ["overview", "coverage", "task_actions", "overdue", "trend", "ranking"]
    assert [s.key for s in chosen] == ["ranking", "task_actions", "overdue"]


def test_overview_slide_states_the_2023_figures(sample, slides):
    slide = slides["overview"]
    with sample.connect() as conn:
        tasks = tasks_at_period_end(conn, "2023", AFTER_2023)
        activities = activity_count(conn, "2023")
    assert (tasks.overdue, activities) == (6, 152)
    assert slide.title == "2023年任务完成率69.4%，逾期任务6项，开展活动152场"
    assert slide.kicker == "总览 · 2023年工作进展"
    cards = {card.label: (card.value, card.delta, card.delta_color) for card in slide.cards}
    # The overview page's cards, worded as there and in the bulletin: counts change by a
    # number of things (+24 场, not +18.8%), a rise of overdue tasks is red.
    assert cards["任务完成率"] == ("69.4%", "较上年 +11.2 个百分点", "green")
    assert cards["逾期任务"] == ("6 项", "较上年 +5 项", "red")
    assert cards["开展活动"] == ("152 场", "较上年 +24 场", "green")
    assert cards["各区平均综合得分"] == ("78.21 分", "较上年 +2.25 分", "green")
    assert cards["报送覆盖率"] == ("98.1%", "较上年 −1.4 个百分点", "red")
    assert len(cards) == 6
    overdue = next(card for card in slide.cards if card.label == "逾期任务")
    assert (overdue.delta_arrow, overdue.tone) == ("up", "走弱")


def test_overview_slide_of_the_first_year_shows_no_change(sample):
    with sample.connect() as conn:
        [slide] = build_slides(conn, ("overview",), "2021", "year", today=AFTER_2023)
    assert all(card.delta is None and card.delta_color == "off" for card in slide.cards)


def test_coverage_slide_names_the_lowest_district(slides):
    slide = slides["coverage"]
    assert slide.title == "11个地区中3个达到100%，最低为深汕特别合作区（87.9%）"
    assert len(slide.frame) == 11 and "全市" not in set(slide.frame["district"])
    assert slide.chart["measure_label"] == "报送覆盖率" and slide.chart["rate"] is True
    # The `*` of the tiles beside the map is explained on the slide, as on the page, in
    # one line under the map (the page's two-line notes ran off a 1280×720 slide).
    assert slide.footnote == (
        "* 深汕特别合作区以地图旁的方块表示（边界文件中无单独范围）。大鹏新区（属龙岗区）按其自身范围单独着色。"
    )


def test_overdue_kicker_counts_the_longest_overdue_shown_of_more(sample, monkeypatch):
    monkeypatch.setattr(presentation, "OVERDUE_ROWS", 4)
    with sample.connect() as conn:
        [slide] = build_slides(conn, ("tasks",), "2023", "year", "zh-CN", today=AFTER_2023)[1:]
    assert slide.kicker == "任务完成 · 截至2023年12月31日逾期任务（逾期最久的4项）"
    assert len(slide.frame) == 4 and slide.title == "逾期任务6项，最长逾期365天（A5-10）"


def test_task_slides_state_the_rates_and_the_overdue_tasks(sample, slides):
    assert slides["task_actions"].title == "领跑行动完成率最高（81.8%），连心行动最低（54.5%）"
    overdue = slides["overdue"]
    assert overdue.title == "逾期任务6项，最长逾期365天（A5-10）"
    # All six overdue tasks are shown: the kicker counts them, not the slide's limit of 10.
    assert overdue.kicker == "任务完成 · 截至2023年12月31日逾期任务（全部6项）"
    assert overdue.note == "逾期任务涉及 6 个牵头单位，平均进度 73.3%。"
    with sample.connect() as conn:
        expected = overdue_tasks(scoped_tasks(conn, date(2023, 12, 31)))
    assert list(overdue.frame["days_late"]) == list(expected["days_late"])
    # The whole content: the chart wraps it to the room left of the bar.
    assert overdue.frame["label"].iloc[0] == "A5-10 建立深汕特别合作区企业服务专员制度"
    # The day axis fits the data and the text beside the bars (it ran to 1,216 days).
    assert 365 < slide_figure(overdue).layout.xaxis.range[1] < 850
    assert overdue.frame["text"].iloc[0] == (
        "365天 · 深汕特别合作区工商联 · 说明：已超过完成时限，正在加快推进。"
    )
    assert (
        overdue.frame["hover"]
        .iloc[0]
        .endswith(f"{LINE_BREAK}情况说明：已超过完成时限，正在加快推进。")
    )


def test_every_slide_writes_its_rates_one_way_hovers_included(sample):
    for language in ("zh-CN", "en"):
        with sample.connect() as conn:
            shown = build_slides(conn, ALL, "2023", "year", language, today=AFTER_2023)
        texts = []
        for slide in shown:
            texts += [slide.title, slide.note]
            texts += [text for card in slide.cards for text in (card.value, card.delta or "")]
            figure = slide_figure(slide)
            if figure is not None:
                texts += figure_texts(figure.to_plotly_json())
        assert miswritten_rates(texts) == [], language
        # The task slide's chart writes 提质行动's 7 of 10 as its title writes a whole rate.
        actions = next(s for s in shown if s.key == "task_actions")
        labels = [a.text for a in slide_figure(actions).layout.annotations]
        assert "70% (7/10)" in labels and "81.8%" in actions.title


def test_trend_slide_is_the_first_indicator_of_the_first_dimension(slides):
    slide = slides["trend"]
    assert slide.kicker == "指标趋势 · 企业开办时间（天）各期走势"
    # Number and unit are held together (no break inside `（0.6 天）` in large type).
    assert slide.title == (
        "2023年，11个区中10个达到目标值 1\xa0天；龙华区最优（0.6\xa0天），"
        "深汕特别合作区最弱（1.1\xa0天）"
    )
    # The open markers of periods not fully reported are explained, as on the page.
    assert slide.footnote == "空心点表示该期数据未报齐，按已报数据汇总。"
    assert set(slide.frame["label"]) == {"2021年", "2022年", "2023年"}
    assert slide.chart["target"] == 1
    # Only the two districts the title names are coloured (no eleven-colour tangle).
    assert (slide.chart["best"], slide.chart["worst"]) == (("龙华区",), ("深汕特别合作区",))
    figure = slide_figure(slide)
    coloured = {t.name for t in figure.data if t.legendgroup not in (None, "others")}
    assert coloured == {"龙华区", "深汕特别合作区"}
    assert [a.text for a in figure.layout.annotations] == ["龙华区 0.6", "深汕特别合作区 1.1"]


def test_ranking_slide_names_the_leader_with_its_score(sample, slides):
    slide = slides["ranking"]
    assert slide.title == "2023年综合评价：南山区排名第一（98.49分）"
    assert slide.note.startswith("最高南山区（98.49分），最低深汕特别合作区（38.93分）")
    with sample.connect() as conn:
        scores = district_scores(conn, "2023")
    assert list(slide.frame["district"]) == list(scores["district"])
    assert slide.frame["text"].iloc[0] == "第1名 98.49"


def test_slides_in_english(sample):
    with sample.connect() as conn:
        slides = build_slides(conn, ("overview", "evaluation"), "2023", "year", "en", AFTER_2023)
    assert slides[0].title == (
        "2023: 69.4% of tasks completed, 6\xa0overdue, 152\xa0activities held"
    )
    assert slides[1].title == "Evaluation 2023: 南山区 ranks first (98.49\xa0points)"


def test_english_trend_slide_spreads_the_bare_year_labels(sample):
    with sample.connect() as conn:
        (slide,) = build_slides(conn, ("trends",), "2023", "year", "en", AFTER_2023)
    assert set(slide.frame["label"]) == {"2021", "2022", "2023"}
    figure = slide_figure(slide)
    assert figure.layout.xaxis.type == "category"
    # The end labels sit on "2023" by its index, not at a category index of 2023.
    assert [a.x for a in figure.layout.annotations] == [2, 2]


def test_the_trend_slide_writes_the_indicators_unit_in_the_slides_language(sample):
    """企业开办时间 is stored in 天: `(days)` and `1 day` on English slides, `（天）` and
    `1 天` on Chinese ones."""
    with sample.connect() as conn:
        (english,) = build_slides(conn, ("trends",), "2023", "year", "en", AFTER_2023)
        (chinese,) = build_slides(conn, ("trends",), "2023", "year", "zh-CN", AFTER_2023)
    assert english.kicker == "Indicator trends · 企业开办时间 (days) over time"
    assert english.title.replace("\xa0", " ").startswith(
        "In 2023, 10 of 11 districts reached the target of 1 day; 龙华区 did best (0.6 days)"
    )
    assert chinese.kicker == "指标趋势 · 企业开办时间（天）各期走势"
    assert chinese.title.replace("\xa0", " ").startswith(
        "2023年，11个区中10个达到目标值 1 天；龙华区最优（0.6 天）"
    )


def test_quarter_filters_show_that_quarter(sample):
    with sample.connect() as conn:
        [slide] = build_slides(conn, ("overview",), "2023-Q2", "quarter", today=AFTER_2023)
        tasks = tasks_at_period_end(conn, "2023-Q2", AFTER_2023)
    assert slide.kicker == "总览 · 2023年第二季度工作进展"
    assert f"逾期任务{tasks.overdue}项" in slide.title


def test_overview_slide_leaves_figures_never_submitted_out_of_its_headline(engine):
    # A task list only: activities and issues were never submitted, so the headline may
    # not announce 开展活动0场, and their cards read 未报送 instead of 0.
    assert import_file(engine, task_workbook(), "tasks.xlsx").status == "accepted"
    with engine.connect() as conn:
        [slide] = build_slides(conn, ("overview",), "2022", "year", today=AFTER_2023)
        [english] = build_slides(conn, ("overview",), "2022", "year", "en", AFTER_2023)
        figures = headline_figures(conn, "2022", AFTER_2023)
        found = {h.key: h.value for h in highlights(conn, "2022")}
    rate = figures["completion_rate"].value_text("zh-CN")
    overdue = figures.tasks.overdue
    assert slide.title == f"2022年任务完成率{rate}，逾期任务{overdue}项"
    assert "activities" not in english.title and english.title.startswith("2022: ")
    cards = {card.label: card.value for card in slide.cards}
    assert cards["开展活动"] == "未报送" and cards["诉求办结"] == "未报送"
    assert figures["activities"].value is None and figures["issues_resolved"].value is None
    assert found["policy_briefings"] is None


class Figures(dict):
    """Just what the overview title reads of `Headlines`: the task summary and figures."""

    def __init__(self, tasks: int, activities: int | None, resolved: int | None):
        super().__init__(
            activities=SimpleNamespace(value=activities),
            issues_resolved=SimpleNamespace(value=resolved),
        )
        self.tasks = SimpleNamespace(total=tasks)


@pytest.mark.parametrize(
    ("activities", "resolved", "title"),
    [
        (12, 3, "2023年开展活动12场，诉求办结3件"),
        (12, None, "2023年开展活动12场"),
        (None, 3, "2023年诉求办结3件"),
        (None, None, "2023年尚未报送任务、活动和诉求数据"),
        (0, None, "2023年开展活动0场"),  # a true zero: activities were submitted before
    ],
)
def test_overview_title_without_tasks_names_only_what_was_submitted(activities, resolved, title):
    context = SimpleNamespace(
        label="2023年", language="zh-CN", t=lambda key, **params: t(key, "zh-CN", **params)
    )
    assert _overview_title(context, Figures(0, activities, resolved)) == title


def test_an_empty_database_has_no_slides(engine):
    with engine.connect() as conn:
        assert build_slides(conn, ALL, "2023", "year", today=AFTER_2023) == ()


# --- the finding sentences the pages and the slides share ------------------------------------


def test_map_finding_for_a_rate_and_for_a_count():
    frame = pd.DataFrame(
        {"district": ["甲区", "乙区", "丙区", "丁区"], "value": [100.0, 80.0, None, 80.0]}
    )
    frame["text"] = measure_texts(frame["value"], "submission_coverage", "zh-CN")
    assert map_finding(frame, "submission_coverage", "zh-CN") == (
        "3个地区中1个达到100%，最低为乙区、丁区（80%）。"
    )
    counts = pd.DataFrame({"district": ["甲区", "乙区", "丙区"], "value": [3.0, 12.0, 3.0]})
    counts["text"] = measure_texts(counts["value"], "activities", "zh-CN")
    assert map_finding(counts, "activities", "zh-CN") == (
        "3个地区合计18 场，最多为乙区（12 场），最少为甲区、丙区（3 场）。"
    )


def test_english_findings_of_one_thing_take_the_singular():
    """A district filter can leave one geography on the map, and one task can be overdue."""
    one = pd.DataFrame({"district": ["甲区"], "value": [1.0]})
    one["text"] = measure_texts(one["value"], "activities", "en")
    assert one["text"].tolist() == ["1 activity"]
    assert map_finding(one, "activities", "en") == (
        "1 geography, 1 activity in total; most in 甲区 (1 activity), fewest in 甲区 (1 activity)."
    )
    rate = pd.DataFrame({"district": ["甲区"], "value": [80.0]})
    rate["text"] = measure_texts(rate["value"], "submission_coverage", "en")
    assert map_finding(rate, "submission_coverage", "en").startswith("0 of 1 geography at 100%")
    full = rate.assign(value=100.0)
    assert map_finding(full, "submission_coverage", "en") == "1 geography reaches 100%."
    assert map_finding(full, "submission_coverage", "zh-CN") == "1个地区全部达到100%。"
    overdue = pd.DataFrame(
        {"code": ["A1-01"], "days_late": [1], "lead_unit": ["市商务局"], "progress": [40.0]}
    )
    assert overdue_title(overdue, "en") == "1 overdue task, 1 day late (A1-01)"
    assert overdue_title(overdue, "zh-CN") == "逾期任务1项，最长逾期1天（A1-01）"
    assert overdue_finding(overdue, "en") == (
        "Overdue tasks involve 1 lead unit; their average progress is 40%."
    )
    two = pd.concat([overdue, overdue.assign(code="A1-02", lead_unit="市财政局")])
    assert overdue_title(two, "en") == "2 overdue tasks; the longest is 1 day late (A1-01)"
    assert overdue_finding(two, "en").startswith("Overdue tasks involve 2 lead units;")


def test_rates_title_names_best_and_worst_or_the_only_group():
    rates = pd.DataFrame({"label": ["甲行动", "乙行动"], "completion_rate": [90.0, 12.34]})
    assert rates_title(rates, "zh-CN") == "甲行动完成率最高（90%），乙行动最低（12.3%）"
    assert rates_title(rates.head(1), "zh-CN") == "甲行动完成率 90%"


def test_overdue_title_without_overdue_tasks():
    assert overdue_title(pd.DataFrame(columns=["code", "days_late"]), "zh-CN") == "无逾期任务"


def test_composite_finding_without_a_previous_period():
    scores = pd.DataFrame(
        {
            "district": ["甲区", "乙区"],
            "composite": [91.26, 40.0],
            "rank": [1, 2],
            "rank_change": [None, None],
        }
    )
    assert ranking_headline(scores, "2023年", language="zh-CN") == (
        "2023年综合评价：甲区排名第一（91.26分）"
    )
    assert composite_finding(scores, "zh-CN") == (
        "最高甲区（91.26分），最低乙区（40.00分）；上期没有评分，暂无排名变化。"
    )


def test_series_finding_without_a_target_gives_the_median():
    now = pd.DataFrame({"district": ["甲区", "乙区", "丙区"], "value": [9.0, 5.0, 1.0]})
    assert series_finding(now, None, False, "家", "2023年", "zh-CN") == (
        "2023年，甲区最优（9 家），丙区最弱（1 家），3个区的中位数为 5 家。"
    )
    assert series_finding(now.head(0), None, False, "家", "2023年", "zh-CN") == (
        "所选区在2023年没有该指标的数据。"
    )


# --- the projector theme ----------------------------------------------------------------------


def text_sizes(figure) -> list[float]:
    """Every explicit font size in a figure (layout, axes, traces, annotations)."""
    layout = figure.layout
    sizes = [layout.font.size, layout.legend.font.size]
    sizes += [axis.tickfont.size for axis in (layout.xaxis, layout.yaxis)]
    sizes += [a.font.size for a in layout.annotations]
    sizes += [t.textfont.size for t in figure.data if getattr(t, "textfont", None)]
    return [s for s in sizes if s is not None]


@pytest.mark.parametrize("key", ["coverage", "task_actions", "overdue", "trend", "ranking"])
def test_slide_charts_use_large_type_only(slides, key):
    figure = slide_figure(slides[key])
    assert figure.layout.font.size == CHART_FONT_SIZE >= 22
    assert min(text_sizes(figure)) >= MAP_LABEL_SIZE >= 22
    assert figure.layout.paper_bgcolor == "#FFFFFF"


def test_slide_charts_keep_the_dashboards_status_colours(slides):
    overdue = slide_figure(slides["overdue"])
    assert overdue.data[0].marker.color == STATUS_COLORS["overdue"]
    actions = slide_figure(slides["task_actions"])
    assert actions.data[0].marker.color == STATUS_COLORS["completed"]
    assert slide_figure(slides["overview"]) is None  # cards, no chart


def test_projector_restyles_a_copy():
    rates = pd.DataFrame(
        {
            "label": ["甲"],
            "completion_rate": [50.0],
            "on_time_rate": [100.0],
            "completed": [1],
            "tasks": [2],
        }
    )
    original = rate_bars(rates, "完成率", "按期完成率")
    restyled = projector(original)
    assert original.layout.font.size == 15
    assert restyled.layout.font.size == CHART_FONT_SIZE
    assert restyled.data[0].marker.color == original.data[0].marker.color
