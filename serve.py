"""The web server: Streamlit's own ASGI server (`st.App`, Starlette) running app.py, with
one route of its own that sets the sign-in session cookie (session_cookie.py).

Start it with `streamlit run serve.py` (as `make run` does): Streamlit finds `app`
below and serves app.py with every option of `.streamlit/config.toml` and the command
line. `streamlit run app.py` still serves the pages, but a sign-in then lasts only as
long as the browser tab, as nothing sets the cookie.
"""

import streamlit as st

from session_cookie import routes

app = st.App("app.py", routes=routes())
