"""Charts of counts (items, tasks, activities) tick whole numbers."""

from __future__ import annotations

import pandas as pd

from data_model.charts.overview import stacked_monthly_bars, status_bar
from data_model.charts.reminders import level_bars
from data_model.charts.tasks import status_over_periods

LEVELS = {"remind": "提醒", "urge": "催办", "supervise": "督办"}


def bars(units: list[str], levels: list[str]):
    items = pd.DataFrame({"unit": units, "level": levels})
    return level_bars(items, LEVELS, "责任单位", "事项数")


def test_one_item_each_for_many_units_ticks_whole_items():
    # The sample data's list: 11 units with one 督办 item each, 11 items in all. Ticking
    # by the total left plotly's 0, 0.2, 0.4… on an axis of at most one item.
    units = [f"单位{i}" for i in range(11)]
    figure = bars(units, ["supervise"] * 11)
    assert figure.layout.xaxis.dtick == 1
    assert list(figure.data[0].x) == [1] * 11


def test_a_long_bar_leaves_the_ticks_to_plotly():
    figure = bars(["甲"] * 12 + ["乙"], ["urge"] * 6 + ["supervise"] * 7)
    assert figure.layout.xaxis.dtick is None
    stacked = {trace.name: list(trace.x) for trace in figure.data}
    assert stacked == {"催办": [6, 0], "督办": [6, 1]}


def test_every_chart_of_counts_ticks_whole_counts_when_they_are_few():
    # A district's page with three tasks, a quiet month of activities: each axis of
    # counts ticks 0, 1, 2, 3, not 0, 0.5, 1…
    statuses = pd.DataFrame({"status": ["completed", "overdue"], "label": ["已完成", "逾期"]})
    status = status_bar(statuses.assign(count=[2, 1]))
    assert status.layout.xaxis.dtick == 1
    monthly = pd.DataFrame({"month": ["1月", "1月", "2月"], "count": [1, 2, 1], "brand": "甲"})
    assert stacked_monthly_bars(monthly, "month", "count", "brand").layout.yaxis.dtick == 1
    progress = pd.DataFrame(
        {"label": ["2023Q1", "2023Q2"], "completed": [1, 2], "overdue": [1, 1]}
    ).assign(completion_rate=[50.0, 66.7])
    over_periods = status_over_periods(
        progress, {"completed": "已完成", "overdue": "逾期"}, "完成率"
    )
    assert over_periods.layout.yaxis2.dtick == 1  # the counts, under the rate's line
    assert over_periods.layout.yaxis.dtick is None  # the rate keeps its 0–100 ticks
    many = monthly.assign(count=[10, 30, 5])
    assert stacked_monthly_bars(many, "month", "count", "brand").layout.yaxis.dtick is None
