"""Charts of the reminders (督办) list: items per responsible unit, stacked by level."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from data_model.charts.common import LEVEL_COLORS, base_layout, count_axis, template_text

LEVEL_ORDER = tuple(LEVEL_COLORS)


def level_bars(
    items: pd.DataFrame, level_names: dict[str, str], unit_label: str, count_label: str
) -> go.Figure:
    """Horizontal bars of items per unit (columns `unit`, `level`), one stack per level in
    the shared level colours; the unit with most items on top."""
    counts = items.groupby(["unit", "level"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=[lvl for lvl in LEVEL_ORDER if lvl in counts.columns])
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False).index]
    figure = go.Figure(
        [
            go.Bar(
                x=counts[level],
                y=counts.index,
                orientation="h",
                name=level_names[level],
                marker_color=LEVEL_COLORS[level],
                hovertemplate=(
                    f"%{{y}} · {template_text(level_names[level])}: %{{x}}<extra></extra>"
                ),
            )
            for level in counts.columns
        ]
    )
    figure.update_layout(barmode="stack")
    figure.update_yaxes(autorange="reversed", title=unit_label)
    figure.update_xaxes(title=count_label, **count_axis(counts.sum(axis=1).max()))
    return base_layout(figure, height=max(300, 28 * len(counts) + 120))
