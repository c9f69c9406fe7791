"""The default scoring method of SPEC §6, on hand-made frames with hand-computed answers,
and on a small imported database."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_model.evaluation.scoring import (
    add_rank_change,
    combine_scores,
    composite_finding,
    district_scores,
    period_scores,
    rank_frame,
    rank_with_ties,
    ranking_headline,
    score_indicators,
    score_text,
    scores_export_frame,
)
from data_model.ingest.importer import import_file
from tests.conftest import INDICATOR_HEADER, VALUE_HEADER, make_xlsx

DISTRICTS = ["甲区", "乙区", "丙区", "丁区"]


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


def indicators(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["code", "dimension", "direction", "weight", "target"])


def values(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(code, d, v) for code, by in rows.items() for d, v in by.items()],
        columns=["indicator_code", "district", "value"],
    )


def scores_of(frame: pd.DataFrame, code: str) -> dict[str, float]:
    rows = frame[frame["indicator_code"] == code]
    return dict(zip(rows["district"], rows["score"].round(4), strict=True))


# --- pure functions --------------------------------------------------------------------


def test_ties_share_a_rank_and_the_next_rank_skips():
    assert list(rank_with_ties(pd.Series([90.0, 80.0, 80.0, 70.0]))) == [1, 2, 2, 4]
    assert list(rank_with_ties(pd.Series([70.0, 80.0, 90.0, 80.0]))) == [4, 2, 1, 2]


def test_scores_equal_to_two_decimals_tie():
    assert list(rank_with_ties(pd.Series([88.8849, 88.8751, 88.86]))) == [1, 1, 3]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        # Close scores in thousandths, some on a rounding boundary (98.445).
        st.builds(lambda whole, part: whole + part / 1000, st.integers(95, 99), st.integers(0, 999))
        | st.floats(0, 100, allow_nan=False),
        min_size=2,
        max_size=12,
    )
)
def test_scores_shown_alike_share_their_rank_and_a_higher_one_ranks_before(scores):
    """What a ranking shows (`score_text`) and its ranks agree: two districts whose scores
    read the same never get two ranks (第1名 98.5, 第2名 98.5 on the projector)."""
    ranks = list(rank_with_ties(pd.Series(scores)))
    shown = [score_text(score) for score in scores]
    for a in range(len(scores)):
        for b in range(len(scores)):
            assert (shown[a] == shown[b]) == (ranks[a] == ranks[b])
            if float(shown[a]) > float(shown[b]):
                assert ranks[a] < ranks[b]


def test_the_headline_names_every_district_sharing_first_place():
    def headline(scores: list[float], dimension: str | None = None) -> str:
        frame = pd.DataFrame({"district": DISTRICTS[: len(scores)], "composite": scores})
        frame["rank"] = rank_with_ties(frame["composite"])
        return ranking_headline(frame, "2023年", dimension, "zh-CN")

    assert headline([98.5, 90.0]) == "2023年综合评价：甲区排名第一（98.50分）"
    assert headline([98.5, 98.5, 90.0]) == "2023年综合评价：甲区、乙区并列第一（98.50分）"
    assert (
        headline([100.0] * 4, "政企沟通") == "2023年政企沟通评价：甲区等4个区并列第一（100.00分）"
    )


def test_the_finding_names_every_district_sharing_the_top_or_the_bottom():
    def finding(scores: list[float], language: str = "zh-CN") -> str:
        frame = pd.DataFrame({"district": DISTRICTS[: len(scores)], "composite": scores})
        frame["rank"] = rank_with_ties(frame["composite"])
        frame["rank_change"] = pd.array([pd.NA] * len(scores), dtype="Int64")
        return composite_finding(frame, language)

    assert finding([98.5, 98.5, 60.0, 60.0]).startswith(
        "最高甲区、乙区（98.50分），最低丙区、丁区（60.00分）"
    )
    assert finding([100.0] * 4) == "甲区等4个区得分均为 100.00分。"
    assert finding([100.0, 100.0], "en") == "甲区, 乙区: 100.00 points each."
    assert finding([77.0]) == "甲区得分 77.00分。"


def test_lower_values_rank_first_when_ascending():
    assert list(rank_with_ties(pd.Series([3.0, 1.0, 2.0]), ascending=True)) == [3, 1, 2]


def test_positive_indicator_with_target_is_actual_over_target_capped_at_100():
    frame = score_indicators(
        values({"A": {"甲区": 50, "乙区": 150, "丙区": 100, "丁区": -5}}),
        indicators(("A", "x", "positive", 1, 100)),
        DISTRICTS,
    )
    assert scores_of(frame, "A") == {"甲区": 50, "乙区": 100, "丙区": 100, "丁区": 0}


def test_negative_indicator_with_target_is_target_over_actual():
    frame = score_indicators(
        values({"N": {"甲区": 2, "乙区": 0.5, "丙区": 0, "丁区": 4}}),
        indicators(("N", "x", "negative", 1, 1)),
        DISTRICTS,
    )
    # 1/2 → 50; below target → 100; zero days → 100 (nothing is lower); 1/4 → 25.
    assert scores_of(frame, "N") == {"甲区": 50, "乙区": 100, "丙区": 100, "丁区": 25}


def test_a_missing_value_scores_zero_and_is_marked_not_reported():
    frame = score_indicators(
        values({"A": {"甲区": 80, "乙区": 100}}),
        indicators(("A", "x", "positive", 1, 100)),
        DISTRICTS,
    )
    assert scores_of(frame, "A") == {"甲区": 80, "乙区": 100, "丙区": 0, "丁区": 0}
    assert list(frame["missing"]) == [False, False, True, True]
    combined = combine_scores(frame, ["x"])
    assert list(combined["missing_count"]) == [0, 0, 1, 1]


def test_without_target_scores_are_min_max_across_districts():
    frame = score_indicators(
        values(
            {"P": {"甲区": 10, "乙区": 20, "丙区": 30}, "R": {"甲区": 10, "乙区": 20, "丙区": 30}}
        ),
        indicators(("P", "x", "positive", 1, None), ("R", "x", "negative", 1, None)),
        DISTRICTS,
    )
    assert scores_of(frame, "P") == {"甲区": 0, "乙区": 50, "丙区": 100, "丁区": 0}
    assert scores_of(frame, "R") == {"甲区": 100, "乙区": 50, "丙区": 0, "丁区": 0}
    assert frame.loc[frame["district"] == "丁区", "missing"].all()


def test_without_target_all_equal_values_score_100():
    frame = score_indicators(
        values({"E": {"甲区": 7, "乙区": 7, "丙区": 7}, "O": {"乙区": 3}}),
        indicators(("E", "x", "positive", 1, None), ("O", "x", "negative", 1, None)),
        DISTRICTS,
    )
    assert scores_of(frame, "E") == {"甲区": 100, "乙区": 100, "丙区": 100, "丁区": 0}
    assert scores_of(frame, "O") == {"甲区": 0, "乙区": 100, "丙区": 0, "丁区": 0}


def test_dimension_and_composite_scores_are_weight_averaged():
    frame = score_indicators(
        values(
            {"A1": {"甲区": 100, "乙区": 0}, "A2": {"甲区": 0, "乙区": 100}, "B1": {"甲区": 50}}
        ),
        indicators(
            ("A1", "甲维度", "positive", 1, 100),
            ("A2", "甲维度", "positive", 3, 100),
            ("B1", "乙维度", "positive", 4, 100),
        ),
        ["甲区", "乙区"],
    )
    combined = combine_scores(frame, ["甲维度", "乙维度"]).set_index("district")
    # 甲区: 甲维度 (1×100 + 3×0)/4 = 25; 乙维度 50; composite (100 + 0 + 200)/8 = 37.5.
    assert combined.loc["甲区", "甲维度"] == 25
    assert combined.loc["甲区", "乙维度"] == 50
    assert combined.loc["甲区", "composite"] == 37.5
    # 乙区: 甲维度 (0 + 300)/4 = 75; 乙维度 0 (not reported); composite 300/8 = 37.5.
    assert combined.loc["乙区", "甲维度"] == 75
    assert combined.loc["乙区", "composite"] == 37.5
    assert combined.loc["乙区", "missing_count"] == 1


def test_a_blank_weight_counts_as_one_and_zero_weight_counts_nothing():
    frame = score_indicators(
        values({"A": {"甲区": 100}, "B": {"甲区": 0}, "C": {"甲区": 0}}),
        indicators(
            ("A", "x", "positive", None, 100),
            ("B", "x", "positive", 1, 100),
            ("C", "x", "positive", 0, 100),
        ),
        ["甲区"],
    )
    assert combine_scores(frame, ["x"])["composite"].iloc[0] == 50


def ranks(districts: list[str], composite: list[float], missing: list[int]) -> pd.DataFrame:
    frame = pd.DataFrame({"district": districts, "composite": composite, "missing_count": missing})
    return rank_frame(frame)


def test_rank_change_is_previous_rank_minus_current_rank():
    current = ranks(["甲区", "乙区", "丙区"], [90, 80, 70], [0, 0, 0])
    previous = ranks(["甲区", "乙区"], [80, 90], [0, 1])
    changed = add_rank_change(current, previous)
    assert changed["rank_change"].tolist() == [1, -1, pd.NA]
    assert add_rank_change(current, None)["rank_change"].isna().all()


def test_a_district_that_reported_nothing_has_no_rank_change():
    # A year one district has begun to report: the others tie at 0.00, second, after being
    # 2nd to 4th; and the year after, 丁区 is back to reporting after reporting nothing.
    previous = ranks(["甲区", "乙区", "丙区", "丁区"], [90, 80, 70, 60], [0, 0, 0, 0])
    current = ranks(["甲区", "乙区", "丙区", "丁区"], [50, 0, 0.004, 0], [9, 10, 9, 0])
    changed = add_rank_change(current, previous).set_index("district")["rank_change"]
    assert changed.to_dict() == {"甲区": 0, "丁区": 2, "乙区": None, "丙区": None}
    after = ranks(["甲区", "乙区", "丙区", "丁区"], [90, 80, 70, 60], [0, 0, 0, 0])
    again = add_rank_change(after, current).set_index("district")["rank_change"]
    assert again.to_dict() == {"甲区": 0, "乙区": None, "丙区": None, "丁区": -2}


# --- from the database -----------------------------------------------------------------

SCORED = [
    INDICATOR_HEADER,
    ["A1", "达标率", "甲", "%", "正向", 2, 100, "月", "期末值"],
    ["A2", "办结时长", "乙", "天", "逆向", 1, None, "月", "平均"],
    ["A3", "年度满意度", "乙", "%", "正向", 1, 90, "年", "期末值"],
]


def rows(period: str, a1: dict[str, float], a2: dict[str, float]) -> list[list]:
    out = [["A1", "", d, period, v, ""] for d, v in a1.items()]
    return out + [["A2", "", d, period, v, ""] for d, v in a2.items()]


@pytest.fixture
def scored(engine):
    values_rows = [
        VALUE_HEADER,
        *rows("2022-01", {"南山区": 100, "福田区": 50, "罗湖区": 120, "全市": 500}, {}),
        *rows("2022-01", {}, {"南山区": 3, "福田区": 1, "罗湖区": 2, "全市": 0}),
        *rows("2021-12", {"南山区": 100, "福田区": 100, "罗湖区": 10}, {}),
    ]
    for name, sheets in (
        ("indicators.xlsx", {"指标体系": SCORED}),
        ("values.xlsx", {"指标数据": values_rows}),
    ):
        assert import_file(engine, make_xlsx(sheets), name).status == "accepted"
    return engine


def test_district_scores_rank_districts_only_with_ties_and_rank_change(scored):
    with scored.connect() as conn:
        frame = district_scores(conn, "2022-01")
    assert "全市" not in set(frame["district"])
    assert len(frame) == 11  # every district and functional area of the master data
    assert list(frame.columns) == [
        "district",
        "甲",
        "乙",
        "composite",
        "rank",
        "rank_change",
        "missing_count",
    ]
    by = frame.set_index("district")
    # A1 (target 100, weight 2): 南山 100, 福田 50, 罗湖 100.
    # A2 (逆向, no target, min-max over 3 / 1 / 2): 南山 0, 福田 100, 罗湖 50.
    # A3 is annual: not due in a month, so not counted.
    assert by.loc["罗湖区", "composite"] == pytest.approx(250 / 3)
    assert by.loc["南山区", "composite"] == pytest.approx(200 / 3)
    assert by.loc["福田区", "composite"] == pytest.approx(200 / 3)
    assert by.loc["福田区", "乙"] == 100
    assert list(frame["rank"]) == [1, 2, 2] + [4] * 8
    assert frame["district"].iloc[0] == "罗湖区"
    assert by.loc["盐田区", "composite"] == 0
    assert by.loc["盐田区", "missing_count"] == 2
    assert by.loc["南山区", "missing_count"] == 0
    # 2021-12 (A2 not reported by anyone): 南山 and 福田 66.67 share rank 1, 罗湖 6.67 third.
    assert by.loc["罗湖区", "rank_change"] == 3 - 1
    assert by.loc["南山区", "rank_change"] == 1 - 2
    # 盐田 reported nothing in either month: tied last, which is no move.
    assert pd.isna(by.loc["盐田区", "rank_change"])


def test_first_period_has_no_rank_change_and_an_empty_period_no_scores(scored):
    with scored.connect() as conn:
        first = district_scores(conn, "2021-12")
        nothing = district_scores(conn, "2020")
        unscored = period_scores(conn, "2020")
    assert first["rank_change"].isna().all()
    assert unscored.ranking is None and unscored.detail.empty and unscored.indicators.empty
    assert nothing.empty
    assert list(nothing.columns)[-4:] == ["composite", "rank", "rank_change", "missing_count"]


def test_a_dimension_alone_is_scored_by_its_indicators(scored):
    with scored.connect() as conn:
        frame = district_scores(conn, "2022-01", dimension="乙")
    by = frame.set_index("district")
    assert list(frame.columns[:3]) == ["district", "乙", "composite"]
    assert by.loc["福田区", "composite"] == 100
    assert list(frame["district"][:3]) == ["福田区", "罗湖区", "南山区"]


def test_a_year_counts_annual_indicators_and_prorates_nothing_for_rates(scored):
    with scored.connect() as conn:
        year = period_scores(conn, "2022")
        month = period_scores(conn, "2022-01").indicators
    weights, detail = year.indicators, year.detail
    assert list(weights["code"]) == ["A1", "A2", "A3"]
    assert list(month["code"]) == ["A1", "A2"]
    assert list(weights["period_target"][:1]) == [100]
    a3 = detail[detail["indicator_code"] == "A3"]
    assert a3["missing"].all() and (a3["score"] == 0).all()


def test_the_export_frame_has_chinese_headers(scored):
    with scored.connect() as conn:
        frame = scores_export_frame(district_scores(conn, "2022-01"))
    assert list(frame.columns) == ["区", "甲", "乙", "综合得分", "排名", "排名变化", "未报送指标数"]
    assert frame.iloc[0].tolist()[:4] == ["罗湖区", 100.0, 50.0, 83.33]
