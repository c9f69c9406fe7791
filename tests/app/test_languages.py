"""Every page in both languages shows only its own language: no English or code text
(`resolved`, `None`, `system:cli`) in the Chinese interface, no Chinese words, units or
punctuation in the English one. Data people typed (names of districts, units, tasks…) may
be in either script; everything else must come from the catalogue in the viewer's language.
"""

from __future__ import annotations

import json
import re

import pytest
from google.protobuf.message import Message
from sqlalchemy import text

from tests.app.conftest import open_app_page

PAGES = [
    "pages/overview.py",
    "pages/coverage.py",
    "pages/tasks.py",
    "pages/trends.py",
    "pages/evaluation.py",
    "pages/bulletin.py",
    "pages/present.py",
    "pages/upload.py",
    "pages/submissions.py",
    "pages/admin.py",
    "pages/master.py",
]
# Text stored as people typed it, which the interface shows as it is, in either language.
DATA_COLUMNS = {
    "district": ("name", "short_name", "aliases", "pinyin"),
    "unit": ("name", "aliases"),
    "action": ("name", "code", "description", "aliases"),
    "brand": ("name", "description", "aliases"),
    "activity_type": ("name", "aliases"),
    "issue_category": ("name", "aliases"),
    "indicator": ("code", "name", "dimension", "unit", "source", "note"),
    "task": ("code", "content", "co_units", "owner", "deadline_text", "report_period"),
    "task_snapshot": ("progress_note",),
    "activity": ("name", "organizer", "note", "activity_type"),
    "enterprise_issue": (
        "code",
        "enterprise_name",
        "category",
        "content",
        "handling_unit",
        "satisfaction",
    ),
    "submission": ("file_name", "uploader"),
    "app_user": ("username", "display_name"),
}
# Proper names and terms that are the same in both interfaces.
LATIN_TERMS = {"Excel", "Word", "PNG", "PDF", "WPS", "SHA-256", "MB", "GDP", "xlsx", "xlsm", "xls"}
CHINESE_TERMS = {
    "指标体系",  # the sheet's name, which a file must use
    "2022年第一季度",  # an example of a period as people write it in a file
    "、",  # the separator of aliases in the master-data workbook, quoted in its help
}
# Fields of element protos that are not text for people (ids, styles, keys).
TECHNICAL_FIELDS = {
    "id",
    "form_id",
    "spec",
    "config",
    "theme",
    "tag",
    "icon",
    "page",
    "page_script_hash",
    "query_string",
    "url",
    "type",
    "deferred_file_id",
    "autocomplete",
    "columns",
    "default",
    "raw_value",
    "raw_values",
    "format",
    "mime",
    "selection_mode",
    "column_order",
}
CHART_TEXT_FIELDS = {"name", "text", "ticktext", "hovertemplate", "customdata", "title"}
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_:\-]*[A-Za-z0-9]|[A-Za-z]")
TEMPLATE_CODE = re.compile(r"%\{[^}]*\}|<[^>]*>|&[a-z]+;")


@pytest.fixture(scope="module")
def data_text(sample_db) -> str:
    """All text of the sample database that people typed, one value a line."""
    values = []
    engine = sample_db.open()
    with engine.connect() as conn:
        for table, columns in DATA_COLUMNS.items():
            for column in columns:
                for (value,) in conn.execute(text(f'SELECT DISTINCT "{column}" FROM "{table}"')):
                    if isinstance(value, list):
                        values += [str(v) for v in value]
                    elif isinstance(value, str) and value.startswith("["):
                        values += [str(v) for v in json.loads(value)]
                    elif value is not None:
                        values.append(str(value))
    engine.dispose()
    return "\n".join(values)


def _proto_texts(message: Message) -> list[str]:
    found = []
    for field, value in message.ListFields():
        if field.name in TECHNICAL_FIELDS:
            continue
        items = value if field.is_repeated else [value]
        for item in items:
            if isinstance(item, Message):
                found += _proto_texts(item)
            elif isinstance(item, str):
                found.append(item)
    return found


def _chart_texts(spec: dict) -> list[str]:
    found = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name != "template":
                    walk(value, name if name in CHART_TEXT_FIELDS else key)
        elif isinstance(node, list):
            for value in node:
                walk(value, key)
        elif isinstance(node, str) and key in CHART_TEXT_FIELDS:
            found.append(TEMPLATE_CODE.sub(" ", node))

    walk(spec.get("data"))
    walk(spec.get("layout"))
    return found


def shown_texts(app) -> list[str]:
    """Every text the page shows: elements, widgets, table cells and headers, chart labels
    (not the style sheets the app adds)."""
    texts = []
    for node in app._tree:
        proto = getattr(node, "proto", None)
        if proto is None or node.type == "html":
            continue
        if node.type == "plotly_chart":
            texts += _chart_texts(json.loads(proto.spec))
        texts += _proto_texts(proto)
    for frame in app.dataframe:
        table = frame.value
        texts += [str(c) for c in table.columns]
        for column in table.columns:
            if table[column].dtype != bool:
                texts += [str(v) for v in table[column] if v is not None and v == v]
    return texts


def foreign_words(texts: list[str], language: str, data: str) -> list[str]:
    """The words in `texts` of the other language's script that are neither data nor a
    listed term."""
    pattern, terms = (LATIN, LATIN_TERMS) if language == "zh-CN" else (CHINESE, CHINESE_TERMS)
    found = []
    for piece in texts:
        for word in pattern.findall(piece):
            if word not in terms and word not in data:
                found.append(f"{word!r} in {piece[:120]!r}")
    return sorted(set(found))


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_a_page_shows_only_the_viewers_language(page, language, sample_db, data_text, monkeypatch):
    query = {"lang": language} if language == "en" else {}
    app = open_app_page(page, sample_db, monkeypatch, **query)
    assert foreign_words(shown_texts(app), language, data_text) == []


@pytest.mark.parametrize("page", ["pages/submissions.py", "pages/master.py", "pages/trends.py"])
def test_tables_write_a_missing_value_as_a_dash_not_none(page, sample_db, monkeypatch):
    app = open_app_page(page, sample_db, monkeypatch)
    assert app.dataframe
    for table in app.dataframe:
        assert table.proto.HasField("placeholder"), table.value.columns.tolist()
