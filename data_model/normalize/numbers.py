"""Numeric cells: thousands separators, percentages, trailing units, missing markers."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

from data_model.errors import InputError
from data_model.text import is_missing, remove_whitespace, to_halfwidth

# Thousands groups must be exact (`1,234`, not `1,23`): a comma in the wrong place is
# more likely a decimal comma than a separator, and guessing would corrupt the figure.
_NUMBER_RE = re.compile(
    r"""^(?P<number>[+-]?
        (?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?|[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
        (?:[eE][+-]?[0-9]+)?)
        (?P<rest>.*)$""",
    re.VERBOSE | re.DOTALL,
)
# A trailing text is taken for a unit only if it looks like one (starts with a letter or
# a unit symbol, no digits); `12.5.3` or `1_000` is a malformed number, not a unit.
_UNIT_LIKE_RE = re.compile(r"(?:[^\W\d_]|[%‰‱°℃℉㎡㎞$¥€£])[^0-9]*")
_BRACKETED_RE = re.compile(r"^[(\[](.*)[)\]]$", re.DOTALL)
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-"})


# Words that name what a count counts, written after it in a count column (参与企业数 `8家`,
# 参与人数 `120人`): the count stays the number.
COUNT_UNITS = frozenset(
    {"家", "个", "人", "名", "位", "户", "场", "次", "项", "件", "人次", "家企业", "个企业"}
)


def _clean_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    return remove_whitespace(to_halfwidth(unit)) or None


def _finite(value: float, raw: object) -> float:
    if not math.isfinite(value):
        raise InputError("normalize.number_invalid", value=str(raw))
    return value + 0.0  # turns -0.0 into 0.0


def parse_number(
    raw: object, unit: str | None = None, percent_format: bool = False
) -> float | None:
    """A cell → float, or None for a missing marker (never 0).

    `unit` is the indicator's unit. Numbers pass through; when `percent_format` is set (the
    Excel cell is formatted as percent, so 85% is stored as 0.85) and `unit` is `%`, the
    value is scaled to percent points (text cells ignore `percent_format`). Text may use thousands separators, full-width
    digits, a sign, scientific notation, a `%` suffix (percent points when `unit` is `%`,
    a fraction otherwise) and a trailing unit equal to `unit`.

    Raises InputError `normalize.number_invalid` (not a number, bool, NaN, infinite),
    `normalize.number_unit_mismatch` (trailing unit differs from `unit`) or
    `normalize.number_unit_unexpected` (trailing unit while the indicator has none).
    """
    if is_missing(raw):
        return None
    unit = _clean_unit(unit)
    if isinstance(raw, bool):
        raise InputError("normalize.number_invalid", value=str(raw))
    if isinstance(raw, int | float | Decimal | Fraction):
        try:
            value = float(raw)
        except (OverflowError, ValueError):  # huge ints, Decimal('sNaN')
            raise InputError("normalize.number_invalid", value=str(raw)) from None
        if percent_format and unit == "%":
            value = round(value * 100, 9)
        return _finite(value, raw)
    if not isinstance(raw, str):
        raise InputError("normalize.number_invalid", value=str(raw))
    return _parse_text(raw, unit)


def _parse_text(raw: str, unit: str | None) -> float:
    text = remove_whitespace(to_halfwidth(raw).translate(_MINUS_SIGNS))
    match = _NUMBER_RE.match(text)
    if match is None:
        raise InputError("normalize.number_invalid", value=raw.strip())
    value = _finite(float(match["number"].replace(",", "")), raw.strip())
    rest = match["rest"]
    bracketed = _BRACKETED_RE.match(rest)
    if bracketed:
        rest = bracketed[1]
    if not rest or rest == unit:
        return value
    if rest == "%":
        return value if unit == "%" else _finite(value / 100, raw.strip())
    if not _UNIT_LIKE_RE.fullmatch(rest):
        raise InputError("normalize.number_invalid", value=raw.strip())
    if unit is None:
        raise InputError("normalize.number_unit_unexpected", value=raw.strip(), found=rest)
    raise InputError("normalize.number_unit_mismatch", value=raw.strip(), found=rest, expected=unit)


def parse_count_number(raw: object) -> float | None:
    """A count cell → float, or None for a missing marker: a number, which may be followed
    by a word naming what it counts (`COUNT_UNITS`), `8家` → 8.0. It is not an indicator
    value: another trailing unit (`8元`) is `normalize.count_unit_unexpected`, which says
    the column takes a count; the other errors are `parse_number`'s."""
    try:
        return parse_number(raw)
    except InputError as error:
        if error.key != "normalize.number_unit_unexpected":
            raise
        found = error.params["found"]
        if found in COUNT_UNITS:
            return parse_number(raw, unit=found)
        raise InputError(
            "normalize.count_unit_unexpected", value=error.params["value"], found=found
        ) from None
