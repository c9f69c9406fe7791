"""Charts of the task-completion page: rates, status over report periods, timeline, ranking.

Labels (legend names, axis titles) are passed in by the page from the catalogue.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from data_model.charts.common import (
    LABEL_PAD,
    SERIES_COLORS,
    STATUS_COLORS,
    base_layout,
    bounded_axis,
    count_axis,
    label_bars,
    month_ticks,
    outside_label_room,
    template_text,
)
from data_model.formatting import appraisal_text, format_percent

DAY_MS = 24 * 60 * 60 * 1000
ROW_HEIGHT = 30


def _height(rows: int, extra: int = 120) -> int:
    return max(260, extra + ROW_HEIGHT * rows)


def rate_bars(
    rates: pd.DataFrame, completion_label: str, on_time_label: str, title: str = ""
) -> go.Figure:
    """Horizontal bars of completion rate per group, best at the top, with the on-time rate
    as a diamond on the same row.

    Each row's completion rate and counts (`69.4% (25/36)`) are written in a column right
    of the plot, not on the bar: the diamond moves anywhere from 0 to 100% and would cover
    a label inside or beside the bar wherever the two rates are close (or the on-time rate
    sits over the label's start). The column starts LABEL_PAD px past the axis's end,
    beyond the half of a diamond at 100% that pokes out of the plot.

    `rates`: columns label, completion_rate, on_time_rate, completed, tasks (the order of
    the rows is kept: pass them sorted best first).
    """
    labels = list(rates["label"])
    texts = [
        f"{format_percent(rate)} ({done}/{total})"
        for rate, done, total in zip(
            rates["completion_rate"], rates["completed"], rates["tasks"], strict=True
        )
    ]
    figure = go.Figure()
    figure.add_bar(
        x=rates["completion_rate"],
        y=labels,
        orientation="h",
        name=completion_label,
        marker_color=STATUS_COLORS["completed"],
        customdata=[format_percent(rate) for rate in rates["completion_rate"]],
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    )
    figure.add_scatter(
        x=rates["on_time_rate"],
        y=labels,
        mode="markers",
        name=on_time_label,
        marker={"symbol": "diamond", "size": 13, "color": SERIES_COLORS[1]},
        customdata=[format_percent(rate) for rate in rates["on_time_rate"]],
        hovertemplate=f"%{{y}}: %{{customdata}}<extra>{template_text(on_time_label)}</extra>",
    )
    figure.update_traces(cliponaxis=False, selector={"type": "scatter"})  # a 100% diamond
    # By row index, not by name: plotly reads a numeric-looking name as an index.
    for row, text in enumerate(texts):
        figure.add_annotation(
            x=1,
            xref="paper",
            xanchor="left",
            xshift=LABEL_PAD,
            y=row,
            yref="y",
            text=text,
            showarrow=False,
            name="rate_label",
        )
    figure.update_xaxes(**bounded_axis(), showgrid=True, gridcolor="#EEEEEE")
    figure.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    base_layout(figure, height=_height(len(rates)))
    figure.update_layout(margin={"r": outside_label_room(texts)})
    _fit(figure)
    return _titled(figure, title)


def status_over_periods(
    progress: pd.DataFrame, status_labels: dict[str, str], rate_label: str, title: str = ""
) -> go.Figure:
    """The completion rate per report period (a line on top) over the task counts per
    status stacked for each period (bars below), sharing the period axis.

    `progress`: columns label (the period's name), one per status key of `status_labels`,
    completion_rate.
    """
    figure = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.3, 0.7], vertical_spacing=0.06
    )
    figure.add_scatter(
        x=progress["label"],
        y=progress["completion_rate"],
        name=rate_label,
        mode="lines+markers+text",
        line={"color": SERIES_COLORS[0], "width": 3},
        text=[format_percent(rate) for rate in progress["completion_rate"]],
        textposition="top center",
        cliponaxis=False,
        hovertemplate=f"%{{x}} {template_text(rate_label)}: %{{text}}<extra></extra>",
        row=1,
        col=1,
    )
    for status, name in status_labels.items():
        if status not in progress or not progress[status].any():
            continue
        figure.add_bar(
            x=progress["label"],
            y=progress[status],
            name=name,
            marker_color=STATUS_COLORS[status],
            hovertemplate=f"%{{x}} {template_text(name)}: %{{y}}<extra></extra>",
            row=2,
            col=1,
        )
    figure.update_layout(barmode="stack", legend={"traceorder": "normal"})
    figure.update_yaxes(**bounded_axis(), row=1, col=1)
    counted = [status for status in status_labels if status in progress]
    figure.update_yaxes(**count_axis(progress[counted].sum(axis=1).max()), row=2, col=1)
    base_layout(figure, height=520)
    _fit(figure)
    return _titled(figure, title)


def timeline_bars(
    timeline: pd.DataFrame,
    status_labels: dict[str, str],
    as_of: date,
    as_of_label: str,
    open_ended_label: str,
    late_label: str,
    title: str = "",
    language: str | None = None,
) -> go.Figure:
    """A Gantt-like chart: one bar per task from start to deadline, coloured by status.

    Drawn with `go.Bar` on a date axis (base = start, length in milliseconds), so nothing
    beyond plotly itself is needed. Tasks without a deadline run to `as_of` and end in an
    arrow marker; an overdue task's stretch past its deadline (to `late_until`) is hatched.
    The date ticks are months (or years) in `language` (`month_ticks`: `2023年3月`,
    `Mar 2023`), not plotly's `2023-03`.
    `timeline`: columns label, status, start, end, open_ended, late_until, hover.
    """
    figure = go.Figure()
    labels = list(timeline["label"])
    for status, name in status_labels.items():
        rows = timeline[timeline["status"] == status]
        if rows.empty:
            continue
        figure.add_bar(
            y=rows["label"],
            base=[start.isoformat() for start in rows["start"]],
            x=[
                ((end - start).days + 1) * DAY_MS
                for start, end in zip(rows["start"], rows["end"], strict=True)
            ],
            orientation="h",
            name=name,
            marker_color=STATUS_COLORS[status],
            customdata=rows["hover"],
            hovertemplate="%{customdata}<extra></extra>",
        )
    late = timeline[timeline["late_until"].notna()]
    if not late.empty:
        figure.add_bar(
            y=late["label"],
            base=[(end + timedelta(days=1)).isoformat() for end in late["end"]],
            x=[
                max((until - end).days, 0) * DAY_MS
                for end, until in zip(late["end"], late["late_until"], strict=True)
            ],
            orientation="h",
            name=late_label,
            marker={
                "color": "rgba(198, 40, 40, 0.25)",
                "line": {"color": STATUS_COLORS["overdue"], "width": 1},
                "pattern": {"shape": "/", "fgcolor": STATUS_COLORS["overdue"]},
            },
            customdata=late["hover"],
            hovertemplate="%{customdata}<extra></extra>",
        )
    open_ended = timeline[timeline["open_ended"]]
    if not open_ended.empty:
        figure.add_scatter(
            y=open_ended["label"],
            x=[(end + timedelta(days=1)).isoformat() for end in open_ended["end"]],
            mode="markers",
            name=open_ended_label,
            marker={"symbol": "triangle-right", "size": 12, "color": "#424242"},
            hoverinfo="skip",
        )
    figure.add_shape(
        type="line",
        xref="x",
        yref="paper",
        x0=as_of.isoformat(),
        x1=as_of.isoformat(),
        y0=0,
        y1=1,
        line={"color": "#424242", "width": 2, "dash": "dash"},
    )
    # The as-of line is explained in the legend: an annotation would collide with it.
    figure.add_scatter(
        x=[None],
        y=[None],
        mode="lines",
        name=as_of_label,
        line={"color": "#424242", "width": 2, "dash": "dash"},
    )
    figure.update_layout(barmode="overlay")
    # The bars run from the first start through the last day a bar (or stretch) covers; a
    # tick on the midnight after it would name a month nothing reaches.
    low, high = min(timeline["start"]), max([*timeline["end"], *late["late_until"], as_of])
    ticks, tick_labels = month_ticks(low, high, language)
    figure.update_xaxes(
        type="date",
        tickmode="array",
        tickvals=ticks,
        ticktext=tick_labels,
        showgrid=True,
        gridcolor="#EEEEEE",
    )
    if ticks[0] < low.isoformat() or ticks[-1] > high.isoformat():  # a span inside a month
        figure.update_xaxes(
            range=[min(ticks[0], low.isoformat()), max(ticks[-1], high.isoformat())]
        )
    figure.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    base_layout(figure, height=_height(len(timeline), extra=140))
    _fit(figure)
    return _titled(figure, title)


def ranking_bars(ranking: pd.DataFrame, score_label: str, title: str = "") -> go.Figure:
    """Horizontal bars of the appraisal score per unit, rank 1 at the top.

    `ranking`: columns label (e.g. "1. 市商务局"), score, overdue. Units with overdue
    tasks are drawn in the overdue colour.
    """
    scores = [appraisal_text(score) for score in ranking["score"]]
    figure = label_bars(
        ranking["label"],
        ranking["score"],
        name=score_label,
        marker_color=[
            STATUS_COLORS["overdue"] if overdue else SERIES_COLORS[1]
            for overdue in ranking["overdue"]
        ],
        text=scores,
        textposition="outside",
        textfont={
            "color": [
                STATUS_COLORS["overdue"] if overdue else "#424242" for overdue in ranking["overdue"]
            ]
        },
        hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    )
    figure.update_xaxes(**bounded_axis(""), showgrid=True, gridcolor="#EEEEEE")
    base_layout(figure, height=_height(len(ranking)))
    # A score of 100.0 ends at the plot's edge: its label goes in the margin, whole.
    figure.update_layout(showlegend=False, margin={"r": outside_label_room(scores)})
    _fit(figure)
    return _titled(figure, title)


def _fit(figure: go.Figure) -> None:
    """Leave room for long Chinese unit names and tick labels instead of clipping them."""
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)


def _titled(figure: go.Figure, title: str) -> go.Figure:
    if title:
        figure.update_layout(
            title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 18}},
            margin={"t": 80},
            legend={"y": 1.0, "yanchor": "bottom"},
        )
    return figure
