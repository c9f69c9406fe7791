"""The projector theme of presentation mode, and each slide's figure.

A slide's figure is the dashboard page's own chart (`charts.coverage.district_map`,
`charts.tasks.rate_bars`, `charts.trends.trend_lines`, `charts.evaluation.composite_bars`;
the overdue list, a table on the page, is drawn as bars here so it fits the screen)
restyled on a copy by `projector`: large type for the back of a room, black text on pure
white, a stronger grid and thicker lines. Colours that carry meaning (STATUS_COLORS, the
coverage scale) are left exactly as on the dashboards.

PROJECTOR_CSS hides the sidebar, the header, the toolbar and the rest of Streamlit's
chrome, makes the page one screen high (the bar, then the stage whose chart takes the
height left) and sets type sizes that scale with the screen; `stage_css` says which of the
stage's two slots is on screen. It is CSS only: nothing is fetched from anywhere.
The data-testids are those of the installed Streamlit (1.67); `stDecoration` and
`stSidebarCollapsedControl` belong to earlier versions and are kept for them.
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd
import plotly.graph_objects as go

from data_model.charts.common import (
    FONT_FAMILY,
    LABEL_PAD,
    LABEL_ROOM,
    LINE_BREAK,
    STATUS_COLORS,
    base_layout,
    label_bars,
    outside_label_room,
    text_width,
)
from data_model.charts.coverage import district_map
from data_model.charts.evaluation import composite_bars
from data_model.charts.tasks import rate_bars
from data_model.charts.trends import trend_lines
from data_model.reference.geo import load_district_map, tile_grid

TEXT_COLOR = "#000000"
MUTED_TEXT = "#333333"
GRID_COLOR = "#BDBDBD"
CHART_FONT_SIZE = 24  # px; every text in a slide's chart is at least this large
MAP_LABEL_SIZE = 22  # district names inside the map's regions
SLIDE_DIAMOND = 26  # px; the on-time rate's marker on the task slide
SLIDE_HEIGHT = 560  # px; only until the page has measured the box CSS gives the chart
# The smallest screen a slide must fit: 1280 px less the page's side padding (2 × 2.5vw).
SMALLEST_CHART_WIDTH = 1216
OVERDUE_LINE = 560  # px at CHART_FONT_SIZE: a line of text beside an overdue bar wraps here
OVERDUE_BAR_SHARE = (0.25, 0.85)  # the longest bar takes this much of the plot, at least/most
OVERDUE_WRAP_ROWS = 6  # up to this many bars have room for two lines of text each
OVERDUE_NAME_LINE = 330  # px at CHART_FONT_SIZE: a line of a task's name left of its bar
PART_SEPARATOR = " · "  # between the parts of a bar's text (catalogue present.overdue_*)
CHART_CONFIG = {"displayModeBar": False, "displaylogo": False}

# Type scales with the smaller of the screen's width and height, so a slide that fits
# 1920×1080 also fits 1280×720 (and a 4:3 projector): sizes are px at 1920×1080.
TITLE_SIZE = "clamp(28px, min(3.4vw, 6vh), 66px)"
TEXT_SIZE = "clamp(18px, min(1.45vw, 2.6vh), 28px)"
METRIC_SIZE = "clamp(40px, min(4.6vw, 8.2vh), 90px)"

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
/* Streamlit fades what a run has not re-sent yet; on a projector the slide on screen is
   always whole and correct (pages/present.py), so nothing fades. */
[data-testid="stMain"] [data-stale="true"] {{
  opacity: 1 !important;
  transition: none !important;
}}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  background: #FFFFFF !important;
  color: {TEXT_COLOR};
}}
[data-testid="stMain"] {{
  font-family: {FONT_FAMILY};
  overflow: hidden !important;
}}
/* The page is exactly one screen high: the bar, then the stage, which takes the rest. */
[data-testid="stMainBlockContainer"] {{
  max-width: 100% !important;
  height: 100vh;
  height: 100dvh;
  box-sizing: border-box;
  padding: 1.5vh 2.5vw 2vh 2.5vw !important;
  display: flex;
  flex-direction: column;
}}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {{
  flex: 1 1 auto;
  min-height: 0;
  gap: 0.6vh;
}}
[data-testid="stMain"] p,
[data-testid="stMain"] li,
[data-testid="stMain"] label {{
  font-size: {TEXT_SIZE} !important;
  line-height: 1.4;
  color: {TEXT_COLOR};
}}
[data-testid="stMain"] h1 {{
  font-size: {TITLE_SIZE} !important;
  line-height: 1.25 !important;
  font-weight: 700 !important;
  color: {TEXT_COLOR} !important;
  padding: 0.1em 0 0.1em 0 !important;
}}
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stCaptionContainer"] p {{
  font-size: {TEXT_SIZE} !important;
  color: {MUTED_TEXT} !important;
}}
[data-testid="stMetricLabel"] p {{
  font-size: {TEXT_SIZE} !important;
}}
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] p {{
  font-size: {METRIC_SIZE} !important;
  line-height: 1.2 !important;
  font-weight: 700;
  color: {TEXT_COLOR};
}}
[data-testid="stMetricDelta"] {{
  font-size: {TEXT_SIZE} !important;
}}
[data-testid="stMetricDelta"] svg {{
  width: 1.2em;
  height: 1.2em;
}}
/* The bar: section and counter on the left, previous / next / exit on the right. */
.st-key-present_bar {{
  flex: 0 0 auto;
  flex-wrap: nowrap !important;
  gap: 1vw !important;
}}
.st-key-present_bar > :first-child {{
  flex: 1 1 auto !important;
  min-width: 0;
}}
.st-key-present_bar [data-testid="stCaptionContainer"] p {{
  white-space: nowrap;
  overflow: hidden;
  text-overflow: ellipsis;
}}
.st-key-present_bar button p,
.st-key-present_bar a span {{
  font-size: {TEXT_SIZE} !important;
}}
/* The stage takes the height left; its two slots lie on top of each other. Every block
   between the page and the stage (the fragment's, Streamlit's layout wrappers) passes the
   height down. */
[data-testid="stLayoutWrapper"]:has(.st-key-present_stage),
[data-testid="stVerticalBlock"]:has(.st-key-present_stage),
.st-key-present_stage {{
  flex: 1 1 auto !important;
  min-height: 0 !important;
  height: auto !important;
  display: flex;
  flex-direction: column;
}}
.st-key-present_stage {{
  position: relative;
}}
.st-key-present_slot_0,
.st-key-present_slot_1 {{
  position: absolute !important;
  inset: 0;
  display: flex;
  flex-direction: column;
  flex-wrap: nowrap;
  background: #FFFFFF;
}}
/* The chart fills what the title and note leave in its slot; the chart measures the box
   it is given and lays itself out to it. */
.st-key-present_slot_0 [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]),
.st-key-present_slot_1 [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]) {{
  flex: 1 1 0 !important;
  min-height: 0 !important;
  height: auto !important;
  display: flex;
  flex-direction: column;
  overflow: hidden;
}}
.st-key-present_stage [data-testid="stElementContainer"] > *:has([data-testid="stPlotlyChart"]),
.st-key-present_stage [data-testid="stPlotlyChart"] {{
  flex: 1 1 0 !important;
  min-height: 0 !important;
  height: 100% !important;
}}
/* The counter keeps its width; the section line gives way. */
.st-key-present_bar > :nth-child(2) {{
  flex: 0 0 auto !important;
  width: auto !important;
}}
.st-key-present_bar > :nth-child(2) [data-testid="stCaptionContainer"] p {{
  overflow: visible;
  text-overflow: clip;
}}
"""


def stage_css(front: int) -> str:
    """The rule that puts slot `front` on screen and keeps the other one hidden behind it,
    laid out at the same size, so its chart is drawn and ready (see pages/present.py)."""
    back = 1 - front
    return (
        f".st-key-present_slot_{back}, .st-key-present_slot_{back} * "
        "{ visibility: hidden !important; pointer-events: none !important; }\n"
        f".st-key-present_slot_{back} {{ z-index: 0; }}\n"
        f".st-key-present_slot_{front} {{ visibility: visible; z-index: 1; }}"
    )


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


def wrap_parts(text: str, width: float, size: float = CHART_FONT_SIZE) -> list[str]:
    """`text` as lines no wider than `width` px at `size` px, broken between its parts
    (PART_SEPARATOR) where it can be, inside a part that is itself too wide."""
    lines: list[str] = []
    for part in text.split(PART_SEPARATOR):
        joined = f"{lines[-1]}{PART_SEPARATOR}{part}" if lines else part
        if lines and text_width(joined, size) <= width:
            lines[-1] = joined
            continue
        line = ""
        for ch in part:
            if line and text_width(line + ch, size) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


def wrap_name(text: str, width: float, lines: int, size: float = CHART_FONT_SIZE) -> str:
    """`text` broken into at most `lines` lines no wider than `width` px at `size` px, the
    last one ending in `…` when the text goes on (the whole of it is on hover)."""
    wrapped = wrap_parts(text.replace(PART_SEPARATOR, " "), width, size)
    if len(wrapped) > lines:
        last = wrapped[lines - 1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        wrapped = [*wrapped[: lines - 1], last.rstrip() + "…"]
    return LINE_BREAK.join(wrapped)


def overdue_axis_end(days: list[float], widths: list[float], plot_width: float) -> float:
    """Where the day axis ends so that each bar's text, `widths` px wide, fits beside the
    end of its bar in a plot `plot_width` px wide: the bar with the least room decides, so
    the axis runs no further than the data and their labels need (the longest bar takes
    at least and at most OVERDUE_BAR_SHARE of the plot)."""
    low, high = OVERDUE_BAR_SHARE
    end = max([*days, 1.0]) / high
    for day, width in zip(days, widths, strict=True):
        share = min(max(1 - (width + 2 * LABEL_PAD) / plot_width, low), high)
        end = max(end, day / share)
    return end


def overdue_bars(frame: pd.DataFrame, days_label: str) -> go.Figure:
    """One bar per overdue task, longest overdue on top, in the overdue status colour.

    Each task's name (code and content) is written left of its bar in lines of
    OVERDUE_NAME_LINE px, and each bar's text (days, lead unit, explanation) whole beside
    it, never cut by the screen's edge: in lines of OVERDUE_LINE px, two lines a bar when
    there are at most OVERDUE_WRAP_ROWS bars; with more, the first line only, the rest on
    hover. The day axis runs just far enough that every bar's text fits beside it on a
    1280×720 screen (`overdue_axis_end`).

    `frame`: label (task code and content), days_late, text (beside the bar), hover.
    """
    keep = 2 if len(frame) <= OVERDUE_WRAP_ROWS else 1
    lines = [wrap_parts(str(text), OVERDUE_LINE)[:keep] for text in frame["text"]]
    names = [wrap_name(str(label), OVERDUE_NAME_LINE, keep) for label in frame["label"]]
    widths = [max((text_width(line, CHART_FONT_SIZE) for line in ls), default=0) for ls in lines]
    labels = max(
        (text_width(line, CHART_FONT_SIZE) for name in names for line in name.split(LINE_BREAK)),
        default=0,
    )
    plot_width = max(SMALLEST_CHART_WIDTH - labels - 2 * LABEL_PAD, 1)
    days = [float(d) for d in frame["days_late"]]
    figure = label_bars(
        pd.Series(names, dtype=object),
        frame["days_late"],
        name=days_label,
        marker_color=STATUS_COLORS["overdue"],
        customdata=frame["hover"],
        hovertemplate="%{customdata}: %{x}<extra></extra>",
    )
    # Annotations, not the bar's own text, which plotly centres line by line: the two lines
    # start together at the bar's end. By row index (a numeric-looking label is an index).
    for row, (day, text) in enumerate(zip(frame["days_late"], lines, strict=True)):
        figure.add_annotation(
            x=day,
            y=row,
            xanchor="left",
            xshift=LABEL_PAD,
            align="left",
            text=LINE_BREAK.join(text),
            showarrow=False,
            name="overdue_label",
        )
    figure.update_xaxes(
        title={"text": days_label}, range=[0, overdue_axis_end(days, widths, plot_width)]
    )
    base_layout(figure, height=SLIDE_HEIGHT)
    figure.update_layout(showlegend=False)
    return figure


class ChartSlide(Protocol):
    """What a slide figure is drawn from (`outputs.presentation.Slide` has these fields;
    charts do not import the outputs that import them)."""

    key: str
    frame: pd.DataFrame | None
    chart: dict


def slide_figure(slide: ChartSlide) -> go.Figure | None:
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
        figure.update_traces(marker_size=SLIDE_DIAMOND, selector={"type": "scatter"})
        # The rate column moves right by the half of a 100% diamond that leaves the plot.
        shift = LABEL_PAD + SLIDE_DIAMOND // 2
        figure.update_annotations(xshift=shift, selector={"name": "rate_label"})
        texts = [a.text for a in figure.layout.annotations]
        room = outside_label_room(texts, CHART_FONT_SIZE) + SLIDE_DIAMOND // 2
        figure.update_layout(margin={"r": room})
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
                unit=chart["unit"],
                language=chart["language"],
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
