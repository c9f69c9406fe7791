"""The sign-in screens: create the first administrator, and sign in.

app.py shows one of them, at every page's address, until someone has signed in; the
page asked for is remembered and opened once signed in (when the role may use it).
"""

from typing import NoReturn
from urllib.parse import parse_qsl, quote, unquote, urlencode

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from data_model.accounts.users import authenticate, create_first_admin, principal_for_identity
from data_model.errors import InputError
from data_model.store import audit
from ui import engine, language, literal, sign_in, tr


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
                st.error(literal(error.message()))
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
            st.error(literal(result.message(language())), icon=":material/lock:")
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
        keep_page_for_single_sign_on()
        if st.button(tr("login.sso"), icon=":material/badge:"):
            st.login()
        return
    email = str(st.user.get("email") or "").strip().lower()
    with engine().begin() as conn:
        principal = principal_for_identity(conn, st.user.to_dict())
        audit.record(conn, email or "?", "login" if principal else "login_failed", method="oidc")
    if principal is None:
        st.error(tr("login.sso_unknown", email=literal(email or "?")), icon=":material/lock:")
        if st.button(tr("login.sso_logout")):
            st.logout()
        return
    sign_in(principal)
    open_page_kept_for_single_sign_on()
    st.rerun()


REQUESTED_PAGE_KEY, ADDRESSES_KEY = "requested_page", "page_addresses"
UNKNOWN_ADDRESS_KEY = "unknown_address"  # an address asked for that is none of the app's
# st.login leaves for the identity provider, which sends the browser back to the app's
# root in a new session, without the session's state: a short-lived cookie keeps the
# address asked for, with its query string, across that round trip.
RETURN_COOKIE, RETURN_COOKIE_SECONDS = "dashboard_return", 600


def _set_return_cookie(value: str, seconds: int) -> None:
    # `value` is percent-encoded (letters, digits, "%", "-", "_", ".", "~" only), so it
    # cannot end the string or the cookie; the script is the app's own, not user text.
    st.html(
        f"<script>document.cookie = '{RETURN_COOKIE}={value}; path=/; "
        f"max-age={seconds}; samesite=lax';</script>",
        unsafe_allow_javascript=True,
    )


def keep_page_for_single_sign_on() -> None:
    """Before single sign-on: keep the page asked for, and its query string, in a cookie."""
    requested = st.session_state.get(REQUESTED_PAGE_KEY)
    if requested:
        address = f"{requested}?{urlencode(st.query_params.to_dict())}"
        _set_return_cookie(quote(address, safe=""), RETURN_COOKIE_SECONDS)


def _return_cookie() -> str | None:
    return st.context.cookies.get(RETURN_COOKIE)


def page_kept_for_single_sign_on() -> tuple[str, dict[str, str]] | None:
    """The page and query parameters the return cookie holds, when it names a page of the
    app's own page table (anything else, an outside address say, is ignored)."""
    raw = _return_cookie()
    if not raw or len(raw) > 2000:
        return None
    url_path, _, query = unquote(raw).partition("?")
    if url_path not in st.session_state.get(ADDRESSES_KEY, ()):
        return None
    return url_path, dict(parse_qsl(query))


def open_page_kept_for_single_sign_on() -> None:
    """After single sign-on at the root: go to the page the cookie kept, if any. A link
    opened in this session (signed in at the identity provider already) wins."""
    if st.session_state.get(REQUESTED_PAGE_KEY):
        return
    kept = page_kept_for_single_sign_on()
    if kept is None:
        return
    url_path, params = kept
    st.session_state[REQUESTED_PAGE_KEY] = url_path
    page = st.Page(login_form, title=tr("nav.login"), url_path=url_path)
    st.switch_page(page, query_params=params)


def forget_page_kept_for_single_sign_on() -> None:
    """Once signed in, drop the cookie (once a session), so that a later sign-on does not
    open an old page."""
    if single_sign_on_configured() and not st.session_state.get("return_cookie_dropped"):
        st.session_state["return_cookie_dropped"] = True
        with st.sidebar:
            _set_return_cookie("", 0)


def remember_requested_page(url_path: str, titles: dict[str, str]) -> None:
    """While signed out: remember which page's address the sign-in screen answered at,
    and every page's address (for the single sign-on cookie's check).

    Signing in reruns the script at the same address and query string, so the page
    opens by itself; the requested page is kept to explain, after sign-in, a page the
    role may not use, and for single sign-on. Only addresses of the app's own page
    table are kept."""
    st.session_state[ADDRESSES_KEY] = tuple(address for address in titles if address)
    if url_path and url_path in titles:
        st.session_state[REQUESTED_PAGE_KEY] = url_path
    else:
        st.session_state.pop(REQUESTED_PAGE_KEY, None)


def _refused() -> None:
    """A refusal page's script, never run: app.py sends the user on (refuse_page) first."""


def refusal_pages(titles: dict[str, str], usable: set[str]) -> list[st.Page]:
    """Hidden pages at the addresses of `titles` not in `usable` (the pages the role may
    not use), so that such an address, typed or followed while signed in, is one of the
    app's and not answered by Streamlit's own English "Page not found" dialog. The pages
    themselves stay unregistered; these only lead to refuse_page."""
    return [
        st.Page(_refused, title=title, url_path=url_path, visibility="hidden")
        for url_path, title in titles.items()
        if url_path and url_path not in usable
    ]


def unknown_address_pages(
    titles: dict[str, str], screen=_refused, title: str | None = None
) -> list[st.Page]:
    """A hidden page at the address asked for when it is none of the app's (a mistyped
    or outdated link, `/nonsense`), running `screen`: the address is then answered by the
    app, in the user's language (the sign-in screen, or refuse_page's overview saying the
    address is no page), not by Streamlit's own English "Page not found" dialog.

    The address is the script run's page intent, as st.navigation resolves it. A rerun
    at that page (signing in there) asks for it by its hash, not its address: the session
    keeps the address for it."""
    context = get_script_run_ctx()
    asked = context.pages_manager.intended_page_name if context else None
    address = (asked or "").strip().strip("/") or st.session_state.get(UNKNOWN_ADDRESS_KEY, "")
    if not address or address in titles or "/" in address:
        return []
    st.session_state[UNKNOWN_ADDRESS_KEY] = address
    page_title = title or tr("login.unknown_title")
    return [st.Page(screen, title=page_title, url_path=address, visibility="hidden")]


def refuse_page(url_path: str, default: st.Page) -> NoReturn:
    """At the address of a page the role may not use: open the default page, with the
    address's query string (the filters of a link), where explain_refused_page says why."""
    st.session_state[REQUESTED_PAGE_KEY] = url_path
    st.session_state.pop(UNKNOWN_ADDRESS_KEY, None)
    st.switch_page(default, query_params=st.query_params.to_dict())


def explain_refused_page(shown: st.Page, titles: dict[str, str]) -> None:
    """When the page asked for (signed out, or by refuse_page) is not the page shown (the
    role may not use it, so the default page is shown instead), say so."""
    requested = st.session_state.pop(REQUESTED_PAGE_KEY, None)
    if not requested or requested == shown.url_path:
        return
    if requested in titles:
        st.warning(
            tr("login.page_refused", page=titles[requested], shown=shown.title),
            icon=":material/block:",
        )
    else:
        st.warning(
            tr("login.page_unknown", address=literal(f"/{requested}"), shown=shown.title),
            icon=":material/link_off:",
        )
