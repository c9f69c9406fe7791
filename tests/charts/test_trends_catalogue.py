"""The catalogue files of the trends and evaluation pages: same keys and placeholders in
every language (tests/test_i18n_catalogue.py), and every literal key the pages and the CLI use exists."""

from __future__ import annotations

import re
from pathlib import Path

from data_model.i18n import LANGUAGES, catalogue

ROOT = Path(__file__).resolve().parents[2]
NAMESPACES = ("trends", "evaluation", "indicators")
SOURCES = (
    "pages/trends.py",
    "pages/evaluation.py",
    "data_model/cli.py",
    "data_model/queries/trends_queries.py",
    "data_model/evaluation/scoring.py",
)


def test_every_literal_key_used_exists():
    names = "|".join(NAMESPACES)
    pattern = re.compile(r"[\"']((?:" + names + r")\.[a-z_]+)[\"']")
    file_names = {"indicators.xlsx"}
    used = set()
    for source in SOURCES:
        used |= set(pattern.findall((ROOT / source).read_text("utf-8")))
    assert "evaluation.method" in used and "trends.series_heading" in used
    for language in LANGUAGES:
        assert not used - file_names - catalogue(language).keys(), language
