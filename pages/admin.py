"""用户与日志 Administration: users and roles, closed periods, and the audit log."""

import streamlit as st

from data_model.accounts.permissions import PermissionDenied, audit_log
from data_model.accounts.users import (
    ROLES,
    add_user,
    edit_user,
    reset_password,
    set_active,
    users_table,
)
from data_model.admin.period_closing import close_period, closures_frame, reopen_period
from data_model.errors import InputError
from data_model.formatting import join_names, time_text
from data_model.queries.shared import master_lists
from data_model.store import audit
from data_model.store.kind_registry import closable_kinds
from ui import data_table, download_table, engine, language, literal, query, require_permission, tr

principal = require_permission("manage_users")
st.title(tr("admin.title"))
tab_users, tab_periods, tab_audit = st.tabs(
    [tr("admin.tab_users"), tr("admin.tab_periods"), tr("admin.tab_audit")]
)

with tab_users:
    with engine().connect() as conn:
        table = users_table(conn, principal)
    shown = table.assign(
        role=table["role"].map(lambda r: tr(f"users.role_{r}")),
        districts=table["districts"].map(lambda names: join_names(names, language())),
        units=table["units"].map(lambda names: join_names(names, language())),
        last_login_at=table["last_login_at"].map(time_text),
    )[
        [
            "username",
            "display_name",
            "role",
            "districts",
            "units",
            "email",
            "is_active",
            "locked",
            "last_login_at",
        ]
    ]
    data_table(shown.rename(columns=lambda c: tr(f"admin.col_{c}")), hide_index=True)

    lists = query(master_lists)
    with st.form("add_user", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{tr('admin.add_heading')}**")
        left, right = st.columns(2)
        username = left.text_input(tr("admin.col_username"))
        display_name = right.text_input(tr("admin.col_display_name"))
        role = left.selectbox(
            tr("admin.col_role"), ROLES, format_func=lambda r: tr(f"users.role_{r}")
        )
        password = right.text_input(
            tr("admin.password"), type="password", help=tr("setup.password_help")
        )
        districts = left.multiselect(
            tr("admin.col_districts"),
            lists["districts"],
            help=tr("admin.binding_help"),
            placeholder=tr("app.choose"),
        )
        units = right.multiselect(
            tr("admin.col_units"), lists["units"], placeholder=tr("app.choose")
        )
        email = left.text_input(tr("admin.col_email"), help=tr("admin.email_help"))
        if st.form_submit_button(tr("admin.add"), type="primary"):
            try:
                with engine().begin() as conn:
                    add_user(
                        conn,
                        principal,
                        username,
                        role,
                        password,
                        display_name=display_name,
                        districts=districts,
                        units=units,
                        email=email,
                    )
                st.success(tr("admin.added", user=username))
            except (InputError, PermissionDenied) as error:
                st.error(
                    literal(
                        error.message(language())
                        if isinstance(error, PermissionDenied)
                        else error.message()
                    )
                )

    if not table.empty:
        st.markdown(f"**{tr('admin.change_heading')}**")
        left, middle, right = st.columns(3)
        who = left.selectbox(tr("admin.col_username"), table["username"].tolist(), key="admin_who")
        active = bool(table.set_index("username").loc[who, "is_active"])
        if middle.button(tr("admin.disable" if active else "admin.enable"), key="admin_toggle"):
            try:
                with engine().begin() as conn:
                    set_active(conn, principal, who, not active)
                st.rerun()
            except InputError as error:
                st.error(literal(error.message()))
        new_password = right.text_input(
            tr("admin.new_password"), type="password", key="admin_new_password"
        )
        if right.button(tr("admin.reset_password"), key="admin_reset"):
            try:
                with engine().begin() as conn:
                    reset_password(conn, principal, who, new_password)
                st.success(tr("admin.password_reset", user=who))
            except InputError as error:
                st.error(literal(error.message()))
        address = left.text_input(
            tr("admin.col_email"),
            table.set_index("username").loc[who, "email"],
            key=f"admin_email_{who}",
            help=tr("admin.email_help"),
        )
        if left.button(tr("admin.save_email"), key="admin_save_email"):
            try:
                with engine().begin() as conn:
                    edit_user(conn, principal, who, email=address)
                st.success(tr("admin.email_saved", user=who))
            except InputError as error:
                st.error(literal(error.message()))

with tab_periods:
    st.caption(tr("admin.periods_explain"))
    with engine().connect() as conn:
        closed = closures_frame(conn, principal)
    if closed.empty:
        st.info(tr("restatement.cli_no_closures"))
    else:
        shown = closed.assign(
            kind=closed["kind"].map(lambda k: tr(f"kinds.{k}")),
            state=closed["state"].map(lambda s: tr(f"restatement.state_{s}")),
            closed_at=closed["closed_at"].map(lambda at: audit.time_text(at)[:16]),
            reopened_at=[
                audit.time_text(at)[:16] if state == "reopened" else ""
                for at, state in zip(closed["reopened_at"], closed["state"], strict=True)
            ],
        )
        st.dataframe(
            shown.rename(columns=lambda c: tr(f"restatement.col_{c}")),
            hide_index=True,
            key="periods_table",
        )
    with st.form("close_period", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{tr('admin.close_heading')}**")
        left, right = st.columns(2)
        kind = left.selectbox(
            tr("restatement.col_kind"),
            closable_kinds(),
            format_func=lambda k: tr(f"kinds.{k}"),
            key="close_kind",
        )
        period = right.text_input(
            tr("restatement.col_period"), help=tr("admin.period_help"), key="close_period_text"
        )
        if st.form_submit_button(tr("admin.close"), type="primary"):
            try:
                with engine().begin() as conn:
                    closure = close_period(conn, principal, kind, period)
                st.session_state["periods_done"] = closure.describe(language())
                st.rerun()
            except InputError as error:
                st.error(literal(error.message(language())))
    still_closed = closed[closed["state"] == "closed"] if not closed.empty else closed
    if not still_closed.empty:
        with st.form("reopen_period", clear_on_submit=True, enter_to_submit=False):
            st.markdown(f"**{tr('admin.reopen_heading')}**")
            choices = list(zip(still_closed["kind"], still_closed["period"], strict=True))
            chosen = st.selectbox(
                tr("admin.reopen_which"),
                choices,
                format_func=lambda c: f"{tr(f'kinds.{c[0]}')} · {c[1]}",
                key="reopen_choice",
            )
            reason = st.text_input(tr("restatement.col_reopen_reason"), key="reopen_reason")
            if st.form_submit_button(tr("admin.reopen")):
                try:
                    with engine().begin() as conn:
                        reopen_period(conn, principal, chosen[0], chosen[1], reason)
                    st.session_state["periods_done"] = tr(
                        "restatement.cli_reopened",
                        period=chosen[1],
                        kind=tr(f"kinds.{chosen[0]}"),
                        reason=reason.strip(),
                    )
                    st.rerun()
                except InputError as error:
                    st.error(literal(error.message(language())))
    if "periods_done" in st.session_state:
        st.success(st.session_state.pop("periods_done"))

with tab_audit:
    action = st.selectbox(
        tr("admin.audit_action"),
        ["", *audit.ACTIONS],
        format_func=lambda a: tr(f"audit.action_{a}") if a else tr("filters.all"),
        key="audit_action",
    )
    with engine().connect() as conn:
        events = audit_log(conn, principal, action=action or None)
    if events.empty:
        st.info(tr("admin.no_events"))
    else:
        frame = audit.export_frame(events, language())
        data_table(frame, hide_index=True)
        download_table(frame, "audit", "dl_audit")
