"""Charts of the district-coverage page: the district map, the tile grid and two matrices.

The map is drawn from polygons as filled scatter traces on plain axes, so plotly
fetches nothing (no geo or mapbox traces, no world outline, no tiles): it works on
an intranet without internet access. The same builder draws the tile grid, whose
regions are squares instead of district shapes.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from data_model.charts.common import (
    BOLD,
    END_BOLD,
    FONT_FAMILY,
    LINE_BREAK,
    base_layout,
    template_text,
)
from data_model.formatting import format_percent
from data_model.reference.geo import DistrictMap, Region, hit_points

# Light to dark: more coverage, more activities, more resolved issues read darker.
SEQUENTIAL = ["#EFF3FF", "#C6DBEF", "#9ECAE1", "#6BAED6", "#3182BD", "#08519C"]
COMPLETION = ["#FFF3E0", "#C5E1A5", "#66BB6A", "#2E7D32"]
NO_VALUE = "#D9D9D9"  # reported nothing or nothing expected
NOT_SHOWN = "#F2F2F2"  # outside the district filter
BORDER = "#FFFFFF"
FOCUS_BORDER = "#1A1A1A"  # the chosen district: outlined, not red (red means late or worse)
TEXT_DARK = "#1A1A1A"
TEXT_LIGHT = "#FFFFFF"


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def scale_colour(value: float, low: float, high: float, stops: list[str] = SEQUENTIAL) -> str:
    """The colour of `value` on a linear scale from `low` to `high` through `stops`."""
    share = 0.0 if high <= low else min(max((value - low) / (high - low), 0.0), 1.0)
    position = share * (len(stops) - 1)
    index = min(int(position), len(stops) - 2)
    fraction = position - index
    start, end = _hex_to_rgb(stops[index]), _hex_to_rgb(stops[index + 1])
    mixed = (round(a + (b - a) * fraction) for a, b in zip(start, end, strict=True))
    return "#{:02X}{:02X}{:02X}".format(*mixed)


def _is_dark(colour: str) -> bool:
    red, green, blue = _hex_to_rgb(colour)
    return 0.299 * red + 0.587 * green + 0.114 * blue < 140


def colour_range(values: pd.Series, rate: bool) -> tuple[float, float]:
    """The scale's ends: counts from 0 to the largest; rates from the lowest to 100."""
    present = values.dropna()
    if present.empty:
        return 0.0, 100.0 if rate else 1.0
    if rate:
        low = float(present.min())
        return (low, 100.0) if low < 100 else (0.0, 100.0)
    return 0.0, max(float(present.max()), 1.0)


# For measures where more is worse (reports overdue): white to deep red.
ALERT = ["#FFF5F0", "#FCBBA1", "#FB6A4A", "#CB181D", "#67000D"]


def _plotly_scale(stops: list[str]) -> list[list]:
    return [[i / (len(stops) - 1), colour] for i, colour in enumerate(stops)]


def _ring_path(region: Region) -> tuple[list, list]:
    """All outer rings of a region in one path, separated by gaps (holes are not drawn)."""
    xs: list = []
    ys: list = []
    for polygon in region.polygons:
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(x for x, _ in polygon[0])
        ys.extend(y for _, y in polygon[0])
    return xs, ys


def district_map(
    layout: DistrictMap,
    frame: pd.DataFrame,
    measure_label: str,
    rate: bool,
    focus: str | None = None,
    tile_mark: str = "*",
    height: int = 460,
    stops: list[str] = SEQUENTIAL,
) -> go.Figure:
    """Regions coloured by a measure; clicking a region selects it (its code is the customdata).

    `frame`: one row per shown district with columns code, value (None: no value) and
    text (the formatted value). Regions whose code is not in `frame` are drawn grey
    (outside the filter). `focus` is the code drawn with a red outline. Tiles standing
    in beside the shapes for a district without one get a dotted border and `tile_mark`
    after their name; in a pure tile grid no tile is marked.
    """
    values = frame.set_index("code")
    beside_shapes = any(not region.tile for region in layout.regions)  # else a tile grid
    low, high = colour_range(frame["value"], rate)
    figure = go.Figure()
    label_x, label_y, label_text, label_codes, hover, text_colours = [], [], [], [], [], []
    hit_x, hit_y, hit_codes, hit_tips = [], [], [], []
    for region in layout.regions:
        shown = region.code in values.index
        value = values.at[region.code, "value"] if shown else None
        if not shown:
            fill = NOT_SHOWN
        elif value is None or pd.isna(value):
            fill = NO_VALUE
        else:
            fill = scale_colour(float(value), low, high, stops)
        text = values.at[region.code, "text"] if shown else ""
        tip = (
            f"{BOLD}{region.name}{END_BOLD}{LINE_BREAK}{measure_label}: {text}"
            if shown
            else region.name
        )
        focused = region.code == focus
        marked = region.tile and beside_shapes
        xs, ys = _ring_path(region)
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=fill,
                line={
                    "color": FOCUS_BORDER if focused else ("#7F7F7F" if marked else BORDER),
                    "width": 3 if focused else 1,
                    "dash": "dot" if marked and not focused else "solid",
                },
                hoverinfo="skip",  # the hit points below answer hovers and clicks
                name=region.name,
                showlegend=False,
            )
        )
        for x, y in hit_points(region, layout.spacing):
            hit_x.append(x)
            hit_y.append(y)
            hit_codes.append(region.code)
            hit_tips.append(tip)
        label = region.label + (tile_mark if marked else "")
        label_x.append(region.label_point[0])
        label_y.append(region.label_point[1])
        label_text.append(f"{label}{LINE_BREAK}{text}" if shown else label)
        label_codes.append(region.code)
        hover.append(tip)
        text_colours.append(TEXT_LIGHT if _is_dark(fill) else TEXT_DARK)
    figure.add_trace(
        go.Scatter(
            x=label_x,
            y=label_y,
            mode="markers+text",
            text=label_text,
            textposition="middle center",
            textfont={"family": FONT_FAMILY, "size": 12, "color": text_colours},
            marker={"size": 34, "color": "rgba(255,255,255,0.01)", "line": {"width": 0}},
            customdata=label_codes,
            hovertext=hover,
            hoverinfo="text",
            showlegend=False,
            name="labels",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=hit_x,
            y=hit_y,
            mode="markers",
            marker={"size": 12, "color": "rgba(255,255,255,0.01)"},
            customdata=hit_codes,
            hovertext=hit_tips,
            hoverinfo="text",
            showlegend=False,
            name="districts",
        )
    )
    figure.add_trace(  # the colour bar: one invisible point carrying the scale
        go.Scatter(
            x=[label_x[0]] if label_x else [0],
            y=[label_y[0]] if label_y else [0],
            mode="markers",
            marker={
                "size": 0.1,
                "color": [low],
                "cmin": low,
                "cmax": high,
                "colorscale": _plotly_scale(stops),
                "showscale": True,
                "colorbar": {"title": {"text": measure_label}, "thickness": 14, "len": 0.7},
            },
            hoverinfo="skip",
            showlegend=False,
            name="scale",
        )
    )
    base_layout(figure, height=height)
    figure.update_layout(
        clickmode="event+select",
        dragmode=False,
        hovermode="closest",
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    figure.update_xaxes(visible=False, showgrid=False, zeroline=False)
    figure.update_yaxes(
        visible=False,
        showgrid=False,
        zeroline=False,
        scaleanchor="x",
        scaleratio=layout.y_scale,
    )
    return figure


def selected_code(selection: object) -> str | None:
    """The district code a map click selected (from plotly's selection state), if any: as
    the master data writes it (`literal_labels` wrote `&` as `&amp;` in the figure)."""
    points = selection.get("points") or [] if isinstance(selection, Mapping) else []
    for point in reversed(points):
        data = point.get("customdata")
        if isinstance(data, list | tuple):
            data = data[0] if data else None
        if isinstance(data, str) and data:
            return html.unescape(data)
    return None


def brand_heatmap(frame: pd.DataFrame, focus: str | None = None) -> go.Figure:
    """Activities per district x brand. `frame`: district, brand, count (zeros included).

    `focus` (a district name) gets its row outlined.
    """
    grid = frame.pivot_table(index="district", columns="brand", values="count", sort=False)
    grid = grid.reindex(index=list(dict.fromkeys(frame["district"])))
    grid = grid.reindex(columns=list(dict.fromkeys(frame["brand"])))
    figure = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=list(grid.columns),
            y=list(grid.index),
            text=grid.astype(int).astype(str).to_numpy(),
            texttemplate="%{text}",
            colorscale=_plotly_scale(SEQUENTIAL),
            zmin=0,
            xgap=2,
            ygap=2,
            hovertemplate="%{y} · %{x}: %{z}<extra></extra>",
            showscale=False,  # the counts are written in the cells
        )
    )
    return _matrix_layout(figure, list(grid.index), focus)


def action_heatmap(frame: pd.DataFrame, rate_label: str, focus: str | None = None) -> go.Figure:
    """Task completion per district x action, cells labelled `completed/tasks`.

    `frame`: district, action, tasks, completed, rate (None where there are no tasks).
    """
    order = list(dict.fromkeys(frame["district"]))
    actions = list(dict.fromkeys(frame["action"]))
    rate = frame.pivot_table(
        index="district", columns="action", values="rate", sort=False, dropna=False
    ).reindex(index=order, columns=actions)
    labels = (
        frame.assign(
            label=[
                f"{done}/{total}" if total else ""
                for done, total in zip(frame["completed"], frame["tasks"], strict=True)
            ]
        )
        .pivot(index="district", columns="action", values="label")
        .reindex(index=order, columns=actions)
    )
    rates = rate.map(format_percent)
    figure = go.Figure(
        go.Heatmap(
            z=rate.to_numpy(),
            x=actions,
            y=order,
            text=labels.to_numpy(),
            texttemplate="%{text}",
            customdata=rates.to_numpy(),
            colorscale=_plotly_scale(COMPLETION),
            zmin=0,
            zmax=100,
            xgap=2,
            ygap=2,
            hovertemplate=(
                f"%{{y}} · %{{x}}: %{{text}}<br>{template_text(rate_label)} %{{customdata}}"
                "<extra></extra>"
            ),
            colorbar={"thickness": 14, "ticksuffix": "%"},
        )
    )
    return _matrix_layout(figure, order, focus)


def _matrix_layout(figure: go.Figure, rows: list[str], focus: str | None) -> go.Figure:
    """Rows top to bottom in the given order; the `focus` district's row outlined."""
    base_layout(figure, height=max(200, 90 + 34 * len(rows)))
    # The column labels sit on top, below the room the mode bar takes.
    figure.update_layout(plot_bgcolor="white", margin={"l": 10, "r": 10, "t": 70, "b": 10})
    figure.update_xaxes(side="top", showgrid=False)
    figure.update_yaxes(autorange="reversed", showgrid=False)
    if focus in rows:
        row = rows.index(focus)
        figure.add_shape(
            type="rect",
            xref="paper",
            x0=0,
            x1=1,
            y0=row - 0.5,
            y1=row + 0.5,
            line={"color": FOCUS_BORDER, "width": 3},
            fillcolor="rgba(0,0,0,0)",
        )
    return figure
