"""What the page tests share: a database seeded with the sample data, and opening a page
through app.py as a signed-in user."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_model.cli import open_database, seed
from tests.conftest import sign_in_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(scope="module")
def sample_data_dir(tmp_path_factory):
    """A data folder whose database holds the sample data (one per test module)."""
    folder = tmp_path_factory.mktemp("sample-db")
    engine = open_database(f"sqlite:///{folder / 'dashboard.sqlite3'}")
    assert all(r.status == "accepted" for r in seed(engine))
    engine.dispose()
    return folder


def open_app_page(page: str, data_dir: Path, monkeypatch, role: str = "admin", **query) -> AppTest:
    """Run app.py signed in with `role`, with `query` in the URL, on `page`."""
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), data_dir, role=role)
    for key, value in query.items():
        app.query_params[key] = value
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app
