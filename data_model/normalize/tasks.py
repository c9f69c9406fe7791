"""Task cells as lists write them: progress (`60%`, `0.6`, `已完成`) and the code of a task
a list does not number (derived from its action, text, lead unit and district)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from data_model.errors import InputError
from data_model.kinds import PROGRESS_WORDS
from data_model.normalize.numbers import parse_number
from data_model.text import is_missing, remove_whitespace, to_halfwidth

# Numbering in front of a task's text (`1.`, `（一）`, `一、`, `①`): it changes when the
# list is reordered, so it is no part of what identifies the task.
_LEADING_NUMBER = re.compile(
    r"^(?:[(（]?[0-9一二三四五六七八九十]{1,3}[)）]|[0-9一二三四五六七八九十]{1,3}[.、．,，]"
    r"|[\u2460-\u2473])"
)

CODE_PREFIX = "T-"
CODE_HEX_DIGITS = 10


def task_text_key(text: object) -> str:
    """A task's text as compared between lists: half-width, no whitespace, no punctuation
    or symbols, no leading numbering, case-folded."""
    compact = remove_whitespace(to_halfwidth(str(text or "")))
    compact = _LEADING_NUMBER.sub("", compact)
    return "".join(
        c for c in compact if not unicodedata.category(c).startswith(("P", "S"))
    ).casefold()


def derived_task_code(action: str, content: str, lead_unit: str, district: str | None) -> str:
    """The code of a task a list does not number: `T-` and 10 hex digits of a hash of its
    action, normalised text, lead unit and district (canonical names), so the next
    list's row for the same task gets the same code whatever its 序号."""
    key = "\n".join((action, task_text_key(content), lead_unit, district or ""))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return CODE_PREFIX + digest[:CODE_HEX_DIGITS].upper()


@dataclass(frozen=True)
class Progress:
    value: float  # percent points, 0..100
    stated_status: str = ""  # what a word such as `已完成` states ("" states nothing)
    scaled: bool = False  # a fraction read as percent points (0.35 → 35)


def is_fraction_column(cells: list[tuple[object, bool]]) -> bool:
    """Whether a progress column is written as fractions of one: every number in it lies
    in 0..1 and one at least has a decimal part (0.35, 0.6, 1). Cells are (raw value,
    formatted as percent); percent-formatted cells and text with `%` do not count."""
    numbers = []
    for raw, percent_format in cells:
        if percent_format or is_missing(raw) or isinstance(raw, bool):
            continue
        if isinstance(raw, str) and ("%" in to_halfwidth(raw) or _word(raw) is not None):
            continue
        try:
            value = parse_number(raw, unit="%")
        except InputError:
            continue
        if value is not None:
            numbers.append(value)
    return bool(numbers) and all(0 <= v <= 1 for v in numbers) and any(0 < v < 1 for v in numbers)


def parse_progress(raw: object, percent_format: bool = False, fractions: bool = False) -> Progress:
    """A progress cell → percent points.

    `60%`, a cell formatted as percent (0.6 shown as 60%) and `60` are 60; a number with a
    decimal part below 1 (`0.35`) is a fraction, 35; a bare `1` is 1 % unless the whole
    column is written as fractions (`fractions`), where it is 100. `已完成`/`完成` are 100
    and state the task completed; `未启动` is 0. Raises InputError for anything else and
    for values outside 0..100.
    """
    if is_missing(raw):
        raise InputError("validate.required")
    word = _word(raw) if isinstance(raw, str) else None
    if word is not None:
        return Progress(*word)
    written_percent = isinstance(raw, str) and "%" in to_halfwidth(raw)
    try:
        value = parse_number(raw, unit="%", percent_format=percent_format)
    except InputError:
        raise InputError("validate.progress_invalid", value=str(raw).strip()) from None
    if value is None:
        raise InputError("validate.required")
    scaled = False
    if not written_percent and not percent_format and (fractions or 0 < value < 1):
        value, scaled = round(value * 100, 9), True
    if not 0 <= value <= 100:
        raise InputError("validate.progress_range", value=_display(value))
    return Progress(value, "", scaled)


def _word(raw: str) -> tuple[float, str] | None:
    return PROGRESS_WORDS.get(remove_whitespace(to_halfwidth(raw)))


def _display(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
