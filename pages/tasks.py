"""任务完成 Task completion: rates, overdue and behind lists, progress, timeline, ranking."""

import pandas as pd
import streamlit as st

from data_model import settings
from data_model.accounts.permissions import allowed
from data_model.charts.common import LINE_BREAK
from data_model.charts.tasks import ranking_bars, rate_bars, status_over_periods, timeline_bars
from data_model.errors import InputError
from data_model.evaluation.scoring import tied_names
from data_model.formatting import (
    APPRAISAL_DECIMALS,
    appraisal_text,
    format_number,
    format_percent,
    join_names,
    time_text,
    unit_word,
)
from data_model.outputs.export import frame_to_xlsx
from data_model.periods import period_label, period_start, previous_period
from data_model.queries.forecast import DEFAULT_WEEKS, slipping_in_scope
from data_model.queries.headlines import Headline
from data_model.queries.task_counts import status_counts, task_list
from data_model.queries.task_queries import (
    COMPLETION_WEIGHT,
    DUE_SOON_DAYS,
    GROUPINGS,
    ON_TIME_WEIGHT,
    OVERDUE_PENALTY,
    PICK_LIMIT,
    as_of_date,
    overdue_finding_of,
    overdue_title,
    progress_by_period,
    progress_finding,
    progress_title,
    ranking_of,
    rates_of,
    rates_title,
    task_choices,
    timeline_page,
    totals_of,
    totals_on,
)
from data_model.task_rules import BEHIND_MARGIN, STATUSES
from data_model.workflow import evidence
from ui import (
    card_columns,
    dashboard,
    data_table,
    download_file,
    download_table,
    empty_state,
    engine,
    figure,
    file_uploader,
    finding,
    headline_metric,
    language,
    literal,
    plot,
    query,
    tr,
)

PAGE_ROWS = 20  # rows of a task list shown at once
# A task list's columns: which task and who leads it, where, then the list's own figures,
# then the rest. The first ones fit a 1366 px screen without scrolling (the content column
# is bounded, the whole of it on hover); the long explanation comes last.
NAMED = ["code", "content", "lead_unit", "district"]  # which task, who leads it, where
REST = ["owner", "action", "explanation"]  # who answers for it, its action, why it is late
BOUNDED = {"content": "medium", "explanation": "large"}  # st.column_config widths
# What the evidence picker offers; evidence.check_file still checks the content itself.
EVIDENCE_TYPES = ["pdf", "png", "jpg", "jpeg", "gif", "webp", "docx", "xlsx", "doc", "xls"]


def percent(value: float | None) -> str:
    return format_percent(value, language())


def day_label(day) -> str:
    return tr("tasks.date", year=day.year, month=day.month, day=day.day)


def table_words(columns: list[str]):
    """A function that turns a task list into its table: these columns with their labels,
    city-wide tasks named as such, a missing explanation as （未说明）. The words are read
    now, so that it also runs where the session cannot be read (a download's thread)."""
    labels = {c: tr(f"tasks.col_{c}") for c in columns}
    city, unexplained = tr("tasks.city_wide"), tr("explanations.none")

    def table_of(frame: pd.DataFrame) -> pd.DataFrame:
        table = frame[columns].copy()
        table["district"] = table["district"].replace("", city)
        if "explanation" in table:
            table["explanation"] = table["explanation"].replace("", unexplained)
        for column in ("expected_progress", "gap"):
            if column in table:
                table[column] = table[column].round(0).astype(int)
        return table.rename(columns=labels)

    return table_of


def task_table(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return table_words(columns)(frame)


def pager(kind: str, count: int) -> int:
    """The first row of the page of a list the viewer chose: a page number above the
    table when the list is longer than a page."""
    if count <= PAGE_ROWS:
        return 0
    pages = -(-count // PAGE_ROWS)
    page = st.number_input(
        tr("tasks.page", pages=pages), min_value=1, max_value=pages, value=1, key=f"{kind}_page"
    )
    first = (int(page) - 1) * PAGE_ROWS
    st.caption(
        tr("tasks.page_rows", first=first + 1, last=min(first + PAGE_ROWS, count), count=count)
    )
    return first


def show_table(table: pd.DataFrame) -> None:
    """A task table on the page, its long text columns (BOUNDED) of a bounded width."""
    bounded = {tr(f"tasks.col_{c}"): width for c, width in BOUNDED.items()}
    config = {
        label: st.column_config.TextColumn(width=width)
        for label, width in bounded.items()
        if label in table.columns
    }
    data_table(table, hide_index=True, width="stretch", column_config=config)


def show_task_list(frame: pd.DataFrame, name: str, columns: list[str]) -> None:
    """A task list (`task_table`) and its download (`tasks.<name>_file`)."""
    table = task_table(frame, columns)
    show_table(table)
    download_table(table, tr(f"tasks.{name}_file"), key=f"download_{name}")


principal, filters = dashboard("tasks", show=("districts", "action"))

as_of = as_of_date(filters.period)
scope = (as_of, filters.districts, filters.action)
previous_as_of = as_of_date(previous_period(filters.period))
status_labels = {status: tr(f"status.{status}") for status in STATUSES}
city_wide = tr("tasks.city_wide")

st.caption(
    tr(
        "tasks.scope",
        date=day_label(as_of),
        districts=literal(join_names(filters.districts, language())) or tr("filters.all_districts"),
        action=literal(filters.action) if filters.action else tr("tasks.all_actions"),
    )
)

# The counts of the scope's tasks per action, lead unit and district, judged in SQL; the
# cards, rates and ranking are sums of them, the lists below read one page at a time.
counts = query(status_counts, *scope)
totals = totals_of(counts)
if totals.tasks == 0:
    empty_state("tasks.no_tasks")
    st.stop()
before = query(totals_on, previous_as_of, filters.districts, filters.action)

st.subheader(
    tr(
        "tasks.cards_title",
        date=day_label(as_of),
        total=totals.tasks,
        total_noun=unit_word("format.unit_tasks", totals.tasks, language()),
        completed=totals.completed,
        rate=percent(totals.completion_rate),
        overdue=totals.overdue,
    )
)
# No change against a period before the first task report (no "+0" coloured as news).
compared = before.tasks + before.suspended > 0


def card(key: str, value: float | None, previous: float | None, kind: str, **how) -> Headline:
    return Headline(key, value, previous if compared else None, kind, filters.period, **how)


tasks_unit = {"unit": "format.unit_tasks"}
for column, headline, help_text in zip(
    card_columns(5),
    (
        card("tasks", totals.tasks, before.tasks, "count", direction="neutral", **tasks_unit),
        card("completion_rate", totals.completion_rate, before.completion_rate, "rate"),
        card("on_time_rate", totals.on_time_rate, before.on_time_rate, "rate"),
        card(
            "overdue", totals.overdue, before.overdue, "count", direction="negative", **tasks_unit
        ),
        card("behind", totals.behind, before.behind, "count", direction="negative", **tasks_unit),
    ),
    (
        tr("tasks.card_tasks_help", suspended=totals.suspended),
        tr("tasks.card_completion_rate_help"),
        tr("tasks.card_on_time_rate_help"),
        None,
        tr("tasks.card_behind_help", margin=BEHIND_MARGIN),
    ),
    strict=True,
):
    headline_metric(column, headline, label=tr(f"tasks.card_{headline.key}"), help=help_text)

# Completion and on-time rates by action, lead unit and district.
st.subheader(tr("tasks.rates_heading"))
# Only the open tab is drawn (switching tabs reruns the page from the cache).
rate_tabs = st.tabs(
    [tr(f"tasks.tab_{grouping}") for grouping in GROUPINGS], key="rate_tabs", on_change="rerun"
)
for tab, grouping in zip(rate_tabs, GROUPINGS, strict=True):
    if not tab.open:
        continue
    with tab:
        rates = rates_of(counts, grouping)
        if rates.empty:
            empty_state("tasks.no_tasks")
            continue
        rates["label"] = rates["group"].replace("", city_wide)
        title = rates_title(rates, language(), grouping)
        plot(
            figure(
                rate_bars,
                rates,
                tr("tasks.completion_rate"),
                tr("tasks.on_time_rate"),
                title=title,
            ),
            width="stretch",
            key=f"rates_{grouping}",
        )
        finding(
            tr(
                "tasks.rates_finding",
                groups=len(rates),
                noun=unit_word(f"tasks.noun_{grouping}", len(rates), language()),
                full=int((rates["completed"] == rates["tasks"]).sum()),
                below=int((rates["completion_rate"] < totals.completion_rate).sum()),
                overall=percent(totals.completion_rate),
                with_overdue=int((rates["overdue"] > 0).sum()),
            )
        )


# Overdue, behind and 将逾期 tasks: a page of each list, most urgent first, with its length.
def list_section(kind: str, count: int, columns: list[str], file_key: str) -> None:
    """A page of the list `kind` (`task_counts.LISTS`) of the scope, a pager when it is
    longer than a page, and an Excel download of the whole list, read when clicked."""
    offset = pager(kind, count)
    rows = query(task_list, as_of, kind, filters.districts, filters.action, PAGE_ROWS, offset)
    show_table(task_table(rows, columns))
    database, table_of = engine(), table_words(columns)
    whole = (as_of, kind, filters.districts, filters.action)

    def build() -> bytes:
        with database.connect() as conn:
            return frame_to_xlsx(table_of(task_list(conn, *whole)), tr(file_key))

    download_file(
        tr("app.download_excel"),
        build,
        f"{tr(file_key)}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"download_{kind}",
        rows=count,
    )


overdue_columns = [*NAMED, "deadline", "days_late", "progress", "deadline_text", *REST]
if totals.overdue == 0:
    st.subheader(tr("tasks.overdue_none_title"))
    empty_state("tasks.no_overdue")
else:
    # The first page, which the list below reads too (the same cached query).
    longest = query(task_list, as_of, "overdue", filters.districts, filters.action, PAGE_ROWS, 0)
    # Names the longest overdue task by its code, as the list wrote it.
    st.subheader(literal(overdue_title(longest, language(), count=totals.overdue)))
    list_section("overdue", totals.overdue, overdue_columns, "tasks.overdue_file")
    finding(overdue_finding_of(counts, language()))

behind_columns = [
    *NAMED,
    *["deadline", "gap", "progress", "expected_progress", "days_left"],
    *["start_date", "deadline_text", *REST],
]
if totals.behind == 0:
    st.subheader(tr("tasks.behind_none_title"))
    empty_state("tasks.no_behind")
else:
    gap = counts["behind_gap"].sum() / totals.behind
    st.subheader(
        tr(
            "tasks.behind_title_one" if totals.behind == 1 else "tasks.behind_title",
            count=totals.behind,
            gap=format_number(round(gap, 1), language=language()),
        )
    )
    list_section("behind", totals.behind, behind_columns, "tasks.behind_file")
    finding(tr("tasks.behind_finding", margin=BEHIND_MARGIN))

# Tasks the slip forecast expects to miss a deadline within the next weeks (将逾期).
slipping = query(slipping_in_scope, *scope, DEFAULT_WEEKS)
if slipping.empty:
    st.subheader(tr("tasks.slipping_none_title"))
    st.info(tr("tasks.no_slipping", weeks=DEFAULT_WEEKS), icon=":material/inbox:")
else:
    slipping_title = "tasks.slipping_title_one" if len(slipping) == 1 else "tasks.slipping_title"
    st.subheader(tr(slipping_title, count=len(slipping), weeks=DEFAULT_WEEKS))
    never = tr("tasks.forecast_never")
    shown = slipping.assign(
        district=slipping["district"].fillna(""),
        pace=slipping["pace"].round(1),
        expected_finish=[
            d.isoformat() if d is not None else never for d in slipping["expected_finish"]
        ],
    )
    show_task_list(
        shown,
        "slipping",
        [*NAMED, "deadline", "days_short", "progress", "pace", "expected_finish", "action"],
    )
    finding(tr("tasks.slipping_finding"))

# Progress over report periods.
progress = query(progress_by_period, *scope)
if progress.empty:
    st.subheader(tr("tasks.progress_heading"))
    empty_state("tasks.no_tasks")
else:
    lang = language()
    progress["label"] = progress["period"].map(lambda p: period_label(p, lang))
    st.subheader(progress_title(progress, lang))
    plot(
        figure(status_over_periods, progress, status_labels, tr("tasks.completion_rate")),
        width="stretch",
    )
    finding(progress_finding(progress, lang))

# Timeline of deadlines: the tasks of the period that end first, and how many it holds.
timeline_page_ = query(
    timeline_page, as_of, period_start(filters.period), filters.districts, filters.action
)
timeline = timeline_page_.bars
period_name = period_label(filters.period, language())
if timeline.empty:
    st.subheader(tr("tasks.timeline_heading", period=period_name))
    empty_state("tasks.no_timeline")
else:
    st.subheader(
        tr(
            "tasks.timeline_title_one" if timeline_page_.tasks == 1 else "tasks.timeline_title",
            period=period_name,
            count=timeline_page_.tasks,
            overdue=timeline_page_.overdue,
        )
    )
    if timeline_page_.tasks > len(timeline):
        st.caption(tr("tasks.timeline_shown", shown=len(timeline), count=timeline_page_.tasks))
    timeline["label"] = [
        f"{code} {content[:14]}{'…' if len(content) > 14 else ''}"
        for code, content in zip(timeline["code"], timeline["content"], strict=True)
    ]
    # The template, filled below for each bar; its line breaks are the chart's own markup,
    # written as LINE_BREAK before the task's texts go in (literal_labels).
    hover = tr("tasks.timeline_hover").replace("<br>", LINE_BREAK)
    timeline["hover"] = [
        hover.format(
            code=code,
            content=content,
            unit=unit,
            start=day_label(start),
            deadline=deadline_text or day_label(end),
            progress=percent(progress),
            status=status_labels[status],
        )
        for code, content, unit, start, deadline_text, end, progress, status in zip(
            *(
                timeline[column].tolist()
                for column in (
                    "code",
                    "content",
                    "lead_unit",
                    "start",
                    "deadline_text",
                    "end",
                    "progress",
                    "status",
                )
            ),
            strict=True,
        )
    ]
    plot(
        figure(
            timeline_bars,
            timeline,
            status_labels,
            as_of,
            tr("tasks.as_of_marker", date=day_label(as_of)),
            tr("tasks.open_ended"),
            tr("tasks.late_stretch"),
            language=language(),
        ),
        width="stretch",
    )
    finding(tr("tasks.timeline_finding", days=DUE_SOON_DAYS, due_soon=timeline_page_.due_soon))

# Lead units ranked for appraisal.
ranking = ranking_of(counts)
if ranking.empty:
    st.subheader(tr("tasks.ranking_heading"))
    empty_state("tasks.no_tasks")
else:
    leaders = ranking[ranking["rank"] == 1]
    top_score = appraisal_text(float(leaders["score"].iloc[0]))
    top_unit = literal(leaders["lead_unit"].iloc[0])
    st.subheader(
        tr("tasks.ranking_title_one", unit=top_unit, score=top_score)
        if len(leaders) == 1
        else tr("tasks.ranking_title_tied", unit=top_unit, count=len(leaders), score=top_score)
    )
    st.caption(
        tr(
            "tasks.ranking_method",
            completion=round(COMPLETION_WEIGHT * 100),
            on_time=round(ON_TIME_WEIGHT * 100),
            penalty=format_number(OVERDUE_PENALTY, language=language()),
        )
    )
    ranking["label"] = [
        f"{rank}. {unit}" for rank, unit in zip(ranking["rank"], ranking["lead_unit"], strict=True)
    ]
    plot(figure(ranking_bars, ranking, tr("tasks.score")), width="stretch")
    last = ranking[ranking["rank"] == ranking["rank"].iloc[-1]]  # all who share last place
    finding(
        tr(
            "tasks.ranking_finding",
            units=len(ranking),
            units_noun=unit_word("format.unit_lead_units", len(ranking), language()),
            with_overdue=int((ranking["overdue"] > 0).sum()),
            last=tied_names(last["lead_unit"].tolist(), language(), "tasks.tied_units_many"),
            last_score=appraisal_text(float(last["score"].iloc[0])),
        )
    )
    table = pd.DataFrame(
        {
            tr("tasks.col_rank"): ranking["rank"],
            tr("tasks.col_lead_unit"): ranking["lead_unit"],
            tr("tasks.col_tasks"): ranking["tasks"],
            tr("tasks.col_completed"): ranking["completed"],
            tr("tasks.col_completion_rate"): ranking["completion_rate"].round(1),
            tr("tasks.col_on_time_rate"): ranking["on_time_rate"].round(1),
            tr("tasks.col_overdue"): ranking["overdue"],
            tr("tasks.col_score"): ranking["score"],
        }
    )
    data_table(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            tr("tasks.col_score"): st.column_config.NumberColumn(format=f"%.{APPRAISAL_DECIMALS}f")
        },
    )
    download_table(table, tr("tasks.ranking_file"), key="download_ranking")

# Evidence (佐证材料): see and download a task's files; staff and admins attach them.
st.subheader(tr("evidence.heading"))
st.caption(
    tr("evidence.help", max=settings.evidence_max_mb())
    + (tr("evidence.help_required") if settings.evidence_required() else "")
)
awaiting_count = int(counts["awaiting_evidence"].sum())
if awaiting_count:
    awaiting = "evidence.awaiting_title_one" if awaiting_count == 1 else "evidence.awaiting_title"
    st.warning(tr(awaiting, count=awaiting_count), icon=":material/attach_file:")
    list_section(
        "awaiting_evidence",
        awaiting_count,
        ["code", "content", "lead_unit", "owner", "district", "action"],
        "evidence.awaiting_file",
    )
# The picker offers the tasks of the scope (staff: their districts' and units') whose code
# or content holds the search text, a few hundred at a time.
search = st.text_input(tr("evidence.search"), key="evidence_search").strip()
own = (principal.districts, principal.units) if principal.role == "staff" else None
mine = query(task_choices, filters.districts, filters.action, search, own)
if mine.empty:
    empty_state("evidence.no_tasks")
else:
    contents = dict(zip(mine["code"], mine["content"], strict=True))
    if len(mine) == PICK_LIMIT:
        st.caption(tr("evidence.search_more", limit=PICK_LIMIT))
    code = st.selectbox(
        tr("evidence.pick_task"),
        list(contents),
        format_func=lambda c: f"{c} {contents[c][:40]}",
        key="evidence_task",
    )
    with engine().connect() as conn:
        files = evidence.evidence_list(conn, principal, code)
        periods = evidence.report_periods(conn, code)
    if files.empty:
        st.caption(tr("evidence.none"))
    else:
        shown = files.assign(
            size=(files["size"] / 1024).round(1),
            report_period=files["report_period"].map(lambda p: period_label(p, language())),
            uploaded_at=files["uploaded_at"].map(time_text),
        )
        columns = [
            "report_period",
            "file_name",
            "file_type",
            "size",
            "uploader",
            "uploaded_at",
            "note",
        ]
        data_table(
            shown[columns].rename(columns={c: tr(f"evidence.col_{c}") for c in columns}),
            hide_index=True,
            width="stretch",
        )
        database = engine()
        for item in files.itertuples(index=False):
            st.download_button(
                tr("evidence.download", file=literal(item.file_name)),
                # Built (and audited) only when clicked, served as its checked type.
                lambda item_id=int(item.id): evidence.download(database, principal, item_id).data,
                file_name=item.file_name,
                mime=evidence.CONTENT_TYPES[item.file_type],
                key=f"evidence_download_{item.id}",
                icon=":material/download:",
                on_click="ignore",
            )
    if allowed(principal, "attach_evidence") and periods:
        with st.form("evidence_form", clear_on_submit=True):
            period = st.selectbox(
                tr("evidence.pick_period"),
                periods,
                format_func=lambda p: period_label(p, language()),
            )
            upload = file_uploader(
                tr("evidence.upload"),
                EVIDENCE_TYPES,
                settings.evidence_max_mb(),
                key="evidence_file",
                max_upload_size=settings.evidence_max_mb(),
            )
            note = st.text_input(tr("evidence.note"))
            if st.form_submit_button(tr("evidence.attach"), icon=":material/upload_file:"):
                if upload is None:
                    st.error(tr("evidence.empty", file=""), icon=":material/error:")
                else:
                    try:
                        evidence.attach(
                            engine(), principal, code, period, upload.name, upload.getvalue(), note
                        )
                    except InputError as error:
                        st.error(literal(error.message()), icon=":material/error:")
                    else:
                        st.session_state["evidence_notice"] = tr(
                            "evidence.attached", file=literal(upload.name)
                        )
                        st.rerun()
    notice = st.session_state.pop("evidence_notice", None)
    if notice:
        st.success(notice, icon=":material/check:")
