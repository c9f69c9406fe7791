"""Chart builders of the trends and evaluation pages: what each figure draws."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from data_model.charts.common import TONE_COLORS, outside_label_room
from data_model.charts.evaluation import breakdown_bars, breakdown_radar, composite_bars
from data_model.charts.tasks import rate_bars, status_over_periods
from data_model.charts.trends import (
    MUTED_COLOR,
    change_bars,
    ranking_bars,
    small_multiples,
    trend_lines,
)


def test_trend_lines_draw_a_line_per_district_and_a_dashed_target():
    frame = pd.DataFrame(
        {
            "label": ["2021年", "2022年", "2021年", "2022年"],
            "district": ["南山区", "南山区", "福田区", "福田区"],
            "value": [1.0, 2.0, 3.0, 4.0],
            "complete": [True, False, True, True],
        }
    )
    figure = trend_lines(frame, target=2.5, target_name="目标值", marked_period="2022年")
    names = [trace.name for trace in figure.data]
    assert names == ["南山区", "福田区", "目标值 2.5"]
    assert figure.data[2].line.dash == "dash"
    assert list(figure.data[2].y) == [2.5, 2.5]
    assert list(figure.data[0].marker.symbol) == ["circle", "circle-open"]
    assert figure.layout.shapes[0].x0 == 1  # the marked period, by category position


ELEVEN = [f"{name}区" for name in "甲乙丙丁戊己庚辛壬癸子"]


def eleven_districts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["2022年", "2023年"] * 11,
            "district": [d for d in ELEVEN for _ in range(2)],
            "value": [float(i) for i in range(22)],
            "complete": [True] * 22,
        }
    )


def test_trend_lines_colour_and_label_only_the_named_districts():
    figure = trend_lines(eleven_districts(), best=("癸区",), worst=("甲区",), others_name="其他区")
    colours = {t.name: t.line.color for t in figure.data if t.legendgroup != "others"}
    assert colours == {"癸区": TONE_COLORS["good"], "甲区": TONE_COLORS["bad"]}
    greys = [t for t in figure.data if t.legendgroup == "others"]
    assert len(greys) == 9 and {t.line.color for t in greys} == {MUTED_COLOR}
    assert [t.showlegend for t in greys] == [True] + [False] * 8  # one 其他区 entry
    assert {t.name for t in greys} == {"其他区"}
    # Labelled at the end of their lines (the last category, by index), with the last
    # value, in their colour.
    ends = {a.text: (a.x, a.font.color) for a in figure.layout.annotations}
    assert ends == {
        "癸区 19": (1, TONE_COLORS["good"]),
        "甲区 1": (1, TONE_COLORS["bad"]),
    }
    # The named lines are drawn last, over the grey ones.
    assert [t.name for t in figure.data][-2:] == ["甲区", "癸区"]


def test_trend_lines_end_labels_write_the_value_as_the_ranking_does():
    # 150.25 read 150 at the line's end and 150.2 in the title and the ranking; 69.96
    # read 70.0 there and 70 at the end.
    frame = pd.DataFrame(
        {
            "label": ["2022年", "2023年"] * 2,
            "district": ["甲区", "甲区", "乙区", "乙区"],
            "value": [120.0, 150.25, 60.0, 69.96],
            "complete": True,
        }
    )
    figure = trend_lines(frame, best=("甲区",), worst=("乙区",), unit="%")
    ends = sorted(a.text for a in figure.layout.annotations)
    assert ends == ["乙区 70", "甲区 150.2"]


def test_trend_lines_place_end_labels_by_index_when_periods_look_like_numbers():
    # The en year label is a bare "2023": plotly.js would read x="2023" on the category
    # axis as index 2023 and squeeze the three years into one vertical line.
    frame = pd.DataFrame(
        {
            "label": ["2021", "2022", "2023"] * 2,
            "district": ["Nanshan"] * 3 + ["Futian"] * 3,
            "value": [1.0, 2.0, 3.0, 2.0, 3.0, 4.0],
            "complete": [True] * 6,
        }
    )
    figure = trend_lines(frame, best=("Futian",), worst=("Nanshan",))
    assert figure.layout.xaxis.type == "category"
    assert list(figure.layout.xaxis.categoryarray) == ["2021", "2022", "2023"]
    assert [a.x for a in figure.layout.annotations] == [2, 2]
    # A district whose last value is earlier is labelled at that period's index.
    frame.loc[5, "value"] = None
    figure = trend_lines(frame, best=("Futian",), worst=("Nanshan",))
    assert {a.text: a.x for a in figure.layout.annotations} == {"Nanshan 3": 2, "Futian 3": 1}


def test_trend_lines_without_a_finding_are_not_an_eleven_colour_tangle():
    figure = trend_lines(eleven_districts())
    assert {t.line.color for t in figure.data} == {MUTED_COLOR}


def test_trend_lines_without_target_have_no_target_trace():
    frame = pd.DataFrame(
        {"label": ["2021年"], "district": ["南山区"], "value": [1.0], "complete": [True]}
    )
    assert [t.name for t in trend_lines(frame).data] == ["南山区"]


def test_change_bars_reverse_the_axis_for_negative_indicators():
    frame = pd.DataFrame(
        {"district": ["南山区", "福田区"], "yoy": [10.0, -5.0], "pop": [1.0, None]}
    )
    figure = change_bars(frame, {"yoy": "同比", "pop": "环比"}, better_lower=True)
    assert [t.name for t in figure.data] == ["同比", "环比"]
    assert list(figure.data[0].text) == ["+10.0%", "\u22125.0%"]
    assert list(figure.data[1].text) == ["+1.0%", ""]
    assert figure.layout.xaxis.autorange == "reversed"
    assert change_bars(frame, {"yoy": "同比"}).layout.xaxis.autorange is True


def test_change_bars_are_coloured_by_what_the_change_means():
    frame = pd.DataFrame(
        {
            "district": ["南山区", "福田区", "罗湖区"],
            "yoy": [10.0, -5.0, 0.0],
            "pop": [1.0, None, 2.0],
        }
    )
    good, bad, neutral = (TONE_COLORS[k] for k in ("good", "bad", "neutral"))
    # 正向: a rise is good. 逆向 (days to open a business): a fall is good.
    rising = change_bars(frame, {"yoy": "同比"})
    assert list(rising.data[0].marker.color) == [good, bad, neutral]
    falling = change_bars(frame, {"yoy": "同比", "pop": "环比"}, better_lower=True)
    assert list(falling.data[0].marker.color) == [bad, good, neutral]
    assert list(falling.data[1].marker.color) == [bad, neutral, bad]
    # Colour carries the meaning; the pattern tells the two series apart.
    assert [t.marker.pattern.shape for t in falling.data] == ["", "/"]


def test_change_bars_leave_room_for_the_labels_of_the_longest_bars():
    # 龙华区's −31.3% of a 逆向 indicator points right, to the edge of the plot: its label
    # was cut at the figure's edge. +12.4% points left, to the districts' names.
    frame = pd.DataFrame(
        {"district": ["罗湖区", "龙华区", "深汕特别合作区"], "yoy": [-25.3, -31.3, 12.4]}
    )
    figure = change_bars(frame, {"yoy": "同比"}, better_lower=True)
    assert figure.layout.margin.r == outside_label_room(["-25.3%", "-31.3%"])
    assert figure.layout.yaxis.ticklabelstandoff == outside_label_room(["+12.4%"])
    # All rising on a 正向 axis: every label to the right, nothing between bars and names.
    rising = change_bars(frame.assign(yoy=[5.0, 8.5, 0.0]), {"yoy": "同比"})
    assert rising.layout.margin.r == outside_label_room(["+5.0%", "+8.5%"])
    assert rising.layout.yaxis.ticklabelstandoff == 0


def test_ranking_bars_draw_the_target_under_the_bars():
    frame = pd.DataFrame(
        {
            "district": ["盐田区", "深汕特别合作区"],
            "value": [1.0, 1.1],
            "text": ["#10 1.0 天", "#11 1.1 天"],
        }
    )
    target = ranking_bars(frame, target=1, target_name="目标值").layout.shapes[0]
    assert (target.x0, target.layer) == (1, "below")


def test_ranking_bars_labels_sit_on_the_plots_background_over_the_target_line():
    # The target 1 天 falls where the labels of 福田区 and 盐田区 are written: a bar's own
    # text cannot have a background, and the line crossed them out on the projector.
    frame = pd.DataFrame(
        {
            "district": ["龙华区", "福田区", "盐田区"],
            "value": [0.6, 0.9, 1.0],
            "text": ["第1名 0.6 天 *", "第7名 0.9 天", "第10名 1 天"],
        }
    )
    figure = ranking_bars(frame, target=1, target_name="目标值", unit="天")
    [bars] = figure.data
    assert bars.text is None  # no label of the bar's own, which the line would cross
    labels = [a for a in figure.layout.annotations if a.name == "bar_label"]
    assert [(a.x, a.y, a.text) for a in labels] == [
        (0.6, "龙华区", "第1名 0.6 天 *"),
        (0.9, "福田区", "第7名 0.9 天"),
        (1.0, "盐田区", "第10名 1 天"),
    ]
    # Opaque, in the plot's own colour, just past each bar's end; annotations are drawn
    # over every shape, so the target line stops at a label's edge.
    assert {(a.bgcolor, a.opacity, a.xanchor, a.showarrow) for a in labels} == {
        (figure.layout.plot_bgcolor, None, "left", False)
    }
    assert figure.layout.plot_bgcolor == "white"
    # The target stays drawn, its own label above the plot.
    [target] = figure.layout.shapes
    assert (target.x0, target.x1, target.line.dash) == (1, 1, "dash")
    assert [a.text for a in figure.layout.annotations if a.name != "bar_label"] == ["目标值 1 天"]


def test_ranking_bars_write_a_negative_values_label_left_of_its_bar():
    frame = pd.DataFrame(
        {
            "district": ["南山区", "福田区"],
            "value": [2.5, -1.5],
            "text": ["第1名 2.5%", "第2名 -1.5%"],
        }
    )
    labels = ranking_bars(frame, target=0, target_name="目标值").layout.annotations
    assert [(a.text, a.xanchor, a.xshift > 0) for a in labels if a.name == "bar_label"] == [
        ("第1名 2.5%", "left", True),
        ("第2名 -1.5%", "right", False),
    ]


def test_ranking_bars_highlight_the_chosen_districts_and_mark_the_target():
    frame = pd.DataFrame(
        {"district": ["南山区", "福田区"], "value": [9.0, 5.0], "text": ["第1名 9", "第2名 5"]}
    )
    figure = ranking_bars(frame, target=8, target_name="目标值", highlighted=("福田区",))
    colors = list(figure.data[0].marker.color)
    assert colors[0] == MUTED_COLOR and colors[1] != MUTED_COLOR
    assert figure.layout.shapes[0].x0 == 8


def test_small_multiples_draw_one_panel_per_indicator_with_one_legend():
    frame = pd.DataFrame(
        {
            "indicator_code": ["A", "A", "B", "B"],
            "label": ["Q1", "Q1", "Q1", "Q1"],
            "district": ["南山区", "福田区", "南山区", "福田区"],
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    titles = {"A": "A 指标甲", "B": "B 指标乙", "C": "C 无数据"}
    figure = small_multiples(frame, titles, {"A": 1.5, "B": None})
    assert [a.text for a in figure.layout.annotations] == ["A 指标甲", "B 指标乙"]
    assert len(figure.data) == 4
    assert [t.showlegend for t in figure.data] == [True, True, False, False]
    assert len(figure.layout.shapes) == 1  # only A has a target


def test_small_multiples_of_eleven_districts_grey_them_under_a_median_line():
    frame = eleven_districts().assign(indicator_code="A")
    figure = small_multiples(
        frame, {"A": "A 指标甲"}, {}, median_name="各区中位数", districts_name="各区"
    )
    districts, median = figure.data[:-1], figure.data[-1]
    assert len(districts) == 11 and {t.line.color for t in districts} == {MUTED_COLOR}
    assert [t.showlegend for t in districts] == [True] + [False] * 10
    assert median.name == "各区中位数" and median.line.color != MUTED_COLOR
    # Values 0, 2, …, 20 in 2022 and 1, 3, …, 21 in 2023: medians 10 and 11.
    assert (list(median.x), list(median.y)) == (["2022年", "2023年"], [10.0, 11.0])
    go.Figure(figure)  # valid for plotly (the figure is built from plain dicts)


def test_the_hovers_and_targets_write_values_as_the_page_does():
    """With the indicator's unit, as `value_text` writes them on the page and in the
    rankings (87.654 → 87.7%, not plotly's 87.65), in the page's language."""
    frame = pd.DataFrame(
        {
            "label": ["2022年", "2023年"],
            "district": ["南山区", "南山区"],
            "value": [87.654, 90.0],
            "complete": [True, False],
        }
    )
    figure = trend_lines(
        frame, 92.5, "目标值", incomplete_name="未报齐", unit="%", language="zh-CN"
    )
    line, target = figure.data
    assert [list(point) for point in line.customdata] == [
        ["", "", "87.7%"],
        ["未报齐", "", "90%"],
    ]
    assert line.hovertemplate == (
        "南山区 %{x}: %{customdata[2]} %{customdata[0]}%{customdata[1]}<extra></extra>"
    )
    assert target.name == "目标值 92.5%"

    ranking = pd.DataFrame(
        {"district": ["南山区", "福田区"], "value": [87.654, 3.0], "text": ["第1名", "第2名"]}
    )
    figure = ranking_bars(ranking, 90, "目标值", unit="%", language="zh-CN")
    [bars] = figure.data
    assert list(bars.customdata) == ["87.7%", "3%"]
    assert bars.hovertemplate == "%{y}: %{customdata}<extra></extra>"
    assert [a.text for a in figure.layout.annotations if a.name != "bar_label"] == ["目标值 90%"]

    large = eleven_districts().assign(indicator_code="A", value=lambda f: f["value"] * 1e6)
    figure = small_multiples(
        large, {"A": "A 营业收入"}, {}, median_name="中位数", units={"A": "元"}, language="en"
    )
    first, median = figure.data[0], figure.data[-1]
    assert list(first.customdata) == ["0 yuan", "1.00 M yuan"]  # plotly wrote 1,000,000.00
    assert list(median.customdata) == ["10.00 M yuan", "11.00 M yuan"]
    assert median.hovertemplate == "中位数 %{x}: %{customdata}<extra></extra>"


def test_composite_bars_and_breakdowns():
    scores = pd.DataFrame(
        {
            "district": ["南山区", "福田区"],
            "composite": [90.0, 80.0],
            "text": ["第1名 90", "第2名 80"],
        }
    )
    bars = composite_bars(scores)
    assert list(bars.data[0].y) == ["南山区", "福田区"]
    assert list(bars.data[0].text) == ["第1名 90", "第2名 80"]
    parts = pd.DataFrame(
        {
            "district": ["南山区", "南山区", "福田区", "福田区"],
            "category": ["营商环境", "政企沟通"] * 2,
            "score": [90.0, 80.0, 70.0, 60.0],
        }
    )
    grouped = breakdown_bars(parts)
    assert [t.name for t in grouped.data] == ["营商环境", "政企沟通"]
    assert list(grouped.data[0].y) == [90.0, 70.0]
    radar = breakdown_radar(parts)
    assert [t.name for t in radar.data] == ["南山区", "福田区"]
    assert list(radar.data[0].r) == [90.0, 80.0, 90.0]  # the polygon is closed


def test_rate_and_score_axes_stop_at_100():
    rates = pd.DataFrame(
        {
            "label": ["领跑行动", "提质行动"],
            "completion_rate": [100.0, 40.0],
            "on_time_rate": [100.0, 50.0],
            "completed": [4, 2],
            "tasks": [4, 5],
        }
    )
    progress = pd.DataFrame(
        {
            "label": ["2023年第一季度"],
            "completed": [3],
            "in_progress": [2],
            "completion_rate": [60.0],
        }
    )
    scores = pd.DataFrame({"district": ["南山区"], "composite": [98.5], "text": ["第1名 98.5"]})
    breakdown = pd.DataFrame({"district": ["南山区"], "category": ["营商环境"], "score": [100.0]})
    axes = [
        (rate_bars(rates, "完成率", "按期完成率").layout.xaxis, "100%"),
        (status_over_periods(progress, {"completed": "已完成"}, "完成率").layout.yaxis, "100%"),
        (composite_bars(scores).layout.xaxis, "100"),
        (breakdown_bars(breakdown).layout.yaxis, "100"),
    ]
    for axis, last_tick in axes:
        assert tuple(axis.range) == (0, 100)
        assert (max(axis.tickvals), axis.ticktext[-1]) == (100, last_tick)
