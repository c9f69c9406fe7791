"""The leaders' pages on another city's database (杭州, started with `init --master`):
they render, show its districts, and no Shenzhen district appears anywhere."""

from __future__ import annotations

import json
import re

import pytest

from data_model.cli import main
from data_model.normalize.districts import load_default_districts
from tests.app.conftest import open_app_page
from tests.conftest import ACTIVITY_HEADER, AppDatabase, activity_row, make_xlsx
from tests.test_master_cli import HANGZHOU, INDICATORS, VALUES

SHENZHEN = sorted(
    {d.name for d in load_default_districts() if d.kind != "city"}
    | {d.short_name for d in load_default_districts() if d.kind != "city"}
    | {"深圳"}
)
ACTIVITIES = [
    ACTIVITY_HEADER,
    activity_row(
        date="2022-05-10",
        district="上城区",
        activity_type="政企恳谈会",
        name="上城区政企恳谈会",
        brand="杭商大会",
        companies=20,
        participants=40,
    ),
    activity_row(
        date="2022-06-10",
        district="西湖区",
        activity_type="政企恳谈会",
        name="西湖区政企恳谈会",
        brand="",
        companies=10,
        participants=30,
    ),
]


@pytest.fixture(scope="module")
def hangzhou_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hangzhou")
    url = f"sqlite:///{folder / 'dashboard.sqlite3'}"
    files = {
        "master.xlsx": HANGZHOU,
        "i.xlsx": {"指标体系": INDICATORS},
        "v.xlsx": {"指标数据": VALUES},
        "a.xlsx": {"活动台账": ACTIVITIES},
    }
    for name, sheets in files.items():
        (folder / name).write_bytes(make_xlsx(sheets))
    assert main(["init", "--master", str(folder / "master.xlsx"), "--db", url]) == 0
    for name in ("i.xlsx", "v.xlsx", "a.xlsx"):
        assert main(["import", str(folder / name), "--db", url]) == 0
    # On SQLite only: tests/test_master_cli.py runs another city end to end on both engines.
    return AppDatabase("sqlite", url, folder)


def page_text(app) -> str:
    """Everything the page shows as text: markdown, captions, metrics, tables, charts, widgets."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning"):
        parts += [str(element.value) for element in app.get(kind)]
    parts += [f"{m.label} {m.value}" for m in app.metric]
    parts += [frame.value.to_string() for frame in app.dataframe]
    parts += [
        json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in app.get("plotly_chart")
    ]
    for widget in (*app.selectbox, *app.multiselect):
        parts += [str(option) for option in widget.options]
    return "\n".join(parts)


@pytest.mark.parametrize(
    "page",
    [
        "pages/overview.py",
        "pages/coverage.py",
        "pages/evaluation.py",
        "pages/trends.py",
        "pages/tasks.py",
        "pages/upload.py",
        "pages/submissions.py",
        "pages/bulletin.py",
        "pages/master.py",
        "pages/present.py",
    ],
)
def test_a_page_on_another_city_shows_its_districts_and_no_shenzhen_one(
    page, hangzhou_dir, monkeypatch
):
    monkeypatch.delenv("BOUNDARY_FILE", raising=False)
    monkeypatch.delenv("ISSUING_BODY", raising=False)  # the issuer follows the master data
    app = open_app_page(page, hangzhou_dir, monkeypatch, period="2022")
    text = page_text(app)
    found = [name for name in SHENZHEN if re.search(re.escape(name), text)]
    assert found == [], found
    if page == "pages/bulletin.py":
        assert "杭州市工商业联合会（总商会）" in text
    elif page not in ("pages/overview.py", "pages/present.py"):  # city-wide first screens
        assert "上城" in text
