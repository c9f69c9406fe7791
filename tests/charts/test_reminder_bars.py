"""The supervision page's bars count items: their axis ticks whole numbers."""

from __future__ import annotations

import pandas as pd

from data_model.charts.reminders import level_bars

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
