"""综合评价 Evaluation: composite and dimension scores per district, rank and rank change,
the breakdown, and the method and weights beside the result."""

import pandas as pd
import streamlit as st

from data_model.charts.evaluation import breakdown_bars, breakdown_radar, composite_bars
from data_model.evaluation.scoring import (
    composite_finding,
    period_ranking,
    period_scores,
    ranking_headline,
    ranking_with_change,
    score_text,
    scores_export_frame,
)
from data_model.formatting import format_number, unit_word, value_text
from data_model.periods import period_label, previous_period
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
    tr,
)

RADAR_MAX_DISTRICTS = 6
FIXED = ("district", "composite", "rank", "rank_change", "missing_count")


def label(period: str) -> str:
    return period_label(period, language())


def sentences(first: str, second: str) -> str:
    return tr("evaluation.sentences", first=first, second=second)


def rank_change_text(change) -> str:
    if pd.isna(change):
        return tr("evaluation.rank_none")
    if change > 0:
        return tr("evaluation.rank_up", n=int(change))
    if change < 0:
        return tr("evaluation.rank_down", n=int(-change))
    return tr("evaluation.rank_same")


principal, filters = dashboard("evaluation", show=("districts", "dimension"))

period = filters.period
# One scoring of the period (every indicator is shown), and the period before's ranking
# from the score summaries, for the rank change.
scoring = query(period_scores, period, filters.dimension)
scores = ranking_with_change(
    scoring, query(period_ranking, previous_period(period), filters.dimension)
)
if scores.empty:
    empty_state("evaluation.no_scores")
    st.stop()
shown = scores[scores["district"].isin(filters.districts)] if filters.districts else scores
if shown.empty:
    empty_state("evaluation.city_not_scored")
    st.stop()
dimensions = [c for c in scores.columns if c not in FIXED]

st.subheader(literal(ranking_headline(scores, label(period), filters.dimension, language())))
note = tr("evaluation.scope_note", count=len(scores), previous=label(previous_period(period)))
if filters.dimension:
    note = sentences(
        note, tr("evaluation.scope_note_dimension", dimension=literal(filters.dimension))
    )
st.caption(note)

result, method = st.columns([3, 2], gap="large")
with result:
    # --- composite score and rank ----------------------------------------------------
    st.markdown(f"**{tr('evaluation.ranking_heading')}**")
    bars = shown.assign(
        text=[
            tr("evaluation.rank_text", rank=r, score=score_text(s))
            for r, s in zip(shown["rank"], shown["composite"], strict=True)
        ]
    )
    plot(figure(composite_bars, bars), width="stretch")
    finding(composite_finding(shown, language()))
    # The result first (score, rank, its change, what was not submitted), then the
    # dimensions it is made of: the columns read in a 1366 px screen's column are the
    # ones that answer "how did we do".
    table = pd.DataFrame({tr("evaluation.col_district"): shown["district"]})
    if not filters.dimension:  # with a dimension, its column already is the composite
        table[tr("evaluation.col_composite")] = shown["composite"].map(score_text)
    table[tr("evaluation.col_rank")] = shown["rank"]
    table[tr("evaluation.col_rank_change")] = shown["rank_change"].map(rank_change_text)
    table[tr("evaluation.col_missing")] = shown["missing_count"]
    for dimension in dimensions:
        table[dimension] = shown[dimension].map(score_text)
    data_table(table, hide_index=True, width="stretch")
    download_table(
        scores_export_frame(shown, language()), f"scores_{period}", key="evaluation_download"
    )

with method:
    # --- the method and the weights, beside the result ------------------------------
    st.markdown(f"**{tr('evaluation.method_heading')}**")
    st.markdown(tr("evaluation.method"))
    weights = scoring.indicators
    if weights.empty:
        empty_state("evaluation.no_scores")
    else:
        # Words looked up once per distinct value, not per indicator (3,000 at 10x).
        lang = language()
        directions = {d: tr(f"indicators.direction_{d}") for d in set(weights["direction"])}
        rules = {a: tr(f"indicators.aggregation_{a}") for a in set(weights["aggregation"])}
        weights_table = pd.DataFrame(
            {
                tr("evaluation.col_code"): weights["code"],
                tr("evaluation.col_indicator"): weights["name"],
                # The weight and the target first: the narrow column beside the ranking
                # showed the dimension and cut them off.
                tr("evaluation.col_weight"): weights["weight"].map(format_number),
                tr("evaluation.col_target"): [
                    value_text(t, u, lang)
                    for t, u in zip(weights["period_target"], weights["unit"], strict=True)
                ],
                tr("evaluation.col_direction"): weights["direction"].map(directions),
                tr("evaluation.col_dimension"): weights["dimension"],
                tr("evaluation.col_aggregation"): weights["aggregation"].map(rules),
            }
        )
        data_table(weights_table, hide_index=True, width="stretch")
        finding(
            tr(
                "evaluation.method_finding_one"
                if len(weights) == 1
                else "evaluation.method_finding",
                count=len(weights),
                total=format_number(float(weights["weight"].sum()), language=language()),
            )
        )

# --- breakdown by dimension (or by indicator within the chosen dimension) -----------
detail = scoring.detail[scoring.detail["district"].isin(shown["district"])]
if filters.dimension:
    breakdown = detail.assign(category=detail["indicator_code"] + " " + detail["name"])
    breakdown = breakdown[["district", "category", "score"]]
else:
    breakdown = shown.melt(
        id_vars="district", value_vars=dimensions, var_name="category", value_name="score"
    )
if breakdown.empty:
    empty_state("evaluation.no_scores")
else:
    means = breakdown.groupby("category", sort=False)["score"].mean()
    best, worst = means.idxmax(), means.idxmin()
    named = {"best": literal(best), "worst": literal(worst)}  # dimensions or indicators
    heading = (
        tr(
            "evaluation.breakdown_heading_indicators",
            dimension=literal(filters.dimension),
            **named,
        )
        if filters.dimension
        else tr("evaluation.breakdown_heading", **named)
    )
    st.subheader(heading)
    few = 0 < len(filters.districts) <= RADAR_MAX_DISTRICTS and breakdown["category"].nunique() > 2
    plot(figure(breakdown_radar if few else breakdown_bars, breakdown), width="stretch")
    finding(
        tr(
            "evaluation.breakdown_finding",
            best=best,
            best_score=score_text(means[best]),
            worst=worst,
            worst_score=score_text(means[worst]),
        )
    )

# --- values not reported ----------------------------------------------------------------
st.subheader(tr("evaluation.missing_heading"))
missing = detail[detail["missing"]]
if missing.empty:
    st.success(tr("evaluation.all_reported"), icon=":material/check_circle:")
else:
    per_district = missing.groupby("district", sort=False).size()
    finding(
        tr(
            "evaluation.missing_finding_one" if len(missing) == 1 else "evaluation.missing_finding",
            count=len(missing),
            districts=len(per_district),
            districts_noun=unit_word("format.unit_districts", len(per_district), language()),
            top=per_district.idxmax(),
            top_count=int(per_district.max()),
        )
    )
    missing_table = pd.DataFrame(
        {
            tr("evaluation.col_district"): missing["district"],
            tr("evaluation.col_code"): missing["indicator_code"],
            tr("evaluation.col_indicator"): missing["name"],
            tr("evaluation.col_dimension"): missing["dimension"],
        }
    )
    data_table(missing_table, hide_index=True, width="stretch")
    download_table(missing_table, f"not_reported_{period}", key="evaluation_missing_download")
