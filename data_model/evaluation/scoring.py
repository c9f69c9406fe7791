"""District scores: the default evaluation method of SPEC §6.

The method (also shown on the 综合评价 page, from the catalogue key
`evaluation.method`):

1. Indicators counted in a period: every current indicator due in it (its 数据频度
   is the period's granularity or finer: a quarter counts monthly and quarterly
   indicators, a year counts all), plus any indicator with a value for the period.
   Values are aggregated to the period by each indicator's rule
   (`data_model.evaluation.aggregation`); a `sum` indicator's target is its annual target
   prorated to the period.
2. Indicator score, 0-100, per district:
   - with a target (正向): 100 × min(actual / target, 1), and 0 for a negative
     actual; a target of 0 or less is met (100) by any actual at or above it;
   - with a target (逆向, lower is better): 100 × min(target / actual, 1); an actual
     of 0 or less scores 100 (nothing is lower), a target of 0 with a positive
     actual scores 0;
   - without a target: min-max across the districts that reported in the period,
     100 × (actual − min) / (max − min), reversed for 逆向 indicators; 100 for
     everyone when all reported values are equal (or only one district reported);
   - no value: 0, and the indicator counts as 未报送 for that district.
3. Dimension score: the weight-averaged indicator scores of the dimension.
   Composite: the weight-averaged score over all counted indicators, which is the
   same as averaging the dimension scores weighted by the sum of their indicators'
   weights. An indicator without a weight counts with weight 1; weight 0 shows the
   indicator but leaves it out of the averages.
4. Only districts are scored (kind district or functional_area), never the city.
5. Rank: by composite rounded to 2 decimals, highest first; ties share a rank and
   the next rank skips (1, 2, 2, 4). Rank change = previous period's rank − this
   rank (positive: moved up), against the period just before at the same
   granularity; empty when the previous period has no scores.

The maths are pure functions on DataFrames (`score_indicators`, `combine_scores`,
`rank_with_ties`, `add_rank_change`); `period_scores` loads a period from the database
and applies them, and `district_scores` adds the rank change against the period before.
The indicator scores are computed on an indicators × districts array (`score_grid`),
which `period_scores` fills straight from the values' plain tuples
(`aggregation.period_cells`): 3,000 indicators × 11 districts at ten times the benchmark
scale, where merges and group-bys on the string keys cost a third of a second a period.
`tests/evaluation/test_scoring_arrays.py` checks them against the frame version.
A page that needs a quarter's or a year's ranking only reads it from the score summaries
(`period_ranking`, kept by `score_summary` with these same functions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from data_model.evaluation.aggregation import is_due, period_cells, target_for_period
from data_model.formatting import SCORE_DECIMALS, join_names
from data_model.i18n import t
from data_model.periods import granularity, previous_period
from data_model.store import summaries_scores
from data_model.store.models import District, Indicator, PeriodScoreSummary

TIED_NAMED = 3  # a sentence names up to this many districts sharing a rank (`tied_names`)
TARGET_MET_SCORE = 100.0  # an indicator score at which its target is met
DEFAULT_WEIGHT = 1.0
INDICATOR_COLUMNS = [
    "code",
    "name",
    "dimension",
    "unit",
    "direction",
    "weight",
    "target",
    "frequency",
    "aggregation",
]
SCORE_COLUMNS = [
    "indicator_code",
    "dimension",
    "district",
    "value",
    "target",
    "weight",
    "score",
    "missing",
]
DETAIL_COLUMNS = [*SCORE_COLUMNS[:3], "name", "unit", *SCORE_COLUMNS[3:], "complete"]


# --- pure maths ----------------------------------------------------------------------


def target_scores(actual: np.ndarray, target: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """Score 0-100 of actual against target (cells where both are present)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        positive_score = np.where(
            target > 0,
            100 * np.clip(actual / target, 0, 1),
            np.where(actual >= target, 100.0, 0.0),
        )
        negative_score = np.where(actual > 0, 100 * np.clip(target / actual, 0, 1), 100.0)
    return np.where(negative, negative_score, positive_score)


def _minmax_scores(actual: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """Score 0-100 by position between each row's lowest and highest value (a row: one
    indicator's districts; reversed for 逆向 rows): 100 when all are equal, NaN stays NaN."""
    absent = np.isnan(actual)
    low = np.where(absent, np.inf, actual).min(axis=1, initial=np.inf, keepdims=True)
    high = np.where(absent, -np.inf, actual).max(axis=1, initial=-np.inf, keepdims=True)
    none = absent.all(axis=1, keepdims=True)
    low, high = np.where(none, np.nan, low), np.where(none, np.nan, high)
    flat = np.isnan(low) | np.isclose(high, low)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            negative[:, None], (high - actual) / (high - low), (actual - low) / (high - low)
        )
    scores = np.where(flat, 100.0, 100 * share)
    return np.where(absent, np.nan, scores)


def value_grid(
    values: pd.DataFrame, codes: Sequence[str], districts: Sequence[str], column: str = "value"
) -> np.ndarray:
    """`values[column]` (rows indicator_code, district) as an indicators × districts array
    in the order of `codes` and `districts`; NaN where there is no row. Rows of other
    indicators or districts are ignored; one row per indicator and district at most."""
    keys = zip(values["indicator_code"].tolist(), values["district"].tolist(), strict=True)
    cells = dict(zip(keys, ((v,) for v in values[column].tolist()), strict=True))
    return cell_grids(cells, codes, districts, 1)[0]


def cell_grids(
    cells: Mapping[tuple[str, str], tuple],
    codes: Sequence[str],
    districts: Sequence[str],
    count: int,
) -> list[np.ndarray]:
    """{(indicator_code, district): (number, …)} as `count` indicators × districts
    arrays, one per position of the numbers (see `value_grid`), filled in one pass."""
    row = {code: i for i, code in enumerate(codes)}
    col = {district: j for j, district in enumerate(districts)}
    width = len(col)
    at, numbers = [], []
    for (code, district), found in cells.items():
        i, j = row.get(code), col.get(district)
        if i is not None and j is not None:
            at.append(i * width + j)
            numbers.append(found)
    grids = []
    for position in range(count):
        grid = np.full(len(row) * width, np.nan)
        grid[at] = [found[position] for found in numbers]
        grids.append(grid.reshape(len(row), width))
    return grids


def _repeat(column: pd.Series, times: int):
    """Each value of `column` `times` times in a row (indicator-major grids), keeping its
    dtype: a take, not a conversion of 33,000 Python strings."""
    return column.array.take(np.repeat(np.arange(len(column)), times))


def score_indicators(
    values: pd.DataFrame, indicators: pd.DataFrame, districts: Sequence[str]
) -> pd.DataFrame:
    """Every indicator × district with its score.

    `values`: indicator_code, district, value (other districts are ignored).
    `indicators`: code, dimension, direction, weight, target, the target being the
    one that applies to the period. Returns indicator_code, dimension, district,
    value, target, weight, score, missing, in the order of `indicators` then
    `districts`.

    All indicators at once on an indicators × districts array (one row per indicator):
    at 3,000 indicators × 11 districts, merges and group-bys on the string keys took
    most of a period's scoring.
    """
    if indicators.empty or not districts:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    return score_grid(
        value_grid(values, indicators["code"].tolist(), districts), indicators, districts
    )


def score_grid(
    actual: np.ndarray, indicators: pd.DataFrame, districts: Sequence[str]
) -> pd.DataFrame:
    """`score_indicators` of the values as an indicators × districts array (`value_grid`,
    NaN: not reported), `indicators` and `districts` not empty."""
    districts = list(districts)
    codes = pd.Series(indicators["code"].tolist())
    width = len(districts)
    target = indicators["target"].astype(float).to_numpy()
    negative = indicators["direction"].to_numpy(object) == "negative"
    weight = indicators["weight"].astype(float).fillna(DEFAULT_WEIGHT).to_numpy()
    score = np.full(actual.shape, np.nan)
    with_target = ~np.isnan(target)
    if with_target.any():
        cells = np.broadcast_to(with_target[:, None], actual.shape) & ~np.isnan(actual)
        rows = np.broadcast_to(np.arange(len(codes))[:, None], actual.shape)[cells]
        score[cells] = target_scores(actual[cells], target[rows], negative[rows])
    if not with_target.all():
        score[~with_target] = _minmax_scores(actual[~with_target], negative[~with_target])
    frame = pd.DataFrame(
        {
            "indicator_code": _repeat(codes, width),
            "dimension": _repeat(indicators["dimension"], width),
            "district": pd.Series(districts).take(np.tile(np.arange(width), len(codes))).array,
            "value": actual.ravel(),
            "target": np.repeat(target, width),
            "weight": np.repeat(weight, width),
            "score": np.where(np.isnan(score), 0.0, score).ravel(),
            "missing": np.isnan(actual).ravel(),
        }
    )
    return frame[SCORE_COLUMNS]


def _weighted(keys: list[np.ndarray], points: np.ndarray, weight: np.ndarray) -> pd.Series:
    frame = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    frame["points"], frame["weight"] = points, weight
    sums = frame.groupby(list(frame.columns[: len(keys)]), sort=False)[["points", "weight"]].sum()
    return sums["points"] / sums["weight"].where(sums["weight"] > 0)


def combine_scores(scores: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """District, one column per dimension, composite and missing_count.

    `scores` as from `score_indicators`. Districts keep their order of appearance.
    """
    columns = ["district", *dimensions, "composite", "missing_count"]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    # Grouped on integer codes of the districts and dimensions (the rows summed in the
    # same order, so the same sums), not on 33,000 strings.
    district, order = pd.factorize(scores["district"])
    dimension, names = pd.factorize(scores["dimension"])
    points = (scores["score"] * scores["weight"]).to_numpy(float)
    weight = scores["weight"].to_numpy(float)
    by_dimension = _weighted([district, dimension], points, weight).unstack()
    frame = pd.DataFrame(
        by_dimension.reindex(index=range(len(order)), columns=range(len(names))).to_numpy(),
        columns=list(names),
    )
    frame = frame.reindex(columns=list(dimensions))
    frame.insert(0, "district", list(order))
    frame["composite"] = _weighted([district], points, weight).reindex(range(len(order)))
    missing = np.bincount(district, weights=scores["missing"].to_numpy(bool), minlength=len(order))
    frame["missing_count"] = missing.astype(int)
    frame.columns.name = None
    return frame[columns]


def rank_with_ties(
    scores: pd.Series, ascending: bool = False, decimals: int = SCORE_DECIMALS
) -> pd.Series:
    """Competition ranks (1, 2, 2, 4) of scores rounded to `decimals` (2 for scores, so
    float noise never splits a tie); NaN ranks last. Rounded as `score_text` writes them
    (Python's round, from the float's exact value), not as numpy rounds the value scaled
    (95.095 is 95.0949… and reads 95.09; numpy made it 95.1 and ranked it apart)."""
    rounded = scores.astype(float).map(lambda score: round(float(score), decimals))
    ranks = rounded.rank(method="min", ascending=ascending, na_option="bottom")
    return ranks.astype(int)


def add_rank_change(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """`current` with rank_change = previous rank − current rank; NA without a previous
    rank, and where either period's score is `scored_on_nothing`: eleven districts that
    reported nothing share the rank after the one that did, which is no move up (it read
    "up 8 places" in a year one district had begun to report), and a district reporting
    again after such a period has not fallen."""
    frame = current.copy()
    if previous is None or previous.empty:
        frame["rank_change"] = pd.array([pd.NA] * len(frame), dtype="Int64")
        return frame
    before = previous.set_index("district")
    ranked_before = before["rank"].where(~scored_on_nothing(before))
    change = frame["district"].map(ranked_before) - frame["rank"]
    frame["rank_change"] = change.where(~scored_on_nothing(frame)).astype("Int64")
    return frame


def scored_on_nothing(ranking: pd.DataFrame) -> pd.Series:
    """Whether each district's score (composite) reads 0.00 while it left indicators
    unreported (missing_count > 0): what a district that reported nothing gets, so it
    ranks in the tie of those districts rather than by what it reported."""
    reads_zero = ranking["composite"].astype(float).map(lambda s: round(s, SCORE_DECIMALS) == 0)
    return reads_zero & (ranking["missing_count"] > 0)


def rank_frame(combined: pd.DataFrame) -> pd.DataFrame:
    """`combine_scores` output with rank by composite, sorted by rank (stable)."""
    frame = combined.copy()
    frame["rank"] = rank_with_ties(frame["composite"])
    return frame.sort_values("rank", kind="stable").reset_index(drop=True)


# --- from the database -------------------------------------------------------------


def indicator_table(conn: Connection, dimension: str | None = None) -> pd.DataFrame:
    """Current indicators in upload order: code, name, dimension, unit, direction,
    weight, target, frequency, aggregation."""
    i = Indicator
    query = select(*(getattr(i, c) for c in INDICATOR_COLUMNS)).where(i.is_current).order_by(i.id)
    if dimension is not None:
        query = query.where(i.dimension == dimension)
    rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=INDICATOR_COLUMNS)


def dimension_order(conn: Connection) -> list[str]:
    """Dimensions in the order their first indicator was uploaded."""
    first = func.min(Indicator.id)
    return list(
        conn.execute(
            select(Indicator.dimension)
            .where(Indicator.is_current)
            .group_by(Indicator.dimension)
            .order_by(first)
        ).scalars()
    )


def scored_districts(conn: Connection) -> list[str]:
    """Names of the geographies that are scored: every district, not the city."""
    return list(
        conn.execute(
            select(District.name).where(District.kind != "city").order_by(District.sort_order)
        ).scalars()
    )


def counted_indicators(indicators: pd.DataFrame, reported: set[str], period: str) -> pd.DataFrame:
    """The indicators counted in `period` (see the method), with `period_target` added;
    `reported`: the codes with a value for `period`."""
    # Plain lists: iterating pandas' Arrow-backed strings one by one is slow (3,000 × 11).
    keep = [
        is_due(frequency, period) or code in reported
        for frequency, code in zip(
            indicators["frequency"].tolist(), indicators["code"].tolist(), strict=True
        )
    ]
    counted = indicators[keep].copy()
    counted["period_target"] = [
        target_for_period(t, a, period)
        for t, a in zip(counted["target"].tolist(), counted["aggregation"].tolist(), strict=True)
    ]
    return counted.reset_index(drop=True)


@dataclass(frozen=True)
class PeriodScores:
    """The scoring of one period, from one read of its values (`period_scores`).

    `indicators`: the indicators counted (INDICATOR_COLUMNS plus `period_target`, weights
    defaulted), the method table. `detail`: every counted indicator × district
    (DETAIL_COLUMNS). `dimensions`: the dimensions scored, in order. `ranking`: district,
    one column per dimension, composite, missing_count and rank, best first, without
    the rank change; None when no district has a value for the counted indicators.
    """

    indicators: pd.DataFrame
    detail: pd.DataFrame
    dimensions: tuple[str, ...]
    ranking: pd.DataFrame | None


@dataclass(frozen=True)
class ScoringBasis:
    """What scoring any period reads besides its values, read once (`scoring_basis`):
    the scored districts' names in order, the current indicators (of `dimension`, or
    all), and the dimensions in order."""

    districts: list[str]
    indicators: pd.DataFrame
    dimensions: tuple[str, ...]
    dimension: str | None = None


def scoring_basis(conn: Connection, dimension: str | None = None) -> ScoringBasis:
    """The `ScoringBasis` of all dimensions or of `dimension` alone."""
    return ScoringBasis(
        districts=scored_districts(conn),
        indicators=indicator_table(conn, dimension),
        dimensions=tuple([dimension] if dimension else dimension_order(conn)),
        dimension=dimension,
    )


def period_scores(conn: Connection, period: str, dimension: str | None = None) -> PeriodScores:
    """Score every district for `period` (all dimensions, or only `dimension`)."""
    basis = scoring_basis(conn, dimension)
    # Without a dimension every current indicator is asked for: no list of 3,000 codes.
    codes = None if dimension is None else list(basis.indicators["code"])
    cells = period_cells(conn, period, codes=codes, districts=basis.districts)
    return score_cells(basis, period, cells)


def score_cells(
    basis: ScoringBasis,
    period: str,
    cells: Mapping[tuple[str, str], tuple],
    named: bool = True,
) -> PeriodScores:
    """`period_scores` of `period` from its values (`aggregation.period_cells` of the
    basis' indicators and districts): the one scoring, for one period or for many read
    together (`summaries_scores`). `named` False leaves the detail's name, unit and
    complete columns out (a caller that only sums the scores)."""
    districts, dimensions = basis.districts, list(basis.dimensions)
    if not cells:
        return PeriodScores(
            indicators=pd.DataFrame(columns=[*INDICATOR_COLUMNS, "period_target"]),
            detail=pd.DataFrame(columns=DETAIL_COLUMNS),
            dimensions=tuple(dimensions),
            ranking=None,
        )
    # The values as indicators × districts arrays, filled from plain tuples: no frame of
    # 33,000 rows to merge on its string keys (3,000 indicators × 11 districts).
    counted = counted_indicators(basis.indicators, {code for code, _ in cells}, period)
    actual, complete = cell_grids(cells, counted["code"].tolist(), districts, 2)
    scores = score_grid(actual, counted.assign(target=counted["period_target"]), districts)
    reported = set(scores["dimension"].unique().tolist())
    scored = tuple(d for d in dimensions if d in reported)
    ranking = rank_frame(combine_scores(scores, scored))
    if named:
        width = len(districts)
        scores["name"] = _repeat(counted["name"], width)
        scores["unit"] = _repeat(counted["unit"], width)
        scores["complete"] = (complete == 1).ravel()
        scores = scores[DETAIL_COLUMNS]
    counted["weight"] = counted["weight"].astype(float).fillna(DEFAULT_WEIGHT)
    return PeriodScores(
        indicators=counted, detail=scores, dimensions=tuple(dimensions), ranking=ranking
    )


@dataclass(frozen=True)
class PeriodRanking:
    """A period's ranking without the indicators' detail (`period_ranking`).

    `dimensions` and `ranking` as in `PeriodScores`. `targets`: per scored district in
    master-data order, district, how many counted indicators have a target (`with_target`)
    and how many of those it met (`met`); empty without a ranking.
    """

    dimensions: tuple[str, ...]
    ranking: pd.DataFrame | None
    targets: pd.DataFrame


TARGET_COUNT_COLUMNS = ["district", "met", "with_target"]


def target_counts(detail: pd.DataFrame) -> pd.DataFrame:
    """`PeriodRanking.targets` from a period's detail (`PeriodScores.detail`): an
    indicator without a value is not met."""
    if detail.empty:
        return pd.DataFrame(columns=TARGET_COUNT_COLUMNS)
    order = detail["district"].unique().tolist()  # in order of appearance, read at once
    targeted = detail[detail["target"].notna()]
    met = targeted[~targeted["missing"] & (targeted["score"] >= TARGET_MET_SCORE)]
    frame = pd.DataFrame({"district": order})
    frame["met"] = frame["district"].map(met.groupby("district").size()).fillna(0).astype(int)
    with_target = frame["district"].map(targeted.groupby("district").size())
    frame["with_target"] = with_target.fillna(0).astype(int)
    return frame


def ranking_of(scores: PeriodScores) -> PeriodRanking:
    """The `PeriodRanking` of a period scored in full."""
    return PeriodRanking(scores.dimensions, scores.ranking, target_counts(scores.detail))


def period_ranking(conn: Connection, period: str, dimension: str | None = None) -> PeriodRanking:
    """`period_scores(conn, period, dimension)`'s ranking (the same rows, order and
    floats), with the target counts, read from the score summaries
    (`summaries_scores`) for a half, a quarter or a year: a dozen rows, not every
    indicator scored. A month is scored as `period_scores` does (`summaries_scores.LEVELS`
    says why months are not summarised).

    Ranks and the order are made here, as `rank_frame` makes them: they depend on
    rounding and on the districts' order in master data, which the rows do not hold."""
    if granularity(period) not in summaries_scores.LEVELS:
        return ranking_of(period_scores(conn, period, dimension))
    dimensions = tuple([dimension] if dimension else dimension_order(conn))
    s = PeriodScoreSummary
    query = select(
        s.dimension,
        s.district_id,
        s.score,
        s.missing_count,
        s.met_targets,
        s.with_targets,
        s.has_values,
    ).where(s.period == period)
    wanted = dimension if dimension else summaries_scores.COMPOSITE
    rows = conn.execute(query).all()
    own = {r.district_id: r for r in rows if r.dimension == wanted}
    if not own or (dimension and not next(iter(own.values())).has_values):
        return PeriodRanking(dimensions, None, pd.DataFrame(columns=TARGET_COUNT_COLUMNS))
    names = scored_districts(conn)
    ids = dict(
        conn.execute(select(District.name, District.id).where(District.kind != "city")).all()
    )
    order = [ids[name] for name in names]
    score_of = {(r.dimension, r.district_id): r.score for r in rows}
    scored = [d for d in dimensions if (d, order[0]) in score_of]

    def column(dimension_: str) -> np.ndarray:
        found = (score_of[(dimension_, i)] for i in order)
        return np.array([np.nan if v is None else v for v in found], dtype=float)

    frame = pd.DataFrame({d: column(d) for d in scored}, columns=scored)
    frame.insert(0, "district", list(names))
    frame["composite"] = column(wanted)
    frame["missing_count"] = np.array([own[i].missing_count for i in order]).astype(int)
    frame.columns.name = None
    targets = pd.DataFrame({"district": list(names)})
    targets["met"] = np.array([own[i].met_targets for i in order]).astype(int)
    targets["with_target"] = np.array([own[i].with_targets for i in order]).astype(int)
    return PeriodRanking(dimensions, rank_frame(frame), targets)


def ranking_with_change(
    current: PeriodScores | PeriodRanking, previous: PeriodScores | PeriodRanking
) -> pd.DataFrame:
    """The districts of `current`, best first: district, one column per dimension,
    composite, rank, rank_change (against `previous`), missing_count. Empty (with those
    columns) when nothing was reported for the period."""
    if current.ranking is None:
        columns = ["district", *current.dimensions, "composite"]
        return pd.DataFrame(columns=[*columns, "rank", "rank_change", "missing_count"])
    frame = add_rank_change(current.ranking, previous.ranking)
    columns = [c for c in frame.columns if c not in ("missing_count", "rank", "rank_change")]
    return frame[[*columns, "rank", "rank_change", "missing_count"]]


def district_scores(conn: Connection, period: str, dimension: str | None = None) -> pd.DataFrame:
    """Scores of every district for `period`, best first (see `ranking_with_change`).

    With `dimension`, only that dimension's indicators count (the composite is then
    that dimension's score).
    """
    return ranking_with_change(
        period_scores(conn, period, dimension),
        period_scores(conn, previous_period(period), dimension),
    )


def scores_export_frame(scores: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """`district_scores` output with the catalogue's headers, scores to 2 decimals."""
    fixed = {"district", "composite", "rank", "rank_change", "missing_count"}
    dimensions = [c for c in scores.columns if c not in fixed]
    frame = scores.copy()
    for column in [*dimensions, "composite"]:
        frame[column] = frame[column].astype(float).round(SCORE_DECIMALS)
    # Plain ints and None: spreadsheet writers do not take pandas' NA.
    changes = [None if pd.isna(c) else int(c) for c in frame["rank_change"]]
    frame["rank_change"] = pd.Series(changes, index=frame.index, dtype=object)
    headers = {
        "district": t("evaluation.col_district", language),
        "composite": t("evaluation.col_composite", language),
        "rank": t("evaluation.col_rank", language),
        "rank_change": t("evaluation.col_rank_change", language),
        "missing_count": t("evaluation.col_missing", language),
    }
    columns = ["district", *dimensions, "composite", "rank", "rank_change", "missing_count"]
    return frame[columns].rename(columns=headers)


# --- finding sentences the evaluation page and the presentation share -------------------


def score_text(value: float | None) -> str:
    """A score as every page, slide and bulletin writes it: with the SCORE_DECIMALS the
    ranks are taken at (two scores shown alike share their rank), `—` when there is none."""
    return "—" if value is None or pd.isna(value) else f"{value:.{SCORE_DECIMALS}f}"


def ranking_headline(
    scores: pd.DataFrame, period: str, dimension: str | None = None, language: str | None = None
) -> str:
    """The evaluation page's headline, e.g. 2023年综合评价：南山区排名第一（97.3分）.

    `scores`: `district_scores` output (not empty); `period`: the period's label;
    `dimension`: the dimension scored, if one.
    """
    leaders = _sharing_rank(scores, scores["rank"].iloc[0])
    key = "evaluation.headline_dimension" if dimension else "evaluation.headline"
    facts = {
        "period": period,
        "dimension": dimension or "",
        "score": score_text(scores["composite"].iloc[0]),
    }
    if len(leaders) == 1:
        return t(key, language, district=leaders[0], **facts)
    return t(f"{key}_tied", language, districts=tied_names(leaders, language), **facts)


def _sharing_rank(scores: pd.DataFrame, rank: int) -> list[str]:
    return scores[scores["rank"] == rank]["district"].tolist()


def tied_names(
    districts: list[str], language: str | None = None, many: str = "evaluation.tied_many"
) -> str:
    """Districts that share a rank, as a sentence names them all: two or three by name,
    more by the first and their count (甲区等4个区; `many`: the catalogue's words for
    them, `tasks.tied_units_many` for lead units). Every page, slide and the bulletin
    name a tie with it."""
    if len(districts) <= TIED_NAMED:
        return join_names(districts, language)
    return t(many, language, first=districts[0], count=len(districts))


def score_extremes(shown: pd.DataFrame, language: str | None = None) -> dict[str, str] | None:
    """Who has the highest and who the lowest composite score, for a sentence: `top` and
    `bottom` name every district sharing that rank (`tied_names`: a tie as shown, to
    SCORE_DECIMALS), `top_score` and `bottom_score` as `score_text` writes them.

    `shown`: `district_scores` rows (best first, not empty). None when every district
    shares one rank (one district, or all level): none of them is highest.
    """
    top, bottom = shown.iloc[0], shown.iloc[-1]
    if top["rank"] == bottom["rank"]:
        return None
    return {
        "top": tied_names(_sharing_rank(shown, top["rank"]), language),
        "top_score": score_text(top["composite"]),
        "bottom": tied_names(_sharing_rank(shown, bottom["rank"]), language),
        "bottom_score": score_text(bottom["composite"]),
    }


def composite_finding(shown: pd.DataFrame, language: str | None = None) -> str:
    """Highest and lowest composite score and how many districts moved up or down.

    `shown`: `district_scores` rows (best first, not empty).
    """
    facts = score_extremes(shown, language)
    if facts is None:
        return t(
            "evaluation.composite_finding_level" if len(shown) > 1 else "evaluation.score_of",
            language,
            districts=tied_names(shown["district"].tolist(), language),
            score=score_text(shown["composite"].iloc[0]),
        )
    if shown["rank_change"].isna().all():
        return t("evaluation.composite_finding_first", language, **facts)
    up = int((shown["rank_change"] > 0).sum())
    down = int((shown["rank_change"] < 0).sum())
    return t("evaluation.composite_finding", language, up=up, down=down, **facts)
