"""What the page tests share: opening a page through app.py as a signed-in user, on a
database of either engine (`sample_db`, `empty_db`, `fresh_sample_db` in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import AppDatabase, sign_in_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")
UPLOAD_PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "upload.py")


@pytest.fixture
def engine(empty_db, monkeypatch):
    """An engine on `empty_db`, with the app pointed at the same database."""
    engine = empty_db.open()
    empty_db.use(monkeypatch)
    yield engine
    engine.dispose()


def run_at(app: AppTest, page: str | None = None, **query) -> AppTest:
    """Run `app` with `query` in the URL at `page` (a path such as `pages/tasks.py`; None:
    the app's root), and check that nothing raised."""
    for key, value in query.items():
        app.query_params[key] = value
    if page is not None:
        app.switch_page(page)
    app.run()
    assert not app.exception, app.exception
    return app


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
    for key, value in (state or {}).items():
        app.session_state[key] = value
    return run_at(app, page, **query)


def upload_page(db: AppDatabase, role: str = "admin", **user) -> AppTest:
    """pages/upload.py run on its own (not through app.py), signed in as `role` on `db`;
    `user`: the username and binding of sign_in_app."""
    app = AppTest.from_file(UPLOAD_PAGE, default_timeout=60)
    return sign_in_app(app, db, role=role, **user).run()


def upload_page_as_nanshan_staff(db: AppDatabase) -> AppTest:
    """The upload page of `nanshan-staff`, staff of 南山区."""
    return upload_page(db, role="staff", username="nanshan-staff", districts=["南山区"])


def subheaders(app: AppTest) -> list[str]:
    return [h.value for h in app.subheader]


def captions(app: AppTest) -> str:
    """The page's captions, one a line."""
    return "\n".join(c.value for c in app.caption)
