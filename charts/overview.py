"""Charts of the overview page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.common import SERIES_COLORS, STATUS_COLORS, base_layout


def status_bar(counts: pd.DataFrame) -> go.Figure:
    """Horizontal bars of task counts per status. `counts`: columns status, label, count."""
    figure = go.Figure(
        go.Bar(
            x=counts["count"],
            y=counts["label"],
            orientation="h",
            marker_color=[STATUS_COLORS[s] for s in counts["status"]],
            text=counts["count"],
            textposition="outside",
        )
    )
    figure.update_yaxes(autorange="reversed")
    return base_layout(figure, height=320)


def stacked_monthly_bars(frame: pd.DataFrame, x: str, y: str, series: str) -> go.Figure:
    """Bars per month stacked by a category (for example activities by brand)."""
    figure = go.Figure()
    for index, (name, group) in enumerate(frame.groupby(series, sort=False)):
        figure.add_bar(
            x=group[x],
            y=group[y],
            name=str(name),
            marker_color=SERIES_COLORS[index % len(SERIES_COLORS)],
        )
    figure.update_layout(barmode="stack")
    return base_layout(figure)
