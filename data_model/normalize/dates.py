"""Dates and task deadlines, including the free-text deadlines real task lists use."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass

from data_model.errors import InputError
from data_model.periods import parse_period, period_end
from data_model.text import is_missing, remove_whitespace, to_halfwidth

MIN_YEAR, MAX_YEAR = 1900, 2199  # catches typed years such as 0222 or 20222
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's 1900 system, past its 1900-02-29 bug
EXCEL_SERIAL_RANGE = (20000, 80000)  # 1954-10-03 .. 2119-01-11

_TIME = r"(?:(?:T|\s+)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_DATE_RES = (
    re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})" + _TIME),
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]?"),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
)
# Spaces around separators are noise (`2022 年 6 月`); the one before a time is not.
_SEPARATOR_SPACE_RE = re.compile(r"\s*([-/.年月日号])\s*")


def _value(raw: object) -> str:
    return raw.strip() if isinstance(raw, str) else str(raw)


def _checked_date(year: int, month: int, day: int, raw: object) -> dt.date:
    try:
        result = dt.date(year, month, day)
    except ValueError:
        raise InputError("normalize.date_invalid", value=_value(raw)) from None
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise InputError("normalize.date_invalid", value=_value(raw))
    return result


def _date_from_text(raw: str) -> dt.date | None:
    """The date written in `raw`, None when it is not shaped like a date.

    Raises InputError `normalize.date_invalid` for a date shape naming no real day.
    """
    text = _SEPARATOR_SPACE_RE.sub(r"\1", to_halfwidth(raw).strip())
    for pattern in _DATE_RES:
        if match := pattern.fullmatch(text):
            return _checked_date(int(match["y"]), int(match["m"]), int(match["d"]), raw)
    return None


def _date_from_number(raw: int | float) -> dt.date:
    low, high = EXCEL_SERIAL_RANGE
    if low <= raw <= high:
        # The fraction is the time of day, which a date does not keep.
        return EXCEL_EPOCH + dt.timedelta(days=math.floor(raw))
    if 10_000_000 <= raw <= 99_999_999 and float(raw).is_integer():
        # 20220630 typed into a cell becomes a number, not text.
        digits = str(int(raw))
        return _checked_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), raw)
    raise InputError("normalize.date_invalid", value=_value(raw))


def parse_date(raw: object) -> dt.date:
    """A raw cell → date.

    Accepts date and datetime cells, Excel serial numbers 20000..80000, an 8-digit
    number 20220630, and text `2022-06-30`, `2022/6/30`, `2022.6.30`, `2022年6月30日`,
    `20220630` (full-width digits too, an optional time after the date is dropped).
    Years outside 1900..2199 are rejected as typos.

    Raises InputError `normalize.date_missing` for a missing marker and
    `normalize.date_invalid` for anything else.
    """
    if is_missing(raw):
        raise InputError("normalize.date_missing")
    if isinstance(raw, dt.datetime):
        return _checked_date(raw.year, raw.month, raw.day, raw)
    if isinstance(raw, dt.date):
        return _checked_date(raw.year, raw.month, raw.day, raw)
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise InputError("normalize.date_invalid", value=_value(raw))
    if isinstance(raw, str):
        result = _date_from_text(raw)
        if result is None:
            raise InputError("normalize.date_invalid", value=_value(raw))
        return result
    return _date_from_number(raw)


@dataclass(frozen=True)
class Deadline:
    """A task deadline: a date, or `ongoing` for standing tasks that are never overdue.

    `text` is what the submitter wrote (date cells: the ISO date), kept for display.
    """

    date: dt.date | None
    ongoing: bool
    text: str


_ONGOING_RE = re.compile(
    r"长期(?:坚持|推进|开展|执行|落实)?|持续(?:推进|开展|进行|落实)?|常态化(?:推进|开展)?|长期持续推进"
)
_TRAILING_NOISE_RE = re.compile(r"[。.;；,，!！、]+$")
_DONE_SUFFIX_RE = re.compile(r"(?:完成|办结|落实)$")
_BEFORE_SUFFIX_RE = re.compile(r"(?:以前|之前|前)$")
# Year prefix: `2022年`, `今年`/`本年`/`当年` (report year), or nothing (report year).
_YP = r"(?:(?P<y>[0-9]{4})年|(?P<this>今|本|当)年)?"
_END = r"(?P<end>底|末)"
_MONTH_END_RE = re.compile(_YP + r"(?P<m>[0-9]{1,2})月份?" + _END + "?")
_MONTH_DAY_RE = re.compile(_YP + r"(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]")
_YEAR_END_RE = re.compile(_YP + r"年?(?:度)?" + _END)
_YEAR_WITHIN_RE = re.compile(_YP + r"年?度?内")
_YEAR_RE = re.compile(r"(?P<y>[0-9]{4})年(?:度|全年)?")
_QUARTER_RE = re.compile(_YP + r"第?(?P<q>[一二三四1-4])季度?" + _END + "?")
_HALF_RE = re.compile(_YP + r"(?P<h>上|下)半年" + _END + "?")
_QUARTER_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_deadline(raw: object, report_period: str | None = None) -> Deadline:
    """A raw 完成时限 cell → Deadline.

    Accepts every `parse_date` form (optionally followed by 前), `2022年6月底前`,
    `2022年6月底`, `2022年6月` (end of month), `2022年底(前)`, `2022年年底前`, `年底(前)`,
    `年内`, `2022年内`, `今年底`, `2022年(第)三季度末`, `2022年上半年(前)`, any period
    `parse_period` reads as text (its last day), and the standing forms `长期坚持`,
    `持续推进`, `常态化`, `长期`, `持续开展` (ongoing, no date). A trailing `完成` or
    full stop is ignored. `6月前` is rejected: it may mean by 31 May or by 30 June.

    A missing year comes from `report_period` (anything `parse_period` accepts);
    without it InputError `normalize.deadline_needs_year` is raised. Other errors:
    `normalize.deadline_missing`, `normalize.deadline_invalid`, `normalize.date_invalid`
    (a date shape naming no real day, e.g. 2022-02-30).
    """
    if is_missing(raw):
        raise InputError("normalize.deadline_missing")
    if isinstance(raw, dt.date | int | float) and not isinstance(raw, bool):
        return _deadline_from_cell(raw)
    if not isinstance(raw, str):
        raise InputError("normalize.deadline_invalid", value=_value(raw))
    written = raw.strip()
    text = _TRAILING_NOISE_RE.sub("", remove_whitespace(to_halfwidth(raw)))
    text = _DONE_SUFFIX_RE.sub("", text)
    if _ONGOING_RE.fullmatch(text):
        return Deadline(None, True, written)
    day = _date_from_text(raw)
    if day is None:
        day = _deadline_from_text(text, raw, report_period)
    return Deadline(day, False, written)


def _deadline_from_cell(raw: dt.date | int | float) -> Deadline:
    # A bare year typed into a cell becomes the number 2022: the end of that year.
    if isinstance(raw, int | float) and _is_year_number(raw):
        return Deadline(dt.date(int(raw), 12, 31), False, str(int(raw)))
    try:
        day = parse_date(raw)
    except InputError:
        raise InputError("normalize.deadline_invalid", value=_value(raw)) from None
    # Serial numbers mean nothing to a reader, so date cells are shown as ISO dates.
    return Deadline(day, False, day.isoformat())


def _is_year_number(raw: int | float) -> bool:
    return 1990 <= raw <= 2100 and float(raw).is_integer()


def _deadline_from_text(text: str, raw: str, report_period: str | None) -> dt.date:
    body = _BEFORE_SUFFIX_RE.sub("", text)
    before = body != text
    if (day := _date_from_text(body)) is not None:
        return day

    def year_of(match: re.Match[str]) -> int:
        if match["y"]:
            return int(match["y"])
        if report_period is None:
            raise InputError("normalize.deadline_needs_year", value=raw.strip())
        return int(parse_period(report_period)[:4])

    def last_day(year: int, month: int) -> dt.date:
        return _checked_date(year, month, calendar.monthrange(year, month)[1], raw)

    if match := _MONTH_DAY_RE.fullmatch(body):
        return _checked_date(year_of(match), int(match["m"]), int(match["d"]), raw)
    # `6月前` could mean by 31 May or by 30 June, so 前 needs 底/末 before it.
    if (match := _MONTH_END_RE.fullmatch(body)) and (match["end"] or not before):
        month = int(match["m"])
        if not 1 <= month <= 12:
            raise InputError("normalize.date_invalid", value=raw.strip())
        return last_day(year_of(match), month)
    if (match := _YEAR_END_RE.fullmatch(body)) and "年" in body:
        return _checked_date(year_of(match), 12, 31, raw)
    if not before and (match := _YEAR_WITHIN_RE.fullmatch(body)) and "年" in body:
        return _checked_date(year_of(match), 12, 31, raw)
    if (match := _QUARTER_RE.fullmatch(body)) and (match["end"] or not before):
        quarter = _QUARTER_NUMBERS.get(match["q"]) or int(match["q"])
        return last_day(year_of(match), quarter * 3)
    if match := _HALF_RE.fullmatch(body):
        return last_day(year_of(match), 6 if match["h"] == "上" else 12)
    if not before and (match := _YEAR_RE.fullmatch(body)):
        return _checked_date(int(match["y"]), 12, 31, raw)
    if not before:
        try:
            return period_end(parse_period(body))
        except InputError:
            pass
    raise InputError("normalize.deadline_invalid", value=raw.strip())
