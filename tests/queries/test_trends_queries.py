"""Queries of the trends page on hand-made values: changes, ranking, dimension series."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from data_model.formatting import value_text
from data_model.ingest.importer import import_file
from data_model.queries.trends_queries import (
    dimension_series,
    effective_granularity,
    indicator_changes,
    indicator_ranking,
    largest_moves,
    median_changes,
    median_moves,
    meets_target,
    multiples_window,
    percent_change,
    trend_series,
)
from tests.conftest import INDICATOR_HEADER, VALUE_HEADER, make_xlsx

INDICATORS = [
    INDICATOR_HEADER,
    ["V1", "走访企业数", "甲", "家", "正向", 1, 40, "季", "求和"],
    ["T1", "办结时长", "甲", "天", "逆向", 1, 10, "月", "平均"],
    ["Y1", "满意度", "甲", "%", "正向", 1, 90, "年", "期末值"],
]


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


def quarterly(district: str, values: dict[str, float]) -> list[list]:
    return [["V1", "", district, p, v, ""] for p, v in values.items()]


@pytest.fixture
def loaded(engine):
    rows = [
        VALUE_HEADER,
        *quarterly("南山区", {"2021-Q4": 8, "2022-Q3": 10, "2022-Q4": 12}),
        *quarterly("福田区", {"2021-Q4": 10, "2022-Q3": 10, "2022-Q4": 9}),
        *quarterly("罗湖区", {"2022-Q4": 12}),
        *quarterly("全市", {"2021-Q4": 100, "2022-Q3": 100, "2022-Q4": 110}),
        ["T1", "", "南山区", "2022-11", 4, ""],
        ["T1", "", "南山区", "2022-12", 2, ""],
        ["T1", "", "福田区", "2022-11", 6, ""],
        ["T1", "", "福田区", "2022-12", 8, ""],
        ["Y1", "", "南山区", "2022", 95, ""],
    ]
    for name, sheets in (
        ("indicators.xlsx", {"指标体系": INDICATORS}),
        ("values.xlsx", {"指标数据": rows}),
    ):
        assert import_file(engine, make_xlsx(sheets), name).status == "accepted"
    return engine


def test_changes_against_previous_quarter_and_same_quarter_last_year(loaded):
    with loaded.connect() as conn:
        frame = indicator_changes(conn, "V1", "2022-Q4").set_index("district")
    assert list(frame.index) == ["罗湖区", "福田区", "南山区"]  # master-data order, no city
    assert frame.loc["南山区", "pop"] == pytest.approx(20.0)
    assert frame.loc["南山区", "yoy"] == pytest.approx(50.0)
    assert frame.loc["福田区", "pop"] == pytest.approx(-10.0)
    assert math.isnan(frame.loc["罗湖区", "pop"]) and math.isnan(frame.loc["罗湖区", "yoy"])


def test_changes_of_the_city_only_when_named(loaded):
    with loaded.connect() as conn:
        frame = indicator_changes(conn, "V1", "2022-Q4", ("全市",))
    assert frame[["district", "value", "previous", "last_year"]].values.tolist() == [
        ["全市", 110.0, 100.0, 100.0]
    ]


def test_ranking_puts_the_lowest_first_for_a_negative_indicator_and_shares_ties(loaded):
    with loaded.connect() as conn:
        positive = indicator_ranking(conn, "V1", "2022-Q4")
        negative = indicator_ranking(conn, "T1", "2022-Q4")
        nothing = indicator_ranking(conn, "V1", "2020-Q1")
    assert positive[["district", "rank"]].values.tolist() == [
        ["罗湖区", 1],
        ["南山区", 1],
        ["福田区", 3],
    ]
    # Q4 of a monthly mean: 南山 (4 + 2)/2 = 3, 福田 7, both with October missing.
    assert negative[["district", "value", "rank", "complete"]].values.tolist() == [
        ["南山区", 3.0, 1, False],
        ["福田区", 7.0, 2, False],
    ]
    assert nothing.empty


def test_districts_whose_values_read_alike_share_their_rank(sample_db):
    """企业开办时间 in 2023 (逆向): the ranking reads 0.6, 0.7, 0.7, 0.8 … days; each value
    that reads alike has one rank (第2名 0.7 twice, then 第4名), on the page's terms."""
    engine = sample_db.open()
    with engine.connect() as conn:
        ranking = indicator_ranking(conn, "YS01", "2023")
    engine.dispose()
    shown = [value_text(value, "天") for value in ranking["value"]]
    assert shown[:4] == ["0.6 天", "0.7 天", "0.7 天", "0.8 天"]
    assert ranking["rank"].tolist()[:4] == [1, 2, 2, 4]
    ranks = ranking["rank"].tolist()
    for a in range(len(shown) - 1):  # best first: neighbours that read alike tie
        assert (shown[a] == shown[a + 1]) == (ranks[a] == ranks[a + 1])


def test_series_and_dimension_series_follow_the_granularity(loaded):
    with loaded.connect() as conn:
        yearly = trend_series(conn, "V1", "year", "2021", "2022", ("南山区",))
        dimension = dimension_series(conn, "甲", "quarter", "2022", "2022")
    assert yearly[["period", "value", "complete"]].values.tolist() == [
        ["2021", 8.0, False],
        ["2022", 22.0, False],
    ]
    assert set(dimension["indicator_code"]) == {"V1", "T1"}  # Y1 is annual


def test_small_helpers():
    assert effective_granularity("month", "year") == "year"
    assert effective_granularity("year", "month") == "year"
    assert effective_granularity("quarter", "month") == "quarter"
    values = pd.Series([8.0, 10.0, 12.0])
    assert meets_target(values, 10, negative=False).tolist() == [False, True, True]
    assert meets_target(values, 10, negative=True).tolist() == [True, True, False]
    assert not meets_target(values, None, negative=False).any()
    changes = percent_change(pd.Series([12.0, 5.0, 1.0]), pd.Series([10.0, 0.0, None]))
    assert changes[0] == pytest.approx(20.0) and changes[1:].isna().all()


def test_median_moves_count_improvements_in_the_indicator_direction():
    frame = pd.DataFrame(
        [
            ("UP", "2022-Q3", "a", 1.0),
            ("UP", "2022-Q4", "a", 2.0),
            ("DOWN", "2022-Q3", "a", 5.0),
            ("DOWN", "2022-Q4", "a", 3.0),
            ("FLAT", "2022-Q3", "a", 1.0),
            ("FLAT", "2022-Q4", "a", 1.0),
            ("NEW", "2022-Q4", "a", 1.0),
        ],
        columns=["indicator_code", "period", "district", "value"],
    )
    indicators = pd.DataFrame(
        {"code": ["UP", "DOWN", "FLAT", "NEW"], "direction": ["positive", "negative"] * 2}
    )
    assert median_moves(frame, indicators, "2022-Q4", "2022-Q3") == {
        "improved": 2,
        "worsened": 0,
        "unchanged": 1,
        "compared": 3,
    }


def test_the_small_multiples_window_ends_at_the_period_and_starts_at_the_first_data():
    assert multiples_window("2023-12", "2014") == ("2022-01", "2023-12")
    assert multiples_window("2023-Q4", "2014") == ("2021-Q1", "2023-Q4")
    assert multiples_window("2023", "2014") == ("2014", "2023")
    assert multiples_window("2023", "2021") == ("2021", "2023")
    assert multiples_window("2021-Q3", "2021") == ("2021-Q1", "2021-Q3")


def test_the_panels_shown_first_are_the_indicators_whose_median_moved_most():
    # Medians of two districts: UP 1 → 2 (+100 %), SLOW 10 → 11 (+10 %), FALL (逆向)
    # 5 → 2 (−60 %, better), ZERO 0 → 3 (from nothing), NEW only this period.
    rows = {
        "UP": ((1, 1), (2, 2)),
        "SLOW": ((9, 11), (10, 12)),
        "FALL": ((4, 6), (1, 3)),
        "ZERO": ((0, 0), (3, 3)),
        "NEW": ((), (7, 7)),
    }
    frame = pd.DataFrame(
        [
            (code, period, district, float(value))
            for code, (then, now) in rows.items()
            for period, values in (("2022-Q3", then), ("2022-Q4", now))
            for district, value in zip("ab", values, strict=False)
        ],
        columns=["indicator_code", "period", "district", "value"],
    )
    indicators = pd.DataFrame(
        {
            "code": list(rows),
            "direction": ["positive", "positive", "negative", "positive", "positive"],
        }
    )
    changes = median_changes(frame, indicators, "2022-Q4", "2022-Q3").set_index("indicator_code")
    assert list(changes.index) == ["UP", "SLOW", "FALL", "ZERO"]
    assert changes.loc["FALL", ["before", "now", "step"]].tolist() == [5.0, 2.0, 1]
    assert changes.loc["SLOW", "size"] == pytest.approx(0.1)
    assert changes.loc["FALL", "size"] == pytest.approx(0.6)
    assert math.isinf(changes.loc["ZERO", "size"])
    codes = list(rows)
    assert largest_moves(changes.reset_index(), codes, 3) == ["ZERO", "UP", "FALL"]
    assert largest_moves(changes.reset_index(), codes) == ["ZERO", "UP", "FALL", "SLOW", "NEW"]
    assert median_moves(frame, indicators, "2022-Q4", "2022-Q3") == {
        "improved": 4,
        "worsened": 0,
        "unchanged": 0,
        "compared": 4,
    }


def test_dimension_series_reads_only_the_chosen_indicators(loaded):
    with loaded.connect() as conn:
        chosen = dimension_series(conn, "甲", "quarter", "2022", "2022", codes=("T1", "Y1"))
    assert set(chosen["indicator_code"]) == {"T1"}  # Y1 is annual, V1 not chosen
    assert chosen[chosen["district"] == "南山区"]["value"].tolist() == [3.0]  # mean of 4 and 2
