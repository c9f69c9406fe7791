"""Charts of the evaluation page: composite score ranking and the breakdown by dimension.

Text in the charts (labels beside bars, legend names) is passed in by the page.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from data_model.charts.common import (
    LABEL_ROOM,
    SERIES_COLORS,
    base_layout,
    bounded_axis,
    ranked_bars,
    template_text,
)
from data_model.charts.trends import district_colors

ROW_HEIGHT = 30


def composite_bars(frame: pd.DataFrame, highlighted: tuple[str, ...] = ()) -> go.Figure:
    """Horizontal bars of the composite score per district in rank order (first on top).

    `frame`: district, composite, text (e.g. `第1名 98.5`). Districts in `highlighted`
    are coloured and the rest muted; with none highlighted all are coloured.
    """
    figure = ranked_bars(
        frame["district"], frame["composite"], frame["text"], SERIES_COLORS[0], highlighted
    )
    figure.update_xaxes(**bounded_axis(""))
    base_layout(figure, height=max(300, 100 + ROW_HEIGHT * len(frame)))
    figure.update_layout(margin={"r": LABEL_ROOM})
    return figure


def breakdown_bars(frame: pd.DataFrame) -> go.Figure:
    """Grouped bars: per district, one bar per category (dimension or indicator).

    `frame`: district, category, score (0-100), districts and categories in order.
    """
    figure = go.Figure()
    categories = list(dict.fromkeys(frame["category"]))
    for index, category in enumerate(categories):
        rows = frame[frame["category"] == category]
        figure.add_bar(
            x=rows["district"],
            y=rows["score"],
            name=category,
            marker_color=SERIES_COLORS[index % len(SERIES_COLORS)],
            hovertemplate=f"%{{x}} {template_text(category)}: %{{y:.2f}}<extra></extra>",
        )
    figure.update_layout(barmode="group")
    figure.update_yaxes(**bounded_axis(""))
    return base_layout(figure, height=420)


def breakdown_radar(frame: pd.DataFrame) -> go.Figure:
    """One closed polygon per district over the categories (for a few districts).

    `frame`: district, category, score (0-100).
    """
    figure = go.Figure()
    districts = list(dict.fromkeys(frame["district"]))
    colors = district_colors(districts)
    for district in districts:
        rows = frame[frame["district"] == district]
        figure.add_scatterpolar(
            r=[*rows["score"], rows["score"].iloc[0]],
            theta=[*rows["category"], rows["category"].iloc[0]],
            name=district,
            line={"color": colors[district]},
            hovertemplate=f"%{{theta}}: %{{r:.2f}}<extra>{template_text(district)}</extra>",
        )
    figure.update_layout(polar={"radialaxis": {"range": [0, 100]}})
    return base_layout(figure, height=460)
