from __future__ import annotations

import datetime as dt

import pytest
from normalize_testing import assert_input_error

from data_model.periods import (
    CANONICAL_RE,
    GRANULARITIES,
    granularity,
    is_canonical,
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
    shift_period,
    sort_key,
    to_granularity,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # years
        ("2022", "2022"),
        ("2022年", "2022"),
        ("2022年度", "2022"),
        ("2022年全年", "2022"),
        (" 2022 年 ", "2022"),
        ("2022\n", "2022"),
        ("２０２２年", "2022"),
        (2022, "2022"),
        (2022.0, "2022"),
        ("2022年1-12月", "2022"),
        # halves
        ("2022年上半年", "2022-H1"),
        ("2022年下半年", "2022-H2"),
        ("2022上半年", "2022-H1"),
        ("2022年度下半年", "2022-H2"),
        ("2022H1", "2022-H1"),
        ("2022-H1", "2022-H1"),
        ("2022-H2", "2022-H2"),
        ("2022h2", "2022-H2"),
        ("2022 H1", "2022-H1"),
        ("2022年1-6月", "2022-H1"),
        ("2022年7-12月", "2022-H2"),
        # quarters
        ("2022年一季度", "2022-Q1"),
        ("2022年第一季度", "2022-Q1"),
        ("2022年第二季度", "2022-Q2"),
        ("2022年三季度", "2022-Q3"),
        ("2022年第四季度", "2022-Q4"),
        ("2022年1季度", "2022-Q1"),
        ("2022年第4季度", "2022-Q4"),
        ("2022年一季", "2022-Q1"),
        ("2022年1-3月", "2022-Q1"),
        ("2022年1月-3月", "2022-Q1"),
        ("2022年4～6月", "2022-Q2"),
        ("2022年7至9月", "2022-Q3"),
        ("2022年10-12月", "2022-Q4"),
        ("2022Q1", "2022-Q1"),
        ("2022-Q1", "2022-Q1"),
        ("2022 Q1", "2022-Q1"),
        ("2022q1", "2022-Q1"),
        ("2022-q4", "2022-Q4"),
        ("2022年Q2", "2022-Q2"),
        ("Q3 2022", "2022-Q3"),
        ("２０２２Ｑ１", "2022-Q1"),
        # months
        ("2022年3月", "2022-03"),
        ("2022年03月", "2022-03"),
        ("2022年3月份", "2022-03"),
        ("2022年12月", "2022-12"),
        ("2022年三月", "2022-03"),
        ("2022年十一月", "2022-11"),
        ("2022年3-3月", "2022-03"),
        ("2022.3", "2022-03"),
        ("2022.03", "2022-03"),
        ("2022.1", "2022-01"),
        ("2022.10", "2022-10"),
        ("2022.12", "2022-12"),
        ("2022/3", "2022-03"),
        ("2022/12", "2022-12"),
        ("2022-3", "2022-03"),
        ("2022-03", "2022-03"),
        ("202203", "2022-03"),
        ("202212", "2022-12"),
        (202203, "2022-03"),
        (202203.0, "2022-03"),
        ("２０２２年３月", "2022-03"),
        ("２０２２．１０", "2022-10"),
        # number cells with decimals that are not ambiguous
        (2022.3, "2022-03"),
        (2022.9, "2022-09"),
        (2022.01, "2022-01"),
        (2022.11, "2022-11"),
        (2022.12, "2022-12"),
        # date cells and text dates: their month
        (dt.date(2022, 3, 15), "2022-03"),
        (dt.datetime(2022, 10, 1, 8, 30), "2022-10"),
        ("2022-03-31", "2022-03"),
        ("2022/3/31", "2022-03"),
        ("2022年3月31日", "2022-03"),
        ("2022-03-31 00:00:00", "2022-03"),
        # bounds
        ("1990", "1990"),
        ("2100-12", "2100-12"),
    ],
)
def test_parse_period(raw: object, expected: str) -> None:
    assert parse_period(raw) == expected


@pytest.mark.parametrize("raw", [2022.1, 2030.1, 1990.1])
def test_number_cell_x_1_is_ambiguous(raw: float) -> None:
    error = assert_input_error("normalize.period_ambiguous", parse_period, raw)
    year = int(raw)
    zh = error.message("zh-CN")
    assert f"{year}年1月" in zh and f"{year}年10月" in zh
    assert f"{year}-01" in zh


@pytest.mark.parametrize(
    "raw",
    [
        "2022-13",
        "2022年13月",
        "2022年0月",
        "202213",
        "202200",
        "2022.13",
        2022.13,
        2022.0001,
        "2022Q5",
        "2022年第五季度",
        "2022-Q0",
        "2022H3",
        "1989",
        "2101",
        "1800年",
        1989,
        3000,
        1800.1,
        "2022年1-9月",
        "2022年2-4月",
        "2022年1-13月",
        "2022-02-30",
        "2022年6月底",
        "22年",
        "20222",
        "2022年3",
        "abc",
        "Q1",
        "上半年",
        "",
        "   ",
        None,
        True,
        False,
        float("nan"),
        float("inf"),
        -2022,
        20220,
        2022.5e10,
        [2022],
        dt.time(12, 0),
        dt.date(1989, 12, 31),
    ],
)
def test_period_invalid(raw: object) -> None:
    error = assert_input_error("normalize.period_invalid", parse_period, raw)
    assert "2022-Q1" in error.message("zh-CN")  # lists accepted forms


@pytest.mark.parametrize(
    ("period", "expected"),
    [("2022", "year"), ("2022-H2", "half"), ("2022-Q3", "quarter"), ("2022-07", "month")],
)
def test_granularity(period: str, expected: str) -> None:
    assert granularity(period) == expected


@pytest.mark.parametrize(
    "bad", ["2022-3", "2022Q1", "2022-13", "2022-Q5", "2022-H3", "0999", "", "2022 ", None, 2022]
)
def test_arithmetic_rejects_non_canonical(bad: object) -> None:
    assert not is_canonical(bad)
    with pytest.raises(ValueError):
        granularity(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        period_start(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("period", "target", "expected"),
    [
        ("2022-05", "month", "2022-05"),
        ("2022-05", "quarter", "2022-Q2"),
        ("2022-05", "half", "2022-H1"),
        ("2022-05", "year", "2022"),
        ("2022-07", "half", "2022-H2"),
        ("2022-12", "quarter", "2022-Q4"),
        ("2022-01", "quarter", "2022-Q1"),
        ("2022-Q3", "half", "2022-H2"),
        ("2022-Q2", "half", "2022-H1"),
        ("2022-Q3", "year", "2022"),
        ("2022-Q3", "quarter", "2022-Q3"),
        ("2022-H2", "year", "2022"),
        ("2022", "year", "2022"),
    ],
)
def test_to_granularity(period: str, target: str, expected: str) -> None:
    assert to_granularity(period, target) == expected


@pytest.mark.parametrize(
    ("period", "target"),
    [("2022", "month"), ("2022-Q1", "month"), ("2022-H1", "quarter"), ("2022-05", "week")],
)
def test_to_granularity_refuses_to_refine(period: str, target: str) -> None:
    with pytest.raises(ValueError):
        to_granularity(period, target)


@pytest.mark.parametrize(
    ("period", "months"),
    [
        ("2022-03", ["2022-03"]),
        ("2022-Q1", ["2022-01", "2022-02", "2022-03"]),
        ("2022-Q4", ["2022-10", "2022-11", "2022-12"]),
        ("2022-H2", [f"2022-{m:02d}" for m in range(7, 13)]),
        ("2022", [f"2022-{m:02d}" for m in range(1, 13)]),
    ],
)
def test_months_of(period: str, months: list[str]) -> None:
    assert months_of(period) == months


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2022", dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
        ("2022-H1", dt.date(2022, 1, 1), dt.date(2022, 6, 30)),
        ("2022-H2", dt.date(2022, 7, 1), dt.date(2022, 12, 31)),
        ("2022-Q1", dt.date(2022, 1, 1), dt.date(2022, 3, 31)),
        ("2022-Q3", dt.date(2022, 7, 1), dt.date(2022, 9, 30)),
        ("2022-02", dt.date(2022, 2, 1), dt.date(2022, 2, 28)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2022-04", dt.date(2022, 4, 1), dt.date(2022, 4, 30)),
    ],
)
def test_period_start_end(period: str, start: dt.date, end: dt.date) -> None:
    assert period_start(period) == start
    assert period_end(period) == end


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        ("2022-01", "2021-12"),
        ("2022-03", "2022-02"),
        ("2022-Q1", "2021-Q4"),
        ("2022-Q3", "2022-Q2"),
        ("2022-H1", "2021-H2"),
        ("2022-H2", "2022-H1"),
        ("2022", "2021"),
    ],
)
def test_previous_and_next_period(period: str, previous: str) -> None:
    assert previous_period(period) == previous
    assert next_period(previous) == period


def test_shift_period() -> None:
    assert shift_period("2022-11", 3) == "2023-02"
    assert shift_period("2022-Q2", -6) == "2020-Q4"
    assert shift_period("2022", 0) == "2022"


@pytest.mark.parametrize(
    ("period", "expected"),
    [("2022-03", "2021-03"), ("2022-Q2", "2021-Q2"), ("2022-H2", "2021-H2"), ("2022", "2021")],
)
def test_same_period_last_year(period: str, expected: str) -> None:
    assert same_period_last_year(period) == expected


def test_sort_key_orders_by_start_then_coarser_first() -> None:
    periods = ["2022-04", "2022-Q2", "2021", "2022-H1", "2022", "2022-01", "2022-Q1", "2021-12"]
    assert sorted(periods, key=sort_key) == [
        "2021",
        "2021-12",
        "2022",
        "2022-H1",
        "2022-Q1",
        "2022-01",
        "2022-Q2",
        "2022-04",
    ]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2022-11", "2023-02", ["2022-11", "2022-12", "2023-01", "2023-02"]),
        ("2022-Q3", "2023-Q1", ["2022-Q3", "2022-Q4", "2023-Q1"]),
        ("2021-H2", "2022-H2", ["2021-H2", "2022-H1", "2022-H2"]),
        ("2018", "2021", ["2018", "2019", "2020", "2021"]),
        ("2022-05", "2022-05", ["2022-05"]),
        ("2022-05", "2022-04", []),
    ],
)
def test_periods_between(start: str, end: str, expected: list[str]) -> None:
    assert periods_between(start, end) == expected


def test_periods_between_needs_one_granularity() -> None:
    with pytest.raises(ValueError):
        periods_between("2022-Q1", "2022-06")


@pytest.mark.parametrize(
    ("day", "target", "expected"),
    [
        (dt.date(2022, 5, 17), "month", "2022-05"),
        (dt.date(2022, 5, 17), "quarter", "2022-Q2"),
        (dt.date(2022, 5, 17), "half", "2022-H1"),
        (dt.date(2022, 7, 1), "half", "2022-H2"),
        (dt.date(2022, 12, 31), "quarter", "2022-Q4"),
        (dt.date(2022, 5, 17), "year", "2022"),
        (dt.datetime(2022, 9, 30, 23, 59), "quarter", "2022-Q3"),
    ],
)
def test_period_containing(day: dt.date, target: str, expected: str) -> None:
    assert period_containing(day, target) == expected


def test_period_containing_unknown_granularity() -> None:
    with pytest.raises(ValueError):
        period_containing(dt.date(2022, 1, 1), "week")


@pytest.mark.parametrize(
    ("period", "zh", "en"),
    [
        ("2022", "2022年", "2022"),
        ("2022-H1", "2022年上半年", "2022 H1"),
        ("2022-H2", "2022年下半年", "2022 H2"),
        ("2022-Q1", "2022年第一季度", "2022 Q1"),
        ("2022-Q4", "2022年第四季度", "2022 Q4"),
        ("2022-03", "2022年3月", "Mar 2022"),
        ("2022-12", "2022年12月", "Dec 2022"),
    ],
)
def test_period_label(period: str, zh: str, en: str) -> None:
    assert period_label(period, "zh-CN") == zh
    assert period_label(period, "en") == en


def test_period_label_defaults_to_current_language() -> None:
    assert period_label("2022-Q1") in ("2022年第一季度", "2022 Q1")


@pytest.mark.parametrize("year", [1990, 2022, 2100])
@pytest.mark.parametrize("kind", GRANULARITIES)
def test_canonical_round_trip(year: int, kind: str) -> None:
    for period in periods_between(
        period_containing(dt.date(year, 1, 1), kind), period_containing(dt.date(year, 12, 1), kind)
    ):
        assert CANONICAL_RE.fullmatch(period)
        assert parse_period(period) == period
        assert parse_period(period_label(period, "zh-CN")) == period
