"""Entry point: page config, navigation and the language switch."""

import streamlit as st

from ui import language_switch, tr

st.set_page_config(page_title=tr("app.title"), page_icon=":material/monitoring:", layout="wide")

dashboards = [
    st.Page(
        "pages/overview.py", title=tr("nav.overview"), icon=":material/dashboard:", default=True
    ),
    st.Page("pages/tasks.py", title=tr("nav.tasks"), icon=":material/checklist:", url_path="tasks"),
    st.Page(
        "pages/trends.py", title=tr("nav.trends"), icon=":material/show_chart:", url_path="trends"
    ),
    st.Page(
        "pages/evaluation.py",
        title=tr("nav.evaluation"),
        icon=":material/leaderboard:",
        url_path="evaluation",
    ),
]
data_pages = [
    st.Page("pages/upload.py", title=tr("nav.upload"), icon=":material/upload:", url_path="upload"),
    st.Page(
        "pages/submissions.py",
        title=tr("nav.submissions"),
        icon=":material/fact_check:",
        url_path="submissions",
    ),
]
navigation = st.navigation(
    {tr("nav.group_dashboards"): dashboards, tr("nav.group_data"): data_pages}
)
st.sidebar.caption(tr("app.title"))
language_switch()
navigation.run()
