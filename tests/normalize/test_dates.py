from __future__ import annotations

import datetime as dt

import pytest
from normalize_testing import assert_input_error

from data_model.normalize.dates import Deadline, parse_date, parse_deadline

D = dt.date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (D(2022, 6, 30), D(2022, 6, 30)),
        (dt.datetime(2022, 6, 30, 17, 45), D(2022, 6, 30)),
        (44742, D(2022, 6, 30)),
        (44742.0, D(2022, 6, 30)),
        (44742.75, D(2022, 6, 30)),
        (20000, D(1954, 10, 3)),
        (80000, D(2119, 1, 11)),
        (20220630, D(2022, 6, 30)),
        (20220630.0, D(2022, 6, 30)),
        ("2022-06-30", D(2022, 6, 30)),
        ("2022-6-30", D(2022, 6, 30)),
        ("2022/6/30", D(2022, 6, 30)),
        ("2022/06/30", D(2022, 6, 30)),
        ("2022.6.30", D(2022, 6, 30)),
        ("2022年6月30日", D(2022, 6, 30)),
        ("2022年06月30日", D(2022, 6, 30)),
        ("2022年6月30号", D(2022, 6, 30)),
        ("2022年6月30", D(2022, 6, 30)),
        ("2022 年 6 月 30 日", D(2022, 6, 30)),
        ("20220630", D(2022, 6, 30)),
        ("２０２２－０６－３０", D(2022, 6, 30)),
        ("２０２２年６月３０日", D(2022, 6, 30)),
        (" 2022-06-30 ", D(2022, 6, 30)),
        ("2022-06-30 00:00:00", D(2022, 6, 30)),
        ("2022-06-30T08:15", D(2022, 6, 30)),
        ("2024-02-29", D(2024, 2, 29)),
    ],
)
def test_parse_date(raw: object, expected: dt.date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2022-02-30",
        "2023-02-29",
        "2022-13-01",
        "2022年6月31日",
        "20220631",
        "2022-6/30",
        "0222-06-30",
        "30/06/2022",
        "2022年6月",
        "6月30日",
        "明天",
        "abc",
        19999,
        80001,
        -1,
        12345678,
        2022,
        float("nan"),
        float("inf"),
        True,
        dt.time(9, 0),
        D(1800, 1, 1),
        10**400,
        [2022, 6, 30],
    ],
)
def test_date_invalid(raw: object) -> None:
    assert_input_error("normalize.date_invalid", parse_date, raw)


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "—", "/", "无", "暂无", "N/A"])
def test_date_missing(raw: object) -> None:
    assert_input_error("normalize.date_missing", parse_date, raw)


@pytest.mark.parametrize(
    ("raw", "report_period", "expected"),
    [
        # every parse_date form
        (D(2022, 6, 30), None, D(2022, 6, 30)),
        (dt.datetime(2022, 6, 30, 12), None, D(2022, 6, 30)),
        (44742, None, D(2022, 6, 30)),
        ("2022-06-30", None, D(2022, 6, 30)),
        ("2022/6/30", None, D(2022, 6, 30)),
        ("2022.6.30", None, D(2022, 6, 30)),
        ("2022年6月30日", None, D(2022, 6, 30)),
        ("20220630", None, D(2022, 6, 30)),
        ("２０２２年６月３０日", None, D(2022, 6, 30)),
        ("2022年6月30日前", None, D(2022, 6, 30)),
        ("2022-06-30前", None, D(2022, 6, 30)),
        ("2022年6月15日前完成", None, D(2022, 6, 15)),
        ("2022-06-15完成", None, D(2022, 6, 15)),
        ("6月15日前", "2023-Q1", D(2023, 6, 15)),
        # month ends
        ("2022年6月底前", None, D(2022, 6, 30)),
        ("2022年6月底", None, D(2022, 6, 30)),
        ("2022年6月末", None, D(2022, 6, 30)),
        ("2022年2月底", None, D(2022, 2, 28)),
        ("2024年2月底", None, D(2024, 2, 29)),
        ("2022年6月", None, D(2022, 6, 30)),
        ("2022年6月份", None, D(2022, 6, 30)),
        ("2022年12月底前", None, D(2022, 12, 31)),
        ("2022年6月底前完成。", None, D(2022, 6, 30)),
        (" 2022 年 6 月底前 ", None, D(2022, 6, 30)),
        ("6月底", "2023-05", D(2023, 6, 30)),
        ("6月底前", "2023-Q2", D(2023, 6, 30)),
        ("6月底前", "2023年上半年", D(2023, 6, 30)),
        ("11月", "2023", D(2023, 11, 30)),
        # year ends
        ("2022年底", None, D(2022, 12, 31)),
        ("2022年底前", None, D(2022, 12, 31)),
        ("2022年年底前", None, D(2022, 12, 31)),
        ("2022年末", None, D(2022, 12, 31)),
        ("2022年内", None, D(2022, 12, 31)),
        ("2022年度内", None, D(2022, 12, 31)),
        ("2022年", None, D(2022, 12, 31)),
        ("2022年度", None, D(2022, 12, 31)),
        ("年底前", "2023-Q2", D(2023, 12, 31)),
        ("年底", "2023-07", D(2023, 12, 31)),
        ("年内", "2023-H1", D(2023, 12, 31)),
        ("今年底", "2023-Q3", D(2023, 12, 31)),
        ("今年年底前", "2023", D(2023, 12, 31)),
        ("本年内", "2023", D(2023, 12, 31)),
        (2022, None, D(2022, 12, 31)),
        # quarter and half ends
        ("2022年第三季度末", None, D(2022, 9, 30)),
        ("2022年三季度末", None, D(2022, 9, 30)),
        ("2022年第一季度末前", None, D(2022, 3, 31)),
        ("2022年第四季度", None, D(2022, 12, 31)),
        ("2022年3季度末", None, D(2022, 9, 30)),
        ("三季度末", "2023-Q1", D(2023, 9, 30)),
        ("第二季度末", "2023-Q1", D(2023, 6, 30)),
        ("2022年上半年", None, D(2022, 6, 30)),
        ("2022年下半年", None, D(2022, 12, 31)),
        ("上半年前", "2023-03", D(2023, 6, 30)),
        ("上半年", "2023-03", D(2023, 6, 30)),
        # any other period written as text: its last day
        ("2022Q3", None, D(2022, 9, 30)),
        ("2022-H1", None, D(2022, 6, 30)),
        ("2022.6", None, D(2022, 6, 30)),
        ("2022", None, D(2022, 12, 31)),
    ],
)
def test_parse_deadline_dates(raw: object, report_period: str | None, expected: dt.date) -> None:
    deadline = parse_deadline(raw, report_period)
    assert deadline.date == expected
    assert deadline.ongoing is False


@pytest.mark.parametrize(
    "raw",
    ["长期坚持", "持续推进", "常态化", "长期", "持续开展", " 长期坚持。", "常态化推进", "持续"],
)
def test_parse_deadline_ongoing(raw: str) -> None:
    assert parse_deadline(raw) == Deadline(None, True, raw.strip())
    assert parse_deadline(raw, "2022-Q1") == Deadline(None, True, raw.strip())


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (" 2022年6月底前 ", "2022年6月底前"),
        ("6月底", "6月底"),
        (D(2022, 6, 30), "2022-06-30"),
        (dt.datetime(2022, 6, 30, 9), "2022-06-30"),
        (44742, "2022-06-30"),
        (2022, "2022"),
    ],
)
def test_deadline_keeps_what_was_written(raw: object, text: str) -> None:
    assert parse_deadline(raw, "2022-Q2").text == text


@pytest.mark.parametrize(
    "raw", ["6月底", "6月底前", "年底前", "年底", "年内", "今年底", "三季度末", "上半年前", "6月"]
)
def test_deadline_needs_year(raw: str) -> None:
    error = assert_input_error("normalize.deadline_needs_year", parse_deadline, raw)
    assert error.params["value"] == raw


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "——", "/", "无", "暂无", "N/A"])
def test_deadline_missing(raw: object) -> None:
    assert_input_error("normalize.deadline_missing", parse_deadline, raw, "2022-Q1")


@pytest.mark.parametrize(
    "raw",
    [
        "6月前",
        "2022年6月前",
        "2022年6月以前",
        "2022年前",
        "2022年三季度前",
        "年内前",
        "底",
        "内",
        "2022底",
        "6月中旬",
        "尽快",
        "待定",
        "2022Q3前",
        "abc",
        12345,
        2022.1,
        True,
        float("nan"),
        ["2022"],
    ],
)
def test_deadline_invalid(raw: object) -> None:
    error = assert_input_error("normalize.deadline_invalid", parse_deadline, raw, "2022-Q1")
    assert "6月底前" in error.message("zh-CN")  # lists examples


@pytest.mark.parametrize("raw", ["2022-02-30", "2022年2月30日前", "2022年13月底", "13月底"])
def test_deadline_with_impossible_date(raw: str) -> None:
    assert_input_error("normalize.date_invalid", parse_deadline, raw, "2022-Q1")


def test_deadline_report_period_must_be_a_period() -> None:
    assert_input_error("normalize.period_invalid", parse_deadline, "6月底", "not a period")
