"""Entry point: page config, sign-in, navigation by role and the language switch.

Only the pages a role may use are registered, so a viewer cannot reach upload or
administration by URL; each restricted page checks the permission again itself. The
address of a page the role may not use, or of no page at all, answers with a hidden page
that only sends the user to the default page, which says why. While signed out, every page's address
answers with the sign-in screen (see signin.py).
"""

import streamlit as st

from data_model import settings
from data_model.accounts.permissions import allowed
from data_model.accounts.users import has_users
from signin import (
    explain_refused_page,
    forget_page_kept_for_single_sign_on,
    login_form,
    refusal_pages,
    refuse_page,
    remember_requested_page,
    setup_form,
    unknown_address_pages,
)
from ui import (
    engine,
    hand_session_to_browser,
    keep_filter_state,
    language,
    language_switch,
    latin_punctuation,
    literal,
    signed_in,
    tr,
    user_box,
)

# An emoji favicon is drawn in the browser; a ":material/...:" one is fetched from a CDN.
st.set_page_config(page_title=tr("app.title"), page_icon="📊", layout="wide")
try:
    settings.check()  # a bad setting is said once, not as a traceback on some page
except settings.SettingError as error:
    st.error(literal(error.message(language())), icon=":material/error:")
    st.stop()


# (page file, catalogue key, icon, address; None: the default page at the root).
DASHBOARDS = (
    ("pages/overview.py", "nav.overview", ":material/dashboard:", None),
    ("pages/coverage.py", "nav.coverage", ":material/map:", "coverage"),
    ("pages/tasks.py", "nav.tasks", ":material/checklist:", "tasks"),
    ("pages/trends.py", "nav.trends", ":material/show_chart:", "trends"),
    ("pages/evaluation.py", "nav.evaluation", ":material/leaderboard:", "evaluation"),
    ("pages/bulletin.py", "nav.bulletin", ":material/description:", "bulletin"),
    ("pages/present.py", "nav.present", ":material/slideshow:", "present"),
)


def dashboards() -> list:
    return [
        st.Page(path, title=tr(title), icon=icon, url_path=url_path, default=url_path is None)
        for path, title, icon, url_path in DASHBOARDS
    ]


# (permission, page file, catalogue key, icon, address) of the pages beside the dashboards.
DATA_PAGES = (
    ("upload", "pages/upload.py", "nav.upload", ":material/upload:", "upload"),
    (
        "view_submissions",
        "pages/submissions.py",
        "nav.submissions",
        ":material/fact_check:",
        "submissions",
    ),
    ("review", "pages/review.py", "nav.review", ":material/rule:", "review"),
    ("manage_users", "pages/admin.py", "nav.admin", ":material/admin_panel_settings:", "admin"),
    ("manage_master_data", "pages/master.py", "nav.master", ":material/database:", "master"),
    (
        "supervise",
        "pages/supervision.py",
        "nav.supervision",
        ":material/notifications_active:",
        "supervision",
    ),
)


def data_pages(principal) -> list:
    """The data pages `principal` may use: the others are not registered at all."""
    return [
        st.Page(path, title=tr(title), icon=icon, url_path=url_path)
        for action, path, title, icon, url_path in DATA_PAGES
        if allowed(principal, action)
    ]


def page_titles() -> dict[str, str]:
    """Every page's address and title, whoever may use it: while signed out each of them
    answers with the sign-in screen, so a link to any page survives signing in."""
    titles = {page.url_path: page.title for page in dashboards()}
    titles.update({url_path: tr(title) for _, _, title, _, url_path in DATA_PAGES})
    return titles


with engine().connect() as conn:
    first_run = not has_users(conn)
principal = None if first_run else signed_in()
titles = page_titles()
if principal is None:
    # Only the sign-in screen exists until someone signs in. It also answers at every
    # page's address, so a link to one (a presentation's, say) opens that page, query
    # string and all, once signed in (signing in reruns the script at the same address).
    screen = setup_form if first_run else login_form
    entry = [st.Page(screen, title=tr("nav.login"), default=True)]
    entry += [
        st.Page(screen, title=tr("nav.login"), url_path=url_path)
        for url_path in titles
        if url_path  # the default page's address is the root, which `entry` has
    ]
    entry += unknown_address_pages(titles, screen, tr("nav.login"))
    navigation = st.navigation(entry, position="hidden")
    remember_requested_page(navigation.url_path, titles)
else:
    shown, usable = dashboards(), data_pages(principal)
    addresses = {page.url_path for page in shown + usable}
    refused = refusal_pages(titles, addresses) + unknown_address_pages(titles)
    # Expanded: an admin has thirteen pages, and a collapsed menu would hide the last ones
    # behind a "view more" button. The hidden refusal pages go with the dashboards, a
    # section never empty otherwise.
    navigation = st.navigation(
        {tr("nav.group_dashboards"): shown + refused, tr("nav.group_data"): usable},
        expanded=True,
    )
    if navigation.url_path not in addresses:
        refuse_page(navigation.url_path, shown[0])  # the overview, the default page
    explain_refused_page(navigation, titles)
    forget_page_kept_for_single_sign_on()
    hand_session_to_browser()
    # No sign-in toast over a slide: the presentation is shown to a room.
    user_box(principal, greet=navigation.url_path != "present")
st.sidebar.caption(tr("app.title"))
language_switch()
latin_punctuation()
keep_filter_state()
navigation.run()
