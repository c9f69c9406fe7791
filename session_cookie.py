"""The server route that sets the sign-in session cookie (served by serve.py).

It answers the image a page shows right after sign-in (ui.hand_session_to_browser): it
trades the one-time handoff token in its address for a new random session id, sent back
as an HttpOnly, SameSite=Strict cookie that expires with the session (see
data_model/accounts/sessions.py). Setting it here, from the server, is what lets it be HttpOnly:
no script of the page can read it.
"""

from __future__ import annotations

from functools import cache

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from data_model import settings
from data_model.accounts import sessions
from data_model.admin.bootstrap import open_database
from data_model.store.db import normalize_url

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
MAX_TOKEN_LENGTH = 128


@cache
def _engine():
    return open_database(normalize_url(settings.database_url()))


def _base_path() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def claim_session_cookie(request: Request) -> Response:
    """GET CLAIM_PATH?token=…: 204 with the session cookie; 204 without one for a token
    that is unknown, used or late; 403 when asked for by another site's page. A rerun may
    draw the sign-in image again just after its first request claimed the token: that
    second request must not show as a failed resource in the browser, and it gets nothing.
    A plain function: Starlette runs it in its thread pool, so the database calls do not
    hold up the server."""
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return Response(status_code=403, headers=NO_STORE)
    token = request.query_params.get("token", "")
    claimed = None
    if 0 < len(token) <= MAX_TOKEN_LENGTH:
        with _engine().begin() as conn:
            claimed = sessions.claim(conn, token)
    if claimed is None:
        return Response(status_code=204, headers=NO_STORE)
    response = Response(status_code=204, headers=NO_STORE)
    response.set_cookie(
        sessions.COOKIE_NAME,
        claimed.token,
        max_age=claimed.max_age,
        path=_base_path() or "/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def routes() -> list[Route]:
    return [Route(_base_path() + sessions.CLAIM_PATH, claim_session_cookie, methods=["GET"])]
