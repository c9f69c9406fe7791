"""The normaliser messages and period labels exist in every language (alike: test_i18n_catalogue)."""

from __future__ import annotations

import re
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
