"""Colours, fonts and the base layout every chart shares.

Colours are fixed per meaning so a status looks the same on every page and slide.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

STATUS_COLORS = {
    "completed": "#2E7D32",
    "in_progress": "#1565C0",
    "behind": "#F9A825",
    "overdue": "#C62828",
    "not_started": "#9E9E9E",
    "suspended": "#6D4C41",
    "awaiting_evidence": "#7CB342",
}
# The escalation levels of reminders (data_model.reminders.LEVELS), one scale from mild to
# severe, used by the notification area, the 督办 page's table and chart alike.
LEVEL_COLORS = {"remind": "#F9A825", "urge": "#EF6C00", "supervise": "#C62828"}
SERIES_COLORS = ["#C00000", "#1F4E79", "#E07B00", "#2E7D32", "#6A1B9A", "#00838F", "#8D6E63"]
FONT_FAMILY = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"


def base_layout(figure: go.Figure, height: int = 380) -> go.Figure:
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font={"family": FONT_FAMILY, "size": 15},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        plot_bgcolor="white",
    )
    figure.update_yaxes(gridcolor="#EEEEEE", automargin=True)
    figure.update_xaxes(automargin=True)  # long Chinese labels are never clipped
    return figure


MUTED_COLOR = "#BDBDBD"


def ranked_bars(
    districts: pd.Series,
    values: pd.Series,
    text: pd.Series,
    color: str,
    highlighted: tuple[str, ...] = (),
    value_format: str = ".2f",
) -> go.Figure:
    """Horizontal bars per district in the given (rank) order, first on top.

    Districts in `highlighted` take `color` and the rest are muted; with none
    highlighted all take `color`. `text` is the label beside each bar.
    """
    colors = [color if not highlighted or d in highlighted else MUTED_COLOR for d in districts]
    figure = go.Figure(
        go.Bar(
            x=values,
            y=districts,
            orientation="h",
            marker_color=colors,
            text=text,
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{y}}: %{{x:{value_format}}}<extra></extra>",
            showlegend=False,
        )
    )
    figure.update_yaxes(autorange="reversed")
    return figure
