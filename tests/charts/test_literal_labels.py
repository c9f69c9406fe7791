"""`literal_labels`: plotly reads a subset of HTML in every text of a figure, so a name from
an upload (a task code, a unit, an action) written as `<a href="…">` would be a link in a
viewer's axis labels, hovers and titles; the figures the pages draw show it as text."""

from __future__ import annotations

import pandas as pd

from data_model.charts.common import literal_labels
from data_model.charts.present import overdue_bars
from data_model.charts.tasks import rate_bars

LINK = '<a href="http://203.0.113.9/">点此</a>'
SHOWN = '&lt;a href="http://203.0.113.9/"&gt;点此&lt;/a&gt;'  # plotly draws the characters


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings(item)]
    return []


def test_uploaded_markup_is_text_while_the_builders_own_tags_stay_markup():
    overdue = pd.DataFrame(
        {
            "label": [f"K&1 {LINK}"],
            "days_late": [30],
            "text": [f"30天 · {LINK}"],
            "hover": [f"K&1 {LINK}<br>说明：<b>已</b>协调"],
        }
    )
    spec = literal_labels(overdue_bars(overdue, "逾期天数")).to_plotly_json()
    [bar] = spec["data"]
    assert list(bar["y"]) == [f"K&amp;1 {SHOWN}"]
    assert list(spec["layout"]["yaxis"]["categoryarray"]) == list(bar["y"])  # still one row
    assert list(bar["text"]) == [f"30天<br>{SHOWN}"]  # wrapped by the builder
    assert list(bar["customdata"]) == [f"K&amp;1 {SHOWN}<br>说明：<b>已</b>协调"]
    assert bar["hovertemplate"] == "%{customdata}: %{x}<extra></extra>"
    assert not [s for s in strings(spec) if "<a " in s]


def test_a_figure_without_markup_is_returned_as_it_is():
    rates = pd.DataFrame(
        {
            "label": ["领跑行动"],
            "completion_rate": [50.0],
            "on_time_rate": [100.0],
            "completed": [1],
            "tasks": [2],
        }
    )
    figure = rate_bars(rates, "完成率", "按期完成率", title="领跑行动完成率 50%")
    assert literal_labels(figure) is figure
