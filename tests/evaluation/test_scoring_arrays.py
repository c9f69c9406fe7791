"""The scoring on indicators × districts arrays (`score_indicators`, `combine_scores`,
`period_scores`) gives exactly what the plain frame version gave: merges on the string
keys, a pandas assignment per rule, group-bys on the names. That version is kept here as
the reference; random indicator systems and values are scored both ways (hypothesis), and
a period of an imported database is scored by `period_scores` and by the reference from
`indicator_values`, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_model.evaluation.aggregation import indicator_values
from data_model.evaluation.scoring import (
    DEFAULT_WEIGHT,
    DETAIL_COLUMNS,
    SCORE_COLUMNS,
    combine_scores,
    counted_indicators,
    dimension_order,
    indicator_table,
    period_scores,
    rank_frame,
    score_indicators,
    scored_districts,
    target_scores,
)
from data_model.ingest.importer import import_file
from tests.conftest import INDICATOR_HEADER, VALUE_HEADER, make_xlsx

DISTRICTS = ["甲区", "乙区", "丙区", "丁区"]

# --- the reference: the frame version the arrays replaced ------------------------------


def reference_minmax(actual: pd.Series, codes: pd.Series, negative: pd.Series) -> pd.Series:
    by_code = actual.groupby(codes, sort=False)
    low, high = by_code.transform("min"), by_code.transform("max")
    flat = low.isna() | np.isclose(high, low)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(negative, (high - actual) / (high - low), (actual - low) / (high - low))
    scores = np.where(flat, 100.0, 100 * share)
    return pd.Series(np.where(actual.isna(), np.nan, scores), index=actual.index)


def reference_score(
    values: pd.DataFrame, indicators: pd.DataFrame, districts: Sequence[str]
) -> pd.DataFrame:
    if indicators.empty or not districts:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    grid = pd.MultiIndex.from_product(
        [list(indicators["code"]), list(districts)], names=["indicator_code", "district"]
    ).to_frame(index=False)
    found = values[values["district"].isin(districts)][["indicator_code", "district", "value"]]
    frame = grid.merge(found, on=["indicator_code", "district"], how="left")
    meta = indicators.set_index("code")
    frame["dimension"] = frame["indicator_code"].map(meta["dimension"])
    frame["target"] = frame["indicator_code"].map(meta["target"]).astype(float)
    weight = meta["weight"].astype(float).fillna(DEFAULT_WEIGHT)
    frame["weight"] = frame["indicator_code"].map(weight)
    negative = frame["indicator_code"].map(meta["direction"] == "negative").astype(bool)
    frame["value"] = frame["value"].astype(float)
    frame["missing"] = frame["value"].isna()
    frame["score"] = np.nan
    has_target = frame["target"].notna() & ~frame["missing"]
    frame.loc[has_target, "score"] = target_scores(
        frame.loc[has_target, "value"].to_numpy(float),
        frame.loc[has_target, "target"].to_numpy(float),
        negative[has_target].to_numpy(bool),
    )
    no_target = frame["target"].isna()
    frame.loc[no_target, "score"] = reference_minmax(
        frame.loc[no_target, "value"],
        frame.loc[no_target, "indicator_code"],
        negative[no_target],
    )
    frame["score"] = frame["score"].fillna(0.0)
    return frame[SCORE_COLUMNS]


def reference_weighted(scores: pd.DataFrame, by: list[str]) -> pd.Series:
    weighted = scores.assign(points=scores["score"] * scores["weight"])
    sums = weighted.groupby(by, sort=False)[["points", "weight"]].sum()
    return (sums["points"] / sums["weight"].where(sums["weight"] > 0)).rename("score")


def reference_combine(scores: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    columns = ["district", *dimensions, "composite", "missing_count"]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    order = list(dict.fromkeys(scores["district"]))
    by_dimension = reference_weighted(scores, ["district", "dimension"]).unstack("dimension")
    frame = by_dimension.reindex(index=order, columns=list(dimensions))
    frame["composite"] = reference_weighted(scores, ["district"]).reindex(order)
    frame["missing_count"] = scores.groupby("district")["missing"].sum().reindex(order).astype(int)
    frame.columns.name = None
    return frame.rename_axis("district").reset_index()[columns]


# --- random indicator systems --------------------------------------------------------

numbers = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 50.0, 100.0, 100.05, 100.0000000001]),
    st.integers(min_value=-(10**8), max_value=10**8).map(lambda n: n / 100),
)


@st.composite
def systems(draw):
    count = draw(st.integers(min_value=1, max_value=6))
    indicators = pd.DataFrame(
        [
            (
                f"I{i}",
                draw(st.sampled_from(["甲维度", "乙维度", "丙维度"])),
                draw(st.sampled_from(["positive", "negative"])),
                draw(st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, 3.0]))),
                draw(st.one_of(st.none(), numbers)),
            )
            for i in range(count)
        ],
        columns=["code", "dimension", "direction", "weight", "target"],
    )
    districts = draw(st.lists(st.sampled_from(DISTRICTS), min_size=1, max_size=4, unique=True))
    # Some indicators' values lie close together: equal to 1e-10, or within np.isclose's
    # tolerance or just outside it, where min-max scoring decides "all equal".
    close = st.sampled_from([100.0, 100.0000000001, 100.0001, 100.05])
    spreads = [draw(st.sampled_from([numbers, close])) for _ in range(count + 1)]
    cells = [
        (f"I{i}", district, draw(spreads[i]))
        for i in range(count + 1)  # I{count}: a value of an indicator not scored
        for district in DISTRICTS
        if draw(st.booleans())
    ]
    values = pd.DataFrame(cells, columns=["indicator_code", "district", "value"])
    return values, indicators, districts


@given(systems())
def test_indicator_scores_and_their_combination_equal_the_frame_version(system):
    values, indicators, districts = system
    scores = score_indicators(values, indicators, districts)
    expected = reference_score(values, indicators, districts)
    pd.testing.assert_frame_equal(scores, expected, check_exact=True)
    dimensions = list(dict.fromkeys(indicators["dimension"]))
    pd.testing.assert_frame_equal(
        combine_scores(scores, dimensions),
        reference_combine(expected, dimensions),
        check_exact=True,
    )


def test_the_array_version_fails_where_the_scores_differ():
    """The comparison above can fail: a wrong score is found."""
    values = pd.DataFrame({"indicator_code": ["A"], "district": ["甲区"], "value": [50.0]})
    indicators = pd.DataFrame(
        {"code": ["A"], "dimension": ["x"], "direction": ["positive"], "weight": [1.0]}
    ).assign(target=100.0)
    scores = score_indicators(values, indicators, ["甲区"])
    wrong = scores.assign(score=scores["score"] + 1e-9)
    with pytest.raises(AssertionError):
        pd.testing.assert_frame_equal(
            wrong, reference_score(values, indicators, ["甲区"]), check_exact=True
        )


# --- a period of a database -----------------------------------------------------------

SYSTEM = [
    INDICATOR_HEADER,
    ["A1", "达标率", "甲", "%", "正向", 2, 100, "月", "期末值"],
    ["A2", "办结时长", "乙", "天", "逆向", 1, None, "月", "平均"],
    ["A3", "年度满意度", "乙", "%", "正向", 1, 90, "年", "期末值"],
    ["A4", "投资额", "甲", "亿元", "正向", None, 1200, "季", "求和"],
    ["A5", "企业数", "丙", "家", "正向", 0, None, "月", "求和"],
]


def reference_period_scores(conn, period: str, dimension: str | None = None):
    """`period_scores` as the frame version computed it."""
    districts = scored_districts(conn)
    indicators = indicator_table(conn, dimension)
    dimensions = [dimension] if dimension else dimension_order(conn)
    values = indicator_values(conn, period, codes=list(indicators["code"]), districts=districts)
    if values.empty:
        return None
    counted = counted_indicators(indicators, set(values["indicator_code"].tolist()), period)
    scores = reference_score(values, counted.assign(target=counted["period_target"]), districts)
    meta = counted.set_index("code")
    scores["name"] = scores["indicator_code"].map(meta["name"])
    scores["unit"] = scores["indicator_code"].map(meta["unit"])
    complete = values.set_index(["indicator_code", "district"])["complete"]
    keys = pd.MultiIndex.from_frame(scores[["indicator_code", "district"]])
    scores["complete"] = complete.reindex(keys).fillna(False).astype(bool).to_numpy()
    reported = set(scores["dimension"].unique().tolist())
    scored = tuple(d for d in dimensions if d in reported)
    counted["weight"] = counted["weight"].astype(float).fillna(DEFAULT_WEIGHT)
    return counted, scores[DETAIL_COLUMNS], rank_frame(reference_combine(scores, scored))


@pytest.fixture
def imported(db_engine):
    rng = np.random.default_rng(15)
    districts = ["南山区", "福田区", "罗湖区", "宝安区", "全市"]
    rows = [VALUE_HEADER]
    for month in range(1, 13):
        period = f"2022-{month:02d}"
        for code in ("A1", "A2", "A5"):
            for district in districts:
                if rng.random() < 0.8:
                    rows.append([code, "", district, period, round(rng.uniform(0, 150), 2), ""])
    for quarter in (1, 2, 3):
        for district in districts[:3]:
            rows.append(["A4", "", district, f"2022-Q{quarter}", round(rng.uniform(0, 500)), ""])
    rows += [["A3", "", d, "2022", v, ""] for d, v in (("南山区", 95), ("福田区", 80))]
    rows += [["A1", "", "南山区", "2022-Q2", 77, ""]]  # a value for exactly a quarter
    for name, sheets in (
        ("indicators.xlsx", {"指标体系": SYSTEM}),
        ("values.xlsx", {"指标数据": rows}),
    ):
        assert import_file(db_engine, make_xlsx(sheets), name).status == "accepted"
    return db_engine


@pytest.mark.parametrize(
    ("period", "dimension"),
    [
        ("2022", None),
        ("2022-Q2", None),
        ("2022-Q4", None),
        ("2022-03", None),
        ("2022-H1", None),
        ("2022", "乙"),
        ("2021", None),
    ],
)
def test_period_scores_equal_the_frame_version(imported, period, dimension):
    with imported.connect() as conn:
        scores = period_scores(conn, period, dimension)
        expected = reference_period_scores(conn, period, dimension)
    if expected is None:
        assert scores.ranking is None and scores.detail.empty
        return
    counted, detail, ranking = expected
    pd.testing.assert_frame_equal(scores.indicators, counted, check_exact=True)
    pd.testing.assert_frame_equal(scores.detail, detail, check_exact=True)
    pd.testing.assert_frame_equal(scores.ranking, ranking, check_exact=True)
