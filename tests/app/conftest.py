"""What the page tests share: opening a page through app.py as a signed-in user, on a
database of either engine (`sample_db`, `empty_db`, `fresh_sample_db` in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.conftest import AppDatabase, sign_in_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_app_page(
    page: str,
    db: AppDatabase,
    monkeypatch,
    role: str = "admin",
    state: dict | None = None,
    **query,
) -> AppTest:
    """Run app.py on `db` signed in with `role`, with `query` in the URL and `state` in the
    session (a widget's value, such as the open tab), on `page`."""
    db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), db, role=role)
    for key, value in query.items():
        app.query_params[key] = value
    for key, value in (state or {}).items():
        app.session_state[key] = value
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def subheaders(app: AppTest) -> list[str]:
    return [h.value for h in app.subheader]


def captions(app: AppTest) -> str:
    """The page's captions, one a line."""
    return "\n".join(c.value for c in app.caption)
