"""The sign-in screens: create the first administrator, and sign in.

app.py shows one of them as the only page until someone has signed in.
"""

import streamlit as st

from data_model import audit
from data_model.errors import InputError
from data_model.users import authenticate, create_first_admin, principal_for
from ui import engine, language, sign_in, tr


def setup_form() -> None:
    """First run: no user exists yet, so the first administrator is created here."""
    st.title(tr("setup.title"))
    st.info(tr("setup.intro"), icon=":material/admin_panel_settings:")
    with st.form("first_admin", enter_to_submit=False):
        username = st.text_input(tr("setup.username"))
        display_name = st.text_input(tr("setup.display_name"))
        password = st.text_input(
            tr("setup.password"), type="password", help=tr("setup.password_help")
        )
        repeat = st.text_input(tr("setup.repeat"), type="password")
        submitted = st.form_submit_button(tr("setup.create"), type="primary")
    if submitted:
        if password != repeat:
            st.error(tr("setup.mismatch"))
        else:
            try:
                with engine().begin() as conn:
                    account = create_first_admin(
                        conn, username, password, display_name=display_name
                    )
            except InputError as error:
                st.error(error.message())
            else:
                sign_in(account.principal())
                st.rerun()


def login_form() -> None:
    """Sign in with a user name and password."""
    st.title(tr("login.title"))
    notice = st.session_state.pop("sign_in_notice", None)
    if notice:
        st.warning(tr(notice), icon=":material/schedule:")
    with st.form("login", enter_to_submit=False):
        username = st.text_input(tr("login.username"), autocomplete="username")
        password = st.text_input(
            tr("login.password"), type="password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(tr("login.submit"), type="primary")
    if submitted:
        with engine().begin() as conn:
            result = authenticate(conn, username, password)
        if result.ok:
            sign_in(result.principal)
            st.rerun()
        else:
            st.error(result.message(language()), icon=":material/lock:")
    single_sign_on()


def single_sign_on_configured() -> bool:
    """True when `.streamlit/secrets.toml` holds an `[auth]` section for st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error
        return False


def single_sign_on() -> None:
    """OIDC sign-in through st.login, mapped to an existing user by e-mail address.

    The identity provider proves who someone is; what they may do still comes from
    the user table (role, districts, units), so an administrator must first add a
    user whose user name is that e-mail address.
    """
    if not single_sign_on_configured():
        return
    st.divider()
    if not st.user.is_logged_in:
        if st.button(tr("login.sso"), icon=":material/badge:"):
            st.login()
        return
    email = str(st.user.get("email") or "").strip().lower()
    with engine().begin() as conn:
        principal = principal_for(conn, email) if email else None
        audit.record(conn, email or "?", "login" if principal else "login_failed", method="oidc")
    if principal is None:
        st.error(tr("login.sso_unknown", email=email or "?"), icon=":material/lock:")
        if st.button(tr("login.sso_logout")):
            st.logout()
        return
    sign_in(principal)
    st.rerun()
