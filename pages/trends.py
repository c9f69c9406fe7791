"""指标趋势 Indicator trends: one indicator over periods against its target, its changes,
the district ranking, and small multiples of the indicator's dimension."""

import pandas as pd
import streamlit as st

from data_model.charts.trends import change_bars, ranking_bars, small_multiples, trend_lines
from data_model.evaluation.aggregation import target_for_period
from data_model.evaluation.scoring import indicator_table
from data_model.formatting import (
    format_signed_percent,
    local_time,
    unit_text,
    unit_word,
    value_text,
    with_unit,
)
from data_model.periods import (
    period_containing,
    period_label,
    previous_period,
    sub_periods,
    to_granularity,
)
from data_model.queries.shared import filter_options
from data_model.queries.trends_queries import (
    MULTIPLES_LIMIT,
    dimension_series,
    due_indicators,
    effective_granularity,
    indicator_changes,
    indicator_ranking,
    largest_moves,
    median_changes,
    median_moves,
    meets_target,
    multiples_window,
    named_ends,
    period_standing,
    series_finding,
    series_heading,
    trend_series,
)
from data_model.store.submissions import value_provenance
from ui import (
    dashboard,
    data_table,
    download_table,
    empty_state,
    figure,
    finding,
    language,
    literal,
    plot,
    query,
    section_heading,
    tr,
)


def label(period: str) -> str:
    return period_label(period, language())


def sentences(first: str, second: str) -> str:
    return tr("trends.sentences", first=first, second=second)


def percent(value: float) -> str:
    return format_signed_percent(value)


principal, filters = dashboard("trends", show=("districts", "dimension"))

indicators = query(indicator_table, filters.dimension)
if indicators.empty:
    empty_state("trends.no_indicators")
    st.stop()
codes = list(indicators["code"])
names = dict(zip(indicators["code"], indicators["name"], strict=True))
if st.session_state.get("trend_indicator") not in codes:
    st.session_state.trend_indicator = codes[0]
code = st.selectbox(
    tr("trends.indicator"), codes, format_func=lambda c: f"{c} {names[c]}", key="trend_indicator"
)
indicator = indicators.set_index("code").loc[code]
unit, negative = indicator["unit"], indicator["direction"] == "negative"
granularity = effective_granularity(filters.granularity, indicator["frequency"])
period = to_granularity(filters.period, granularity)
target = target_for_period(indicator["target"], indicator["aggregation"], period)
options = query(filter_options)
first, last = str(options.first_year), period_containing(options.last_period_day, granularity)


def number(value: float) -> str:
    return value_text(value, unit, language())


st.caption(
    tr(
        "trends.about",
        unit=literal(unit_text(unit, language())) if unit else tr("trends.no_unit"),
        direction=tr(f"indicators.direction_{indicator['direction']}_long"),
        frequency=tr(f"indicators.frequency_{indicator['frequency']}"),
        aggregation=tr(f"indicators.aggregation_{indicator['aggregation']}"),
        period=label(period),
        target=tr("trends.no_target") if target is None else number(target),
    )
)
if granularity != filters.granularity:
    st.info(
        tr(
            "trends.coarser",
            frequency=tr(f"indicators.frequency_{indicator['frequency']}"),
            period=label(period),
        ),
        icon=":material/info:",
    )

# --- the indicator over periods against its target ---------------------------------
trend = query(trend_series, code, granularity, first, last, filters.districts)
now = period_standing(trend, period, negative)
# The heading names the best and the worst district; the chart colours those two.
best, worst = named_ends(now)
# Names the indicator and districts as the master data writes them.
section_heading(literal(series_heading(now, indicator["name"], unit, label(period), language())))
if trend.empty:
    empty_state("trends.no_values")
else:
    trend["label"] = trend["period"].map({p: label(p) for p in trend["period"].unique()})
    trend["hover_note"] = [
        tr("explanations.hover", text=text) if text else "" for text in trend["explanation"]
    ]
    chart = figure(
        trend_lines,
        trend,
        target,
        tr("trends.target"),
        label(period),
        tr("trends.incomplete"),
        best=best,
        worst=worst,
        others_name=tr("trends.other_districts"),
        unit=unit,
        language=language(),
    )
    plot(chart, width="stretch")
    text = series_finding(now, target, negative, unit, label(period), language())
    if not now.empty and not trend["complete"].all():
        text = sentences(text, tr("trends.incomplete_points"))
    finding(text)

# --- year-on-year and period-on-period change ----------------------------------------
yearly = granularity == "year"
heading = "trends.changes_heading_year" if yearly else "trends.changes_heading"
section_heading(tr(heading, period=label(period)))
changes = query(indicator_changes, code, period, filters.districts)
compared = ["yoy"] if yearly else ["yoy", "pop"]
if changes.empty or changes[compared].isna().all().all():
    empty_state("trends.no_changes")
else:
    series = {column: tr(f"trends.{column}") for column in compared}
    plot(figure(change_bars, changes, series, better_lower=negative), width="stretch")
    yoy = changes.dropna(subset=["yoy"])
    if not yoy.empty:
        top = yoy.loc[yoy["yoy"].abs().idxmax()]
        up = int((yoy["yoy"] > 0).sum())
        text = tr(
            "trends.changes_finding",
            up=up,
            up_noun=unit_word("format.unit_districts", up, language()),
            down=int((yoy["yoy"] < 0).sum()),
            top=top["district"],
            change=percent(top["yoy"]),
        )
        finding(sentences(text, tr("trends.negative_note")) if negative else text)
    table = pd.DataFrame(
        {
            tr("trends.col_district"): changes["district"],
            tr("trends.col_value"): changes["value"].map(number),
            tr("trends.col_previous"): changes["previous"].map(number),
            tr("trends.col_pop"): changes["pop"].map(percent),
            tr("trends.col_last_year"): changes["last_year"].map(number),
            tr("trends.col_yoy"): changes["yoy"].map(percent),
            tr("trends.col_complete"): changes["complete"].map(
                lambda c: tr("trends.complete") if c else tr("trends.not_complete")
            ),
        }
    )
    if yearly:
        table = table.drop(columns=[tr("trends.col_previous"), tr("trends.col_pop")])
    data_table(table, hide_index=True, width="stretch")
    download_table(table, f"{code}_{period}_changes", key="trends_changes_download")

# --- where the figures come from (provenance) -----------------------------------------
with st.expander(tr("trends.provenance_heading", period=label(period)), icon=":material/source:"):
    sources = query(value_provenance, code, tuple(sub_periods(period)), filters.districts)
    if sources.empty:
        empty_state("trends.no_provenance")
    else:
        sources["link"] = [f"/submissions?submission={i}" for i in sources["submission_id"]]
        sources["period"] = sources["period"].map(label)
        sources["uploaded_at"] = sources["uploaded_at"].map(local_time)
        data_table(
            sources.drop(columns=["submission_id"]),
            hide_index=True,
            column_config={
                "district": tr("trends.col_district"),
                "period": tr("trends.provenance_period"),
                "value": st.column_config.NumberColumn(tr("trends.provenance_value")),
                "uploader": tr("trends.provenance_uploader"),
                "uploaded_at": st.column_config.DatetimeColumn(
                    tr("trends.provenance_uploaded_at"), format="YYYY-MM-DD HH:mm"
                ),
                "file_name": tr("trends.provenance_file"),
                "link": st.column_config.LinkColumn(
                    tr("trends.provenance_submission"), display_text=r"submission=(\d+)"
                ),
            },
        )

# --- district ranking in the period --------------------------------------------------
ranking = query(indicator_ranking, code, period, language())
if ranking.empty:
    section_heading(tr("trends.ranking_heading", period=label(period), first="—", last="—"))
    empty_state("trends.no_ranking")
else:
    head, tail = ranking.iloc[0], ranking.iloc[-1]
    section_heading(
        tr(
            "trends.ranking_heading",
            period=label(period),
            first=literal(head["district"]),
            last=literal(tail["district"]),
        )
    )
    ranking["text"] = [
        tr("trends.rank_text", rank=r, value=number(v)) + ("" if c else " *")
        for r, v, c in zip(ranking["rank"], ranking["value"], ranking["complete"], strict=True)
    ]
    plot(
        figure(
            ranking_bars,
            ranking,
            target,
            tr("trends.target"),
            filters.districts,
            unit=unit,
            language=language(),
        ),
        width="stretch",
    )
    facts = {
        "count": len(ranking),
        "first": head["district"],
        "first_value": number(head["value"]),
        "last": tail["district"],
        "last_value": number(tail["value"]),
    }
    if target is None:
        text = tr("trends.ranking_finding", median=number(ranking["value"].median()), **facts)
    else:
        met = int(meets_target(ranking["value"], target, negative).sum())
        text = tr("trends.ranking_finding_target", met=met, target=number(target), **facts)
    if not ranking["complete"].all():
        text = sentences(text, tr("trends.incomplete_note"))
    finding(text)

# --- small multiples of the dimension -------------------------------------------------
dimension = filters.dimension or indicator["dimension"]
multiples_first, multiples_last = multiples_window(filters.period, first)
section_heading(
    tr(
        "trends.multiples_heading",
        dimension=literal(dimension),
        first=label(multiples_first),
        last=label(multiples_last),
    )
)
members = query(indicator_table, dimension)
due = due_indicators(members, filters.period)
before = previous_period(filters.period)
# The medians of this period and the one before, of every indicator of the dimension: the
# finding counts their moves, and the panels shown first are those that moved most.
recent = query(
    dimension_series, dimension, filters.granularity, before, filters.period, filters.districts
)
moves = median_moves(recent, members, filters.period, before)
changes_before = median_changes(recent, members, filters.period, before)
largest = largest_moves(changes_before, list(due["code"]), MULTIPLES_LIMIT)
lang = language()  # once: a dimension may hold hundreds of indicators
titles = {
    c: with_unit(f"{c} {n}", u, lang)
    for c, n, u in zip(members["code"], members["name"], members["unit"], strict=True)
}
chosen = st.multiselect(
    tr("trends.multiples_pick", limit=MULTIPLES_LIMIT),
    list(due["code"]),
    default=largest,
    format_func=titles.get,
    max_selections=MULTIPLES_LIMIT,
    placeholder=tr("app.choose"),
    # One choice per dimension and period: the default, the largest moves, is the period's.
    key=f"trend_multiples_{dimension}_{filters.period}",
)
multiples = (
    query(
        dimension_series,
        dimension,
        filters.granularity,
        multiples_first,
        multiples_last,
        filters.districts,
        tuple(chosen),
    )
    if chosen
    else None
)
if due.empty:
    empty_state("trends.no_multiples")
elif multiples is None:
    empty_state("trends.multiples_none_chosen")
elif multiples.empty:
    empty_state("trends.no_multiples")
else:
    multiples["label"] = multiples["period"].map(
        {p: label(p) for p in multiples["period"].unique()}
    )
    # The chosen panels' targets only: the figure's arguments are its cache key.
    panels = members[members["code"].isin(chosen)]
    targets = {
        c: target_for_period(t, a, filters.period)
        for c, t, a in zip(panels["code"], panels["target"], panels["aggregation"], strict=True)
    }
    plot(
        figure(
            small_multiples,
            multiples,
            {c: titles[c] for c in chosen},
            targets,
            median_name=tr("trends.median_line"),
            districts_name=tr("trends.districts_lines"),
            units=dict(zip(panels["code"], panels["unit"], strict=True)),
            language=lang,
        ),
        width="stretch",
    )
if not due.empty:
    text = tr(
        "trends.multiples_finding",
        dimension=dimension,
        total=len(members),
        total_noun=unit_word("format.unit_indicators", len(members), language()),
        shown=len(due),
        granularity=tr(f"indicators.frequency_{filters.granularity}"),
        period=label(filters.period),
        improved=moves["improved"],
        worsened=moves["worsened"],
    )
    if len(due) < len(members):
        text = sentences(text, tr("trends.multiples_skipped", skipped=len(members) - len(due)))
    if len(due) > MULTIPLES_LIMIT:
        text = sentences(text, tr("trends.multiples_largest", count=MULTIPLES_LIMIT))
    finding(text)
