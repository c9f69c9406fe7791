"""区覆盖 District coverage: does the work reach every district? A map coloured by the chosen
measure, the district x brand and district x action matrices, and the districts with gaps.

Clicking a district's name on the map focuses the page on it (kept in `coverage_focus`,
which the focus box below the map also sets and clears).
"""

import pandas as pd
import streamlit as st

from data_model.charts.coverage import (
    ALERT,
    SEQUENTIAL,
    action_heatmap,
    brand_heatmap,
    district_map,
    selected_code,
)
from data_model.formatting import format_percent, join_names, unit_word
from data_model.periods import period_label
from data_model.queries.coverage_queries import (
    LOWER_IS_BETTER,
    MEASURES,
    RATE_MEASURES,
    action_matrix,
    brand_matrix,
    coverage_gaps,
    coverage_measure,
    direct_contact_types,
    map_areas,
    map_finding,
    map_notes,
    measure_texts,
)
from data_model.queries.shared import has_data
from data_model.reference.geo import load_district_map, tile_grid
from ui import (
    data_table,
    download_table,
    empty_state,
    figure,
    finding,
    global_filters,
    language,
    literal,
    no_data_state,
    plot,
    query,
    require_permission,
    tr,
)

FOCUS_KEY = "coverage_focus"
MAX_ITEMS = 6  # names listed in a gap's detail before "and N in all"

# Streamlit may run a file of pages/ directly (before app.py has registered the
# pages, e.g. right after a restart): every page checks the sign-in itself.
principal = require_permission("view_dashboards")
st.title(tr("coverage.title"))

if not query(has_data):
    no_data_state("coverage.no_data", principal)
    st.stop()

filters = global_filters(show=("districts",))
period = filters.period
label = period_label(period, language())
areas = query(map_areas)
name_of = {area.code: area.name for area in areas}
city = next((area.name for area in areas if area.kind == "city"), None)
shown = [a.name for a in areas if not filters.districts or a.name in filters.districts]
if st.session_state.get(FOCUS_KEY) not in ("", *shown):
    st.session_state[FOCUS_KEY] = ""


def display_name(name: str) -> str:
    return tr("coverage.city_level", name=name) if name == city else name


def focus_from_map() -> None:
    code = selected_code(st.session_state["coverage_map"]["selection"])
    if code in name_of and name_of[code] in shown:
        st.session_state[FOCUS_KEY] = name_of[code]


def clear_focus() -> None:
    st.session_state[FOCUS_KEY] = ""


def listing(items: tuple[str, ...]) -> str:
    text = join_names(items[:MAX_ITEMS], language())
    return (
        tr("coverage.more_items", items=text, count=len(items)) if len(items) > MAX_ITEMS else text
    )


controls = st.columns([3, 1])
measure = controls[0].radio(
    tr("coverage.measure"),
    MEASURES,
    format_func=lambda m: tr(f"coverage.measure_{m}"),
    horizontal=True,
    key="coverage_measure",
    help=tr("coverage.measure_help"),
)
view = controls[1].radio(
    tr("coverage.view"),
    ("map", "tiles"),
    format_func=lambda v: tr(f"coverage.view_{v}"),
    horizontal=True,
    key="coverage_view",
)
measure_label = tr(f"coverage.measure_{measure}")
rate = measure in RATE_MEASURES
focus = st.session_state.get(FOCUS_KEY) or None
focus_code = next((code for code, name in name_of.items() if name == focus), None)

# --- map ---------------------------------------------------------------------------
st.subheader(tr("coverage.map_heading", period=label, measure=measure_label))
measured = query(coverage_measure, measure, period)
measured = measured[measured["district"].isin(shown)]
measured["text"] = measure_texts(measured["value"], measure, language())
on_map = measured[measured["kind"] != "city"]
layout = load_district_map(areas) if view == "map" else tile_grid(areas)
if layout.problem:
    st.warning(tr(f"coverage.boundary_{layout.problem}", path=layout.source))
    layout = tile_grid(areas)
if on_map.empty or on_map["value"].isna().all():
    st.info(tr("coverage.no_values", measure=measure_label), icon=":material/inbox:")
else:
    chart = figure(
        district_map,
        layout,
        on_map,
        measure_label,
        rate,
        focus=focus_code,
        height=460 if view == "map" else 340,
        stops=ALERT if measure in LOWER_IS_BETTER else SEQUENTIAL,
    )
    plot(
        chart,
        width="stretch",
        on_select=focus_from_map,
        selection_mode="points",
        key="coverage_map",
    )
    for note in map_notes(layout, shown, language()):
        st.caption(literal(note))  # names as written
    finding(map_finding(on_map, measure, language()))
    st.caption(tr("coverage.map_hint"))

focus_row = st.columns([2, 1, 3], vertical_alignment="bottom")
focus_row[0].selectbox(
    tr("coverage.focus"),
    ["", *shown],
    format_func=lambda name: display_name(name) if name else tr("coverage.focus_all"),
    key=FOCUS_KEY,
    help=tr("coverage.focus_help"),
)
if focus:
    focus_row[1].button(tr("coverage.clear_focus"), on_click=clear_focus, icon=":material/close:")

with st.expander(tr("coverage.table_expander")):
    table = pd.DataFrame(
        {
            tr("coverage.col_district"): measured["district"].map(display_name),
            measure_label: measured["text"],
        }
    )
    if rate:
        for part in ("numerator", "denominator"):
            table[tr(f"coverage.col_{part}_{measure}")] = measured[part].astype("Int64")
    data_table(table, hide_index=True)
    download_table(
        table,
        tr("coverage.table_file", measure=measure_label, period=period),
        "coverage_table_download",
    )

# --- district x brand ----------------------------------------------------------------
st.subheader(tr("coverage.brand_heading", period=label))
brands = query(brand_matrix, period)
brands = brands[brands["district"].isin(shown)].assign(
    district=lambda f: f["district"].map(display_name)
)
if brands.empty:
    empty_state("coverage.no_brands")
elif brands["count"].sum() == 0:
    empty_state("coverage.no_brand_activity")
else:
    plot(
        figure(brand_heatmap, brands, focus=display_name(focus) if focus else None),
        width="stretch",
    )
    zero_brands = brands.assign(zero=brands["count"] == 0).groupby("district", sort=False)["zero"]
    finding(
        tr(
            "coverage.brand_finding",
            count=zero_brands.ngroups,
            count_noun=unit_word("format.unit_geographies", zero_brands.ngroups, language()),
            brands=brands["brand"].nunique(),
            complete=int((zero_brands.sum() == 0).sum()),
            partial=int(((zero_brands.sum() > 0) & ~zero_brands.all()).sum()),
            none=int(zero_brands.all().sum()),
        )
    )

# --- district x action ---------------------------------------------------------------
st.subheader(tr("coverage.action_heading", period=label))
actions = query(action_matrix, period)
actions = actions[actions["district"].isin(shown)].assign(
    district=lambda f: f["district"].map(display_name)
)
if actions["tasks"].sum() == 0:
    empty_state("coverage.no_tasks")
else:
    plot(
        figure(
            action_heatmap,
            actions,
            tr("coverage.completion_rate"),
            focus=display_name(focus) if focus else None,
        ),
        width="stretch",
    )
    per_district = actions.groupby("district", sort=False)[["tasks", "completed"]].sum()
    open_tasks = per_district["tasks"] - per_district["completed"]
    total, done = int(per_district["tasks"].sum()), int(per_district["completed"].sum())
    if open_tasks.max() == 0:
        all_done = (
            "coverage.action_finding_all_done_one"
            if total == 1
            else "coverage.action_finding_all_done"
        )
        finding(tr(all_done, tasks=total))
    else:
        finding(
            tr(
                "coverage.action_finding",
                tasks=total,
                tasks_noun=unit_word("format.unit_tasks", total, language()),
                completed=done,
                rate=format_percent(done / total * 100, language()),
                district=open_tasks.idxmax(),
                open=int(open_tasks.max()),
            )
        )
    st.caption(tr("coverage.action_note", city=literal(display_name(city)) if city else ""))

# --- gaps ----------------------------------------------------------------------------
st.subheader(tr("coverage.gaps_heading", period=label))
gaps = query(coverage_gaps, period)
gaps = gaps[gaps["district"].isin([focus] if focus else shown)]
if gaps.empty:
    st.success(tr("coverage.no_gaps"), icon=":material/check_circle:")
else:
    contact_types = direct_contact_types()
    details = [
        tr(
            f"coverage.detail_{row.gap}",
            items=listing(contact_types if row.gap == "no_direct_contact" else row.items),
            count=row.count,
            total=row.total,
        )
        for row in gaps.itertuples()
    ]
    gap_table = pd.DataFrame(
        {
            tr("coverage.col_district"): gaps["district"].map(display_name),
            tr("coverage.col_gap"): [tr(f"coverage.gap_{g}") for g in gaps["gap"]],
            tr("coverage.col_detail"): details,
        }
    )
    data_table(gap_table, hide_index=True)
    download_table(gap_table, tr("coverage.gaps_file", period=period), "coverage_gaps_download")
    kinds = gaps["gap"].value_counts()
    finding(
        tr(
            "coverage.gaps_finding",
            rows=len(gaps),
            rows_noun=unit_word("format.unit_gaps", len(gaps), language()),
            districts=gaps["district"].nunique(),
            districts_noun=unit_word(
                "format.unit_geographies", gaps["district"].nunique(), language()
            ),
            no_brand=int(kinds.get("no_brand_activity", 0)),
            brand_gap=int(kinds.get("brand_gap", 0)),
            incomplete=int(kinds.get("incomplete_indicators", 0)),
            no_contact=int(kinds.get("no_direct_contact", 0)),
        )
    )
