"""Charts of the overview page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from data_model.charts.common import (
    MUTED_COLOR,
    SERIES_COLORS,
    STATUS_COLORS,
    base_layout,
    count_axis,
    outside_label_room,
)


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
            cliponaxis=False,
        )
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(**count_axis(counts["count"].max()))
    base_layout(figure, height=320)
    # The longest bar's count sits beyond the plot, in the margin, never cut.
    return figure.update_layout(margin={"r": outside_label_room(counts["count"])})


OTHER_COLOR = MUTED_COLOR


def stacked_monthly_bars(
    frame: pd.DataFrame, x: str, y: str, series: str, other: str | None = None
) -> go.Figure:
    """Bars per month stacked by a category (for example activities by brand).

    The `other` category (activities outside the brands) is grey and stacked first,
    so the named categories stand out; the others take the series colours in order.
    """
    figure = go.Figure()
    groups = list(frame.groupby(series, sort=False))
    groups.sort(key=lambda item: item[0] != other)
    colours = iter(SERIES_COLORS)
    for name, group in groups:
        figure.add_bar(
            x=group[x],
            y=group[y],
            name=str(name),
            marker_color=OTHER_COLOR if name == other else next(colours),
        )
    figure.update_layout(barmode="stack")
    figure.update_yaxes(**count_axis(frame.groupby(x)[y].sum().max()))
    return base_layout(figure)
