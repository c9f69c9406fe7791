from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from normalize_testing import assert_input_error

from data_model.normalize.numbers import parse_count_number, parse_number


@pytest.mark.parametrize(
    ("raw", "unit", "percent_format", "expected"),
    [
        (12, None, False, 12.0),
        (0, None, False, 0.0),
        (-3, None, False, -3.0),
        (12.5, None, False, 12.5),
        (0.85, "%", True, 85.0),
        (0.07, "%", True, 7.0),
        (1, "%", True, 100.0),
        (0.85, "%", False, 0.85),
        (0.85, "亿元", True, 0.85),
        (0.85, None, True, 0.85),
        (Decimal("1.5"), None, False, 1.5),
        (Fraction(1, 4), None, False, 0.25),
        ("0", None, False, 0.0),
        ("-0", None, False, 0.0),
        ("1234", None, False, 1234.0),
        ("1,234.5", None, False, 1234.5),
        ("1,234,567", None, False, 1234567.0),
        ("1，234", None, False, 1234.0),
        ("１，２３４．５", None, False, 1234.5),
        ("１２３", None, False, 123.0),
        ("+12", None, False, 12.0),
        ("-12.5", None, False, -12.5),
        ("−12.5", None, False, -12.5),
        ("－12.5", None, False, -12.5),
        (".5", None, False, 0.5),
        ("5.", None, False, 5.0),
        ("1.2e3", None, False, 1200.0),
        ("1.2E-3", None, False, 0.0012),
        (" 42 ", None, False, 42.0),
        ("1 234", None, False, 1234.0),
        ("85%", "%", False, 85.0),
        ("85％", "%", False, 85.0),
        ("85%", "％", False, 85.0),
        ("85%", None, False, 0.85),
        ("85%", "亿元", False, 0.85),
        ("12.5%", "%", False, 12.5),
        ("85", "%", False, 85.0),
        ("85", "%", True, 85.0),
        ("12.5亿元", "亿元", False, 12.5),
        ("12.5 亿元", "亿元", False, 12.5),
        ("12.5(亿元)", "亿元", False, 12.5),
        ("12.5（亿元）", "亿元", False, 12.5),
        ("30家", "家", False, 30.0),
        ("30 家", "家", False, 30.0),
        ("1,200个", "个", False, 1200.0),
        ("5km2", "km2", False, 5.0),
    ],
)
def test_parse_number(raw: object, unit: str | None, percent_format: bool, expected: float) -> None:
    assert parse_number(raw, unit, percent_format) == expected


@pytest.mark.parametrize(
    "raw",
    [None, "", " ", "-", "--", "—", "——", "－", "/", "无", "暂无", "N/A", "NA", "n/a", "#N/A"],
)
@pytest.mark.parametrize("unit", [None, "%", "亿元"])
def test_missing_is_none_never_zero(raw: object, unit: str | None) -> None:
    assert parse_number(raw, unit) is None
    assert parse_number(raw, unit, percent_format=True) is None


def test_zero_is_a_value() -> None:
    assert parse_number(0) == 0.0
    assert parse_number("0") == 0.0


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        (True, None),
        (False, None),
        (float("nan"), None),
        (float("inf"), None),
        (float("-inf"), "%"),
        (Decimal("NaN"), None),
        (Decimal("sNaN"), None),
        (10**400, None),
        ("1e999", None),
        ("abc", None),
        ("12abc3", None),
        ("1,23", None),
        ("1,2345", None),
        ("1.234.567", None),
        ("12.5.3", None),
        ("1-2", None),
        ("++1", None),
        ("e5", None),
        ("nan", None),
        ("inf", None),
        ("Infinity", None),
        ("1_000", None),
        ("约12", None),
        ("#DIV/0!", None),
        ("#VALUE!", None),
        ("%", "%"),
        ("0x1F", None),
        (b"12", None),
        ([12], None),
    ],
)
def test_number_invalid(raw: object, unit: str | None) -> None:
    error = assert_input_error("normalize.number_invalid", parse_number, raw, unit)
    assert "value" in error.params


@pytest.mark.parametrize(
    ("raw", "unit", "found"),
    [
        ("12.5万元", "亿元", "万元"),
        ("30个", "家", "个"),
        ("85‰", "%", "‰"),
        ("12abc", "亿元", "abc"),
        ("12.5(万元)", "亿元", "万元"),
    ],
)
def test_number_unit_mismatch(raw: str, unit: str, found: str) -> None:
    error = assert_input_error("normalize.number_unit_mismatch", parse_number, raw, unit)
    assert error.params["found"] == found
    assert error.params["expected"] == unit


def test_number_unit_unexpected_when_indicator_has_no_unit() -> None:
    error = assert_input_error("normalize.number_unit_unexpected", parse_number, "30家")
    assert error.params["found"] == "家"


@pytest.mark.parametrize(
    ("raw", "expected"), [("8家", 8.0), ("120 人", 120.0), ("3个", 3.0), (5, 5.0)]
)
def test_a_count_may_be_followed_by_the_word_for_what_it_counts(raw, expected) -> None:
    assert parse_count_number(raw) == expected


def test_a_count_with_another_unit_says_the_column_takes_a_count_not_an_indicator() -> None:
    error = assert_input_error("normalize.count_unit_unexpected", parse_count_number, "8元")
    assert error.params["found"] == "元"
    assert "指标" not in error.message()
