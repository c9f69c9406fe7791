"""Labels outside bars are never cut at the chart's edge (findings 2 and 5 of the UI walk):
the builders leave them room in the margin, or run the axis past the longest bar."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from data_model.charts.common import LABEL_PAD, literal_labels, outside_label_room, text_width
from data_model.charts.overview import status_bar
from data_model.charts.present import (
    CHART_FONT_SIZE,
    OVERDUE_LINE,
    OVERDUE_NAME_LINE,
    SMALLEST_CHART_WIDTH,
    overdue_bars,
    projector,
    slide_figure,
    wrap_parts,
)
from data_model.charts.tasks import ranking_bars as unit_ranking
from data_model.charts.tasks import rate_bars
from data_model.charts.trends import ranking_bars


def test_text_width_counts_chinese_characters_as_a_whole_em():
    assert text_width("天天", 20) == 40
    assert text_width("100.0", 10) == 31
    assert outside_label_room(["43", "6"], 15) == 51  # 2 × 9.3 px + 2 × 16 px of padding


def test_unit_ranking_leaves_room_for_a_score_of_100():
    ranking = pd.DataFrame(
        {"label": ["1. 甲局", "2. 乙局"], "score": [100.0, 55.5], "overdue": [False, True]}
    )
    figure = unit_ranking(ranking, "得分")
    assert list(figure.data[0].text) == ["100.0", "55.5"]
    assert figure.data[0].cliponaxis is False
    assert list(figure.layout.xaxis.range) == [0, 100]  # the longest bar ends at the edge
    assert figure.layout.margin.r >= text_width("100.0") + 16


def test_overview_status_counts_are_not_clipped_by_the_plot():
    counts = pd.DataFrame(
        {"status": ["completed", "overdue"], "label": ["已完成", "逾期"], "count": [43, 6]}
    )
    figure = status_bar(counts)
    assert figure.data[0].cliponaxis is False
    assert figure.layout.margin.r >= text_width("43") + 16


def test_trends_ranking_leaves_room_for_the_last_places_label():
    frame = pd.DataFrame(
        {
            "district": ["龙华区", "深汕特别合作区"],
            "value": [0.6, 1.1],
            "text": ["第1名 0.6 天", "第11名 1.1 天"],
        }
    )
    figure = ranking_bars(frame, target=1.0, target_name="目标值")
    # The labels are annotations on an autoranged axis, which plotly.js widens to hold
    # them whole (tests/e2e/test_browser_chart_text.py draws one).
    assert figure.layout.xaxis.range is None and figure.layout.xaxis.autorange is None
    labels = [a.text for a in figure.layout.annotations if a.name == "bar_label"]
    assert labels == ["第1名 0.6 天", "第11名 1.1 天"]


def test_wrap_parts_breaks_between_parts_and_inside_a_part_too_long():
    text = "365天 · 深汕特别合作区工商联 · 说明：已超过完成时限，正在加快推进。"
    assert wrap_parts(text, OVERDUE_LINE) == [
        "365天 · 深汕特别合作区工商联",
        "说明：已超过完成时限，正在加快推进。",
    ]
    assert wrap_parts("甲乙丙丁", 2 * CHART_FONT_SIZE) == ["甲乙", "丙丁"]
    assert wrap_parts("4 days · 市商务局", OVERDUE_LINE) == ["4 days · 市商务局"]


def overdue_frame(rows: int) -> pd.DataFrame:
    days = [365, 184, 184, 184, 184, 92, 60, 30, 20, 10][:rows]
    return pd.DataFrame(
        {
            "label": [f"A5-{i:02d} 建立深汕特别合作区企业…" for i in range(rows)],
            "days_late": days,
            "text": [
                f"{d}天 · 市工商联宣传教育部 · 说明：未按期完成，正在督促牵头单位加快办理。"
                for d in days
            ],
            "hover": [""] * rows,
        }
    )


def overdue_labels(figure) -> list:
    return [a for a in figure.layout.annotations if a.name == "overdue_label"]


def test_overdue_slide_writes_unit_and_explanation_whole_beside_the_bars():
    figure = literal_labels(projector(overdue_bars(overdue_frame(6), "逾期天数")))  # as drawn
    labels = overdue_labels(figure)
    assert figure.data[0].text is None  # plotly centres a bar's own lines on each other
    assert [(a.x, a.y) for a in labels] == [
        (365, 0),
        (184, 1),
        (184, 2),
        (184, 3),
        (184, 4),
        (92, 5),
    ]
    # Both lines start together, just past the bar's end.
    assert {(a.xanchor, a.align, a.xshift, a.showarrow) for a in labels} == {
        ("left", "left", LABEL_PAD, False)
    }
    assert (
        labels[0].text
        == "365天 · 市工商联宣传教育部<br>说明：未按期完成，正在督促牵头单位加快办理。"
    )
    # The axis runs just far enough that every bar's widest line fits beside it in the
    # plot of a 1280-wide screen (less the names on the left): the bar with least room
    # decides, no further (the tester saw 1,200 days against a longest of 365).
    low, high = figure.layout.xaxis.range
    names = [line for y in figure.data[0].y for line in y.split("<br>")]
    plot = SMALLEST_CHART_WIDTH - max(text_width(n, CHART_FONT_SIZE) for n in names) - 2 * LABEL_PAD
    room = [
        (1 - a.x / high) * plot
        - max(text_width(line, CHART_FONT_SIZE) for line in a.text.split("<br>"))
        for a in labels
    ]
    assert low == 0 and min(room) >= 2 * LABEL_PAD - 1e-6
    assert min(room) <= 2 * LABEL_PAD + 1e-6  # the axis ends where the tightest label ends


def test_overdue_slide_wraps_task_names_to_two_lines_rather_than_cutting_them_short():
    frame = overdue_frame(6).assign(
        label=["A5-10 建立深汕特别合作区企业服务中心，统筹两地政策与产业配套服务"] * 6
    )
    figure = literal_labels(overdue_bars(frame, "逾期天数"))
    first, second = figure.data[0].y[0].split("<br>")
    assert first == "A5-10 建立深汕特别合作区企"  # 12 characters were all it had
    assert second.startswith("业服务中心，统筹两地政策") and second.endswith("…")
    assert text_width(second, CHART_FONT_SIZE) <= OVERDUE_NAME_LINE
    short = literal_labels(overdue_bars(frame.assign(label="A1-07 编印典型案例"), "逾期天数"))
    assert short.data[0].y[0] == "A1-07 编印典型案例"  # a name that fits is left whole
    ten = overdue_frame(10).assign(label=frame["label"].iloc[0])
    assert "<br>" not in literal_labels(overdue_bars(ten, "逾期天数")).data[0].y[0]


def test_overdue_slide_of_ten_tasks_keeps_one_line_a_bar():
    labels = overdue_labels(literal_labels(overdue_bars(overdue_frame(10), "逾期天数")))
    assert [a.text.count("<br>") for a in labels] == [0] * 10
    assert labels[9].text == "10天 · 市工商联宣传教育部"


def close_rates() -> pd.DataFrame:
    """Rows where the diamond sits where a bar label was drawn: beside a short bar's end
    (8.3% done, 10% on time) and over the start of a long bar (69.4% done, 5% on time)."""
    return pd.DataFrame(
        {
            "label": ["领跑行动", "连心行动", "城市治理专项"],
            "completion_rate": [100.0, 69.4, 8.3],
            "on_time_rate": [100.0, 5.0, 10.0],
            "completed": [4, 25, 1],
            "tasks": [4, 36, 12],
        }
    )


def assert_rates_clear_of_the_diamonds(figure, font_size: float) -> None:
    bar, diamonds = figure.data
    # Nothing is written on or beside the bars, where a diamond (0-100%) can land...
    assert bar.text is None and diamonds.mode == "markers"
    labels = [a for a in figure.layout.annotations if a.name == "rate_label"]
    assert [a.text for a in labels] == ["100% (4/4)", "69.4% (25/36)", "8.3% (1/12)"]
    assert [a.y for a in labels] == [0, 1, 2]  # each on its own row
    for label in labels:
        # ...but in a column starting right of the axis's end, further out than the half
        # of a 100% diamond that leaves the plot, and whole inside the right margin.
        assert (label.xref, label.x, label.xanchor, label.showarrow) == ("paper", 1, "left", False)
        assert label.xshift > diamonds.marker.size / 2
        room = label.xshift + text_width(label.text, font_size)
        assert figure.layout.margin.r >= room


def test_task_rates_are_written_where_the_on_time_diamond_cannot_cover_them():
    assert_rates_clear_of_the_diamonds(rate_bars(close_rates(), "完成率", "按期完成率"), 15)
    english = rate_bars(close_rates(), "Completion rate", "On-time rate", title="Rates")
    assert_rates_clear_of_the_diamonds(english, 15)


def test_task_slide_keeps_its_larger_diamonds_clear_of_the_rates():
    slide = SimpleNamespace(
        key="task_actions",
        frame=close_rates(),
        chart={"completion_label": "完成率", "on_time_label": "按期完成率"},
    )
    figure = slide_figure(slide)
    assert figure.data[1].marker.size == 26
    assert_rates_clear_of_the_diamonds(figure, CHART_FONT_SIZE)
