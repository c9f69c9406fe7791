"""`literal_labels`: plotly reads a subset of HTML in every text of a figure, so a name from
an upload (a task code, a unit, an action) written as `<a href="…">` would be a link in a
viewer's axis labels, hovers and titles, and one with `<br>` would break them; the figures
the pages draw show it as text. The builders' own markup is written as marks (LINE_BREAK),
and a name in a hover template with `template_text`, where `%{…}` would be a placeholder."""

from __future__ import annotations

import pandas as pd

from data_model.charts.common import LINE_BREAK, literal_labels
from data_model.charts.coverage import district_map
from data_model.charts.evaluation import breakdown_bars, breakdown_radar
from data_model.charts.present import overdue_bars
from data_model.charts.tasks import rate_bars
from data_model.charts.trends import small_multiples, trend_lines
from data_model.reference.geo import Area, tile_grid

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
            "hover": [f"K&1 {LINK}{LINE_BREAK}说明：<b>已</b>协调"],
        }
    )
    spec = literal_labels(overdue_bars(overdue, "逾期天数")).to_plotly_json()
    [bar] = spec["data"]
    [name] = bar["y"]  # wrapped to the room left of the bar by the builder
    assert name.count("<br>") == 1 and name.replace("<br>", "") == f"K&amp;1 {SHOWN}"
    assert list(spec["layout"]["yaxis"]["categoryarray"]) == list(bar["y"])  # still one row
    [label] = spec["layout"]["annotations"]
    assert label["text"] == f"30天<br>{SHOWN}"  # wrapped by the builder
    assert list(bar["customdata"]) == [f"K&amp;1 {SHOWN}<br>说明：&lt;b&gt;已&lt;/b&gt;协调"]
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


# A name from an upload holding the very tags the builders write, and a template placeholder.
NAME = "南<br>山<b>区</b>%{y}"
NAME_SHOWN = "南&lt;br&gt;山&lt;b&gt;区&lt;/b&gt;%{y}"  # a legend or label is no template
NAME_IN_TEMPLATE = "南&lt;br&gt;山&lt;b&gt;区&lt;/b&gt;&#37;{y}"  # plotly.js shows `&#37;` as %


def test_a_name_holding_the_builders_own_tags_or_a_placeholder_is_shown_as_written():
    frame = pd.DataFrame(
        {
            "label": ["2023年"],
            "district": [NAME],
            "value": [1.5],
            "complete": [True],
            "hover_note": ["说明：<br>已<b>协调</b>"],
        }
    )
    spec = literal_labels(trend_lines(frame, best=(NAME,))).to_plotly_json()
    [line] = spec["data"]
    assert line["name"] == NAME_SHOWN
    assert [a["text"] for a in spec["layout"]["annotations"]] == [f"{NAME_SHOWN} 1.5"]
    # The line break before the note is the builder's, the one tag left.
    assert line["customdata"] == [["", "<br>说明：&lt;br&gt;已&lt;b&gt;协调&lt;/b&gt;", "1.5"]]
    assert line["hovertemplate"] == (
        f"{NAME_IN_TEMPLATE} %{{x}}: %{{customdata[2]}} %{{customdata[0]}}%{{customdata[1]}}"
        "<extra></extra>"
    )


def test_a_map_region_named_with_tags_is_text_beside_the_builders_bold_and_line_break():
    areas = (Area("440303", NAME, NAME, "district"),)
    frame = pd.DataFrame({"code": ["440303"], "district": [NAME], "value": [50.0], "text": ["50%"]})
    spec = literal_labels(
        district_map(tile_grid(areas), frame, "覆盖率", rate=True)
    ).to_plotly_json()
    traces = {trace["name"]: trace for trace in spec["data"]}
    assert list(traces["labels"]["text"]) == [f"{NAME_SHOWN}<br>50%"]
    assert list(traces["labels"]["hovertext"]) == [f"<b>{NAME_SHOWN}</b><br>覆盖率: 50%"]
    assert traces[NAME_SHOWN]["fill"] == "toself"  # the region's shape, named as written


def test_a_name_in_a_hover_template_is_no_placeholder():
    scores = pd.DataFrame({"district": ["甲区", NAME], "category": [NAME, NAME], "score": [1, 2]})
    [bars] = literal_labels(breakdown_bars(scores)).to_plotly_json()["data"]
    assert bars["hovertemplate"] == f"%{{x}} {NAME_IN_TEMPLATE}: %{{y:.2f}}<extra></extra>"
    [*_, radar] = literal_labels(breakdown_radar(scores)).to_plotly_json()["data"]
    assert radar["hovertemplate"] == f"%{{theta}}: %{{r:.2f}}<extra>{NAME_IN_TEMPLATE}</extra>"
    series = pd.DataFrame(
        {"indicator_code": ["A1"], "label": ["2023年"], "district": [NAME], "value": [2.0]}
    )
    [line] = small_multiples(series, {"A1": "A1"}, {}).to_plotly_json()["data"]
    assert line["hovertemplate"] == f"{NAME_IN_TEMPLATE} %{{x}}: %{{customdata}}<extra></extra>"
