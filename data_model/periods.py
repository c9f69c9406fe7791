"""Reporting periods: parsing raw cells to canonical strings, and period arithmetic.

Canonical forms: year `2022`, half `2022-H1`, quarter `2022-Q1`, month `2022-03`.
`parse_period` turns user input into one of these or raises InputError; every other
function takes canonical strings only and raises ValueError otherwise, since a
non-canonical period there is a bug in the calling code, not bad user input.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from functools import lru_cache

from data_model.errors import InputError
from data_model.i18n import t
from data_model.text import remove_whitespace, to_halfwidth

GRANULARITIES = ("year", "half", "quarter", "month")  # coarse to fine
MIN_YEAR, MAX_YEAR = 1990, 2100  # accepted from user input; typos like 2202 fall outside

_PER_YEAR = {"year": 1, "half": 2, "quarter": 4, "month": 12}
_MONTHS_IN = {"year": 12, "half": 6, "quarter": 3, "month": 1}

CANONICAL_RE = re.compile(
    r"(?P<year>[0-9]{4})(?:-(?:H(?P<half>[12])|Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?"
)

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_MONTHS = {**_CN_DIGITS, "十": 10, "十一": 11, "十二": 12}
_Y = r"(?P<y>[0-9]{4})"
_YEAR_WORD = r"(?:年度?)?"  # `2022年`, `2022年度`, or nothing
_TIME = r"(?:T?[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"

# Text forms, tried in order after half-width, whitespace removal and upper-casing.
_YEAR_RES = (re.compile(_Y + r"(?:年(?:度|全年)?|全年)?"),)
_HALF_RES = (
    re.compile(_Y + _YEAR_WORD + r"(?P<h>上|下)半年度?"),
    re.compile(_Y + r"[-_/.年]?H(?P<h>[12])"),
)
_QUARTER_RES = (
    re.compile(_Y + _YEAR_WORD + r"第?(?P<q>[一二三四1-4])季度?"),
    re.compile(_Y + r"[-_/.年]?Q(?P<q>[1-4])"),
    re.compile(r"Q(?P<q>[1-4])[-_/.]?" + _Y),
)
_MONTH_RES = (
    re.compile(_Y + r"年(?P<m>[0-9]{1,2}|十[一二]|[一二三四五六七八九十])月份?"),
    re.compile(_Y + r"[-_/.](?P<m>[0-9]{1,2})月?"),
    re.compile(_Y + r"(?P<m>[0-9]{2})"),
)
_RANGE_RE = re.compile(_Y + r"年(?P<a>[0-9]{1,2})月?(?:-|~|至|到|—|–|－)(?P<b>[0-9]{1,2})月份?")
_DATE_RES = (
    re.compile(_Y + r"(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})" + _TIME),
    re.compile(_Y + r"年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]?"),
)
# Month spans that are exactly one canonical period (`1-3月` is Q1, `1-6月` is H1).
_RANGES = {
    (1, 12): ("year", 1),
    (1, 6): ("half", 1),
    (7, 12): ("half", 2),
    (1, 3): ("quarter", 1),
    (4, 6): ("quarter", 2),
    (7, 9): ("quarter", 3),
    (10, 12): ("quarter", 4),
}
_FLOAT_RE = re.compile(r"(?P<y>[0-9]{4})\.(?P<f>[0-9]{1,2})")


def parse_period(raw: object) -> str:
    """A raw cell → canonical period string.

    Accepts year (`2022`, `2022年`, `2022年度`, int 2022, float 2022.0), half (`2022年上半年`,
    `2022H1`, `2022年1-6月`), quarter (`2022年一季度`, `2022年第1季度`, `2022Q1`, `2022 q1`,
    `2022年1-3月`), month (`2022年3月`, `2022年03月份`, `2022.3`, `2022.10`, `2022/3`,
    `2022-03`, `202203` as text or int), an Excel date or datetime cell or text date (its
    month), and full-width digits.

    A number cell with decimals is read as year.month where that is unambiguous
    (2022.3 → `2022-03`, 2022.12 → `2022-12`), but x.1 raises InputError
    `normalize.period_ambiguous`: Excel stores a typed 2022.10 as 2022.1. Anything else,
    including month 13, quarter 5 and years outside 1990..2100, raises
    `normalize.period_invalid`.
    """
    if isinstance(raw, bool):
        raise _invalid(raw)
    if isinstance(raw, dt.date):  # datetime is a date too
        return _make(raw.year, "month", raw.month, raw)
    if isinstance(raw, int):
        return _from_digits(str(raw), raw)
    if isinstance(raw, float):
        return _from_float(raw)
    if isinstance(raw, str):
        return _from_text(raw)
    raise _invalid(raw)


def _invalid(raw: object) -> InputError:
    value = raw.strip() if isinstance(raw, str) else str(raw)
    return InputError("normalize.period_invalid", value=value)


def _make(year: int, granularity: str, index: int, raw: object) -> str:
    if not MIN_YEAR <= year <= MAX_YEAR or not 1 <= index <= _PER_YEAR[granularity]:
        raise _invalid(raw)
    return _format(year, granularity, index)


def _from_digits(digits: str, raw: object) -> str:
    if len(digits) == 4 and digits.isdigit():
        return _make(int(digits), "year", 1, raw)
    if len(digits) == 6 and digits.isdigit():
        return _make(int(digits[:4]), "month", int(digits[4:]), raw)
    raise _invalid(raw)


def _from_float(raw: float) -> str:
    if not math.isfinite(raw):
        raise _invalid(raw)
    if raw.is_integer():
        return _from_digits(str(int(raw)), raw)
    # repr gives the shortest text that round-trips, i.e. what the clerk typed minus
    # any trailing zeros Excel dropped.
    match = _FLOAT_RE.fullmatch(repr(raw))
    if match is None:
        raise _invalid(raw)
    year = int(match["y"])
    if match["f"] == "1" and MIN_YEAR <= year <= MAX_YEAR:
        raise InputError("normalize.period_ambiguous", value=repr(raw), year=year)
    return _make(year, "month", int(match["f"]), raw)


def _from_text(raw: str) -> str:
    text = remove_whitespace(to_halfwidth(raw)).upper()
    for pattern in _YEAR_RES:
        if match := pattern.fullmatch(text):
            return _make(int(match["y"]), "year", 1, raw)
    for pattern in _HALF_RES:
        if match := pattern.fullmatch(text):
            half = {"上": 1, "下": 2}.get(match["h"]) or int(match["h"])
            return _make(int(match["y"]), "half", half, raw)
    for pattern in _QUARTER_RES:
        if match := pattern.fullmatch(text):
            quarter = _CN_DIGITS.get(match["q"]) or int(match["q"])
            return _make(int(match["y"]), "quarter", quarter, raw)
    for pattern in _MONTH_RES:
        if match := pattern.fullmatch(text):
            month = _CN_MONTHS.get(match["m"]) or int(match["m"])
            return _make(int(match["y"]), "month", month, raw)
    if match := _RANGE_RE.fullmatch(text):
        first, last = int(match["a"]), int(match["b"])
        if first == last:
            return _make(int(match["y"]), "month", first, raw)
        if (first, last) in _RANGES:
            return _make(int(match["y"]), *_RANGES[first, last], raw)
        raise _invalid(raw)
    for pattern in _DATE_RES:
        if match := pattern.fullmatch(text):
            year, month = int(match["y"]), int(match["m"])
            try:
                dt.date(year, month, int(match["d"]))
            except ValueError:
                raise _invalid(raw) from None
            return _make(year, "month", month, raw)
    raise _invalid(raw)


# --- arithmetic on canonical periods -------------------------------------------------


@lru_cache(maxsize=4096)
def _split_cached(period: str) -> tuple[int, str, int]:
    match = CANONICAL_RE.fullmatch(period)
    if match is None or int(match["year"]) < 1000:
        raise ValueError(f"not a canonical period: {period!r}")
    year = int(match["year"])
    if match["half"]:
        return year, "half", int(match["half"])
    if match["quarter"]:
        return year, "quarter", int(match["quarter"])
    if match["month"]:
        return year, "month", int(match["month"])
    return year, "year", 1


def _split(period: str) -> tuple[int, str, int]:
    """(year, granularity, index within the year, 1-based)."""
    if not isinstance(period, str):
        raise ValueError(f"not a canonical period: {period!r}")
    return _split_cached(period)


def _format(year: int, granularity: str, index: int) -> str:
    if not 1000 <= year <= 9999:
        raise ValueError(f"period year out of range: {year}")
    if granularity == "year":
        return str(year)
    if granularity == "half":
        return f"{year}-H{index}"
    if granularity == "quarter":
        return f"{year}-Q{index}"
    return f"{year}-{index:02d}"


def _check_granularity(granularity: str) -> None:
    if granularity not in _PER_YEAR:
        raise ValueError(f"unknown granularity {granularity!r}; expected one of {GRANULARITIES}")


def is_canonical(period: object) -> bool:
    """True when `period` is a canonical period string."""
    try:
        _split(period)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True


def granularity(period: str) -> str:
    """`year`, `half`, `quarter` or `month`."""
    return _split(period)[1]


def _first_month(granularity_: str, index: int) -> int:
    return (index - 1) * _MONTHS_IN[granularity_] + 1


def to_granularity(period: str, target: str) -> str:
    """The coarser period containing `period` (`2022-05` → `2022-Q2` for `quarter`).

    Same granularity returns `period`; a finer target raises ValueError.
    """
    _check_granularity(target)
    year, source, index = _split(period)
    if GRANULARITIES.index(target) > GRANULARITIES.index(source):
        raise ValueError(f"cannot refine {period!r} to {target!r}")
    month = _first_month(source, index)
    return _format(year, target, (month - 1) // _MONTHS_IN[target] + 1)


def months_of(period: str) -> list[str]:
    """The canonical months inside `period`, in order (`2022-Q1` → 2022-01..2022-03)."""
    year, granularity_, index = _split(period)
    first = _first_month(granularity_, index)
    return [_format(year, "month", m) for m in range(first, first + _MONTHS_IN[granularity_])]


def period_start(period: str) -> dt.date:
    """First day of `period`."""
    year, granularity_, index = _split(period)
    return dt.date(year, _first_month(granularity_, index), 1)


def period_end(period: str) -> dt.date:
    """Last day of `period`."""
    year, granularity_, index = _split(period)
    month = _first_month(granularity_, index) + _MONTHS_IN[granularity_] - 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _ordinal(year: int, granularity_: str, index: int) -> int:
    return year * _PER_YEAR[granularity_] + index - 1


def _from_ordinal(ordinal: int, granularity_: str) -> str:
    year, offset = divmod(ordinal, _PER_YEAR[granularity_])
    return _format(year, granularity_, offset + 1)


def shift_period(period: str, steps: int) -> str:
    """The period `steps` periods later (negative: earlier), same granularity."""
    year, granularity_, index = _split(period)
    return _from_ordinal(_ordinal(year, granularity_, index) + steps, granularity_)


def previous_period(period: str) -> str:
    """The period just before (`2022-01` → `2021-12`, `2022-Q1` → `2021-Q4`, `2022` → `2021`)."""
    return shift_period(period, -1)


def next_period(period: str) -> str:
    """The period just after, same granularity."""
    return shift_period(period, 1)


def same_period_last_year(period: str) -> str:
    """The same period one year earlier (`2022-Q3` → `2021-Q3`)."""
    year, granularity_, index = _split(period)
    return _format(year - 1, granularity_, index)


def sort_key(period: str) -> tuple[dt.date, int]:
    """Sort by start date, the coarser period first when two start on the same day."""
    return period_start(period), GRANULARITIES.index(granularity(period))


def periods_between(start: str, end: str) -> list[str]:
    """Every period from `start` to `end` inclusive; both must share a granularity.

    Empty when `end` is before `start`.
    """
    start_year, granularity_, start_index = _split(start)
    end_year, end_granularity, end_index = _split(end)
    if granularity_ != end_granularity:
        raise ValueError(f"{start!r} and {end!r} have different granularities")
    first = _ordinal(start_year, granularity_, start_index)
    last = _ordinal(end_year, granularity_, end_index)
    return [_from_ordinal(o, granularity_) for o in range(first, last + 1)]


def period_containing(day: dt.date, granularity_: str) -> str:
    """The period of the given granularity that contains `day`."""
    _check_granularity(granularity_)
    return _format(day.year, granularity_, (day.month - 1) // _MONTHS_IN[granularity_] + 1)


def sub_periods(period: str) -> list[str]:
    """Every canonical period inside `period`, itself included (at most 19 for a year)."""
    start, end = period_start(period), period_end(period)
    found = []
    for level in ("year", "half", "quarter", "month"):
        first = period_containing(start, level)
        last = period_containing(end, level)
        for candidate in periods_between(first, last):
            if period_start(candidate) >= start and period_end(candidate) <= end:
                found.append(candidate)
    return found


def period_label(period: str, language: str | None = None) -> str:
    """Human label from the catalogue: zh-CN `2022年第一季度`, en `2022 Q1`, `Mar 2022`."""
    year, granularity_, index = _split(period)
    if granularity_ == "year":
        return t("periods.year", language, year=year)
    if granularity_ in ("half", "quarter"):
        return t(f"periods.{granularity_}_{index}", language, year=year)
    abbr = t(f"periods.month_abbr.{index}", language)
    return t("periods.month", language, year=year, month=index, month_abbr=abbr)
