"""The district score summaries' rows (`store.summaries_scores`) computed by the one
scoring method, many periods at a time: the indicators and the districts are read once,
the values of up to PERIODS_PER_READ periods with one query per granularity
(`aggregation.periods_cells`), and the periods' indicators × districts grids are scored
stacked, with one `score_grid` and one `combine_scores` for all of them. That gives each
period exactly what `scoring.period_scores` gives it (`score_cells` does the same steps
for one period): an indicator's score depends on its own row of the grid only, and a
district's sums take its period's rows in the same order, grouped here by period and
district. Importing this module installs it as the store's scorer."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from data_model.evaluation.aggregation import periods_cells
from data_model.evaluation.scoring import (
    TARGET_MET_SCORE,
    ScoringBasis,
    cell_grids,
    combine_scores,
    counted_indicators,
    score_grid,
    scoring_basis,
)
from data_model.periods import granularity
from data_model.store import summaries_scores
from data_model.store.models import District
from data_model.store.summaries_scores import COMPOSITE, PERIODS_PER_READ


def score_periods(conn: Connection, periods: list[str]) -> dict[str, list[tuple]]:
    """{period: its summary rows (`summaries_scores.COLUMNS`)} for each of `periods`;
    no rows for a period without values."""
    basis = scoring_basis(conn)
    ids = dict(
        conn.execute(select(District.name, District.id).where(District.kind != "city")).all()
    )
    found: dict[str, list[tuple]] = {period: [] for period in periods}
    if not basis.districts or basis.indicators.empty:
        return found
    order = [ids[name] for name in basis.districts]
    for chunk in _chunks(found):
        parts = []
        cells = periods_cells(conn, chunk, basis.districts)
        for period in chunk:
            if cells.get(period):
                # As `score_cells`: the indicators counted and their values' grid.
                reported = {code for code, _ in cells[period]}
                counted = counted_indicators(basis.indicators, reported, period)
                grid = cell_grids(cells[period], counted["code"].tolist(), order, 1)[0]
                parts.append((period, counted, grid))
        if parts:
            found.update(stacked_rows(parts, basis, order))
    return found


def _chunks(periods) -> list[list[str]]:
    """`periods` in runs of one granularity, at most PERIODS_PER_READ long."""
    by_level: dict[str, list[str]] = {}
    for period in sorted(periods):
        by_level.setdefault(granularity(period), []).append(period)
    return [
        found[start : start + PERIODS_PER_READ]
        for found in by_level.values()
        for start in range(0, len(found), PERIODS_PER_READ)
    ]


def stacked_rows(
    parts: list[tuple[str, pd.DataFrame, np.ndarray]], basis: ScoringBasis, ids: list[int]
) -> dict[str, list[tuple]]:
    """The summary rows of each (period, counted indicators, values grid) of `parts`,
    scored stacked; `ids`: the districts' ids in the basis' order."""
    width = len(ids)
    indicators = pd.concat(
        [counted.assign(target=counted["period_target"]) for _, counted, _ in parts],
        ignore_index=True,
    )
    scores = score_grid(np.vstack([grid for *_, grid in parts]), indicators, basis.districts)
    # One "district" per period and district: part k's district j is k × width + j.
    part = np.repeat(np.arange(len(parts)), [len(counted) for _, counted, _ in parts])
    key = np.repeat(part, width) * width + np.tile(np.arange(width), len(indicators))
    scores["district"] = key
    present = set(indicators["dimension"].tolist())
    combined = combine_scores(scores, [d for d in basis.dimensions if d in present])
    row = {k: r for r, k in enumerate(combined["district"].tolist())}

    dimension, names = pd.factorize(scores["dimension"])
    depth = len(names)
    missing = scores["missing"].to_numpy(bool)
    targeted = scores["target"].notna().to_numpy()
    met = targeted & ~missing & (scores["score"].to_numpy(float) >= TARGET_MET_SCORE)
    cell = key * depth + dimension

    def per_district(flags: np.ndarray) -> np.ndarray:
        counts = np.bincount(cell, weights=flags, minlength=len(parts) * width * depth)
        return counts.reshape(len(parts) * width, depth).astype(int)

    missing_of, targeted_of, met_of = (
        per_district(missing),
        per_district(targeted),
        per_district(met),
    )
    by_part = np.repeat(part, width) * depth + dimension
    has_values = np.bincount(by_part, weights=~missing, minlength=len(parts) * depth) > 0
    counted_in = np.bincount(by_part, minlength=len(parts) * depth) > 0
    has_values = has_values.reshape(len(parts), depth)
    counted_in = counted_in.reshape(len(parts), depth)
    column = {name: j for j, name in enumerate(names)}
    scored = [(name, column[name]) for name in basis.dimensions if name in column]
    composite = combined["composite"].to_numpy(float)
    missing_count = combined["missing_count"].to_numpy(int)
    values = {name: combined[name].to_numpy(float) for name, _ in scored}

    found = {}
    for k, (period, _, _) in enumerate(parts):
        rows = []
        for j, district_id in enumerate(ids):
            r = row[k * width + j]
            d = k * width + j
            rows.append(
                (
                    period,
                    COMPOSITE,
                    district_id,
                    _number(composite[r]),
                    int(missing_count[r]),
                    int(met_of[d].sum()),
                    int(targeted_of[d].sum()),
                    True,
                )
            )
            for name, at in scored:
                if counted_in[k, at]:
                    rows.append(
                        (
                            period,
                            name,
                            district_id,
                            _number(values[name][r]),
                            int(missing_of[d, at]),
                            int(met_of[d, at]),
                            int(targeted_of[d, at]),
                            bool(has_values[k, at]),
                        )
                    )
        found[period] = rows
    return found


def _number(value) -> float | None:
    """A score as stored: NaN (no weight) as NULL."""
    return None if pd.isna(value) else float(value)


summaries_scores.install(score_periods)
