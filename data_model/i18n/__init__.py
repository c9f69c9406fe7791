"""The one catalogue of UI text.

Each language is a folder (`zh-CN`, `en`) of TOML files; a file's name is the
namespace of its keys, so `normalize.toml` holding `period_ambiguous = "..."`
gives the key `normalize.period_ambiguous`. Every folder must hold the same keys.

A text asked for without a language (`t(key)`) is in the language in use: the one a
page's run chose with `use_language` (the viewer's: `ui.require_permission` chooses it
at the top of every page), else zh-CN. So the problems the importer and the master-data
checks write as they find them, deep below the pages, are in the viewer's language.

A message that says what to do names the page's button on a page and the command's
option on the command line: such a key has a variant for the command line, its name
with `_cli` added (`importer.rejected_cli`: "add --valid-rows-only" for "choose 仅导入有效
行"), which `t` gives while the command line runs (`command_line`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
_ROOT = Path(__file__).parent
# The language in use in this context: each thread starts without one (a page's run is
# in its own thread, and sets it first).
_in_use: ContextVar[str | None] = ContextVar("language_in_use", default=None)


# Whether the texts asked for in this context are shown by the command line.
_on_command_line: ContextVar[bool] = ContextVar("on_command_line", default=False)
CLI_VARIANT = "_cli"


@contextmanager
def command_line() -> Iterator[None]:
    """Within the block, a key with a command-line variant (`CLI_VARIANT`) gives that."""
    token = _on_command_line.set(True)
    try:
        yield
    finally:
        _on_command_line.reset(token)


def use_language(language: str) -> None:
    """Texts asked for without a language are in `language` from now on, in this thread."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    _in_use.set(language)


def language_in_use() -> str:
    """The language of texts asked for without one (`use_language`, else zh-CN)."""
    return _in_use.get() or DEFAULT_LANGUAGE


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
    """The text for `key`, formatted with `params`; a missing key is a bug and raises KeyError.
    On the command line (`command_line`), its variant `KEY_cli` where it has one."""
    texts = catalogue(language or language_in_use())
    text = texts[key]
    if _on_command_line.get():
        text = texts.get(key + CLI_VARIANT, text)
    return text.format(**params) if params else text
