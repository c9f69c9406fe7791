"""Colours, fonts and the base layout every chart shares.

Colours are fixed per meaning so a status looks the same on every page and slide.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from data_model.formatting import format_ticks

STATUS_COLORS = {
    "completed": "#2E7D32",
    "in_progress": "#1565C0",
    "behind": "#F9A825",
    "overdue": "#C62828",
    "not_started": "#9E9E9E",
    "suspended": "#6D4C41",
}
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


# Plotly writes ticks of 10,000 and more as `20k`; axes from there on get ticks of their own.
ABBREVIATED_FROM = 1e4
TICKS_PER_AXIS = 5


def nice_ticks(low: float, high: float, count: int = TICKS_PER_AXIS) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 × 10ⁿ) covering `low`..`high`."""
    span = high - low or abs(high) or 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, 10) for i in range(first, last + 1)]


def localise_axes(figure: go.Figure, language: str | None = None) -> go.Figure:
    """Tick labels in the language's own scale words (`2万`, `1.5亿`; `20,000`, `1.5 M`)
    on every numeric axis whose values reach 10,000, where plotly would write `20k`.

    Call it on the finished figure (it reads the data of every trace): the pages do through
    `ui.show_chart`, the bulletin for its images. Axes with their own ticks are left alone.
    """
    values: dict[str, list[float]] = {}
    for trace in figure.data:
        if trace.type not in ("bar", "scatter"):
            continue
        horizontal = trace.orientation == "h"
        axis = (trace.xaxis or "x") if horizontal else (trace.yaxis or "y")
        data = trace.x if horizontal else trace.y
        if data is None:
            continue
        numbers = pd.to_numeric(pd.Series(list(data)), errors="coerce").dropna()
        if numbers.empty:
            continue
        if trace.type == "bar":
            numbers = pd.concat([numbers, pd.Series([0.0])])  # bars start at zero
        values.setdefault(axis, []).extend(numbers.tolist())
    for axis, numbers in values.items():
        name = f"{axis[0]}axis{axis[1:]}"
        layout_axis = figure.layout[name]
        if (
            max(abs(v) for v in numbers) < ABBREVIATED_FROM
            or layout_axis.tickvals is not None
            or layout_axis.tickformat
            or layout_axis.type in ("category", "date", "log")
        ):
            continue
        ticks = nice_ticks(min(numbers), max(numbers))
        figure.update(
            layout={
                name: {
                    "tickmode": "array",
                    "tickvals": ticks,
                    "ticktext": format_ticks(ticks, language),
                }
            }
        )
    return figure
