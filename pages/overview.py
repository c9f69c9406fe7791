"""总览 Overview: the period's headline figures with the change against the previous period."""

import pandas as pd
import streamlit as st

from data_model.charts.overview import stacked_monthly_bars, status_bar
from data_model.evaluation.scoring import composite_finding
from data_model.periods import period_label
from data_model.queries.forecast import DEFAULT_WEEKS, slipping_in_scope
from data_model.queries.headlines import Headline, headline_figures
from data_model.queries.shared import (
    activities_by_month,
    first_reported,
    has_data,
    highlights,
    holds_data,
    late_tasks_at_period_end,
)
from data_model.queries.task_queries import as_of_date
from data_model.task_rules import STATUSES
from ui import (
    card_columns,
    data_table,
    empty_state,
    figure,
    finding,
    global_filters,
    headline_metric,
    language,
    literal,
    no_data_state,
    plot,
    query,
    require_permission,
    tr,
)

LATE_ROWS = 20  # overdue and behind tasks listed under the status chart

# Streamlit may run a file of pages/ directly (before app.py has registered the
# pages, e.g. right after a restart): every page checks the sign-in itself.
principal = require_permission("view_dashboards")
st.title(tr("overview.title"))

if not query(has_data):
    no_data_state("overview.no_data", principal)
    st.stop()

filters = global_filters(show=())
period = filters.period
label = period_label(period, language())

figures = query(headline_figures, period)
tasks = figures.tasks
activities = figures["activities"].value

st.subheader(tr("overview.cards_heading", period=label))
cards = card_columns(6)
headline_metric(cards[0], figures["completion_rate"], help=tr("overview.completion_rate_help"))
headline_metric(cards[1], figures["overdue"])
headline_metric(cards[2], figures["composite"], help=tr("overview.composite_help"))
if not figures.scores.empty:
    cards[2].caption(literal(composite_finding(figures.scores, language())))
headline_metric(cards[3], figures["coverage"], help=tr("overview.coverage_help"))
headline_metric(cards[4], figures["issues_resolved"])
headline_metric(cards[5], figures["activities"], help=tr("overview.activities_help"))

# The configured highlights, less those a card above already shows (诉求办结 is the
# same figure as 解决企业问题: one figure, one name).
st.subheader(tr("overview.highlights_heading", period=label))
first = query(first_reported)
previous_values = {h.key: h.value for h in query(highlights, figures.previous)}
shown = [h for h in query(highlights, period) if h.key not in {f.key for f in figures.figures}]
for column, item in zip(card_columns(len(shown)), shown, strict=True):
    before = previous_values.get(item.key)
    headline_metric(
        column,
        Headline(
            item.key,
            item.value,
            before if holds_data(first[item.kind], figures.previous) else None,
            "count",
            period,
            unit=item.unit,
        ),
        label=tr(f"overview.highlight_{item.key}"),
    )

left, right = st.columns(2)
with left:
    st.subheader(tr("overview.status_heading"))
    counts = pd.DataFrame(
        [
            {"status": s, "label": tr(f"status.{s}"), "count": getattr(tasks, s, None)}
            for s in ("completed", "overdue", "behind", "suspended", "awaiting_evidence")
        ]
    )
    counts = counts[(counts["status"] != "awaiting_evidence") | (counts["count"] > 0)]
    counts.loc[len(counts)] = {
        "status": "in_progress",
        "label": tr("overview.other_open"),
        "count": tasks.total
        - tasks.completed
        - tasks.overdue
        - tasks.behind
        - tasks.awaiting_evidence,
    }
    counts = counts.sort_values("status", key=lambda s: s.map(STATUSES.index))
    if tasks.total == 0:
        empty_state("overview.no_tasks")
    else:
        plot(figure(status_bar, counts), width="stretch")
        finding(
            tr(
                "overview.status_finding",
                total=tasks.total,
                completed=tasks.completed,
                overdue=tasks.overdue,
                behind=tasks.behind,
            )
        )
        # The most urgent of the overdue and behind tasks; the tasks page lists them all.
        late_count = tasks.overdue + tasks.behind
        late = query(late_tasks_at_period_end, period, None, LATE_ROWS)
        if not late.empty:
            with st.expander(tr("overview.late_heading", count=late_count)):
                if late_count > len(late):
                    st.caption(tr("overview.late_shown", shown=len(late)))
                data_table(
                    late.assign(
                        status=late["status"].map(lambda s: tr(f"status.{s}")),
                        explanation=late["explanation"].replace("", tr("explanations.none")),
                    ).rename(columns={c: tr(f"tasks.col_{c}") for c in late.columns}),
                    hide_index=True,
                    width="stretch",
                )
        # The slip forecast: open tasks expected to miss a deadline in the next weeks.
        slipping = query(slipping_in_scope, as_of_date(period))
        if not slipping.empty:
            with st.expander(
                tr("overview.slipping_heading", count=len(slipping), weeks=DEFAULT_WEEKS),
                icon=":material/trending_down:",
            ):
                data_table(
                    slipping[["code", "content", "lead_unit", "deadline", "progress"]]
                    .assign(
                        expected_finish=[
                            d.isoformat() if d is not None else tr("tasks.forecast_never")
                            for d in slipping["expected_finish"]
                        ]
                    )
                    .rename(columns=lambda c: tr(f"tasks.col_{c}")),
                    hide_index=True,
                    width="stretch",
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
            figure(
                stacked_monthly_bars,
                monthly,
                "month",
                "count",
                "brand",
                other=tr("overview.no_brand"),
            ),
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
