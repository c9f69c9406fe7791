"""Shared Streamlit pieces: database access, language, cached queries, cards, empty states.

Pages import from here; domain logic stays in `data_model`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pandas as pd
import streamlit as st

from data_model import settings
from data_model.cli import open_database
from data_model.db import normalize_url
from data_model.export import frame_to_xlsx
from data_model.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from data_model.queries import data_version

LANGUAGE_KEY = "lang"


@st.cache_resource(show_spinner=False)
def _engine(url: str):
    return open_database(url)


def engine():
    """The app's engine; the schema is migrated on first use in this process."""
    return _engine(normalize_url(settings.database_url()))


def language() -> str:
    """The viewer's language: `?lang=en` in the URL, else zh-CN."""
    chosen = st.query_params.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def tr(key: str, **params: object) -> str:
    """Catalogue text in the viewer's language."""
    return t(key, language(), **params)


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
        if choice == DEFAULT_LANGUAGE:
            del st.query_params[LANGUAGE_KEY]
        else:
            st.query_params[LANGUAGE_KEY] = choice
        st.rerun()


def current_data_version() -> tuple:
    with engine().connect() as conn:
        return data_version(conn)


def query(function: Callable, *args):
    """Run `function(conn, *args)` from `data_model`, cached until the data changes.

    The cache key includes the data version, so a new submission (in this process
    or another one sharing the database) is shown at once and nothing stale is served.
    """
    url = engine().url.render_as_string(hide_password=False)
    return _cached_query(
        url, current_data_version(), function.__module__, function.__qualname__, args
    )


# Every parameter is part of the cache key (Streamlit skips only names starting with "_").
@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(url: str, version: tuple, module: str, name: str, args: tuple):
    function = getattr(importlib.import_module(module), name)
    with engine().connect() as conn:
        return function(conn, *args)


def empty_state(message_key: str) -> None:
    st.info(tr(message_key), icon=":material/inbox:")


def finding(text: str) -> None:
    """The sentence under a chart that says what it shows."""
    st.caption(text)


def download_table(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    st.download_button(
        tr("app.download_excel"),
        frame_to_xlsx(frame),
        file_name=f"{file_stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=key,
        icon=":material/download:",
    )
