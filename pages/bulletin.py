"""定期通报 Periodic bulletin: the period's bulletin previewed section by section, with the
Word bulletin (official layout, charts as images), the same as PDF (rendered on the server
by LibreOffice; without it the page says so) and the Excel workbook to download."""

import logging
from datetime import date

import streamlit as st

from data_model.accounts.permissions import allowed, guarded_publication
from data_model.charts.images import ChartImageError, find_browser
from data_model.formatting import local_today
from data_model.outputs.bulletin import (
    DOCX_MIME,
    PDF_MIME,
    XLSX_MIME,
    as_issued,
    bulletin_charts,
    bulletin_docx,
    bulletin_figures,
    bulletin_pdf,
    bulletin_tables,
    bulletin_texts,
    bulletin_xlsx,
    file_name,
    issuing_body,
    restatement_heading,
)
from data_model.outputs.office_pdf import find_soffice
from data_model.outputs.restatement import publications
from data_model.periods import period_label
from data_model.store import audit
from data_model.store.closed_periods import is_closed_for_bulletin
from ui import (
    card_columns,
    dashboard,
    data_table,
    download_chart,
    download_file,
    empty_state,
    engine,
    finding,
    headline_metric,
    language,
    literal,
    plot,
    query,
    tr,
)

log = logging.getLogger(__name__)


def day_label(day: date) -> str:
    return tr("bulletin.date", year=day.year, month=day.month, day=day.day)


def with_charts(write) -> bytes:
    """`write(figures, lang, …)` (the Word or PDF bulletin) with charts when the server can
    render them; a download in hand beats an error, as the page already says charts need a
    browser."""
    if not has_browser:
        return write(figures, lang, charts=False)
    try:
        return write(figures, lang)
    except ChartImageError:
        log.exception("chart images failed; the bulletin is written without charts")
        return write(figures, lang, charts=False)


def recorded(make, file_format: str, name: str):
    """`make` and, for a closed period, the record of what the file published (its figures,
    SHA-256). Runs on the download's own thread, so user and engine are taken now."""
    database = engine()

    def build() -> bytes:
        content = make()
        with database.begin() as conn:
            guarded_publication(conn, principal, figures, content, file_format, name, lang)
        return content

    return build


def offer(label: str, file_format: str, make, mime: str) -> None:
    """The download button of one format of the bulletin (`bulletin.download_<label>`)."""
    name = file_name(figures, f".{file_format}", lang)
    download_file(
        tr(f"bulletin.download_{label}"),
        recorded(make, file_format, name),
        name,
        mime,
        key=f"bulletin_{file_format}",
    )


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


def show_part(part: str, key: str, no_tasks: bool = False, chart: bool = False) -> None:
    """A part of a section (`bulletin.section_<part>`): its finding, its table and chart;
    `no_tasks`: the tasks part has no rows to show."""
    st.markdown(f"##### {tr(f'bulletin.section_{part}')}")
    if no_tasks:
        empty_state("bulletin.no_tasks_section")
        return
    finding(texts[key])
    show_table(key)
    if chart:
        show_chart(key)


principal, filters = dashboard("bulletin", show=())

lang = language()
period_name = period_label(filters.period, lang)
try:
    figures = as_issued(query(bulletin_figures, filters.period, local_today()))
except ValueError as error:  # BULLETIN_NUMBER or BULLETIN_DATE is not usable
    st.error(tr("bulletin.bad_setting", error=error), icon=":material/error:")
    st.stop()
if figures.is_empty:
    st.info(tr("bulletin.no_figures", period=period_name), icon=":material/inbox:")
    st.stop()
texts = bulletin_texts(figures, lang)
tables = {table.key: table for table in bulletin_tables(figures, lang)}
charts = {chart.key: chart for chart in bulletin_charts(figures, lang)}
has_browser = find_browser() is not None
has_soffice = find_soffice() is not None

st.subheader(tr("bulletin.heading", period=period_name))
st.caption(
    tr(
        "bulletin.issued_number" if figures.number else "bulletin.issued",
        number=figures.number,
        issuer=literal(issuing_body(figures, lang)),
        date=day_label(figures.issued),
        as_of=day_label(figures.as_of),
    )
)

if figures.restatement is not None:
    st.warning(texts["restated"], icon=":material/edit_note:")
closed = query(is_closed_for_bulletin, figures.period)
if closed:
    publishes = allowed(principal, "publish_bulletin")
    st.info(
        tr("bulletin.closed_note" if publishes else "bulletin.closed_note_reader"),
        icon=":material/lock:",
    )

# --- downloads ----------------------------------------------------------------------
st.markdown(f"**{tr('bulletin.downloads')}**")
if not has_browser:
    st.warning(tr("bulletin.no_browser"), icon=":material/warning:")
if not has_soffice:
    st.warning(tr("bulletin.no_soffice"), icon=":material/warning:")
word, pdf, excel = st.columns(3)
with word:
    offer("word", "docx", lambda: with_charts(bulletin_docx), DOCX_MIME)
with pdf:
    if has_soffice:
        offer("pdf", "pdf", lambda: with_charts(bulletin_pdf), PDF_MIME)
with excel:
    offer("excel", "xlsx", lambda: bulletin_xlsx(figures, lang), XLSX_MIME)
st.caption(tr("bulletin.downloads_help"))

st.divider()

# --- 一、总体进展 -----------------------------------------------------------------------
st.subheader(tr("bulletin.section_overview"))
for card, headline in zip(card_columns(len(figures.headlines)), figures.headlines, strict=True):
    headline_metric(card, headline, label=tr(f"overview.{headline.key}"))
finding(texts["overview"])
show_chart("status")

# --- 二、任务完成情况 -------------------------------------------------------------------
st.subheader(tr("bulletin.section_tasks"))
show_part("tasks_actions", "actions", no_tasks=figures.by_action.empty, chart=True)
show_part("tasks_units", "units", no_tasks=figures.by_unit.empty)
show_part("tasks_overdue", "overdue")
show_part("tasks_slipping", "slipping")

# --- 三、各区综合评价 -------------------------------------------------------------------
st.subheader(tr("bulletin.section_scores"))
finding(texts["scores"])
show_table("scores")
show_chart("scores")

# --- 四、指标亮点 -----------------------------------------------------------------------
st.subheader(tr("bulletin.section_highlights"))
show_part("highlights_yoy", "highlights")
show_part("highlights_targets", "targets")

# --- 五、下一步工作 ---------------------------------------------------------------------
st.subheader(tr("bulletin.section_next"))
st.caption(tr("bulletin.next_steps_note"))

# --- 附件：更正数据清单, and what was published ---------------------------------------------
if figures.restatement is not None:
    st.subheader(tr("bulletin.section_annex"))
    st.caption(literal(restatement_heading(figures.restatement, lang)))  # quotes the reason
    show_table("restatement")
published = query(publications, figures.period)
if published:
    with st.expander(tr("bulletin.publications", count=len(published)), icon=":material/lock:"):
        st.dataframe(
            [
                {
                    tr("bulletin.col_publication"): p["id"],
                    tr("restatement.col_at"): audit.time_text(p["generated_at"])[:16],
                    tr("restatement.col_by"): p["generated_by"],
                    tr("bulletin.col_file"): p["file_name"],
                    tr("bulletin.col_restated"): p["restated"],
                    "SHA-256": p["sha256"],
                }
                for p in published
            ],
            hide_index=True,
            key="bulletin_publications",
        )
