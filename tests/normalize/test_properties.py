"""Property tests: whatever a cell holds, a normaliser returns a valid value or raises
InputError (whose message renders in every language) — never any other exception."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from data_model.errors import InputError
from data_model.i18n import LANGUAGES
from data_model.normalize.dates import Deadline, parse_date, parse_deadline
from data_model.normalize.districts import district_matcher, load_default_districts
from data_model.normalize.names import NameMatcher, normalize_name
from data_model.normalize.numbers import parse_number
from data_model.periods import (
    CANONICAL_RE,
    GRANULARITIES,
    granularity,
    months_of,
    next_period,
    parse_period,
    period_containing,
    period_end,
    period_label,
    period_start,
    periods_between,
    previous_period,
    same_period_last_year,
    sort_key,
    to_granularity,
)
from data_model.text import clean_header, is_missing, to_halfwidth

# Pieces of real cells, so that generated text reaches deep into the parsers' branches.
FRAGMENTS = [
    "2022", "1990", "2100", "1989", "年", "年度", "月", "月份", "日", "号", "季度", "第",
    "一", "三", "十二", "上半年", "下半年", "底", "末", "前", "以前", "内", "今年", "完成",
    "长期", "坚持", "持续推进", "常态化", "Q", "q", "H", "-", "/", ".", "~", "至", ",", "，",
    "%", "％", "‰", "亿元", "万元", "家", "e", "E", "+", "−", "0", "1", "3", "03", "06",
    "10", "12", "13", "30", "31", "１", "２０２２", " ", "\n", "\u3000", "(", ")", "（", "）",
    "无", "N/A", "—", "南山", "区", "福田", "深圳市", "nanshan", "District", "440305",
]  # fmt: skip

real_text = st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join)
cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=1980, max_value=300_000),
    st.integers(min_value=19_000_000, max_value=21_991_231),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=1980, max_value=2110),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.fractions(),
    st.dates(),
    st.datetimes(),
    st.text(),
    real_text,
)
canonical_periods = st.one_of(
    st.integers(1990, 2100).map(str),
    st.builds("{}-H{}".format, st.integers(1990, 2100), st.integers(1, 2)),
    st.builds("{}-Q{}".format, st.integers(1990, 2100), st.integers(1, 4)),
    st.builds("{}-{:02d}".format, st.integers(1990, 2100), st.integers(1, 12)),
)

DISTRICTS = district_matcher(load_default_districts())
UNITS = NameMatcher(
    [("市发展改革委", ["市发改委"]), ("市商务局", []), ("市工商联宣传教育部", ["宣教部"])],
    "normalize.kind_unit",
)


def outcome(func: Callable[[], object]) -> object:
    """The result of `func`, or the InputError it raised after checking its messages."""
    try:
        return func()
    except InputError as error:
        assert error.key.startswith("normalize.")
        for language in LANGUAGES:
            assert error.message(language)
        assert error.suggestion is None or isinstance(error.suggestion, str)
        return error


@settings(max_examples=400)
@given(cells)
def test_parse_period_total(raw: object) -> None:
    result = outcome(lambda: parse_period(raw))
    if isinstance(result, InputError):
        assert result.key in ("normalize.period_invalid", "normalize.period_ambiguous")
        return
    assert isinstance(result, str)
    assert CANONICAL_RE.fullmatch(result)
    assert 1990 <= int(result[:4]) <= 2100
    assert parse_period(result) == result


@settings(max_examples=400)
@given(cells, st.one_of(st.none(), st.sampled_from(["", "%", "亿元", "家", "％"])), st.booleans())
def test_parse_number_total(raw: object, unit: str | None, percent_format: bool) -> None:
    result = outcome(lambda: parse_number(raw, unit, percent_format))
    if isinstance(result, InputError):
        return
    assert result is None or (type(result) is float and math.isfinite(result))
    assert (result is None) == is_missing(raw)


@settings(max_examples=400)
@given(cells)
def test_parse_date_total(raw: object) -> None:
    result = outcome(lambda: parse_date(raw))
    if isinstance(result, InputError):
        assert result.key in ("normalize.date_invalid", "normalize.date_missing")
        return
    assert type(result) is dt.date
    assert 1900 <= result.year <= 2199


@settings(max_examples=400)
@given(cells, st.one_of(st.none(), canonical_periods))
def test_parse_deadline_total(raw: object, report_period: str | None) -> None:
    result = outcome(lambda: parse_deadline(raw, report_period))
    if isinstance(result, InputError):
        assert result.key in (
            "normalize.deadline_invalid",
            "normalize.deadline_missing",
            "normalize.deadline_needs_year",
            "normalize.date_invalid",
        )
        return
    assert isinstance(result, Deadline)
    assert isinstance(result.text, str) and result.text
    if result.ongoing:
        assert result.date is None
    else:
        assert type(result.date) is dt.date


@settings(max_examples=300)
@given(cells)
def test_matchers_total(raw: object) -> None:
    for matcher in (DISTRICTS, UNITS):
        result = outcome(lambda m=matcher: m.match(raw))
        if isinstance(result, InputError):
            assert result.key in ("normalize.name_unknown", "normalize.name_missing")
            assert result.suggestion is None or result.suggestion in matcher.names
        else:
            assert result in matcher.names


@given(cells)
def test_text_helpers_total(raw: object) -> None:
    name, unit = clean_header(raw)
    assert isinstance(name, str) and not any(c.isspace() for c in name)
    assert unit is None or (unit and not any(c.isspace() for c in unit))
    assert isinstance(is_missing(raw), bool)
    key = normalize_name(raw)
    assert normalize_name(key) == key


@given(st.text())
def test_to_halfwidth_keeps_length_and_leaves_no_fullwidth_ascii(text: str) -> None:
    result = to_halfwidth(text)
    assert len(result) == len(text)
    assert not any("\uff01" <= c <= "\uff5e" or c == "\u3000" for c in result)
    assert to_halfwidth(result) == result


@given(canonical_periods)
def test_period_arithmetic_is_consistent(period: str) -> None:
    kind = granularity(period)
    start, end = period_start(period), period_end(period)
    assert start <= end
    assert period_containing(start, kind) == period
    assert period_containing(end, kind) == period
    assert previous_period(next_period(period)) == period
    assert period_end(previous_period(period)) + dt.timedelta(days=1) == start
    assert same_period_last_year(period)[4:] == period[4:]
    months = months_of(period)
    assert months[0] == period_containing(start, "month")
    assert all(to_granularity(m, kind) == period for m in months)
    for coarser in GRANULARITIES[: GRANULARITIES.index(kind) + 1]:
        assert period_containing(start, coarser) == to_granularity(period, coarser)
    assert periods_between(period, period) == [period]
    for language in LANGUAGES:
        assert period_label(period, language)
    assert parse_period(period_label(period, "zh-CN")) == period


@given(canonical_periods, canonical_periods)
def test_sort_key_follows_start_dates(a: str, b: str) -> None:
    if period_start(a) < period_start(b):
        assert sort_key(a) < sort_key(b)
    if period_start(a) == period_start(b) and GRANULARITIES.index(
        granularity(a)
    ) < GRANULARITIES.index(granularity(b)):
        assert sort_key(a) < sort_key(b)
