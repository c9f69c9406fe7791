"""The catalogue files of the trends and evaluation pages: same keys and placeholders in
every language, and every literal key the pages and the CLI use exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from data_model.i18n import LANGUAGES, catalogue

ROOT = Path(__file__).resolve().parents[2]
NAMESPACES = ("trends", "evaluation", "indicators")
SOURCES = (
    "pages/trends.py",
    "pages/evaluation.py",
    "data_model/cli.py",
    "data_model/evaluation/scoring.py",
)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _keys(language: str, namespace: str) -> dict[str, str]:
    return {k: v for k, v in catalogue(language).items() if k.startswith(namespace + ".")}


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_same_keys_and_placeholders_in_every_language(namespace):
    reference = _keys(LANGUAGES[0], namespace)
    assert reference
    for language in LANGUAGES[1:]:
        other = _keys(language, namespace)
        assert other.keys() == reference.keys(), language
        for key, text in reference.items():
            assert _fields(other[key]) == _fields(text), f"{language} {key}"


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
