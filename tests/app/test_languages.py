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
    "pages/review.py",
    "pages/supervision.py",
]
# Text stored as people typed it, which the interface shows as it is, in either language.
DATA_COLUMNS = {
    "district": ("name", "code", "short_name", "aliases", "pinyin"),
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
    "audit_event": ("username",),
}
# Proper names and terms that are the same in both interfaces.
LATIN_TERMS = {"Excel", "Word", "PNG", "PDF", "WPS", "SHA-256", "MB", "GDP", "xlsx", "xlsm", "xls"}
LATIN_TERMS |= {"min", "max"}  # in the scoring method's formulas
LATIN_TERMS |= {"SMTP_HOST", "WEBHOOK_URL"}  # settings, named as the environment spells them
# Chinese in the English interface only where the reader must find or type it in a file,
# glossed in English where the sentence does not say what it means (`the 备注 (note)
# column`); never after an English word as its gloss (tests/test_i18n_catalogue.py).
CHINESE_TERMS = {
    "指标体系",  # the sheet's name, which a file must use
    "年第一季度",  # from `2022年第一季度`, an example of a period as people write it
    "、",  # the separator of aliases in the master-data workbook, quoted in its help
    "深圳市工商联、市总商会",  # the example of that help
    # The 指标体系 sheet's own words, which its editable table keeps so it imports back.
    *("正向", "逆向", "求和", "期末值", "平均", "月", "季", "年"),
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
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_:\-]*[A-Za-z0-9]|[A-Za-z]")
TEMPLATE_CODE = re.compile(r"%\{[^}]*\}|<[^>]*>|&[a-z]+;")
SHA256 = re.compile(r"\b[0-9a-f]{64}\b")


def data_text(db) -> str:
    """All text of the database that people typed, one value a line."""
    values = []
    engine = db.open()
    with engine.connect() as conn:
        for table, columns in DATA_COLUMNS.items():
            for column in columns:
                for (value,) in conn.execute(text(f'SELECT "{column}" FROM "{table}"')):
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
    """The texts a chart shows: labels, legend names, hover texts, titles, ticks."""
    found = []

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return []  # numbers, and typed arrays ({"dtype": "f8", "bdata": …})

    def title(node: object) -> list[str]:
        return strings(node.get("text") if isinstance(node, dict) else node)

    for trace in spec.get("data", []):
        templates = str(trace.get("hovertemplate", "")) + str(trace.get("texttemplate", ""))
        found += strings(trace.get("text")) + strings(trace.get("hovertext")) + [templates]
        found += strings(trace.get("x")) + strings(trace.get("y"))  # category labels
        if trace.get("showlegend") is not False:
            found += strings(trace.get("name"))
        if "customdata" in templates:
            found += strings(trace.get("customdata"))
    layout = spec.get("layout", {})
    found += title(layout.get("title"))
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            found += title(axis.get("title")) + strings(axis.get("ticktext"))
    found += [a.get("text", "") for a in layout.get("annotations", [])]
    return [TEMPLATE_CODE.sub(" ", text) for text in found]


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
        if node.type == "markdown":  # its HTML tags and styles are markup, not wording
            texts += [TEMPLATE_CODE.sub(" ", t) for t in _proto_texts(proto)]
            continue
        texts += _proto_texts(proto)
    for frame in app.dataframe:
        table = frame.value
        config = json.loads(frame.proto.columns or "{}")
        texts += [config.get(str(c), {}).get("label", str(c)) for c in table.columns]
        for column in table.columns:
            if table[column].dtype != bool:
                texts += [str(v) for v in table[column] if v is not None and v == v]
    # Links (`/submissions?submission=2`) are addresses, not wording.
    return [SHA256.sub(" ", t) for t in texts if not t.startswith("/")]


def foreign_words(texts: list[str], language: str, data: str) -> list[str]:
    """The words in `texts` of the other language's script that are neither data nor a
    listed term."""
    pattern, terms = (LATIN, LATIN_TERMS) if language == "zh-CN" else (CHINESE, CHINESE_TERMS)
    found = []
    values = sorted(set(data.split("\n")) - {""}, key=len, reverse=True)
    for piece in texts:
        if not pattern.search(piece):
            continue
        if piece.endswith("…"):  # a long name cut short in a chart: its pieces are data
            found += [
                f"{w!r} in {piece[:120]!r}"
                for w in pattern.findall(piece[:-1])
                if w not in terms and w not in data
            ]
            continue
        rest = piece
        for value in values:  # the data shown in this text, longest first
            if value in rest:
                rest = rest.replace(value, " ")
        found += [f"{w!r} in {piece[:120]!r}" for w in pattern.findall(rest) if w not in terms]
    return sorted(set(found))


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_a_page_shows_only_the_viewers_language(page, language, sample_db, monkeypatch):
    query = {"lang": language} if language == "en" else {}
    app = open_app_page(page, sample_db, monkeypatch, **query)
    found = foreign_words(shown_texts(app), language, data_text(sample_db))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_master_data_tab_shows_only_the_viewers_language(language, sample_db, monkeypatch):
    """The master-data page runs only its open tab, so each tab is opened in turn."""
    query = {"lang": language} if language == "en" else {}
    labels = [
        tab.label for tab in open_app_page("pages/master.py", sample_db, monkeypatch, **query).tabs
    ]
    assert len(labels) == 8
    seen = set()
    for label in labels:
        state = {"master_tab": label}
        app = open_app_page("pages/master.py", sample_db, monkeypatch, state=state, **query)
        found = foreign_words(shown_texts(app), language, data_text(sample_db))
        assert not found, f"{label}: " + "\n".join(found)
        seen.add(tuple(shown_texts(app)))
    assert len(seen) == len(labels)  # each tab showed its own content


@pytest.mark.parametrize("page", ["pages/submissions.py", "pages/master.py", "pages/trends.py"])
def test_tables_write_a_missing_value_as_a_dash_not_none(page, sample_db, monkeypatch):
    app = open_app_page(page, sample_db, monkeypatch)
    assert app.dataframe
    for table in app.dataframe:
        assert table.proto.HasField("placeholder"), table.value.columns.tolist()


@pytest.mark.parametrize("page", ["pages/admin.py", "pages/trends.py"])
def test_every_multiselect_has_a_placeholder_from_the_catalogue(page, sample_db, monkeypatch):
    """Without one Streamlit's frontend writes `Choose options`, which the walk cannot see."""
    app = open_app_page(page, sample_db, monkeypatch)
    assert app.multiselect
    for widget in app.multiselect:
        assert widget.proto.placeholder, widget.label
