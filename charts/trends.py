"""Charts of the indicator-trends page: series against target, changes, ranking, small multiples.

Text in the charts (legend names, labels) is passed in by the page from the catalogue.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from charts.common import FONT_FAMILY, MUTED_COLOR, SERIES_COLORS, base_layout, ranked_bars
from data_model.formatting import format_signed_percent

# Twelve clearly different hues for the eleven districts plus the city (no two of the
# same family, so 南山 and 深汕 or 福田 and 大鹏 are told apart on a projector).
DISTRICT_COLORS = [
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#17BECF",
    "#BCBD22",
    "#393B79",
    "#7F7F7F",
    "#000000",
]
TARGET_COLOR = "#616161"
ROW_HEIGHT = 30


def district_colors(districts: list[str]) -> dict[str, str]:
    """A fixed colour per district, by its position in `districts`."""
    return {d: DISTRICT_COLORS[i % len(DISTRICT_COLORS)] for i, d in enumerate(districts)}


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def trend_lines(
    frame: pd.DataFrame,
    target: float | None = None,
    target_name: str = "",
    marked_period: str | None = None,
    incomplete_name: str = "",
) -> go.Figure:
    """One line per district over periods, the target as a dashed line.

    `frame`: label (the period's text, in order), district, value, complete. Values of
    periods not fully reported are drawn as open markers. `marked_period` (a label)
    gets a dotted vertical line.
    """
    figure = go.Figure()
    districts = list(dict.fromkeys(frame["district"]))
    colors = district_colors(districts)
    for district in districts:
        rows = frame[frame["district"] == district]
        figure.add_scatter(
            x=rows["label"],
            y=rows["value"],
            name=district,
            mode="lines+markers",
            line={"color": colors[district], "width": 2},
            marker={
                "color": colors[district],
                "size": 7,
                "symbol": ["circle" if c else "circle-open" for c in rows["complete"]],
            },
            customdata=["" if c else incomplete_name for c in rows["complete"]],
            hovertemplate=f"{district} %{{x}}: %{{y:,.2f}} %{{customdata}}<extra></extra>",
        )
    labels = list(dict.fromkeys(frame["label"]))
    if target is not None and labels:
        figure.add_scatter(
            x=labels,
            y=[target] * len(labels),
            name=f"{target_name} {_number(target)}",
            mode="lines",
            line={"color": TARGET_COLOR, "dash": "dash", "width": 2},
            hoverinfo="skip",
        )
    if marked_period is not None and marked_period in labels:
        figure.add_vline(x=labels.index(marked_period), line={"color": MUTED_COLOR, "dash": "dot"})
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    base_layout(figure, height=460)
    figure.update_layout(margin={"t": 70})
    return figure


def change_bars(
    frame: pd.DataFrame, series: dict[str, str], better_lower: bool = False
) -> go.Figure:
    """Grouped horizontal bars of percent changes per district.

    `frame`: district plus one column per key of `series` (column → legend name),
    e.g. {"yoy": "同比", "pop": "环比"}. The x axis is in percent. With
    `better_lower` (逆向 indicators) the axis runs right to left, so that an
    improvement always points to the right.
    """
    figure = go.Figure()
    for index, (column, name) in enumerate(series.items()):
        figure.add_bar(
            y=frame["district"],
            x=frame[column],
            name=name,
            orientation="h",
            marker_color=SERIES_COLORS[index % len(SERIES_COLORS)],
            text=[format_signed_percent(v) if pd.notna(v) else "" for v in frame[column]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:+.1f}%<extra>" + name + "</extra>",
        )
    figure.update_layout(barmode="group")
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(
        ticksuffix="%",
        zeroline=True,
        zerolinecolor="#9E9E9E",
        autorange="reversed" if better_lower else True,
    )
    return base_layout(figure, height=max(300, 120 + ROW_HEIGHT * len(frame) * len(series)))


def ranking_bars(
    frame: pd.DataFrame,
    target: float | None = None,
    target_name: str = "",
    highlighted: tuple[str, ...] = (),
) -> go.Figure:
    """Horizontal bars of one indicator per district in rank order (best on top).

    `frame`: district, value, text (label beside the bar), in rank order. Districts in
    `highlighted` are coloured, the others muted; with none highlighted all are coloured.
    """
    figure = ranked_bars(
        frame["district"],
        frame["value"],
        frame["text"],
        SERIES_COLORS[1],
        highlighted,
        value_format=",.2f",
    )
    if target is not None:
        figure.add_vline(
            x=target,
            line={"color": TARGET_COLOR, "dash": "dash", "width": 2},
            annotation_text=f"{target_name} {_number(target)}",
            annotation_position="top",
        )
    return base_layout(figure, height=max(300, 100 + ROW_HEIGHT * len(frame)))


def small_multiples(
    frame: pd.DataFrame,
    titles: dict[str, str],
    targets: dict[str, float | None],
    columns: int = 3,
) -> go.Figure:
    """One small line chart per indicator, one line per district, shared legend.

    `frame`: indicator_code, label (period text, in order), district, value.
    `titles`: indicator code → panel title, in panel order (codes without rows are
    skipped by the caller). `targets`: code → target line or None.

    The panels are laid out as `make_subplots` would (same domains and title
    annotations), but the figure is assembled from plain dicts in one go: a dimension
    of 60 indicators x 11 districts is 660 lines, and adding them one by one through
    plotly's validated objects took seconds. The chart tests check the result against
    plotly's validation.
    """
    present = set(frame["indicator_code"].unique().tolist())
    codes = [c for c in titles if c in present]
    rows = max(1, math.ceil(len(codes) / columns))
    vertical_spacing, horizontal_spacing = 0.35 / rows, 0.06
    width = (1 - horizontal_spacing * (columns - 1)) / columns
    height = (1 - vertical_spacing * (rows - 1)) / rows
    # unique() keeps the order of appearance; iterating the Arrow-backed columns is slow.
    colors = district_colors(frame["district"].unique().tolist())
    labels = frame["label"].unique().tolist()
    # Row positions of each panel's lines: {code: {district: positions}}, in frame order.
    lines: dict[str, dict[str, list[int]]] = {}
    for (code, district), positions in frame.groupby(
        ["indicator_code", "district"], sort=False
    ).indices.items():
        lines.setdefault(code, {})[district] = positions
    period_labels = frame["label"].to_numpy(dtype=object)
    values = frame["value"].to_numpy(dtype=float)
    layout: dict = {}
    traces, annotations, shapes = [], [], []
    for position, code in enumerate(codes):
        row, col = divmod(position, columns)
        axis = "" if position == 0 else str(position + 1)
        # Summed as make_subplots does, so the domains come out identical.
        left = sum([width] * col) + col * horizontal_spacing
        bottom = sum([height] * (rows - 1 - row)) + (rows - 1 - row) * vertical_spacing
        layout[f"xaxis{axis}"] = {
            "anchor": f"y{axis}",
            "domain": [left, left + width],
            "type": "category",
            "categoryorder": "array",
            "categoryarray": labels,
            "automargin": True,
        }
        layout[f"yaxis{axis}"] = {
            "anchor": f"x{axis}",
            "domain": [bottom, bottom + height],
            "gridcolor": "#EEEEEE",
            "automargin": True,
        }
        annotations.append(
            {
                "text": titles[code],
                "x": left + width / 2,
                "y": bottom + height,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 13},
            }
        )
        for district, positions in lines[code].items():
            traces.append(
                {
                    "type": "scatter",
                    "x": period_labels[positions].tolist(),
                    "y": values[positions].tolist(),
                    "name": district,
                    "legendgroup": district,
                    "showlegend": position == 0,
                    "mode": "lines",
                    "line": {"color": colors[district], "width": 1.5},
                    "hovertemplate": f"{district} %{{x}}: %{{y:,.2f}}<extra></extra>",
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                }
            )
        target = targets.get(code)
        if target is not None:
            shapes.append(
                {
                    "type": "line",
                    "xref": f"x{axis} domain",
                    "x0": 0,
                    "x1": 1,
                    "yref": f"y{axis}",
                    "y0": target,
                    "y1": target,
                    "line": {"color": TARGET_COLOR, "dash": "dash", "width": 1},
                }
            )
    layout.update(
        annotations=annotations,
        shapes=shapes,
        height=160 + 250 * rows,
        # Room above the panel titles for the shared legend of up to a dozen districts.
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        font={"family": FONT_FAMILY, "size": 12},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        plot_bgcolor="white",
    )
    return go.Figure(data=traces, layout=layout, _validate=False)
