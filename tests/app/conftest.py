"""What the page tests share: opening a page through app.py as a signed-in user, on a
database of either engine (`sample_db`, `empty_db`, `fresh_sample_db` in tests/conftest.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import streamlit as st
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from tests.conftest import AppDatabase, make_xlsx, sign_in_app
from ui import LANGUAGE_KEY

APP = str(Path(__file__).resolve().parents[2] / "app.py")
UPLOAD_PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "upload.py")


@pytest.fixture
def engine(empty_db, monkeypatch):
    """An engine on `empty_db`, with the app pointed at the same database."""
    engine = empty_db.open()
    empty_db.use(monkeypatch)
    yield engine
    engine.dispose()


@pytest.fixture
def in_english():
    """English pages whose widgets a test sets: AppTest formats a widget's options (with
    `ui.tr`) in the test's own thread, whose session state (Streamlit's, without a
    server) then has to hold the page's language."""
    st.session_state[LANGUAGE_KEY] = "en"
    yield
    st.session_state.pop(LANGUAGE_KEY, None)


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


# A task list as a staff member could write it: Markdown images that would make a
# viewer's browser fetch an address, HTML links that plotly would make clickable, and the
# line break and bold the chart builders write themselves.
# The code in capitals, as the importer stores every code (`text.code_text`).
HOSTILE_CODE = "![](HTTP://203.0.113.9/P.PNG)"
HOSTILE_ACTION = '[行动](http://203.0.113.9/a)<a href="http://203.0.113.9/a">x</a>'
HOSTILE_UNIT = '![](http://203.0.113.9/u.png)<a href="http://203.0.113.9/u">市商务局</a>'
HOSTILE_CONTENT = '<a href="http://203.0.113.9/c">点此查看任务</a><br><b>加急</b>'
HOSTILE_EVIDENCE = "![](p.png).pdf"  # a file name: its folders are dropped, so no address
# The code as `ui.literal` writes it in the page's Markdown.
HOSTILE_CODE_SHOWN = "\\!\\[\\]\\(HTTP\\://203.0.113.9/P.PNG\\)"


def import_hostile_tasks(db: AppDatabase) -> None:
    """Store one task of 南山区, overdue since 2022-06-30, all of whose text is hostile, as
    it reaches the dashboards: an admin registers the action and lead unit that wait as
    unknown names in the staff member's held upload, the staff member imports the list
    and attaches evidence."""
    from data_model.accounts.permissions import Principal, guarded_import
    from data_model.admin.unknown_names import Resolution, resolve_all
    from data_model.workflow import evidence
    from tests.task_workbook import JAN, TASK_HEADER

    staff = Principal("wang", "staff", ("南山区",))
    row = [HOSTILE_CODE, HOSTILE_ACTION, HOSTILE_CONTENT, HOSTILE_UNIT, "张三", JAN]
    row += ["2022-06-30", 50, "", "南山区", "2022-Q4"]
    engine = db.open()
    resolve_all(
        engine,
        Principal("chen", "admin"),
        [Resolution("actions", HOSTILE_ACTION), Resolution("units", HOSTILE_UNIT)],
    )
    result = guarded_import(engine, staff, make_xlsx({"任务清单": [TASK_HEADER, row]}), "t.xlsx")
    assert result.status == "accepted", result.message
    evidence.attach(engine, staff, HOSTILE_CODE, "2022-Q4", HOSTILE_EVIDENCE, b"%PDF-1.4\n%%EOF\n")
    engine.dispose()


RAW_LINK = re.compile(r"(?<!\\)<a\s")  # not `\<a `, the tag written as text

# The fields of element protos that Streamlit renders as Markdown: an element's or an
# alert's body, a metric's value and change, the labels and help of widgets, tabs and
# expanders. A select box's options are plain text, as are tables and charts.
MARKDOWN_FIELDS = {"body", "label", "help", "delta"}


def _markdown_fields(message: Message) -> list[str]:
    found = []
    for field, value in message.ListFields():
        for item in value if field.is_repeated else [value]:
            if isinstance(item, Message):
                found += _markdown_fields(item)
            elif isinstance(item, str) and field.name in MARKDOWN_FIELDS:
                found.append(item)
    return found


def markdown_texts(app: AppTest) -> list[str]:
    """The Markdown source of every text the page shows as Markdown (not its HTML and
    style elements, written by the app itself)."""
    texts = []
    for node in app._tree:
        proto = getattr(node, "proto", None)
        if proto is not None and node.type not in ("html", "plotly_chart"):
            texts += _markdown_fields(proto)
    return texts


def chart_texts(app: AppTest) -> list[str]:
    """Every string of the page's plotly figures: labels, hovers, titles, legend names."""

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for item in value.values() for s in strings(item)]
        if isinstance(value, list):
            return [s for item in value for s in strings(item)]
        return []

    return [s for chart in app.get("plotly_chart") for s in strings(json.loads(chart.proto.spec))]


def assert_shown_as_written(app: AppTest) -> None:
    """No Markdown of the page renders an uploaded image or link, and no chart text is
    markup plotly would draw as a link, a line break or bold; the charts do show the
    uploaded names."""
    for text in markdown_texts(app):
        assert "![](" not in text and "](http" not in text and not RAW_LINK.search(text), text
    charts = chart_texts(app)
    assert not [text for text in charts if "<a href" in text or "<b>加急" in text]
    assert any("&lt;a href" in text for text in charts)
    assert any("&lt;/a&gt;&lt;br&gt;&lt;b&gt;加急&lt;/b&gt;" in text for text in charts)
