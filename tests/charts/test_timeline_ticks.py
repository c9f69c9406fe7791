"""The task timeline's date axis reads in the page's language: month (or year) ticks
labelled as periods are (`2023年3月`, `Mar 2023`), not plotly's `2023-03`."""

from __future__ import annotations

from datetime import date

import pandas as pd

from data_model.charts.common import month_ticks
from data_model.charts.tasks import timeline_bars


def timeline_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["A1-01 甲", "A1-02 乙"],
            "status": ["completed", "overdue"],
            "start": [date(2022, 11, 15), date(2023, 1, 1)],
            "end": [date(2023, 2, 28), date(2023, 3, 10)],
            "open_ended": [False, False],
            "late_until": [None, date(2023, 3, 31)],
            "hover": ["", ""],
        }
    )


def test_timeline_ticks_are_months_in_the_pages_language():
    statuses = {"completed": "已完成", "overdue": "逾期"}
    ticks = {}
    for language in ("zh-CN", "en"):
        figure = timeline_bars(
            timeline_frame(),
            statuses,
            date(2023, 3, 31),
            "统计日",
            "长期",
            "超期",
            language=language,
        )
        axis = figure.layout.xaxis
        assert axis.type == "date" and not axis.tickformat  # not plotly's 2023-03
        assert list(axis.tickvals) == ["2022-12-01", "2023-01-01", "2023-02-01", "2023-03-01"]
        ticks[language] = list(axis.ticktext)
    assert ticks == {
        "zh-CN": ["2022年12月", "2023年1月", "2023年2月", "2023年3月"],
        "en": ["Dec 2022", "Jan 2023", "Feb 2023", "Mar 2023"],
    }


def test_month_ticks_step_up_to_years_and_cover_a_span_inside_a_month():
    values, labels = month_ticks(date(2021, 3, 1), date(2024, 7, 1), "zh-CN")
    assert (values, labels) == (
        ["2022-01-01", "2023-01-01", "2024-01-01"],
        ["2022年", "2023年", "2024年"],
    )
    assert month_ticks(date(2023, 1, 1), date(2023, 12, 31), "en")[1] == [
        "Jan 2023",
        "Mar 2023",
        "May 2023",
        "Jul 2023",
        "Sep 2023",
        "Nov 2023",
    ]
    assert month_ticks(date(2023, 3, 5), date(2023, 3, 20), "en") == (
        ["2023-03-01", "2023-04-01"],
        ["Mar 2023", "Apr 2023"],
    )
