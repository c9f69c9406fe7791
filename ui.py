"""Shared Streamlit pieces: database access, language, cached queries, cards, empty states.

Pages import from here; domain logic stays in `data_model`.
"""

from __future__ import annotations

import html
import importlib
import json
import re
from collections.abc import Callable, Iterable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from data_model import settings
from data_model.accounts import sessions
from data_model.accounts.permissions import PermissionDenied, Principal, allowed
from data_model.accounts.users import principal_for, record_logout
from data_model.admin.bootstrap import open_database
from data_model.charts.common import LEVEL_COLORS, literal_labels, localise_axes
from data_model.charts.images import chart_png, find_browser
from data_model.formatting import NO_VALUE, format_percent, join_names, unbroken_units
from data_model.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_in_use, t, use_language
from data_model.outputs.export import frame_to_xlsx
from data_model.periods import period_containing, period_end, period_label
from data_model.problems import ImportReport
from data_model.queries.filters import (
    PAGE_GRANULARITIES,
    Filters,
    default_period,
    from_params,
    skipped_year,
    to_params,
)
from data_model.queries.forecast import slipping_in_scope
from data_model.queries.headlines import Headline
from data_model.queries.shared import data_version, district_names, filter_options
from data_model.reference.geo import DistrictMap
from data_model.store import audit
from data_model.store.db import normalize_url
from data_model.supervision import reminders
from data_model.workflow.review import returned_to
from data_model.workflow.upload import (
    PROBLEMS_IN_PAGE,
    changes_frame,
    problem_groups,
    problems_frame,
)

LANGUAGE_KEY = "lang"


@st.cache_resource(show_spinner=False)
def _engine(url: str):
    return open_database(url)


def engine():
    """The app's engine; the schema is migrated on first use in this process."""
    return _engine(normalize_url(settings.database_url()))


def language() -> str:
    """The viewer's language: `?lang=en` in the URL, else the session's choice, else zh-CN.

    The session remembers it because moving to another page drops the query string.
    """
    chosen = st.query_params.get(LANGUAGE_KEY) or st.session_state.get(LANGUAGE_KEY)
    if chosen not in LANGUAGES:
        chosen = DEFAULT_LANGUAGE
    if st.session_state.get(LANGUAGE_KEY) != chosen:
        st.session_state[LANGUAGE_KEY] = chosen
    return chosen


def tr(key: str, **params: object) -> str:
    """Catalogue text in the viewer's language."""
    return t(key, language(), **params)


# The punctuation that starts Markdown within a line, each made literal by a backslash
# (CommonMark): links and images, emphasis, code, Streamlit's `:material/…:` icons and
# `:red[…]` colours (and `http:` autolinks), `$` LaTeX, tables, HTML-like tags; and a
# `#` that starts a line (a heading).
_MARKDOWN_PUNCTUATION = str.maketrans({c: "\\" + c for c in "!$()*:<>[\\]_`|~"})
_LINE_HEADING = re.compile(r"^(\s*)#", re.MULTILINE)
# Streamlit draws `:material/bolt:` (`:material_bolt:`), `:streamlit:` and emoji codes
# such as `:smile:` by replacing them in the text after Markdown is parsed, where a
# backslash escape is gone: an invisible WORD JOINER after the colon breaks the code.
_SHORTCODE_START = re.compile(r":(?=[\w+-]+[:/])", re.ASCII)
WORD_JOINER = "\u2060"


def literal(text: object) -> str:
    """Text someone typed or named (a file name, a note, a message quoting a cell), shown
    as written inside Markdown (st.markdown, captions, alerts, labels): an uploaded
    `![](http://…)` would otherwise make every viewer's browser fetch that address, and a
    link could phish. A `#` is escaped only where it would start a heading, so that
    "批次 #5" reads the same in the page's source as on screen. A colon that starts an
    icon or emoji code is followed by an invisible WORD JOINER as well (escaping it is
    not enough), so a file named `:material/bolt: x.xlsx` shows no icon."""
    text = _SHORTCODE_START.sub(":" + WORD_JOINER, str(text))
    return _LINE_HEADING.sub(r"\1\\#", text.translate(_MARKDOWN_PUNCTUATION))


# The theme's font stack (.streamlit/config.toml) names this face first. The Chinese fonts
# after it draw curly quotes, dashes, the ellipsis and the middle dot a full em wide, as
# Chinese punctuation is: English text read ` “Import” .`. On English pages the face is
# defined, for those characters only (unicode-range), from the Latin font of each system;
# on Chinese pages it is not, and the browser skips the name: their punctuation stays
# full-width. Local fonts only, nothing is fetched (the app runs on an intranet).
LATIN_PUNCTUATION = "Latin Punctuation"
LATIN_PUNCTUATION_RANGE = "U+00B7, U+2010-2027"
LATIN_FONTS = {
    "normal": ("Segoe UI", "Arial", "Helvetica Neue", "Liberation Sans", "DejaVu Sans"),
    "bold": (
        "Segoe UI Bold",
        "Arial Bold",
        "Helvetica Neue Bold",
        "Liberation Sans Bold",
        "DejaVu Sans Bold",
    ),
}


def latin_punctuation_css() -> str:
    """The `@font-face` rules of LATIN_PUNCTUATION: a regular and a bold face."""
    faces = []
    for weight, fonts in LATIN_FONTS.items():
        sources = ", ".join(f'local("{font}")' for font in fonts)
        faces.append(
            f'@font-face {{ font-family: "{LATIN_PUNCTUATION}"; font-weight: {weight}; '
            f"src: {sources}; unicode-range: {LATIN_PUNCTUATION_RANGE}; }}"
        )
    return "\n".join(faces)


def latin_punctuation() -> None:
    """On a page in a language other than Chinese, the Latin font's punctuation."""
    if language() != DEFAULT_LANGUAGE:
        st.html(f"<style>{latin_punctuation_css()}</style>")


def language_switch() -> None:
    current = language()
    choice = st.sidebar.radio(
        tr("app.language"),
        LANGUAGES,
        index=LANGUAGES.index(current),
        format_func=lambda code: t("app.language_name", code),
        horizontal=True,
    )
    if choice != current:
        st.session_state[LANGUAGE_KEY] = choice
        if choice == DEFAULT_LANGUAGE:
            st.query_params.pop(LANGUAGE_KEY, None)
        else:
            st.query_params[LANGUAGE_KEY] = choice
        st.rerun()


def read(function: Callable, *args):
    """Run `function(conn, *args)` now, uncached: for what a submission does not change
    (notices, deliveries, users) or must be read fresh."""
    with engine().connect() as conn:
        return function(conn, *args)


def current_data_version() -> tuple:
    return read(data_version)


def data_state() -> tuple[str, tuple]:
    """The database and its data version: what a cached result depends on."""
    return engine().url.render_as_string(hide_password=False), current_data_version()


def query(function: Callable, *args):
    """Run `function(conn, *args)` from `data_model`, cached until the data changes.

    The cache key includes the data version, so a new submission (in this process
    or another one sharing the database) is shown at once and nothing stale is served.
    """
    url = engine().url.render_as_string(hide_password=False)
    return _cached_query(
        url,
        current_data_version(),
        language_in_use(),  # of any text it writes without being given a language
        function.__module__,
        function.__qualname__,
        args,
    )


# Every parameter is part of the cache key (Streamlit skips only names starting with "_").
@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(url: str, version: tuple, language: str, module: str, name: str, args: tuple):
    return read(getattr(importlib.import_module(module), name), *args)


def empty_state(message_key: str) -> None:
    st.info(tr(message_key), icon=":material/inbox:")


def no_data_state(message_key: str, principal: Principal) -> None:
    """A page with no data yet (`message_key`) and what the viewer can do about it: upload
    (staff, admins), load the sample data (admins), or wait for the staff (a leader or a
    reviewer, who can do neither)."""
    hints = ["app.no_data_upload"] if allowed(principal, "upload") else ["app.no_data_wait"]
    if allowed(principal, "manage_master_data"):
        hints.append("app.no_data_sample")
    st.info("".join([tr(message_key), *map(tr, hints)]), icon=":material/inbox:")


def section_heading(text: str) -> None:
    """A section's heading (`st.subheader`) with each number kept on one line with its
    unit (`unbroken_units`, as on the slides): the page is shown on a projector too, where
    a heading in large type broke `0.6 天` between the two."""
    st.subheader(unbroken_units(text))


def finding(text: str) -> None:
    """The sentence under a chart that says what it shows, as written (`literal`): it
    names districts, units, actions and tasks as the data wrote them, and no finding is
    Markdown."""
    st.caption(literal(text))


def figure(build: Callable[..., go.Figure], *args, **kwargs) -> go.Figure:
    """The figure `build(*args, **kwargs)` makes (a chart builder of `data_model.charts`:
    a pure function of its arguments), with axis ticks in the viewer's language (`2万`,
    not `20k`) and its texts shown as written (`literal_labels`: an uploaded name is never
    a link).

    Built once per distinct arguments and language, and shared by every session: a warm
    render does not pay plotly's validation again. Nobody changes a figure after it is
    built; draw it with `plot`."""
    return _cached_figure(build.__module__, build.__qualname__, language(), args, kwargs)


# A district map's shapes are frozen tuples: Python's own hash of them takes 0.1 ms where
# Streamlit's walk of every point took 40 ms on each render.
@st.cache_resource(show_spinner=False, max_entries=256, hash_funcs={DistrictMap: hash})
def _cached_figure(module: str, name: str, language: str, args: tuple, kwargs: dict):
    build = getattr(importlib.import_module(module), name)
    return literal_labels(localise_axes(build(*args, **kwargs), language))


def forget_results() -> None:
    """Drop every cached query result and figure: the next render reads and draws as the
    first one after an upload does (the benchmarks' cold render)."""
    st.cache_data.clear()
    _cached_figure.clear()


def plot(chart: go.Figure, **options) -> object:
    """`st.plotly_chart` of a figure from `figure` (or one an output localised and made
    literal already, as the bulletin's charts are)."""
    return st.plotly_chart(chart, **options)


# The uploader's "Upload" button, shown until a file is chosen (then a "+" icon button
# beside the files' chips, each with its own remove button, none of them labelled).
BROWSE_BUTTON = (
    '[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]'
)


def file_uploader(label: str, types: list[str], limit_mb: int, **options) -> object:
    """`st.file_uploader` with its button and limits in the viewer's language.

    Streamlit writes `Upload` and `200MB per file • XLSX` itself, in English, with no
    parameter to change them (streamlit/streamlit#13500, open). Until it has one, a style
    scoped to this uploader's key hides those two texts and shows the catalogue's instead
    (CSS `content`, so no script runs and the widget itself is untouched).
    """
    scope = f".st-key-{options['key']}"
    button = tr("app.uploader_button")
    limits = tr("app.uploader_limits", limit=limit_mb, types=join_names(types, language()))
    st.html(
        f"""<style>
{scope} [data-testid="stFileUploaderDropzoneInstructions"] > * {{ display: none; }}
{scope} [data-testid="stFileUploaderDropzoneInstructions"]::after {{
  content: {json.dumps(limits, ensure_ascii=False)}; font-size: 0.875rem; opacity: 0.6; }}
{scope} {BROWSE_BUTTON} [data-testid="stMarkdownContainer"] {{ display: none; }}
{scope} {BROWSE_BUTTON}::after {{
  content: {json.dumps(button, ensure_ascii=False)}; margin-left: 0.25rem; }}
</style>"""
    )
    return st.file_uploader(label, type=types, **options)


def data_table(data: object, **options) -> object:
    """`st.dataframe` whose missing values read `—`, not Streamlit's `None`."""
    return st.dataframe(data, placeholder=NO_VALUE, **options)


# A table row this high (px) holds four lines of text, and st.dataframe wraps text only in
# rows higher than 4rem: a problem's reason and what to do about it is read whole, not cut
# at the column's edge with its instruction on hover only.
WRAPPED_ROW_HEIGHT = 92
WRAPPED_ROWS_SHOWN = 10  # a taller table scrolls
# Widths (px) of the problem lists' short columns. With the reason's "large" (400 px) a
# list's columns add up to at most 900 px, the width a page has beside the sidebar on a
# 1366-px screen: the reason and the suggestion are read without a sideways scroll.
PROBLEM_COLUMN_WIDTHS = {
    "level": 60,
    "sheet": 80,
    "row": 50,
    "column": 90,
    "value": 120,
    "suggestion": 100,
    "count": 60,
    "values": 60,
}


def wrapped_height(rows: int) -> int:
    """The height (px) of a table of WRAPPED_ROW_HEIGHT rows that shows `rows` of them, at
    most WRAPPED_ROWS_SHOWN, whole (Streamlit's own height counts rows of one line)."""
    return 38 + min(max(rows, 1), WRAPPED_ROWS_SHOWN) * WRAPPED_ROW_HEIGHT


def show_problems(report: ImportReport, all_in_download: bool = False) -> None:
    """A report's problems, one line each; a file with more than a page lists is first
    shown counted by kind of problem, then its first problems (`PROBLEMS_IN_PAGE`).
    `all_in_download`: the page offers a download of every problem below."""
    total = report.problem_count
    if not total:
        return
    # One word per level, not one look-up per problem (300,000 in a file of wrong rows).
    levels = {level: tr(f"upload.level_{level}") for level in ("error", "warning")}
    message = st.column_config.TextColumn(width="large")

    def widths(columns: Iterable[str], header: Callable[[str], str]) -> dict:
        return {
            header(c): st.column_config.Column(width=PROBLEM_COLUMN_WIDTHS[c])
            for c in columns
            if c in PROBLEM_COLUMN_WIDTHS
        }

    if total > PROBLEMS_IN_PAGE:
        note = tr("upload.problems_many", total=total, shown=PROBLEMS_IN_PAGE)
        if report.unlisted_count:
            note = f"{note}{tr('upload.problems_unlisted', listed=total - report.unlisted_count, unlisted=report.unlisted_count)}"
        elif all_in_download:
            note = f"{note}{tr('upload.problems_all_in_download')}"
        st.info(note, icon=":material/summarize:")
        groups = problem_groups(report)
        groups["level"] = groups["level"].map(levels)
        data_table(
            groups.rename(columns=group_header),
            hide_index=True,
            column_config={
                **widths(groups.columns, group_header),
                tr("upload.group_message"): message,
            },
            row_height=WRAPPED_ROW_HEIGHT,
            height=wrapped_height(len(groups)),
        )
    problems = problems_frame(report, PROBLEMS_IN_PAGE)
    problems["level"] = problems["level"].map(levels)
    data_table(
        problems.rename(columns=problem_header),
        hide_index=True,
        column_config={
            **widths(problems.columns, problem_header),
            tr("upload.problem_message"): message,
        },
        row_height=WRAPPED_ROW_HEIGHT,
        height=wrapped_height(len(problems)),
    )


def problem_header(column: str) -> str:
    """The header of a problem list's column (`problems_frame`'s)."""
    return tr(f"upload.problem_{column}")


def group_header(column: str) -> str:
    """The header of a counted problem list's column (`problem_groups`'): its own words
    for what only it has, a problem list's for the rest."""
    if column in ("count", "values", "row", "message"):
        return tr(f"upload.group_{column}")
    return problem_header(column)


def time_column(label: str | None = None):
    """A table column of times shown to the minute."""
    return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")


def download_table(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    """An Excel download of a table (formula-like text neutralised), built when clicked;
    downloads are audited."""
    download_file(
        tr("app.download_excel"),
        lambda: frame_to_xlsx(frame, file_stem),
        f"{file_stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key,
        rows=len(frame),
    )


def download_file(
    label: str, make: Callable[[], bytes], file_name: str, mime: str, key: str, rows: int = 0
) -> None:
    """A download whose content `make()` builds only when clicked (a Word file with charts
    takes seconds), audited when it is built.

    Clicking does not rerun the page: the file is built on a thread of its own, which
    cannot read the session and starts without the page's language, so the user, the
    sign-in session, the engine and the language are taken now (the file's texts are in
    the language of the page it was downloaded from), and the session is checked again
    when the file is built: a button left on the screen gives nothing once its user is
    signed out, disabled or idle too long.
    (With a rerun on click, a slow page could finish its rerun and retire the button's
    file before the browser asked for it, and the download silently did not start.)
    """
    username = st.session_state.get(USERNAME_KEY)
    session_id = st.session_state.get(SESSION_KEY)
    database = engine()
    page_language = language_in_use()

    def build() -> bytes:
        use_language(page_language)
        if username is not None:
            with database.begin() as conn:
                live = sessions.resume(conn, session_id=session_id)
            if not isinstance(live, sessions.Resumed):
                raise PermissionDenied(None, "export")  # the browser says the download failed
        data = make()
        if username is not None:
            with database.begin() as conn:
                audit.record(conn, username, "export", what=file_name, rows=rows)
        return data

    st.download_button(
        label,
        build,
        file_name=file_name,
        mime=mime,
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def download_chart(figure: go.Figure, file_stem: str, key: str) -> None:
    """A PNG of the chart rendered on the server, Chinese text intact; nothing when the
    server has no Chrome/Chromium to render it (see `charts.images`)."""
    if find_browser() is None:
        return
    download_file(
        tr("app.download_png"), lambda: chart_png(figure), f"{file_stem}.png", "image/png", key
    )


FILTER_KEYS = ("f_granularity", "f_period", "f_districts", "f_dimension", "f_action")


def keep_filter_state() -> None:
    """Keep the sidebar filters' values while a page without them (upload, admin) is shown:
    Streamlit drops a widget's value after a run that does not draw the widget. app.py
    calls this on every run."""
    for key in FILTER_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _one_or_all(sidebar, name: str, choices: list[str]) -> str:
    """The sidebar's choice of one `name` (`filters.<name>`, kept as `f_<name>`); "" is all."""
    return sidebar.selectbox(
        tr(f"filters.{name}"),
        ["", *choices],
        format_func=lambda choice: choice or tr("filters.all"),
        key=f"f_{name}",
    )


def dashboard(page: str, show: tuple[str, ...]) -> tuple[Principal, Filters]:
    """The top of a dashboard page: the sign-in check (`view_dashboards`), the title
    (`<page>.title`) and the global filters offering `show`; with no data to filter yet,
    the page's `<page>.no_data` state, and the page stops. (Streamlit may run a file of
    pages/ directly, before app.py has registered the pages, e.g. right after a restart:
    every page checks the sign-in itself.)"""
    principal = require_permission("view_dashboards")
    st.title(tr(f"{page}.title"))
    filters = global_filters(show=show)
    if filters is None:
        no_data_state(f"{page}.no_data", principal)
        st.stop()
    return principal, filters


def global_filters(
    show: tuple[str, ...] = ("period", "districts"), keep: tuple[str, ...] = ()
) -> Filters | None:
    """The sidebar filters shared by every page, kept in the session and in the URL.

    On the first run of a session the URL decides (a copied link reopens the same
    view); afterwards the widgets do, and the URL follows them. `show` picks which
    of districts, dimension and action a page offers; period is always shown. `keep`
    names other URL values the page reads itself (they stay in the URL).
    Returns None when there is no data to filter yet.
    """
    options = query(filter_options)
    if options is None:
        return None
    if "f_initialised" not in st.session_state or any(
        key not in st.session_state for key in FILTER_KEYS
    ):
        from_url = from_params(dict(st.query_params.to_dict()), options)
        for notice in from_url.notices:
            st.toast(tr(notice), icon=":material/info:")
        st.session_state.update(
            f_granularity=from_url.granularity,
            f_period=from_url.period,
            f_districts=list(from_url.districts),
            f_dimension=from_url.dimension or "",
            f_action=from_url.action or "",
            f_initialised=True,
        )
    for key in FILTER_KEYS:  # keep values while a page that hides a filter is shown
        st.session_state[key] = st.session_state[key]
    sidebar = st.sidebar
    sidebar.header(tr("filters.heading"))
    granularity = (
        sidebar.segmented_control(
            tr("filters.granularity"),
            PAGE_GRANULARITIES,
            format_func=lambda g: tr(f"filters.gran_{g}"),
            key="f_granularity",
        )
        or "year"
    )
    periods = options.periods(granularity)
    if st.session_state.f_period not in periods:
        st.session_state.f_period = _closest_period(st.session_state.f_period, granularity, periods)
    period = sidebar.selectbox(
        tr("filters.period"),
        periods,
        format_func=lambda p: period_label(p, language()),
        key="f_period",
    )
    skipped = skipped_year(options)
    if skipped is not None and period == default_period(options, granularity):
        sidebar.caption(
            tr(
                "filters.default_skipped",
                year=period_label(skipped[0], language()),
                coverage=format_percent(skipped[1], language()),
                shown=period_label(period, language()),
            )
        )
    districts: list[str] = st.session_state.f_districts
    if "districts" in show:
        districts = sidebar.multiselect(
            tr("filters.districts"),
            options.districts,
            key="f_districts",
            placeholder=tr("filters.all_districts"),
        )
    dimension = st.session_state.f_dimension
    if "dimension" in show:
        dimension = _one_or_all(sidebar, "dimension", options.dimensions)
    action = st.session_state.f_action
    if "action" in show:
        action = _one_or_all(sidebar, "action", options.actions)
    filters = Filters(
        period=period,
        granularity=granularity,
        districts=tuple(districts),
        dimension=dimension or None,
        action=action or None,
    )
    params = to_params(filters, options)
    if language() != DEFAULT_LANGUAGE:
        params[LANGUAGE_KEY] = language()
    for name in keep:  # URL values the page reads itself stay in the URL
        if name in st.query_params:
            params[name] = st.query_params[name]
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    return filters


def _closest_period(previous: str, granularity: str, periods: list[str]) -> str:
    """When the granularity changes, keep the period that holds the old period's end."""
    try:
        wanted = period_containing(period_end(previous), granularity)
    except ValueError:
        return periods[0]
    return wanted if wanted in periods else periods[0]


# --- signing in --------------------------------------------------------------------

USERNAME_KEY, SESSION_KEY = "username", "sign_in_session"
# The handoff token of a session signed in by this Streamlit session, until its browser
# has fetched the cookie; whether the browser's cookie has been tried in this session.
HANDOFF_KEY, COOKIE_TRIED_KEY = "session_handoff", "session_cookie_tried"


def _session_cookie() -> str | None:
    """The session id the browser's cookie holds. Streamlit reads the cookies once, when
    the websocket opens, which is also when a reload or a link starts a new session."""
    value = st.context.cookies.get(sessions.COOKIE_NAME)
    return value if isinstance(value, str) else None  # AppTest has no real cookies


SIGN_IN_TOAST_KEY = "reminders_toast"


def signed_in() -> Principal | None:
    """The signed-in user, or None: the session this Streamlit session signed in with,
    else (once, on its first run) the one the browser's session cookie names (a reload,
    a bookmarked link, another tab). The session and the user are checked in the database
    on every run, so a sign-out, a disabled user, a changed password or idle time
    (`SESSION_IDLE_MINUTES`) ends it at the next action; see data_model/accounts/sessions.py."""
    session_id = st.session_state.get(SESSION_KEY)
    token = None
    if session_id is None:
        if st.session_state.get(COOKIE_TRIED_KEY):
            return None
        st.session_state[COOKIE_TRIED_KEY] = True
        token = _session_cookie()
        if not token:
            return None
    with engine().begin() as conn:
        found = sessions.resume(conn, session_id=session_id, token=token)
        principal = (
            principal_for(conn, found.username) if isinstance(found, sessions.Resumed) else None
        )
    if principal is None:
        idle = isinstance(found, sessions.Ended) and found.reason == "idle"
        _forget_session("app.session_expired" if idle else None)
        return None
    st.session_state[SESSION_KEY] = found.session_id
    st.session_state[USERNAME_KEY] = principal.username
    return principal


def sign_in(principal: Principal) -> None:
    """Start a session for `principal`, who has just proved who they are."""
    with engine().begin() as conn:
        handoff = sessions.start(conn, principal.username)
    st.session_state[USERNAME_KEY] = principal.username
    st.session_state[SESSION_KEY] = handoff.session_id
    st.session_state[HANDOFF_KEY] = handoff.token
    st.session_state[COOKIE_TRIED_KEY] = True
    st.session_state[SIGN_IN_TOAST_KEY] = True  # the reminders greet them once


def sign_out() -> None:
    """End this session (in the database, so the browser's cookie opens nothing any more),
    and the single sign-on identity too: otherwise the next run signs the same person
    straight back in, on a shared meeting-room computer as well."""
    username = st.session_state.get(USERNAME_KEY)
    session_id = st.session_state.get(SESSION_KEY)
    with engine().begin() as conn:
        if session_id is not None:
            sessions.end(conn, session_id, "sign_out")
        if username is not None:
            record_logout(conn, username)
    _forget_session()
    if st.user.to_dict().get("is_logged_in"):
        st.logout()


def _forget_session(notice: str | None = None) -> None:
    for key in (USERNAME_KEY, SESSION_KEY, HANDOFF_KEY):
        st.session_state.pop(key, None)
    st.session_state[COOKIE_TRIED_KEY] = True
    if notice is not None:
        st.session_state["sign_in_notice"] = notice


def hand_session_to_browser() -> None:
    """Right after sign-in, let the browser fetch its session cookie: an image whose
    address holds the one-time handoff token, answered by the server's own route
    (serve.py) with the HttpOnly cookie. No script is involved. Drawn on every run until
    the token is used or runs out (a rerun may remove the image before it loaded)."""
    token = st.session_state.get(HANDOFF_KEY)
    if not token:
        return
    with engine().connect() as conn:
        pending = sessions.handoff_pending(conn, token)
    if not pending:
        st.session_state.pop(HANDOFF_KEY, None)
        return
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    address = f"{'/' + base if base else ''}{sessions.CLAIM_PATH}?token={token}"
    # The token is URL-safe base64 (letters, digits, "-", "_"): nothing to escape.
    st.sidebar.html(f'<img src="{address}" alt="" width="1" height="1" hidden>')


def require_permission(action: str) -> Principal:
    """Stop the page with a clear message unless the signed-in user may do `action`.

    Navigation already hides pages a role may not use; this also covers a page
    reached by a typed URL. Every page starts here: from here on, the texts the domain
    writes without being given a language (the importer's problems, the master-data
    checks' messages) are in the viewer's (`i18n.use_language`).
    """
    use_language(language())
    principal = signed_in()
    if principal is None and PagesManager.uses_pages_directory:
        # Until app.py has called st.navigation once in this server process, Streamlit
        # answers an address like /tasks by running pages/tasks.py itself (its older
        # multipage mode, as the folder is called pages/). That happens only to the first
        # visitor after a restart, who is signed out: turn that mode off, as st.navigation
        # does, and rerun at the same address, query string and all, so that app.py
        # answers with the sign-in screen and then opens this page.
        PagesManager.uses_pages_directory = False
        st.rerun()
    if not allowed(principal, action):
        refusal = PermissionDenied(principal, action).message(language())  # names the user
        st.error(literal(refusal), icon=":material/block:")
        st.stop()
    return principal


def user_box(principal: Principal, greet: bool = True) -> None:
    """Who is signed in, the sign-out button and their reminders, beside every page (with a
    toast on signing in unless `greet` is off, as on the presentation)."""
    st.sidebar.caption(
        tr(
            "app.signed_in_as",
            user=literal(principal.username),
            role=tr(f"users.role_{principal.role}"),
        )
    )
    if allowed(principal, "upload"):
        returned_notice(principal)
    if st.sidebar.button(tr("app.sign_out"), icon=":material/logout:", key="sign_out"):
        sign_out()
        st.rerun()
    notification_area(principal, greet)


def notification_area(principal: Principal, greet: bool = True) -> None:
    """What is due soon or late in the signed-in person's own scope (staff: their units and
    districts; others: the whole city), in the sidebar of every page, edged in the colour
    of its highest escalation level; shown once as a toast on signing in as well."""
    greet = st.session_state.pop(SIGN_IN_TOAST_KEY, False) and greet
    # reminders.today, looked up on every run, so a test can fix the day
    today = reminders.today()
    items = reminders.in_scope(query(reminders.reminder_items, today), principal)
    slipping = reminders.in_scope(query(slipping_in_scope, today), principal, "lead_unit")
    levels = query(reminders.escalation_levels)
    text = reminders.summary_text(
        items, levels, reminders.whose_items(principal), language(), slipping=len(slipping)
    )
    if text is None:
        return
    color = LEVEL_COLORS[reminders.highest_level(items) or reminders.LEVELS[0]]
    # As of today, not of the period the page shows: the heading says so beside a page's
    # own overdue count for its period. The date is not cut at its hyphens (2026-12- / 08).
    day = f'<span style="white-space:nowrap">{today.isoformat()}</span>'
    heading = html.escape(tr("reminders.notification_heading", day="\0")).replace("\0", day)
    st.sidebar.markdown(
        f'<div class="reminders" style="border-left:4px solid {color};padding:0.2em 0.6em">'
        f"<b>{heading}</b><br>{html.escape(text)}</div>",
        unsafe_allow_html=True,
    )
    if allowed(principal, "supervise"):
        st.sidebar.page_link(
            "pages/supervision.py",
            label=tr("reminders.notification_link"),
            icon=":material/notifications_active:",
        )
    if greet:
        st.toast(tr("reminders.notification_toast", text=text), icon=":material/notifications:")


# Headline cards in a row: at 1280 px with the sidebar open a column of three holds a card's
# label, value and change whole (`较上年 +11.2 个百分点  向好`, `+45 people vs last year`);
# five to a row cut them (tests/e2e/test_browser_cards.py).
CARDS_PER_ROW = 3


def card_columns(count: int) -> list:
    """Columns for `count` headline cards, CARDS_PER_ROW to a row (the last row's cards
    stay as wide as the others'), in reading order."""
    columns: list = []
    for start in range(0, count, CARDS_PER_ROW):
        columns.extend(st.columns(CARDS_PER_ROW)[: min(CARDS_PER_ROW, count - start)])
    return columns


def headline_metric(
    container, headline: Headline, label: str | None = None, help: str | None = None
) -> None:
    """A headline card: value, the change in words (`较上年 +5 项`) coloured by what it
    means, with its arrow and a word (向好/走弱) as the colour's twins; no change shown
    when there is nothing to compare with."""
    delta = headline.delta
    container.metric(
        label or tr(f"overview.{headline.key}"),
        headline.value_text(language()),
        None if delta is None else delta.text(language()),
        delta_color="off" if delta is None else delta.metric_color,
        delta_arrow="auto" if delta is None else delta.arrow,
        delta_description=None if delta is None else delta.tone_word(language()),
        help=help,
    )


def returned_notice(principal: Principal) -> None:
    """From sign-in on, until they resubmit: the submitter's returned submissions and why."""
    notes = query(returned_to, principal.username)
    if notes.empty:
        return
    whole = notes[notes["row"].isna()]
    count = notes["submission_id"].nunique()
    st.sidebar.warning(
        tr(
            "review.returned_notice_one" if count == 1 else "review.returned_notice",
            count=count,
            ids=join_names((f"#{i}" for i in sorted(notes["submission_id"].unique())), language()),
            reason=literal(whole["reason"].iloc[0]) if not whole.empty else "",
        ),
        icon=":material/undo:",
    )
    st.sidebar.page_link("pages/submissions.py", label=tr("review.returned_link"))


def field_label(field: str) -> str:
    """The label of a record field (a stored column: `value` → 数值)."""
    return tr(f"submissions.field_{field}")


def show_review_notes(notes: pd.DataFrame) -> None:
    """A returned submission's reasons as its submitter reads them, one line each: where
    (the whole submission, a sheet's row, a cell), why, and who said so; the sheet's name,
    the reason and the reviewer as written (`literal`) in the catalogue's Markdown."""
    lines = []
    for n in notes.itertuples(index=False):
        where = (
            tr("review.note_whole")
            if pd.isna(n.row)
            else tr("review.note_row", sheet=literal(n.sheet), row=int(n.row))
            + (f" · {field_label(n.column)}" if n.column else "")
        )
        lines.append(
            tr("review.note_line", where=where, reason=literal(n.reason), by=literal(n.by))
        )
    st.markdown("\n".join(lines))


def show_write_preview(new: int, replaced: int, unchanged: int) -> None:
    """What a commit would write (an upload's preview, a held submission's approval)."""
    st.info(
        tr("upload.preview", new=new, replaced=replaced, unchanged=unchanged),
        icon=":material/preview:",
    )


def changes_table(examples: list[dict]) -> pd.DataFrame:
    """Replaced values old → new (`storage.WriteCounts.replaced_examples`), labelled."""
    changes = changes_frame(examples, query(district_names))
    return changes.rename(columns=lambda c: tr(f"upload.change_{c}"))


def show_held_rows(rows: pd.DataFrame) -> None:
    """The rows a submission held by review holds, under their count."""
    st.caption(
        tr("review.rows_heading_one" if len(rows) == 1 else "review.rows_heading", count=len(rows))
    )
    data_table(held_rows_table(rows), hide_index=True)


def held_rows_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of a submission held by review (`review.rows_frame`) with their labels."""
    places = {"kind": "review.col_kind", "sheet": "review.col_sheet", "row": "review.col_row"}
    return (
        rows.drop(columns=["pending_row_id"])
        .assign(kind=rows["kind"].map(lambda k: tr(f"kinds.{k}")))
        .rename(columns=lambda c: tr(places[c]) if c in places else field_label(c))
    )
