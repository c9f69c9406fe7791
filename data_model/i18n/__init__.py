"""The one catalogue of UI text.

Each language is a folder (`zh-CN`, `en`) of TOML files; a file's name is the
namespace of its keys, so `normalize.toml` holding `period_ambiguous = "..."`
gives the key `normalize.period_ambiguous`. Every folder must hold the same keys.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
_ROOT = Path(__file__).parent


@cache
def catalogue(language: str) -> dict[str, str]:
    """All keys of one language, flattened to `namespace.key`."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    flat: dict[str, str] = {}
    for path in sorted((_ROOT / language).glob("*.toml")):
        with path.open("rb") as handle:
            _flatten(tomllib.load(handle), path.stem, flat)
    return flat


def _flatten(table: dict, prefix: str, into: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(value, name, into)
        else:
            into[name] = str(value)


def t(key: str, language: str | None = None, **params: object) -> str:
    """The text for `key`, formatted with `params`; a missing key is a bug and raises KeyError."""
    text = catalogue(language or DEFAULT_LANGUAGE)[key]
    return text.format(**params) if params else text
