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
from data_model.charts.trends import trend_lines

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
