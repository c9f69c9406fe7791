"""Colours, fonts and the base layout every chart shares.

Colours are fixed per meaning so a status looks the same on every page and slide, and
they stay apart for the colour-blind: every pair of STATUS_COLORS and of TONE_COLORS is
at least MIN_CVD_DISTANCE (CIEDE2000) apart under simulated protanopia and deuteranopia
(tests/charts/test_palette.py, Machado et al. 2009). Colour is never the only carrier: a status
bar is labelled with its status, a change has its sign, arrow and a word (向好/走弱).
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data_model.formatting import format_ticks
from data_model.periods import period_label

# Okabe-Ito hues where they fit a status's meaning (bluish green done, blue running,
# amber behind, a dark vermilion late), a light grey not started, dark indigo suspended.
STATUS_COLORS = {
    "completed": "#009E73",
    "in_progress": "#0072B2",
    "behind": "#F2B701",
    "overdue": "#B8400E",
    "not_started": "#CFCFCF",
    "suspended": "#3D2C6B",
    "awaiting_evidence": "#56B4E9",
}
# What a change means for its figure (formatting.Change.tone): good green, bad red,
# neutral grey; the same hues as done and late.
TONE_COLORS = {
    "good": STATUS_COLORS["completed"],
    "bad": STATUS_COLORS["overdue"],
    "neutral": "#BDBDBD",
}
# The escalation levels of reminders (data_model.supervision.reminders.LEVELS), one scale from mild to
# severe, used by the notification area, the 督办 page's table and chart alike.
LEVEL_COLORS = {"remind": "#F9A825", "urge": "#EF6C00", "supervise": "#C62828"}
MIN_CVD_DISTANCE = 15.0
# Categories without a good or bad meaning (brands, dimensions, rates side by side): no
# red and no green, which would read as a verdict.
SERIES_COLORS = ["#00838F", "#1F4E79", "#E07B00", "#6A1B9A", "#8D6E63", "#4E79A7"]
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


MUTED_COLOR = TONE_COLORS["neutral"]
LABEL_ROOM = 130  # px right of a 0-100 axis: the labels beside full bars sit there
LABEL_PAD = 16  # px between a bar's end and its outside label, and after the label


def text_width(text: object, size: float = 15) -> float:
    """A generous estimate of how wide `text` is drawn at `size` px, in px: a CJK or other
    full-width character takes a whole em, anything else 0.62 em (digits, Latin, spaces).
    Plotly cannot be asked before the browser draws, so room is made from this."""
    wide = sum(1 for ch in str(text) if unicodedata.east_asian_width(ch) in ("W", "F"))
    return wide * size + (len(str(text)) - wide) * 0.62 * size


def outside_label_room(texts: object, size: float = 15) -> int:
    """Pixels to leave right of the plot for labels drawn outside the longest bars
    (`cliponaxis=False`): the widest of `texts` at `size` px, plus padding."""
    widest = max((text_width(t, size) for t in texts), default=0.0)
    return math.ceil(widest + 2 * LABEL_PAD)


def bounded_axis(suffix: str = "%") -> dict:
    """A 0-100 axis for rates (`%`) and scores (`""`): it stops at 100, so nothing reads
    as more than complete; labels beside the longest bars go in the margin (LABEL_ROOM)."""
    ticks = [0, 20, 40, 60, 80, 100]
    # ticktext, not ticksuffix: plotly drops the suffix of ticks given as values.
    return {"range": [0, 100], "tickvals": ticks, "ticktext": [f"{t}{suffix}" for t in ticks]}


# Below this many, plotly ticks an axis of counts in fractions (0, 0.2, 0.4… for one item).
WHOLE_TICKS_BELOW = 10


def count_axis(largest: float) -> dict:
    """Axis settings for counts (items, tasks, activities) whose longest bar or stack is
    `largest`: a tick per whole count while that is under WHOLE_TICKS_BELOW; from there
    plotly's own steps (2, 5, 10…) are whole."""
    return {"dtick": 1} if largest < WHOLE_TICKS_BELOW else {}


def ranked_bars(
    districts: pd.Series,
    values: pd.Series,
    text: pd.Series | None,
    color: str,
    highlighted: tuple[str, ...] = (),
    hover_values: Sequence[str] | None = None,
) -> go.Figure:
    """Horizontal bars per district in the given (rank) order, first on top.

    Districts in `highlighted` take `color` and the rest are muted; with none
    highlighted all take `color`. `text` is the label beside each bar (None: none, as
    for `labels_beside_bars`); `hover_values`
    each value as its page writes it, for the hover (without them: two decimals, as a
    score is written).
    """
    colors = [color if not highlighted or d in highlighted else MUTED_COLOR for d in districts]
    hover = (
        {"hovertemplate": "%{y}: %{x:.2f}<extra></extra>"}
        if hover_values is None
        else {
            "customdata": list(hover_values),
            "hovertemplate": "%{y}: %{customdata}<extra></extra>",
        }
    )
    figure = go.Figure(
        go.Bar(
            x=values,
            y=districts,
            orientation="h",
            marker_color=colors,
            text=text,
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
            **hover,
        )
    )
    figure.update_yaxes(autorange="reversed")
    return figure


BAR_TEXT_PAD = 3  # px, as plotly.js leaves between a bar's end and its outside text


def labels_beside_bars(
    figure: go.Figure, categories: pd.Series, values: pd.Series, texts: pd.Series
) -> go.Figure:
    """Each horizontal bar's label just past its end (left of a negative bar), on a patch
    of the plot's own background: a line across the plot (a target) stops at a label
    instead of crossing it out. A bar's own outside text cannot have a background, and a
    shape is drawn either under the traces or over them, texts included; annotations are
    drawn over every shape. Call it after `base_layout`, whose plot colour the patches take.
    On an autoranged value axis plotly makes room for the labels in the plot (it ranges an
    axis over its annotations too); on a fixed range, leave it past the longest bar.
    """
    background = figure.layout.plot_bgcolor or "white"
    for category, value, text in zip(categories, values, texts, strict=True):
        if pd.isna(value):
            continue
        left = value < 0
        figure.add_annotation(
            x=value,
            y=category,
            text=text,
            xanchor="right" if left else "left",
            xshift=-BAR_TEXT_PAD if left else BAR_TEXT_PAD,
            showarrow=False,
            bgcolor=background,
            borderpad=1,
            name="bar_label",
        )
    return figure


def label_bars(labels: pd.Series, values: pd.Series, **bar) -> go.Figure:
    """Horizontal bars, one per label in the order given, the first on top; `bar`: the
    rest of the `go.Bar` (name, colours, text, hover)."""
    labels = list(labels)
    figure = go.Figure(go.Bar(x=values, y=labels, orientation="h", cliponaxis=False, **bar))
    figure.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
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


# A date axis's ticks fall on the first of a month, every 1, 2, 3 or 6 months or 1, 2, 5 or
# 10 years: the smallest step that leaves at most DATE_TICKS on the axis (a label such as
# 2023年10月 takes ~80 px).
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
DATE_TICKS = 6


def month_ticks(
    low: date, high: date, language: str | None = None, count: int = DATE_TICKS
) -> tuple[list[str], list[str]]:
    """(tick values, tick labels) for a date axis running from `low` to `high`: the first
    days of month inside it, every so many months (MONTH_STEPS) that there are at most
    `count`, labelled as the project labels periods (`period_label`): `2023年3月` /
    `Mar 2023`, or `2023年` / `2023` when the step is whole years. (Plotly's own date ticks,
    `2023-03` or `Jan 2023`, ignore the page's language.) A span inside one month gets the
    first days of its month and the next, around it."""
    low, high = min(low, high), max(low, high)
    first = low.year * 12 + low.month - 1 + (low.day > 1)  # months since year 0
    last = high.year * 12 + high.month - 1

    def steps(step: int) -> range:
        return range(-(-first // step) * step, last + 1, step)

    step = next((s for s in MONTH_STEPS if len(steps(s)) <= count), MONTH_STEPS[-1])
    months = steps(step) or range(first - 1, first + 1)
    values, labels = [], []
    for month in months:
        year, index = divmod(month, 12)
        values.append(date(year, index + 1, 1).isoformat())
        period = str(year) if step % 12 == 0 else f"{year}-{index + 1:02d}"
        labels.append(period_label(period, language))
    return values, labels


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


# Plotly reads a subset of HTML (`<br>`, `<b>`, `<a href>`: a link the viewer can click, even
# in an axis label; `<span style>`, `<i>`, `<sup>`, …) in every text of a figure. A text a
# builder composes may hold markup of its own, a line break or bold: it is written with these
# marks, never as a tag, so that `literal_labels` can write every `<`, `>` and `&` of a figure
# as the character and only then turn the marks into tags. Unicode reserves these code points
# (noncharacters) for a program's internal use: text from outside has no business holding
# them, and one that did could only break a line or make it bold.
LINE_BREAK = "\ufdd0"
BOLD, END_BOLD = "\ufdd1", "\ufdd2"
_MARK_TAGS = str.maketrans({LINE_BREAK: "<br>", BOLD: "<b>", END_BOLD: "</b>"})
_SPECIAL = re.compile("[<>&\ufdd0-\ufdd2]")
# Templates are the builders' own markup: tags (`<br>`, `<extra>`) and placeholders
# (`%{y}`, `%{customdata[0]}`) as written, a text put in one written by `template_text`.
# (A trace's name and an annotation are templates too once the trace or the layout has a
# `meta`: no builder gives one.)
TEMPLATES = frozenset({"hovertemplate", "texttemplate"})


def template_text(text: object) -> str:
    """`text` (a name, a catalogue label) to put into a hover or text template, as it shows:
    `<`, `>` and `&` as entities, and `%` as `&#37;`, which plotly.js shows as `%` but does
    not read as the start of a placeholder (it fills a template's `%{…}` before it reads
    entities), so a name with `%{x}` in it is not a placeholder. The one way any text goes
    into a template; a figure's other texts are made literal by `literal_labels`."""
    return html.escape(str(text), quote=False).replace("%", "&#37;")


def _literal(text: str) -> str:
    if not _SPECIAL.search(text):
        return text
    return html.escape(text, quote=False).translate(_MARK_TAGS)


def literal_labels(figure: go.Figure) -> go.Figure:
    """`figure` with every text shown as written: a name, code or note from an upload (a
    task code, a unit, an action, an explanation) in a label, a hover, a title or a legend
    is text, not markup. Plotly reads a subset of HTML in all of them: a task code
    `<a href="http://…">…</a>` would be a link in a leader's axis labels, and a name with
    `<br>` in it would break the label.

    `<`, `>` and `&` are written as entities, which plotly shows as the characters; then
    the builders' marks (LINE_BREAK, BOLD, END_BOLD) become the tags they stand for.
    Templates (TEMPLATES) are left as the builders wrote them (`template_text`). Call it on
    the finished figure (the pages do through `ui.figure`); a figure with nothing to escape
    is returned as it is."""
    changed = False

    def walk(value: object) -> object:
        nonlocal changed
        if isinstance(value, str):
            text = _literal(value)
            changed = changed or text != value
            return text
        if isinstance(value, dict):
            return {key: item if key in TEMPLATES else walk(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(walk(item) for item in value)
        if isinstance(value, np.ndarray) and value.dtype.kind in "OU":
            return np.frompyfunc(walk, 1, 1)(value)
        return value

    spec = walk(figure.to_plotly_json())
    return go.Figure(spec) if changed else figure
