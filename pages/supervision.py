"""督办 Supervision: the whole list of items due soon, due and late with their escalation
level, filterable and exportable; the levels' settings; numbered 督办通知; delivery."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from data_model.charts.common import LEVEL_COLORS, literal_labels
from data_model.charts.reminders import level_bars
from data_model.errors import InputError
from data_model.formatting import join_names, unit_word
from data_model.supervision.delivery import (
    configured_channels,
    deliver_reminders,
    deliveries_frame,
)
from data_model.supervision.notices import issue_notices, notice_file, notices_frame
from data_model.supervision.reminders import (
    ITEM_KINDS,
    LEVELS,
    escalation_levels,
    items_frame,
    level_name,
    reminder_items,
    set_escalation_levels,
    today,
)
from ui import (
    data_table,
    download_file,
    download_table,
    empty_state,
    engine,
    finding,
    language,
    literal,
    query,
    read,
    require_permission,
    tr,
)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

principal = require_permission("supervise")
lang = language()
st.title(tr("reminders.page_title"))
st.caption(tr("reminders.page_caption"))

as_of = st.date_input(tr("reminders.as_of"), value=today(), key="sup_as_of")
levels = query(escalation_levels)

with st.expander(tr("reminders.settings_heading")):
    st.caption(tr("reminders.settings_help"))
    with st.form("sup_levels"):
        columns = st.columns(len(LEVELS))
        chosen = {
            level: column.number_input(
                tr("reminders.from_day", level=level_name(level, lang)),
                value=levels[level],
                step=1,
                key=f"sup_day_{level}",
            )
            for level, column in zip(LEVELS, columns, strict=True)
        }
        if st.form_submit_button(tr("reminders.save_settings")):
            try:
                with engine().begin() as conn:
                    saved = set_escalation_levels(conn, principal, chosen)
            except InputError as error:
                st.error(literal(error.message(lang)))
            else:
                st.success(tr("reminders.settings_saved", **saved))
                levels = saved

items = query(reminder_items, as_of)
if items.empty:
    empty_state("reminders.nothing_open")
    filtered = items
else:
    left, middle, right, last = st.columns(4)
    chosen_levels = left.multiselect(
        tr("reminders.filter_levels"),
        LEVELS,
        format_func=lambda v: level_name(v, lang),
        placeholder=tr("reminders.all"),
        key="sup_levels_filter",
    )
    chosen_items = middle.multiselect(
        tr("reminders.filter_items"),
        ITEM_KINDS,
        format_func=lambda v: tr(f"reminders.item_label_{v}"),
        placeholder=tr("reminders.all"),
        key="sup_items_filter",
    )
    chosen_districts = right.multiselect(
        tr("reminders.filter_districts"),
        sorted(d for d in set(items["district"]) if d),
        placeholder=tr("reminders.all"),
        key="sup_districts_filter",
    )
    chosen_units = last.multiselect(
        tr("reminders.filter_units"),
        sorted(set(items["unit"])),
        placeholder=tr("reminders.all"),
        key="sup_units_filter",
    )
    mask = pd.Series(True, index=items.index)
    for column, chosen_values in (
        ("level", chosen_levels),
        ("item", chosen_items),
        ("district", chosen_districts),
        ("unit", chosen_units),
    ):
        if chosen_values:
            mask &= items[column].isin(chosen_values)
    filtered = items[mask].reset_index(drop=True)

    counts = filtered["level"].value_counts()
    badges = " ".join(
        f'<span style="background:{LEVEL_COLORS[level]};color:white;border-radius:4px;'
        f'padding:0.15em 0.6em;margin-right:0.4em">'
        f"{html.escape(tr('reminders.count_heading', level=level_name(level, lang), n=int(counts.get(level, 0))))}"
        "</span>"
        for level in LEVELS
    )
    st.markdown(badges, unsafe_allow_html=True)

    st.subheader(tr("reminders.list_heading"))
    finding(
        tr(
            "reminders.list_finding",
            date=as_of.isoformat(),
            n=len(filtered),
            n_noun=unit_word("format.unit_items", len(filtered), lang),
            levels=tr("reminders.separator").join(
                tr(
                    "reminders.count_heading",
                    level=level_name(lvl, lang),
                    n=int(counts.get(lvl, 0)),
                )
                for lvl in LEVELS
            ),
        )
    )
    if filtered.empty:
        empty_state("reminders.nothing_open")
    else:
        table = items_frame(filtered, lang)
        level_column = tr("reminders.column_level")
        # The level as a coloured label: a column setting the browser draws, where a
        # pandas Styler rendered every cell on the server (2.4 s for 6,000 items).
        data_table(
            table.assign(**{level_column: [[name] for name in table[level_column]]}),
            hide_index=True,
            width="stretch",
            column_config={
                level_column: st.column_config.MultiselectColumn(
                    options=[level_name(level, lang) for level in LEVELS],
                    color=[LEVEL_COLORS[level] for level in LEVELS],
                )
            },
        )
        download_table(table, tr("reminders.file_stem", date=as_of.isoformat()), "sup_download")

        st.subheader(tr("reminders.chart_heading"))
        st.plotly_chart(
            literal_labels(  # the units are named as task lists wrote them
                level_bars(
                    filtered,
                    {level: level_name(level, lang) for level in LEVELS},
                    tr("reminders.chart_units"),
                    tr("reminders.chart_items"),
                )
            ),
            width="stretch",
        )

# --- 督办通知 ---------------------------------------------------------------------------

st.header(tr("notices.heading"))
if not filtered.empty:
    min_level = st.selectbox(
        tr("notices.min_level"),
        LEVELS,
        index=LEVELS.index("supervise"),
        format_func=lambda v: level_name(v, lang),
        key="sup_notice_level",
    )
    eligible = filtered[filtered["level"].map(LEVELS.index) >= LEVELS.index(min_level)]
    units = st.multiselect(
        tr("notices.units"),
        sorted(set(eligible["unit"])),
        default=sorted(set(eligible["unit"])),
        key=f"sup_notice_units_{min_level}",
    )
    if st.button(tr("notices.issue"), icon=":material/description:", key="sup_issue"):
        try:
            with engine().begin() as conn:
                issued = issue_notices(
                    conn, principal, eligible[eligible["unit"].isin(units)], as_of, language=lang
                )
        except InputError as error:
            st.error(literal(error.message(lang)))
        else:
            numbers = join_names(
                (tr("notices.number", year=n.year, number=n.number) for n in issued), lang
            )
            notices_noun = unit_word("format.unit_notices", len(issued), lang)
            st.success(tr("notices.issued", n=len(issued), n_noun=notices_noun, numbers=numbers))

st.subheader(tr("notices.list_heading"))
notices = read(notices_frame)
if notices.empty:
    empty_state("notices.none_issued")
else:
    shown = notices.drop(columns="id").rename(
        columns={
            "number": tr("notices.column_number_text"),
            "unit": tr("notices.column_unit"),
            "as_of": tr("notices.column_as_of"),
            "issued_at": tr("notices.column_issued_at"),
            "issued_by": tr("notices.column_issued_by"),
            "items": tr("notices.column_items"),
        }
    )
    data_table(shown, hide_index=True, width="stretch")
    labels = {row.id: f"{row.number} {row.unit}" for row in notices.itertuples()}
    chosen_notice = st.selectbox(
        tr("notices.choose"), list(labels), format_func=labels.get, key="sup_notice_pick"
    )
    name, document = read(notice_file, chosen_notice, lang)
    download_file(
        tr("notices.download"), lambda: document, name, DOCX_MIME, f"sup_notice_{chosen_notice}"
    )

# --- delivery ---------------------------------------------------------------------------

st.header(tr("delivery.section"))
channels = configured_channels()
if not channels:
    st.info(tr("delivery.off"), icon=":material/block:")
else:
    st.caption(
        tr(
            "delivery.on",
            channels=join_names((tr(f"delivery.channel_{c}") for c in channels), lang),
        )
    )
    if not filtered.empty and st.button(
        tr("delivery.send"), icon=":material/send:", key="sup_send"
    ):
        outcomes = deliver_reminders(engine(), filtered, as_of, principal.username, lang)
        statuses = [o.status for o in outcomes]
        st.success(
            tr(
                "delivery.sent",
                sent=statuses.count("sent"),
                failed=statuses.count("failed"),
                no_address=statuses.count("no_address"),
            )
        )
        failed = [o for o in outcomes if o.status == "failed"]
        if failed:
            st.error(
                tr(
                    "delivery.failed_heading",
                    attempts=failed[0].attempts,
                    attempts_noun=unit_word("format.unit_attempts", failed[0].attempts, lang),
                )
                + "\n\n"
                + "\n".join(
                    f"- {literal(o.channel)} {literal(o.unit)} → {literal(o.target)}: "
                    f"{literal(o.error)}"
                    for o in failed
                )
            )

st.subheader(tr("delivery.recent"))
deliveries = read(deliveries_frame)
if deliveries.empty:
    empty_state("delivery.none_yet")
else:
    deliveries["status"] = [tr(f"delivery.status_{s}") for s in deliveries["status"]]
    deliveries["channel"] = [tr(f"delivery.channel_{c}") for c in deliveries["channel"]]
    data_table(
        deliveries.rename(columns={c: tr(f"delivery.column_{c}") for c in deliveries.columns}),
        hide_index=True,
        width="stretch",
    )
