"""The projector theme of presentation mode, and each slide's figure.

A slide's figure is the dashboard page's own chart (`charts.coverage.district_map`,
`charts.tasks.rate_bars`, `charts.trends.trend_lines`, `charts.evaluation.composite_bars`;
the overdue list, a table on the page, is drawn as bars here so it fits the screen)
restyled on a copy by `projector`: large type for the back of a room, black text on pure
white, a stronger grid and thicker lines. Colours that carry meaning (STATUS_COLORS, the
coverage scale) are left exactly as on the dashboards.

PROJECTOR_CSS hides the sidebar, the header, the toolbar and the rest of Streamlit's
chrome and sets the page's type sizes. It is CSS only: nothing is fetched from anywhere.
The data-testids are those of the installed Streamlit (1.67); `stDecoration` and
`stSidebarCollapsedControl` belong to earlier versions and are kept for them.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.common import FONT_FAMILY, LABEL_ROOM, STATUS_COLORS, base_layout
from charts.coverage import district_map
from charts.evaluation import composite_bars
from charts.tasks import rate_bars
from charts.trends import trend_lines
from data_model.geo import load_district_map, tile_grid
from data_model.presentation import Slide

TEXT_COLOR = "#000000"
MUTED_TEXT = "#333333"
GRID_COLOR = "#BDBDBD"
CHART_FONT_SIZE = 24  # px; every text in a slide's chart is at least this large
MAP_LABEL_SIZE = 22  # district names inside the map's regions
SLIDE_HEIGHT = 560  # px; CSS stretches the chart to the screen's height (see below)
CHART_CONFIG = {"displayModeBar": False, "displaylogo": False}

PROJECTOR_CSS = f"""
[data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"],
[data-testid="stSidebarCollapseButton"],
[data-testid="stExpandSidebarButton"],
[data-testid="stHeader"],
[data-testid="stToolbar"],
[data-testid="stDecoration"],
[data-testid="stStatusWidget"],
[data-testid="stMainMenu"],
[data-testid="stAppDeployButton"],
[data-testid="stElementToolbar"],
footer {{
  display: none !important;
}}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  background: #FFFFFF !important;
  color: {TEXT_COLOR};
}}
[data-testid="stMainBlockContainer"] {{
  max-width: 100% !important;
  padding: 2vh 3vw 1vh 3vw !important;
}}
[data-testid="stMain"] {{
  font-family: {FONT_FAMILY};
}}
[data-testid="stMain"] p,
[data-testid="stMain"] li,
[data-testid="stMain"] label {{
  font-size: 30px !important;
  line-height: 1.4;
  color: {TEXT_COLOR};
}}
[data-testid="stMain"] h1 {{
  font-size: clamp(48px, 4.4vw, 72px) !important;
  line-height: 1.25 !important;
  font-weight: 700 !important;
  color: {TEXT_COLOR} !important;
  padding: 0.2em 0 0.1em 0 !important;
}}
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stCaptionContainer"] p {{
  font-size: 28px !important;
  color: {MUTED_TEXT} !important;
}}
[data-testid="stMetricLabel"] p {{
  font-size: 30px !important;
}}
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] p {{
  font-size: clamp(56px, 5vw, 96px) !important;
  line-height: 1.2 !important;
  font-weight: 700;
  color: {TEXT_COLOR};
}}
[data-testid="stMetricDelta"] {{
  font-size: 30px !important;
}}
[data-testid="stMetricDelta"] svg {{
  width: 30px;
  height: 30px;
}}
/* The chart fills the screen below the title; plotly lays itself out to this height. */
[data-testid="stMain"] [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]),
[data-testid="stMain"] [data-testid="stFullScreenFrame"]:has([data-testid="stPlotlyChart"]),
[data-testid="stMain"] [data-testid="stPlotlyChart"] {{
  height: max(340px, calc(100vh - 340px)) !important;
  flex: 0 0 auto !important;
  overflow: hidden !important;
}}
"""


def projector(figure: go.Figure) -> go.Figure:
    """A copy of `figure` restyled for a projector (type, grid, lines); colours unchanged."""
    figure = go.Figure(figure)
    figure.update_layout(
        height=SLIDE_HEIGHT,
        font={"family": FONT_FAMILY, "size": CHART_FONT_SIZE, "color": TEXT_COLOR},
        legend={"font": {"size": CHART_FONT_SIZE}},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        hoverlabel={"font": {"size": CHART_FONT_SIZE}},
    )
    figure.update_xaxes(
        tickfont={"size": CHART_FONT_SIZE}, gridcolor=GRID_COLOR, linecolor=TEXT_COLOR
    )
    figure.update_yaxes(
        tickfont={"size": CHART_FONT_SIZE}, gridcolor=GRID_COLOR, linecolor=TEXT_COLOR
    )
    figure.update_annotations(font_size=CHART_FONT_SIZE)
    # Bar labels keep their size instead of shrinking to the bar's thickness.
    figure.update_traces(constraintext="none", selector={"type": "bar"})
    for trace in figure.data:
        textfont = getattr(trace, "textfont", None)
        if textfont is not None and textfont.size is not None and textfont.size < CHART_FONT_SIZE:
            trace.textfont.size = CHART_FONT_SIZE
    return figure


def overdue_bars(frame: pd.DataFrame, days_label: str) -> go.Figure:
    """One bar per overdue task, longest overdue on top, in the overdue status colour.

    `frame`: label (task code and content), days_late, text (beside the bar), hover.
    """
    labels = list(frame["label"])
    figure = go.Figure(
        go.Bar(
            x=frame["days_late"],
            y=labels,
            orientation="h",
            name=days_label,
            marker_color=STATUS_COLORS["overdue"],
            text=frame["text"],
            textposition="auto",
            insidetextanchor="start",
            cliponaxis=False,
            customdata=frame["hover"],
            hovertemplate="%{customdata}: %{x}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    figure.update_xaxes(title={"text": days_label}, rangemode="tozero")
    base_layout(figure, height=SLIDE_HEIGHT)
    figure.update_layout(showlegend=False)
    return figure


def slide_figure(slide: Slide) -> go.Figure | None:
    """The figure of a chart slide (None for card and table slides)."""
    frame, chart = slide.frame, slide.chart
    if slide.key == "coverage":
        areas = chart["areas"]
        layout = load_district_map(areas)
        if layout.problem:  # no usable boundary file: the tile grid stands in, as on the page
            layout = tile_grid(areas)
        figure = projector(district_map(layout, frame, chart["measure_label"], chart["rate"]))
        figure.update_traces(textfont_size=MAP_LABEL_SIZE, selector={"name": "labels"})
        figure.update_traces(
            marker_colorbar={"thickness": 28, "tickfont": {"size": CHART_FONT_SIZE}},
            selector={"name": "scale"},
        )
        return figure
    if slide.key == "task_actions":
        figure = projector(rate_bars(frame, chart["completion_label"], chart["on_time_label"]))
        figure.update_traces(marker_size=26, selector={"type": "scatter"})
        figure.update_layout(margin={"r": 2 * LABEL_ROOM})
        figure.update_yaxes(dtick=1)
        return figure
    if slide.key == "trend":
        figure = projector(
            trend_lines(
                frame,
                chart["target"],
                chart["target_name"],
                chart["marked_period"],
                chart["incomplete_name"],
                best=chart["best"],
                worst=chart["worst"],
                others_name=chart["others_name"],
            )
        )
        figure.update_traces(line_width=5, marker_size=12, selector={"type": "scatter"})
        figure.update_traces(line_width=2, marker_size=6, selector={"legendgroup": "others"})
        figure.update_layout(margin={"r": 2 * LABEL_ROOM})  # the line-end labels at 24 px
        return figure
    if slide.key == "overdue":
        figure = projector(overdue_bars(frame, chart["days_label"]))
        figure.update_yaxes(dtick=1)
        return figure
    if slide.key == "ranking":
        figure = projector(composite_bars(frame))
        figure.update_layout(margin={"r": 2 * LABEL_ROOM})  # the rank and score at 24 px
        figure.update_yaxes(dtick=1)  # every district named, even on a low screen
        return figure
    return None
