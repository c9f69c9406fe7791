"""Charts of the indicator-trends page: series against target, changes, ranking, small multiples.

Text in the charts (legend names, labels) is passed in by the page from the catalogue.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from data_model.charts.common import (
    FONT_FAMILY,
    LINE_BREAK,
    MUTED_COLOR,
    SERIES_COLORS,
    TONE_COLORS,
    base_layout,
    labels_beside_bars,
    outside_label_room,
    ranked_bars,
    template_text,
)
from data_model.formatting import format_signed_percent, value_text

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
SERIES_PATTERNS = ("", "/", ".")  # the first series plain, the next hatched
FEW_DISTRICTS = 4
MEDIAN_COLOR = "#1F4E79"  # the districts' median in the small multiples  # this many unnamed lines may each keep a colour
END_LABEL_ROOM = 150  # px right of the last period for the labels at the lines' ends
ROW_HEIGHT = 30


def district_colors(districts: list[str]) -> dict[str, str]:
    """A fixed colour per district, by its position in `districts`."""
    return {d: DISTRICT_COLORS[i % len(DISTRICT_COLORS)] for i, d in enumerate(districts)}


def _notes(rows: pd.DataFrame, width: int = 24) -> list[str]:
    """Each point's `hover_note` (e.g. its 情况说明), on lines of `width` characters under
    the value; '' for none or when the frame has no such column."""
    if "hover_note" not in rows:
        return [""] * len(rows)
    return [
        "".join(f"{LINE_BREAK}{note[i : i + width]}" for i in range(0, len(note), width))
        if note
        else ""
        for note in rows["hover_note"].fillna("")
    ]


def trend_lines(
    frame: pd.DataFrame,
    target: float | None = None,
    target_name: str = "",
    marked_period: str | None = None,
    incomplete_name: str = "",
    best: tuple[str, ...] = (),
    worst: tuple[str, ...] = (),
    others_name: str = "",
    unit: str = "",
    language: str | None = None,
) -> go.Figure:
    """One line per district over periods, the target as a dashed line.

    The districts the title names carry the colour and are labelled at their line's end
    with their last value: `best` in the good colour, `worst` in the bad one; every other
    line is thin and grey (one legend entry, `others_name`), so the finding reads at a
    glance instead of from an eleven-colour tangle. With nobody named, up to
    FEW_DISTRICTS lines keep a colour each (a filter chose them); more are all grey.

    `frame`: label (the period's text, in order), district, value, complete, and
    optionally hover_note (text shown under a point's value on hover, such as its
    explanation). Values of periods not fully reported are drawn as open markers. `marked_period` (a label)
    gets a dotted vertical line. Values and the target are written as the page writes them
    (`value_text` with the indicator's `unit`, in `language`), in the hovers too.
    """
    figure = go.Figure()
    districts = list(dict.fromkeys(frame["district"]))
    colors = {d: TONE_COLORS["good"] for d in best} | {d: TONE_COLORS["bad"] for d in worst}
    if not colors and len(districts) <= FEW_DISTRICTS:
        colors = district_colors(districts)
    labels = list(dict.fromkeys(frame["label"]))
    others_shown = False
    # Grey lines first, so the named ones are drawn over them.
    for district in sorted(districts, key=lambda d: d in colors):
        rows = frame[frame["district"] == district]
        named = district in colors
        color = colors.get(district, MUTED_COLOR)
        figure.add_scatter(
            x=rows["label"],
            y=rows["value"],
            name=district if named else others_name or district,
            legendgroup=district if named else "others",
            showlegend=named or (bool(others_name) and not others_shown),
            mode="lines+markers",
            line={"color": color, "width": 3 if named else 1.5},
            marker={
                "color": color,
                "size": 7 if named else 4,
                "symbol": ["circle" if c else "circle-open" for c in rows["complete"]],
            },
            customdata=list(
                zip(
                    ["" if c else incomplete_name for c in rows["complete"]],
                    _notes(rows),
                    [value_text(v, unit, language) for v in rows["value"]],
                    strict=True,
                )
            ),
            hovertemplate=(
                f"{template_text(district)} %{{x}}: %{{customdata[2]}} "
                "%{customdata[0]}%{customdata[1]}<extra></extra>"
            ),
        )
        others_shown = others_shown or not named
        last = rows.dropna(subset=["value"]).tail(1)
        if named and not last.empty:
            # Placed by category index: plotly.js reads a numeric-looking label such as
            # the en year "2023" as index 2023, which stretches the axis to nothing.
            figure.add_annotation(
                x=labels.index(last["label"].iloc[0]),
                y=float(last["value"].iloc[0]),
                # The number as the title and the ranking write it; the unit is in the title.
                text=f"{district} {value_text(last['value'].iloc[0], '', language)}",
                font={"color": color},
                showarrow=False,
                xanchor="left",
                xshift=8,
            )
    if target is not None and labels:
        figure.add_scatter(
            x=labels,
            y=[target] * len(labels),
            name=f"{target_name} {value_text(target, unit, language)}",
            mode="lines",
            line={"color": TARGET_COLOR, "dash": "dash", "width": 2},
            hoverinfo="skip",
        )
    if marked_period is not None and marked_period in labels:
        figure.add_vline(x=labels.index(marked_period), line={"color": MUTED_COLOR, "dash": "dot"})
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    base_layout(figure, height=460)
    figure.update_layout(margin={"t": 70, "r": END_LABEL_ROOM})
    return figure


def change_tone(value: float | None, better_lower: bool = False) -> str:
    """good, bad or neutral: a rise is good, unless lower is better (逆向); a change that
    rounds to 0.0% or is unknown is neutral."""
    if value is None or pd.isna(value) or round(value, 1) == 0:
        return "neutral"
    return "good" if (value > 0) != better_lower else "bad"


def change_bars(
    frame: pd.DataFrame, series: dict[str, str], better_lower: bool = False
) -> go.Figure:
    """Grouped horizontal bars of percent changes per district.

    `frame`: district plus one column per key of `series` (column → legend name),
    e.g. {"yoy": "同比", "pop": "环比"}. The x axis is in percent. With
    `better_lower` (逆向 indicators) the axis runs right to left, so that an
    improvement always points to the right. Each bar is coloured by what its change
    means (TONE_COLORS: a fall of a 逆向 indicator is green); the series after the
    first are hatched, so colour is left to meaning and the pattern tells them apart.
    """
    figure = go.Figure()
    for index, (column, name) in enumerate(series.items()):
        figure.add_bar(
            y=frame["district"],
            x=frame[column],
            name=name,
            orientation="h",
            marker_color=[TONE_COLORS[change_tone(v, better_lower)] for v in frame[column]],
            marker_pattern_shape=SERIES_PATTERNS[index % len(SERIES_PATTERNS)],
            text=[format_signed_percent(v) if pd.notna(v) else "" for v in frame[column]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{y}}: %{{x:+.1f}}%<extra>{template_text(name)}</extra>",
        )
    figure.update_layout(barmode="group")
    figure.update_xaxes(
        ticksuffix="%",
        zeroline=True,
        zerolinecolor="#9E9E9E",
        autorange="reversed" if better_lower else True,
    )
    # The labels of the longest bars are drawn past the plot: room for them on the right,
    # and on the left between the bars' end and the districts' names.
    rightward = {True: [], False: []}
    for trace in figure.data:
        for value, text in zip(trace.x, trace.text, strict=True):
            if pd.notna(value) and value != 0:
                rightward[(value > 0) != better_lower].append(text)
    figure.update_yaxes(
        autorange="reversed",
        ticklabelstandoff=outside_label_room(rightward[False]) if rightward[False] else 0,
    )
    base_layout(figure, height=max(300, 120 + ROW_HEIGHT * len(frame) * len(series)))
    if rightward[True]:
        figure.update_layout(margin={"r": outside_label_room(rightward[True])})
    return figure


def ranking_bars(
    frame: pd.DataFrame,
    target: float | None = None,
    target_name: str = "",
    highlighted: tuple[str, ...] = (),
    unit: str = "",
    language: str | None = None,
) -> go.Figure:
    """Horizontal bars of one indicator per district in rank order (best on top).

    `frame`: district, value, text (label beside the bar), in rank order. Districts in
    `highlighted` are coloured, the others muted; with none highlighted all are coloured.
    The hovers and the target write values as the page does (`value_text` with `unit`).
    The labels are annotations on the plot's background (`labels_beside_bars`): the target
    line, which falls among them where the districts are near it, stops at their edges.
    """
    figure = ranked_bars(
        frame["district"],
        frame["value"],
        None,
        SERIES_COLORS[1],
        highlighted,
        hover_values=[value_text(v, unit, language) for v in frame["value"]],
    )
    if target is not None:
        figure.add_vline(
            x=target,
            line={"color": TARGET_COLOR, "dash": "dash", "width": 2},
            annotation_text=f"{target_name} {value_text(target, unit, language)}",
            annotation_position="top",
            layer="below",  # under the bars
        )
    base_layout(figure, height=max(300, 100 + ROW_HEIGHT * len(frame)))
    # The value axis is autoranged: plotly widens it to hold the last bar's label
    # ("第11名 1.1 天") whole in the plot, with no margin kept for it.
    return labels_beside_bars(figure, frame["district"], frame["value"], frame["text"])


def small_multiples(
    frame: pd.DataFrame,
    titles: dict[str, str],
    targets: dict[str, float | None],
    columns: int = 3,
    median_name: str = "",
    districts_name: str = "",
    units: dict[str, str] | None = None,
    language: str | None = None,
) -> go.Figure:
    """One small line chart per indicator, one line per district, shared legend.

    With more than FEW_DISTRICTS districts the district lines are thin and grey (one
    legend entry, `districts_name`) and each panel carries the districts' median per
    period as a dark line (`median_name`): the page's finding is about the medians, and
    eleven colours in every panel would only be a tangle. Fewer districts (a filter chose
    them) keep a colour each and no median line.

    `frame`: indicator_code, label (period text, in order), district, value.
    `titles`: indicator code → panel title, in panel order (codes without rows are
    skipped by the caller). `targets`: code → target line or None. `units`: code → the
    indicator's unit, with which the hovers write values as the page does (`value_text`).

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
    districts = frame["district"].unique().tolist()
    muted = len(districts) > FEW_DISTRICTS
    colors = dict.fromkeys(districts, MUTED_COLOR) if muted else district_colors(districts)
    medians = (
        frame.groupby(["indicator_code", "label"], sort=False)["value"].median() if muted else None
    )
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
    units = units or {}
    for position, code in enumerate(codes):
        unit = units.get(code, "")
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
        for number, (district, positions) in enumerate(lines[code].items()):
            points = values[positions]
            traces.append(
                {
                    "type": "scatter",
                    "x": period_labels[positions].tolist(),
                    "y": points.tolist(),
                    "name": districts_name if muted and districts_name else district,
                    "legendgroup": "districts" if muted else district,
                    "showlegend": position == 0 and (not muted or number == 0),
                    "mode": "lines",
                    "line": {"color": colors[district], "width": 1 if muted else 1.5},
                    "customdata": [value_text(v, unit, language) for v in points],
                    "hovertemplate": f"{template_text(district)} %{{x}}: %{{customdata}}"
                    "<extra></extra>",
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                }
            )
        if medians is not None:
            median = medians[code]
            traces.append(
                {
                    "type": "scatter",
                    "x": median.index.tolist(),
                    "y": median.to_numpy(dtype=float).tolist(),
                    "name": median_name,
                    "legendgroup": "median",
                    "showlegend": position == 0,
                    "mode": "lines+markers",
                    "line": {"color": MEDIAN_COLOR, "width": 2.5},
                    "marker": {"color": MEDIAN_COLOR, "size": 5},
                    "customdata": [value_text(v, unit, language) for v in median],
                    "hovertemplate": f"{template_text(median_name)} %{{x}}: %{{customdata}}"
                    "<extra></extra>",
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
