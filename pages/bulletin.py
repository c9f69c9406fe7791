"""定期通报 Periodic bulletin: the period's bulletin previewed section by section, with the
Word bulletin (official layout, charts as images) and the Excel workbook to download."""

import logging
from datetime import date

import streamlit as st

from charts.images import ChartImageError, find_browser
from data_model.bulletin import (
    DOCX_MIME,
    XLSX_MIME,
    bulletin_charts,
    bulletin_docx,
    bulletin_figures,
    bulletin_tables,
    bulletin_texts,
    bulletin_xlsx,
    file_name,
    issuing_body,
)
from data_model.formatting import format_change, format_number, local_today
from data_model.normalize.periods import period_label
from ui import (
    data_table,
    download_chart,
    download_file,
    empty_state,
    finding,
    global_filters,
    language,
    plot,
    query,
    require_permission,
    tr,
)

log = logging.getLogger(__name__)


def day_label(day: date) -> str:
    return tr("bulletin.date", year=day.year, month=day.month, day=day.day)


def word_file() -> bytes:
    """The Word bulletin, with charts when the server can render them."""
    if not has_browser:
        return bulletin_docx(figures, lang, charts=False)
    try:
        return bulletin_docx(figures, lang)
    except ChartImageError:
        # A download in hand beats an error: the page already says charts need a browser.
        log.exception("chart images failed; the Word bulletin is written without charts")
        return bulletin_docx(figures, lang, charts=False)


def show_table(key: str) -> None:
    table = tables[key]
    if table.rows:
        st.markdown(f"**{table.title}**")
        data_table(table.text_frame(lang), hide_index=True, width="stretch")


def show_chart(key: str) -> None:
    if key in charts:
        chart = charts[key]
        st.markdown(f"**{chart.title}**")
        plot(chart.figure, width="stretch", key=f"bulletin_chart_{key}")
        download_chart(chart.figure, f"{figures.period}_{key}", key=f"bulletin_png_{key}")


# Streamlit may run a file of pages/ directly (before app.py has registered the
# pages, e.g. right after a restart): every page checks the sign-in itself.
require_permission("view_dashboards")
st.title(tr("bulletin.title"))

filters = global_filters(show=())
if filters is None:
    empty_state("bulletin.no_data")
    st.stop()

lang = language()
period_name = period_label(filters.period, lang)
figures = query(bulletin_figures, filters.period, local_today())
if figures.is_empty:
    st.info(tr("bulletin.no_figures", period=period_name), icon=":material/inbox:")
    st.stop()
texts = bulletin_texts(figures, lang)
tables = {table.key: table for table in bulletin_tables(figures, lang)}
charts = {chart.key: chart for chart in bulletin_charts(figures, lang)}
has_browser = find_browser() is not None

st.subheader(tr("bulletin.heading", period=period_name))
st.caption(
    tr(
        "bulletin.issued",
        issuer=issuing_body(figures, lang),
        date=day_label(figures.issued),
        as_of=day_label(figures.as_of),
    )
)

# --- downloads ----------------------------------------------------------------------
st.markdown(f"**{tr('bulletin.downloads')}**")
if not has_browser:
    st.warning(tr("bulletin.no_browser"), icon=":material/warning:")
word, excel = st.columns(2)
with word:
    download_file(
        tr("bulletin.download_word"),
        word_file,
        file_name(figures, ".docx", lang),
        DOCX_MIME,
        key="bulletin_docx",
    )
with excel:
    download_file(
        tr("bulletin.download_excel"),
        lambda: bulletin_xlsx(figures, lang),
        file_name(figures, ".xlsx", lang),
        XLSX_MIME,
        key="bulletin_xlsx",
    )
st.caption(tr("bulletin.downloads_help"))

st.divider()

# --- 一、总体进展 -----------------------------------------------------------------------
st.subheader(tr("bulletin.section_overview"))
cards = st.columns(len(figures.headlines))
for card, headline in zip(cards, figures.headlines, strict=True):
    rate = headline.kind == "rate"
    value = headline.value
    card.metric(
        tr(f"bulletin.headline_{headline.key}"),
        format_number(
            None if value is None else round(value, 1), "%" if rate else "", language=language()
        ),
        format_change(value, headline.previous, points=rate, count=not rate),
        delta_color="inverse" if headline.key == "overdue" else "normal",
    )
finding(texts["overview"])
show_chart("status")

# --- 二、任务完成情况 -------------------------------------------------------------------
st.subheader(tr("bulletin.section_tasks"))
st.markdown(f"##### {tr('bulletin.section_tasks_actions')}")
if figures.by_action.empty:
    empty_state("bulletin.no_tasks_section")
else:
    finding(texts["actions"])
    show_table("actions")
    show_chart("actions")
st.markdown(f"##### {tr('bulletin.section_tasks_units')}")
if figures.by_unit.empty:
    empty_state("bulletin.no_tasks_section")
else:
    finding(texts["units"])
    show_table("units")
st.markdown(f"##### {tr('bulletin.section_tasks_overdue')}")
finding(texts["overdue"])
show_table("overdue")

# --- 三、各区综合评价 -------------------------------------------------------------------
st.subheader(tr("bulletin.section_scores"))
finding(texts["scores"])
show_table("scores")
show_chart("scores")

# --- 四、指标亮点 -----------------------------------------------------------------------
st.subheader(tr("bulletin.section_highlights"))
st.markdown(f"##### {tr('bulletin.section_highlights_yoy')}")
finding(texts["highlights"])
show_table("highlights")
st.markdown(f"##### {tr('bulletin.section_highlights_targets')}")
finding(texts["targets"])
show_table("targets")

# --- 五、下一步工作 ---------------------------------------------------------------------
st.subheader(tr("bulletin.section_next"))
st.caption(tr("bulletin.next_steps_note"))
