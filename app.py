"""Entry point: page config, navigation and the language switch."""

import streamlit as st

from ui import language_switch, tr

st.set_page_config(page_title=tr("app.title"), page_icon=":material/monitoring:", layout="wide")

pages = [
    st.Page(
        "pages/overview.py", title=tr("nav.overview"), icon=":material/dashboard:", default=True
    ),
]
navigation = st.navigation(pages)
st.sidebar.caption(tr("app.title"))
language_switch()
navigation.run()
