"""The catalogue: every namespace (one TOML file a language) holds the same keys with the
same placeholders in every language, and each holds text."""

from __future__ import annotations

import contextvars
import re
import string
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from data_model import i18n
from data_model.i18n import LANGUAGES, catalogue

FOLDER = Path(i18n.__file__).parent
NAMESPACES = sorted(
    {path.stem for language in LANGUAGES for path in (FOLDER / language).glob("*.toml")}
)
# Keys whose caller passes a form of the value for each language (`pages/overview.py`:
# a month number for 3月, an abbreviation for Mar): each language uses some of them.
EITHER_FIELDS = {"overview.month": {"month", "month_abbr"}}
# `{count_noun}` beside `{count}`: the word for the things counted, in the singular for one
# (`formatting.unit_word`), which a language whose words do not change with the count
# leaves out (zh-CN keeps its measure word in the text: `{count} 行`, `{count} rows`).
NOUN_SUFFIX = "_noun"


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def counted(text: str) -> set[str]:
    """The fields of `text` but the words of things counted (`NOUN_SUFFIX`)."""
    return {name for name in fields(text) if not name.endswith(NOUN_SUFFIX)}


def keys(language: str, namespace: str) -> dict[str, str]:
    return {k: v for k, v in catalogue(language).items() if k.split(".")[0] == namespace}


def test_every_namespace_is_listed():
    assert len(NAMESPACES) >= 44
    assert {"bulletin", "normalize", "periods", "trends", "backup", "users", "kinds"} <= set(
        NAMESPACES
    )


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_same_keys_and_placeholders_in_every_language(namespace: str) -> None:
    reference = keys(LANGUAGES[0], namespace)
    assert reference, namespace
    assert all(text.strip() for text in reference.values()) or namespace == "format"
    for language in LANGUAGES[1:]:
        other = keys(language, namespace)
        assert other.keys() == reference.keys(), language
        for key, text in reference.items():
            if key in EITHER_FIELDS:
                assert fields(other[key]) | fields(text) <= EITHER_FIELDS[key], key
                continue
            assert counted(other[key]) == counted(text), f"{language} {key}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_counted_word_stands_beside_its_count(language: str) -> None:
    for key, text in catalogue(language).items():
        for name in fields(text) - counted(text):
            assert name.removesuffix(NOUN_SUFFIX) in fields(text), f"{language} {key} {name}"


def test_a_text_asked_for_without_a_language_is_in_the_language_in_use_of_its_thread():
    def in_english() -> tuple[str, str, str]:
        i18n.use_language("en")
        return i18n.t("kinds.tasks"), i18n.t("kinds.tasks", "zh-CN"), i18n.language_in_use()

    assert contextvars.copy_context().run(in_english) == ("Task checklist", "任务清单", "en")
    # Another thread (a page's run is one) starts in zh-CN.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(i18n.t, "kinds.tasks").result() == "任务清单"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.use_language("fr")


# An English word followed by the Chinese term in brackets: `under supervision (督办)`.
CHINESE_GLOSS = re.compile(r"[A-Za-z] ?[(（][\u4e00-\u9fff]+[)）]")


def test_english_text_never_glosses_an_english_word_in_chinese():
    """Chinese stays in the English catalogue only where the reader must find or type it in
    a file (tests/app/test_languages.CHINESE_TERMS), glossed in English where the sentence
    does not say what it means (`the 备注 (note) column`). An English word needs no Chinese
    after it: the reader cannot read it, and it names nothing to type."""
    glossed = [
        f"{key}: {text}" for key, text in catalogue("en").items() if CHINESE_GLOSS.search(text)
    ]
    assert not glossed, "\n".join(glossed)
