"""The district score summaries' rows (`store.summaries_scores`) computed by the one
scoring method (`scoring.score_cells`), many periods at a time: the indicators and the
districts are read once, the values of up to PERIODS_PER_READ periods with one query
per granularity (`aggregation.periods_cells`). Importing this module installs it as the
store's scorer."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from data_model.evaluation.aggregation import periods_cells
from data_model.evaluation.scoring import (
    TARGET_MET_SCORE,
    PeriodScores,
    score_cells,
    scoring_basis,
)
from data_model.periods import GRANULARITIES, granularity
from data_model.store import summaries_scores
from data_model.store.models import District
from data_model.store.summaries_scores import COMPOSITE, PERIODS_PER_READ


def score_periods(conn: Connection, periods: list[str]) -> dict[str, list[tuple]]:
    """{period: its summary rows (`summaries_scores.COLUMNS`)} for each of `periods`;
    no rows for a period without values."""
    basis = scoring_basis(conn)
    ids = dict(conn.execute(select(District.name, District.id).where(District.kind != "city")).all())
    found: dict[str, list[tuple]] = {}
    ordered = sorted(set(periods), key=lambda p: (GRANULARITIES.index(granularity(p)), p))
    for start in range(0, len(ordered), PERIODS_PER_READ):
        chunk = ordered[start : start + PERIODS_PER_READ]
        cells = periods_cells(conn, chunk, basis.districts) if basis.districts else {}
        for period in chunk:
            scores = score_cells(basis, period, cells.get(period, {}), named=False)
            found[period] = summary_rows(scores, period, ids)
    return found


def summary_rows(scores: PeriodScores, period: str, ids: dict[str, int]) -> list[tuple]:
    """The summary rows of one period's scoring (`score_cells`): per district, one per
    dimension scored and one for the composite; none without a ranking."""
    ranking = scores.ranking
    if ranking is None:
        return []
    detail = scores.detail
    district, districts = pd.factorize(detail["district"])
    dimension, dimensions = pd.factorize(detail["dimension"])
    width, depth = len(districts), len(dimensions)
    missing = detail["missing"].to_numpy(bool)
    targeted = detail["target"].notna().to_numpy()
    met = targeted & ~missing & (detail["score"].to_numpy(float) >= TARGET_MET_SCORE)
    cell = district * depth + dimension

    def counts(flags: np.ndarray) -> np.ndarray:
        per = np.bincount(cell, weights=flags, minlength=width * depth)
        return per.reshape(width, depth).astype(int)

    missing_of, targeted_of, met_of = counts(missing), counts(targeted), counts(met)
    has_values = np.bincount(dimension[~missing], minlength=depth) > 0  # per dimension
    column = {name: j for j, name in enumerate(dimensions)}
    row_of = {name: i for i, name in enumerate(districts)}
    dimension_names = [c for c in scores.dimensions if c in ranking.columns]
    rows = []
    for record in ranking.to_dict("records"):
        name = record["district"]
        i, district_id = row_of[name], ids[name]
        rows.append(
            (
                period,
                COMPOSITE,
                district_id,
                _number(record["composite"]),
                int(record["missing_count"]),
                int(met_of[i].sum()),
                int(targeted_of[i].sum()),
                True,
            )
        )
        for name_ in dimension_names:
            j = column[name_]
            rows.append(
                (
                    period,
                    name_,
                    district_id,
                    _number(record[name_]),
                    int(missing_of[i, j]),
                    int(met_of[i, j]),
                    int(targeted_of[i, j]),
                    bool(has_values[j]),
                )
            )
    return rows


def _number(value) -> float | None:
    """A score as stored: NaN (no weight) as NULL."""
    return None if pd.isna(value) else float(value)


summaries_scores.install(score_periods)
