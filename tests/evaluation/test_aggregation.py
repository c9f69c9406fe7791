"""Indicator values aggregated to quarters and years by each indicator's rule, on
hand-made values imported through the normal importer."""

from __future__ import annotations

import pytest

from data_model.evaluation.aggregation import (
    indicator_values,
    is_due,
    periods_in_range,
    series,
    target_for_period,
)
from data_model.ingest.importer import import_file
from tests.conftest import INDICATOR_HEADER, VALUE_HEADER, make_xlsx

INDICATORS = [
    INDICATOR_HEADER,
    ["S1", "走访企业数", "甲", "家", "正向", 1, 120, "月", "求和"],
    ["L1", "会员企业数", "甲", "家", "正向", 1, None, "月", "期末值"],
    ["M1", "办结时长", "乙", "天", "逆向", 1, 10, "月", "平均"],
    ["Q1", "恳谈会场次", "乙", "次", "正向", 1, 12, "季", "求和"],
    ["Y1", "满意度", "乙", "%", "正向", 1, 90, "年", "期末值"],
]


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


def month(m: int) -> str:
    return f"2022-{m:02d}"


def value_rows() -> list[list]:
    rows = [VALUE_HEADER]
    for m in range(1, 13):
        rows.append(["S1", "", "南山区", month(m), m, ""])  # 1..12, year 78
        rows.append(["L1", "", "南山区", month(m), 100 + m, ""])
        rows.append(["S1", "", "全市", month(m), 10 * m, ""])
    for m in range(1, 11):  # 福田区 reported January to October only
        rows.append(["S1", "", "福田区", month(m), 10, ""])
    for m in range(1, 12):  # ... and stocks up to November
        rows.append(["L1", "", "福田区", month(m), 200 + m, ""])
    for m, v in ((1, 1), (2, 2), (3, 6)):
        rows.append(["M1", "", "南山区", month(m), v, ""])
    for q, v in ((1, 5), (2, 6), (3, 7), (4, 8)):
        rows.append(["Q1", "", "南山区", f"2022-Q{q}", v, ""])
    rows.append(["Y1", "", "南山区", "2022", 50, ""])
    # 罗湖区 reported the year total as one figure besides a few months: the total wins.
    rows.append(["S1", "", "罗湖区", "2022", 999, ""])
    for m in (1, 2, 3):
        rows.append(["S1", "", "罗湖区", month(m), 1, ""])
    return rows


@pytest.fixture
def loaded(engine):
    for name, sheets in (
        ("indicators.xlsx", {"指标体系": INDICATORS}),
        ("values.xlsx", {"指标数据": value_rows()}),
    ):
        report = import_file(engine, make_xlsx(sheets), name)
        assert report.status == "accepted", report.to_dict()
    return engine


def table(frame) -> dict[tuple[str, str], tuple[float, bool, int, int]]:
    return {
        (r.indicator_code, r.district): (r.value, r.complete, r.reported, r.expected)
        for r in frame.itertuples()
    }


def test_a_year_sums_sum_indicators_and_takes_the_last_value_of_stocks(loaded):
    with loaded.connect() as conn:
        year = table(indicator_values(conn, "2022"))
    assert year["S1", "南山区"] == (78, True, 12, 12)
    assert year["S1", "全市"] == (780, True, 12, 12)
    assert year["L1", "南山区"] == (112, True, 12, 12)
    assert year["Q1", "南山区"] == (26, True, 4, 4)
    assert year["Y1", "南山区"] == (50, True, 1, 1)


def test_a_partial_year_sums_what_was_reported_and_is_flagged_incomplete(loaded):
    with loaded.connect() as conn:
        year = table(indicator_values(conn, "2022"))
    assert year["S1", "福田区"] == (100, False, 10, 12)
    # The stock of November stands in for the year end, flagged incomplete.
    assert year["L1", "福田区"] == (211, False, 11, 12)


def test_a_value_reported_for_the_whole_period_is_used_as_is(loaded):
    with loaded.connect() as conn:
        year = table(indicator_values(conn, "2022"))
        quarter = table(indicator_values(conn, "2022-Q1"))
    assert year["S1", "罗湖区"] == (999, True, 1, 1)
    assert quarter["S1", "罗湖区"] == (3, True, 3, 3)


def test_quarters_follow_each_rule(loaded):
    with loaded.connect() as conn:
        q1 = table(indicator_values(conn, "2022-Q1"))
        q2 = table(indicator_values(conn, "2022-Q2"))
        q4 = table(indicator_values(conn, "2022-Q4"))
    assert q1["S1", "南山区"] == (6, True, 3, 3)
    assert q1["M1", "南山区"] == (3, True, 3, 3)
    assert q2["L1", "南山区"] == (106, True, 3, 3)
    assert q2["Q1", "南山区"] == (6, True, 1, 1)
    assert q4["S1", "福田区"] == (10, False, 1, 3)
    # An annual indicator is not due in a quarter: no value rather than a wrong one.
    assert ("Y1", "南山区") not in q1
    assert ("M1", "南山区") not in q2


def test_codes_and_districts_narrow_the_result(loaded):
    with loaded.connect() as conn:
        frame = indicator_values(conn, "2022", codes=["S1"], districts=["南山区", "福田区"])
    assert sorted(zip(frame["indicator_code"], frame["district"], strict=True)) == [
        ("S1", "南山区"),
        ("S1", "福田区"),
    ]


def test_a_series_by_quarter_aggregates_each_quarter(loaded):
    with loaded.connect() as conn:
        frame = series(conn, "S1", "quarter", "2022", "2022", districts=["南山区"])
        months = series(conn, "L1", "month", "2022-11", "2022-12", districts=["福田区"])
    assert list(frame["period"]) == ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]
    assert list(frame["value"]) == [6, 15, 24, 33]
    assert list(months["period"]) == ["2022-11"]
    assert list(months["value"]) == [211]


def test_a_replaced_value_changes_the_total(loaded):
    rows = [VALUE_HEADER, ["S1", "", "南山区", "2022-12", 100, ""]]
    report = import_file(loaded, make_xlsx({"指标数据": rows}), "fix.xlsx")
    assert report.status == "accepted"
    with loaded.connect() as conn:
        year = table(indicator_values(conn, "2022", codes=["S1"]))
    assert year["S1", "南山区"] == (78 - 12 + 100, True, 12, 12)


def test_a_replaced_stock_gives_the_year_its_new_last_value(loaded):
    rows = [VALUE_HEADER, ["L1", "", "南山区", "2022-12", 150, ""]]
    report = import_file(loaded, make_xlsx({"指标数据": rows}), "fix.xlsx")
    assert report.status == "accepted"
    with loaded.connect() as conn:
        year_frame = indicator_values(conn, "2022", codes=["L1"])
        quarter = table(indicator_values(conn, "2022-Q4", codes=["L1"]))
    year = table(year_frame)
    assert sorted(year_frame["district"]) == ["南山区", "福田区"]  # the replaced 150 only
    assert year["L1", "南山区"] == (150, True, 12, 12)
    assert quarter["L1", "南山区"] == (150, True, 3, 3)
    assert year["L1", "福田区"] == (211, False, 11, 12)


def test_an_empty_database_gives_an_empty_frame(engine):
    with engine.connect() as conn:
        frame = indicator_values(conn, "2022")
    assert frame.empty
    assert list(frame.columns) == [
        "indicator_code",
        "district",
        "value",
        "complete",
        "reported",
        "expected",
    ]


def test_sum_targets_are_annual_and_prorated_while_other_targets_stand():
    assert target_for_period(120, "sum", "2022") == 120
    assert target_for_period(120, "sum", "2022-Q3") == 30
    assert target_for_period(120, "sum", "2022-05") == 10
    assert target_for_period(90, "last", "2022-Q3") == 90
    assert target_for_period(10, "mean", "2022-05") == 10
    assert target_for_period(None, "sum", "2022") is None


def test_due_and_ranges():
    assert is_due("month", "2022-Q1") and is_due("quarter", "2022")
    assert not is_due("year", "2022-Q1") and not is_due("quarter", "2022-05")
    assert periods_in_range("quarter", "2021", "2021-05") == ["2021-Q1", "2021-Q2"]
