"""The normaliser messages and period labels exist, alike, in every language."""

from __future__ import annotations

import re
import string
import tomllib
from pathlib import Path

import pytest

from data_model import i18n
from data_model.i18n import LANGUAGES, catalogue

I18N = Path(i18n.__file__).parent
DOMAIN = Path(i18n.__file__).parent.parent
# The cell normalisers, and the core modules of periods and text they build on.
NORMALIZE_SOURCES = [
    *(DOMAIN / "normalize").glob("*.py"),
    DOMAIN / "periods.py",
    DOMAIN / "text.py",
]
NAMESPACES = ("normalize", "periods")


def _flat(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _load(language: str, namespace: str) -> dict[str, str]:
    with (I18N / language / f"{namespace}.toml").open("rb") as handle:
        return _flat(tomllib.load(handle))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_same_keys_and_placeholders_in_every_language(namespace: str) -> None:
    reference = _load(LANGUAGES[0], namespace)
    assert reference
    for language in LANGUAGES[1:]:
        other = _load(language, namespace)
        assert other.keys() == reference.keys(), language
        for key, text in reference.items():
            assert _fields(other[key]) == _fields(text), f"{language} {namespace}.{key}"


def test_every_key_used_by_the_normalisers_exists() -> None:
    used: set[str] = set()
    for path in NORMALIZE_SOURCES:
        used |= set(re.findall(r"[\"'](normalize\.[a-z_]+)[\"']", path.read_text("utf-8")))
    assert "normalize.period_ambiguous" in used
    for language in LANGUAGES:
        missing = used - catalogue(language).keys()
        assert not missing, f"{language}: {sorted(missing)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_messages_are_plain_text(language: str) -> None:
    for key, text in catalogue(language).items():
        if key.split(".")[0] in NAMESPACES:
            assert text.strip() == text and text, key
