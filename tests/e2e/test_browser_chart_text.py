"""A figure's texts as plotly.js draws them, in chromium: the plotly.js of the plotly package
(the one the bulletin's images are drawn with) on a page of its own, with nothing fetched.

A name from an upload holding `<br>`, `<b>` or a template placeholder `%{y}` reads as
written in the legend, the line-end label and the hover, while the builders' own line break
and the hover's value, written as the page writes it, are drawn as such."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import plotly

from data_model.charts.common import literal_labels
from data_model.charts.trends import ranking_bars, trend_lines

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
NAME = "南<br>山<b>区</b>%{y}"
NOTE = "说明：<b>已</b>协调%{x}"


def test_a_name_with_tags_or_a_placeholder_is_drawn_as_written(browser):
    frame = pd.DataFrame(
        {
            "label": ["2022年", "2023年"],
            "district": [NAME, NAME],
            "value": [80.0, 87.654],
            "complete": [True, True],
            "hover_note": ["", NOTE],
        }
    )
    figure = literal_labels(trend_lines(frame, best=(NAME,), unit="%", language="zh-CN"))
    page = browser.new_page()
    try:
        page.set_content("<div id='chart' style='width:800px;height:460px'></div>")
        page.add_script_tag(path=str(PLOTLY_JS))
        page.evaluate(
            "spec => Plotly.newPlot('chart', spec.data, spec.layout)", json.loads(figure.to_json())
        )
        legend = page.locator(".legendtext").first
        assert legend.text_content() == NAME
        assert page.locator(".annotation-text").first.text_content() == f"{NAME} 87.7"
        page.evaluate("() => Plotly.Fx.hover('chart', [{curveNumber: 0, pointNumber: 1}])")
        hover = page.locator(".hoverlayer .hovertext text").first
        hover.wait_for(timeout=5_000)
        # An SVG text: its lines are tspans. Two lines: the value, then the note.
        assert hover.locator("tspan.line").count() == 2
        assert hover.text_content() == f"{NAME} 2023年: 87.7% {NOTE}"
        assert hover.locator("tspan[style*='bold']").count() == 0
    finally:
        page.close()


def test_the_rankings_labels_are_drawn_whole_and_opaque_over_the_target_line(browser):
    """The trends ranking's labels are annotations (`labels_beside_bars`): plotly.js ranges
    the axis over them, so the last one is whole inside the chart, and each is drawn on an
    opaque patch of the plot's white, over the target line that runs through 第7名's."""
    frame = pd.DataFrame(
        {
            "district": ["龙华区", "福田区", "盐田区", "深汕特别合作区"],
            "value": [0.6, 0.9, 1.0, 1.1],
            "text": ["第1名 0.6 天 *", "第7名 0.9 天", "第10名 1 天", "第11名 1.1 天 *"],
        }
    )
    figure = literal_labels(ranking_bars(frame, 1.0, "目标值", unit="天", language="zh-CN"))
    page = browser.new_page()
    try:
        page.set_content("<div id='chart' style='width:800px;height:300px'></div>")
        page.add_script_tag(path=str(PLOTLY_JS))
        page.evaluate(
            "spec => Plotly.newPlot('chart', spec.data, spec.layout)", json.loads(figure.to_json())
        )
        drawn = page.evaluate(
            """() => {
                const chart = document.getElementById('chart').getBoundingClientRect();
                const line = document.querySelector('.shapelayer path').getBoundingClientRect();
                return [...document.querySelectorAll('g.annotation')].map((a) => {
                    const bg = a.querySelector('rect.bg');
                    const box = bg.getBoundingClientRect();
                    return {
                        text: a.textContent,
                        fill: getComputedStyle(bg).fill,
                        opacity: getComputedStyle(bg).fillOpacity,
                        whole: box.left >= chart.left && box.right <= chart.right,
                        on_line: box.left < line.left && line.right < box.right,
                    };
                });
            }"""
        )
        labels = {label["text"]: label for label in drawn if label["text"] != "目标值 1 天"}
        assert list(labels) == list(frame["text"])
        assert all(label["whole"] for label in labels.values())
        assert {(label["fill"], label["opacity"]) for label in labels.values()} == {
            ("rgb(255, 255, 255)", "1")
        }
        assert labels["第7名 0.9 天"]["on_line"]  # the case this is about, drawn
    finally:
        page.close()
