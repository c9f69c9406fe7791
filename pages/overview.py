"""总览 Overview: the period's headline figures with the change against the previous period."""

import pandas as pd
import streamlit as st

from charts.overview import stacked_monthly_bars, status_bar
from data_model.formatting import format_change, format_number
from data_model.normalize.periods import period_label, previous_period
from data_model.queries import (
    activities_by_month,
    activity_count,
    has_data,
    highlights,
    indicator_completeness,
    issues_resolved,
    tasks_at_period_end,
)
from data_model.task_status import STATUSES
from ui import empty_state, finding, global_filters, language, plot, query, require_permission, tr

# Streamlit may run a file of pages/ directly (before app.py has registered the
# pages, e.g. right after a restart): every page checks the sign-in itself.
require_permission("view_dashboards")
st.title(tr("overview.title"))

if not query(has_data):
    empty_state("overview.no_data")
    st.stop()

filters = global_filters(show=())
period = filters.period
previous = previous_period(period)
label = period_label(period, language())

tasks = query(tasks_at_period_end, period)
tasks_before = query(tasks_at_period_end, previous)
completeness = query(indicator_completeness, period)
completeness_before = query(indicator_completeness, previous)
activities = query(activity_count, period)
activities_before = query(activity_count, previous)
resolved = query(issues_resolved, period)
resolved_before = query(issues_resolved, previous)

st.subheader(tr("overview.cards_heading", period=label))
cards = st.columns(5)
cards[0].metric(
    tr("overview.completion_rate"),
    format_number(tasks.completion_rate, "%", language=language()),
    format_change(tasks.completion_rate, tasks_before.completion_rate, points=True),
    help=tr("overview.completion_rate_help"),
)
cards[1].metric(
    tr("overview.overdue"),
    format_number(tasks.overdue, language=language()),
    format_change(tasks.overdue, tasks_before.overdue, count=True),
    delta_color="inverse",
)
cards[2].metric(
    tr("overview.activities"),
    format_number(activities, language=language()),
    format_change(activities, activities_before),
)
cards[3].metric(
    tr("overview.issues_resolved"),
    format_number(resolved, language=language()),
    format_change(resolved, resolved_before),
)
cards[4].metric(
    tr("overview.completeness"),
    format_number(
        None if completeness is None else round(completeness, 1), "%", language=language()
    ),
    format_change(completeness, completeness_before, points=True),
    help=tr("overview.completeness_help"),
)

st.subheader(tr("overview.highlights_heading", period=label))
current_highlights = query(highlights, period)
previous_highlights = {h.key: h.value for h in query(highlights, previous)}
columns = st.columns(len(current_highlights))
for column, item in zip(columns, current_highlights, strict=True):
    column.metric(
        tr(f"overview.highlight_{item.key}"),
        format_number(item.value, tr(f"overview.highlight_unit_{item.key}"), language()),
        format_change(item.value, previous_highlights.get(item.key)),
    )

left, right = st.columns(2)
with left:
    st.subheader(tr("overview.status_heading"))
    counts = pd.DataFrame(
        [
            {"status": s, "label": tr(f"status.{s}"), "count": getattr(tasks, s, None)}
            for s in ("completed", "overdue", "behind", "suspended")
        ]
    )
    counts.loc[len(counts)] = {
        "status": "in_progress",
        "label": tr("overview.other_open"),
        "count": tasks.total - tasks.completed - tasks.overdue - tasks.behind,
    }
    counts = counts.sort_values("status", key=lambda s: s.map(STATUSES.index))
    if tasks.total == 0:
        empty_state("overview.no_tasks")
    else:
        plot(status_bar(counts), width="stretch")
        finding(
            tr(
                "overview.status_finding",
                total=tasks.total,
                completed=tasks.completed,
                overdue=tasks.overdue,
                behind=tasks.behind,
            )
        )
with right:
    st.subheader(tr("overview.activities_heading", period=label))
    monthly = query(activities_by_month, period)
    if monthly.empty:
        empty_state("overview.no_activities")
    else:
        monthly["brand"] = monthly["brand"].replace("", tr("overview.no_brand"))
        monthly["month"] = monthly["month"].map(
            lambda m: tr("overview.month", month=m, month_abbr=tr(f"periods.month_abbr.{int(m)}"))
        )
        plot(
            stacked_monthly_bars(monthly, "month", "count", "brand", other=tr("overview.no_brand")),
            width="stretch",
        )
        busiest = monthly.groupby("month", sort=False)["count"].sum()
        finding(
            tr(
                "overview.activities_finding",
                total=activities,
                month=busiest.idxmax(),
                count=int(busiest.max()),
            )
        )

st.page_link(
    "pages/present.py",
    label=tr("present.start"),
    icon=":material/slideshow:",
    help=tr("present.start_help"),
    query_params={"gran": filters.granularity, "period": period},
)
