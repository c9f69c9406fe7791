"""主数据管理 Master data: a tab per list (table, add, edit, rename, merge, deactivate), the
indicators (the 指标体系 edited as a table) and the master workbook (export, import). Every
change of a list goes through data_model.admin.master_admin; an edit of the indicators is stored
as a submission through data_model.admin.indicator_admin, as an uploaded 指标体系 sheet is."""

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from data_model import settings
from data_model.accounts.permissions import PermissionDenied
from data_model.admin import indicator_admin, master_admin
from data_model.admin.master_admin import DISTRICT_KINDS, LISTS, UNIT_CATEGORIES
from data_model.admin.master_workbook import export_workbook, import_workbook
from data_model.errors import InputError
from data_model.formatting import join_names, unit_word
from data_model.i18n import DEFAULT_LANGUAGE
from ui import (
    data_table,
    download_file,
    engine,
    file_uploader,
    language,
    literal,
    query,
    require_permission,
    show_problems,
    tr,
)

FLASH_KEY = "master_flash"
INDICATORS_EDITOR = "indicators_editor"
TABS_KEY = "master_tab"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

principal = require_permission("manage_master_data")
st.title(tr("master.page_title"))
st.caption(tr("master.page_intro"))
if st.session_state.get(FLASH_KEY):
    st.success(st.session_state.pop(FLASH_KEY), icon=":material/check_circle:")


def apply(change: Callable, done: Callable[[object], str]) -> None:
    """Run one change in its own transaction; on success say so after the rerun."""
    try:
        with engine().begin() as conn:
            result = change(conn)
    except PermissionDenied as error:
        st.error(literal(error.message(language())))
        return
    except InputError as error:
        hint = " " + tr("cli.did_you_mean", suggestion=error.suggestion) if error.suggestion else ""
        st.error(literal(error.message() + hint))
        return
    st.session_state[FLASH_KEY] = done(result)
    st.rerun()


def shown(key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The list as people read it: labels instead of codes, aliases as a list."""
    table = frame.drop(columns=["id"]).copy()
    table["aliases"] = table["aliases"].map(lambda aliases: join_names(aliases, language()))
    table["is_active"] = table["is_active"].map(
        lambda active: tr("master.active" if active else "master.inactive")
    )
    for field in ("kind", "category"):
        if field in table:
            table[field] = table[field].map(lambda value, f=field: tr(f"master.{f}_{value}"))
    return table.rename(columns=lambda c: tr(f"master.col_{c}"))


def field_inputs(key: str, prefix: str, entry: dict | None, choices: dict) -> dict:
    """Inputs for the editable fields of a list (not name or status), filled from `entry`."""
    entry = entry or {}
    values = {}
    for field in LISTS[key].fields:
        label = tr(f"master.col_{field}")
        widget = f"{prefix}_{field}"
        current = entry.get(field)
        if field in ("name", "is_active"):
            continue
        if field == "aliases":
            values[field] = st.text_input(
                label,
                master_admin.ALIAS_SEPARATOR.join(current or ()),
                key=widget,
                help=tr("master.aliases_help"),
            )
        elif field in ("kind", "category"):
            options = DISTRICT_KINDS if field == "kind" else UNIT_CATEGORIES
            default = current or ("district" if field == "kind" else "other")
            values[field] = st.selectbox(
                label,
                options,
                index=options.index(default),
                format_func=lambda v, f=field: tr(f"master.{f}_{v}"),
                key=widget,
            )
        elif field in ("district", "parent"):
            options = ["", *choices[field]]
            values[field] = st.selectbox(
                label,
                options,
                index=options.index(current) if current in options else 0,
                format_func=lambda v: v or tr("master.none"),
                key=widget,
            )
        elif field == "sort_order":
            values[field] = int(st.number_input(label, value=int(current or 0), step=1, key=widget))
        else:
            values[field] = st.text_input(label, current or "", key=widget)
    return values


def list_tab(key: str) -> None:
    kind = tr(LISTS[key].kind_key)
    # How often each entry is used: kept counts of the largest tables, cached until a write.
    frame = query(master_admin.list_entries, principal, key)
    with engine().connect() as conn:
        choices = {
            "district": [e["name"] for e in master_admin.entries(conn, "districts")],
            "parent": [e["name"] for e in master_admin.entries(conn, "units")],
        }
    data_table(shown(key, frame), hide_index=True)
    names = frame["name"].tolist()
    by_name = {row["name"]: row for row in frame.to_dict("records")}

    with (
        st.expander(tr("master.add_heading"), icon=":material/add:"),
        st.form(f"master_add_{key}", clear_on_submit=True, enter_to_submit=False),
    ):
        name = st.text_input(tr("master.col_name"), key=f"add_{key}_name")
        values = field_inputs(key, f"add_{key}", None, choices)
        if st.form_submit_button(tr("master.add_button"), type="primary"):
            values.pop("sort_order", None)  # a new entry goes last
            apply(
                lambda conn: master_admin.add_entry(conn, principal, key, name=name, **values),
                lambda entry: tr("master.cli_added", kind=kind, name=literal(entry["name"])),
            )

    if not names:
        return
    with st.expander(tr("master.edit_heading"), icon=":material/edit:"):
        picked = st.selectbox(tr("master.pick"), names, key=f"edit_{key}_pick")
        with st.form(f"master_edit_{key}", enter_to_submit=False):
            values = field_inputs(key, f"edit_{key}_{picked}", by_name[picked], choices)
            if st.form_submit_button(tr("master.save_button"), type="primary"):
                apply(
                    lambda conn: master_admin.edit_entry(conn, principal, key, picked, **values),
                    lambda entry: tr("master.cli_edited", kind=kind, name=literal(entry["name"])),
                )

    with st.expander(tr("master.rename_heading"), icon=":material/drive_file_rename_outline:"):
        left, right = st.columns(2)
        old = left.selectbox(tr("master.pick"), names, key=f"rename_{key}_pick")
        new = right.text_input(tr("master.new_name"), key=f"rename_{key}_new")
        if st.button(tr("master.rename_button"), key=f"rename_{key}_go"):
            apply(
                lambda conn: master_admin.rename_entry(conn, principal, key, old, new),
                lambda entry: tr(
                    "master.cli_renamed", kind=kind, old=literal(old), new=literal(entry["name"])
                ),
            )

    with st.expander(tr("master.merge_heading"), icon=":material/merge:"):
        st.caption(tr("master.merge_help"))
        left, right = st.columns(2)
        merged = left.selectbox(tr("master.merged_pick"), names, key=f"merge_{key}_gone")
        survivor = right.selectbox(tr("master.survivor_pick"), names, key=f"merge_{key}_kept")
        if st.button(tr("master.merge_button"), key=f"merge_{key}_go"):
            apply(
                lambda conn: master_admin.merge_entries(conn, principal, key, merged, survivor),
                lambda result: tr(
                    "master.cli_merged",
                    kind=kind,
                    merged=literal(merged),
                    survivor=literal(result["survivor"]["name"]),
                    moved=result["moved"],
                    moved_noun=unit_word("format.unit_references", result["moved"], language()),
                ),
            )

    with st.expander(tr("master.status_heading"), icon=":material/toggle_on:"):
        picked = st.selectbox(tr("master.pick"), names, key=f"status_{key}_pick")
        active = bool(by_name[picked]["is_active"])
        left, right = st.columns(2)
        toggle = "master.deactivate_button" if active else "master.reactivate_button"
        if left.button(tr(toggle), key=f"status_{key}_toggle"):
            done = "master.cli_deactivated" if active else "master.cli_reactivated"
            apply(
                lambda conn: master_admin.set_active(conn, principal, key, picked, not active),
                lambda entry: tr(done, kind=kind, name=literal(entry["name"])),
            )
        if right.button(tr("master.delete_button"), key=f"status_{key}_delete"):
            apply(
                lambda conn: master_admin.delete_entry(conn, principal, key, picked),
                lambda _: tr("master.cli_deleted", kind=kind, name=literal(picked)),
            )


def workbook_tab() -> None:
    st.subheader(tr("master.export_heading"))
    database = engine()

    def export() -> bytes:
        with database.begin() as conn:
            return export_workbook(conn, principal, record=False)

    download_file(tr("master.export_button"), export, "master_data.xlsx", XLSX, "master_export")
    if language() != DEFAULT_LANGUAGE:  # export_workbook writes the language its import reads
        st.caption(tr("master.export_language_note"))
    st.subheader(tr("master.import_heading"))
    upload = file_uploader(
        tr("master.import_file"), ["xlsx"], settings.max_upload_mb(), key="master_import_file"
    )
    replace = st.checkbox(tr("master.replace_option"), key="master_import_replace")
    dry_run = st.checkbox(tr("master.dry_run_option"), key="master_import_dry_run")
    if upload is not None and st.button(tr("master.import_button"), type="primary"):
        with engine().connect() as conn, conn.begin() as transaction:
            report = import_workbook(
                conn, principal, upload.getvalue(), upload.name, replace=replace, dry_run=dry_run
            )
            if report.status == "rejected" or dry_run:
                transaction.rollback()
        if report.status == "rejected":
            st.error(literal(report.message))
            st.markdown(f"**{tr('master.problems_heading')}**")
            show_problems(report)
        else:
            st.success(literal(report.message))


def indicators_tab() -> None:
    st.caption(tr("master_indicators.intro"))
    database = engine()
    with database.connect() as conn:
        table = indicator_admin.current_indicators(conn)

    def export() -> bytes:
        with database.connect() as conn:
            return indicator_admin.indicators_workbook(conn)

    download_file(
        tr("master_indicators.download_button"),
        export,
        tr("master_indicators.file_name"),
        XLSX,
        "indicators_export",
        rows=len(table),
    )
    if table.empty:
        st.info(tr("master_indicators.empty"))
    columns = {}
    for field, header in indicator_admin.HEADERS.items():
        label = tr(f"master_indicators.col_{field}")
        options = indicator_admin.choices(field)
        if options:
            columns[header] = st.column_config.SelectboxColumn(label, options=options)
        elif field in ("weight", "target"):
            columns[header] = st.column_config.NumberColumn(label)
        else:
            columns[header] = st.column_config.TextColumn(label)
    # Rows can be added, not deleted: storing the sheet never withdraws an indicator.
    edited = st.data_editor(
        table,
        key=INDICATORS_EDITOR,
        num_rows="add",
        hide_index=True,
        column_config=columns,
        placeholder="",
    )
    if not st.button(tr("master_indicators.save_button"), type="primary", key="indicators_save"):
        return
    report = indicator_admin.save_indicators(
        database, principal, edited, tr("master_indicators.edit_file_name")
    )
    if report.status == "accepted":
        st.session_state.pop(INDICATORS_EDITOR, None)  # the table now shows the saved rows
        st.session_state[FLASH_KEY] = tr(
            "master_indicators.saved",
            replaced=report.rows_replaced,
            replaced_noun=unit_word("format.unit_indicators", report.rows_replaced, language()),
            new=report.rows_new,
            unchanged=report.rows_unchanged,
            submission=report.submission_id,
        )
        st.rerun()
    if report.status == "unchanged":
        st.info(tr("master_indicators.unchanged"))
        return
    st.error(
        tr("master_indicators.rejected") if report.errors else literal(report.message),
        icon=":material/error:",
    )
    show_problems(report)


# Only the open tab runs (on_change="rerun"), so a view costs one list, not all of them.
tabs = st.tabs(
    [tr(f"master.list_{key}") for key in LISTS]
    + [tr("master_indicators.tab"), tr("master.tab_workbook")],
    key=TABS_KEY,
    on_change="rerun",
)
for tab, show in zip(
    tabs, [*(partial(list_tab, key) for key in LISTS), indicators_tab, workbook_tab], strict=True
):
    if tab.open:
        with tab:
            show()
