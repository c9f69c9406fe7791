"""The district score summaries (`summaries_scores`) always give what scoring the period
from the raw rows gives (`scoring.period_scores`), bit for bit, for every period, all
dimensions and each alone, whatever imports, supersedes, rollbacks, indicator changes and
district merges and kind changes came before, on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_series_equal
from sqlalchemy import select

from data_model.admin import master_admin
from data_model.errors import InputError
from data_model.evaluation.scoring import (
    dimension_order,
    period_ranking,
    period_scores,
    ranking_of,
)
from data_model.ingest.importer import import_file
from data_model.store import summaries_scores
from data_model.store.models import IndicatorValue, Submission
from data_model.store.storage import rollback_submission
from tests.admin.test_master_admin import ADMIN
from tests.conftest import INDICATOR_HEADER, VALUE_HEADER, database_examples, make_xlsx
from tests.store.test_value_summary_equivalence import (
    assert_summaries_exact as assert_value_summaries_exact,
)

CODES = ("YS01", "YS02", "YS03", "YS04")  # YS04 only while an indicator import added it
DISTRICTS = ("南山区", "福田区", "罗湖区", "宝安区")
PERIODS = (
    "2022-12",
    "2023-01",
    "2023-02",
    "2023-03",
    "2023-05",
    "2023-Q1",
    "2023-Q2",
    "2023-H1",
    "2023",
    "2022",
)


def indicator_sheet(target: float | None, weight: float, extra: bool) -> bytes:
    rows = [
        INDICATOR_HEADER,
        ["YS01", "企业开办时间", "营商环境", "天", "逆向", weight, 1, "月", "期末值"],
        ["YS02", "新增民营企业数", "民营经济发展质量", "家", "正向", 20, target, "月", "求和"],
        ["YS03", "诉求办结率", "政企沟通", "%", "正向", 10, 95, "季", "期末值"],
    ]
    if extra:
        rows.append(["YS04", "新增专利数", "创新活力", "件", "正向", 5, None, "月", "平均"])
    return make_xlsx({"指标体系": rows})


@pytest.fixture
def engine(db_engine):
    """A fresh database with the test indicators; on SQLite and on PostgreSQL."""
    import_file(db_engine, indicator_sheet(1000, 10, False), "indicators.xlsx")
    return db_engine


def summarised_periods(conn) -> set[str]:
    """The summarised periods (halves, quarters and years) holding a current value."""
    periods = conn.execute(
        select(IndicatorValue.period).where(IndicatorValue.is_current).distinct()
    ).scalars()
    return summaries_scores.periods_holding(periods)


def assert_same(read, scored) -> None:
    assert read.dimensions == scored.dimensions
    if scored.ranking is None:
        assert read.ranking is None
        assert read.targets.empty
        return
    assert read.ranking is not None
    assert_frame_equal(read.ranking, scored.ranking, check_exact=True)
    assert_frame_equal(read.targets, scored.targets, check_exact=True)


def assert_summaries_exact(engine) -> None:
    """Every summarised period (and a half without values) read from the summaries equals its scoring from
    the rows, for all dimensions and for each alone; no period keeps stale rows."""
    with engine.connect() as conn:
        periods = summarised_periods(conn)
        stored = {key[0] for key in summaries_scores.stored(conn)}
        assert stored <= periods
        for period in sorted(periods | {"2024-H1"}):
            full = period_scores(conn, period)
            assert_same(period_ranking(conn, period), ranking_of(full))
            for dimension in dimension_order(conn):
                alone = period_scores(conn, period, dimension)
                read = period_ranking(conn, period, dimension)
                assert_same(read, ranking_of(alone))
                if alone.ranking is not None:
                    # A dimension alone: its composite is the dimension's score in full.
                    by_district = full.ranking.set_index("district")[dimension]
                    composite = alone.ranking.set_index("district")["composite"]
                    assert_series_equal(
                        composite, by_district[composite.index], check_exact=True, check_names=False
                    )


value_rows = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.sampled_from(DISTRICTS),
        st.sampled_from(PERIODS),
        st.integers(min_value=-5, max_value=1500),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda row: row[:3],
)


def step_lists(targets: list, weights: list, *more: st.SearchStrategy) -> st.SearchStrategy:
    """Lists of one to five steps for `run_step`: an import of `value_rows`, a rollback, an
    indicator import (`indicator_sheet` with a target of `targets` and a weight of
    `weights`), a district's kind change or a merge; `more` are further kinds of step,
    drawn as often as each of these, which the caller runs itself."""
    return st.lists(
        st.one_of(
            st.tuples(st.just("import"), value_rows),
            st.tuples(st.just("rollback"), st.integers(min_value=0, max_value=5)),
            st.tuples(
                st.just("indicators"),
                st.tuples(st.sampled_from(targets), st.sampled_from(weights), st.booleans()),
            ),
            st.tuples(
                st.just("kind"),
                st.tuples(
                    st.sampled_from(DISTRICTS),
                    st.sampled_from(["district", "functional_area", "city"]),
                ),
            ),
            st.tuples(
                st.just("merge"), st.tuples(st.sampled_from(DISTRICTS), st.sampled_from(DISTRICTS))
            ),
            *more,
        ),
        min_size=1,
        max_size=5,
    )


steps = step_lists([None, 10.0, 1000.0], [0, 1, 10])


def run_step(engine, made: list[int], number: int, action: str, argument) -> None:
    if action == "import":
        rows = [
            [code, "", district, period, value, ""] for code, district, period, value in argument
        ]
        data = make_xlsx({"指标数据": [VALUE_HEADER, *rows]})
        report = import_file(engine, data, f"values-{len(made)}-{number}.xlsx")
        if report.submission_id is not None:
            made.append(report.submission_id)
    elif action == "indicators":
        report = import_file(engine, indicator_sheet(*argument), f"indicators-{number}.xlsx")
        if report.submission_id is not None:
            made.append(report.submission_id)
    elif action == "rollback" and made:
        submission_id = made[argument % len(made)]
        with engine.connect() as conn:
            status = conn.execute(
                select(Submission.status).where(Submission.id == submission_id)
            ).scalar_one()
        if status in ("accepted", "partial", "superseded"):
            with engine.begin() as conn:
                rollback_submission(conn, submission_id, by="admin")
    elif action in ("kind", "merge"):
        try:
            with engine.begin() as conn:
                if action == "kind":
                    master_admin.edit_entry(conn, ADMIN, "districts", argument[0], kind=argument[1])
                else:
                    master_admin.merge_entries(conn, ADMIN, "districts", *argument)
        except InputError:
            pass  # merged into itself, already merged away, or values that would clash


@database_examples(10)
@given(steps=steps)
def test_score_summaries_equal_a_recomputation_after_every_step(engine, steps):
    # The database carries over from one example to the next: the property holds from
    # any starting state, so the later examples start from a richer history.
    made: list[int] = []
    for number, (action, argument) in enumerate(steps):
        run_step(engine, made, number, action, argument)
        assert_value_summaries_exact(engine)  # what the quarters and years are read from
        assert_summaries_exact(engine)
    assert_rebuild_keeps(engine, summaries_scores, plain)


def assert_rebuild_keeps(engine, summary, comparable=lambda rows: rows) -> None:
    """A rebuild of `summary` (a summaries module: `stored`, `rebuild`) from the rows, as
    migrations and a restore make it, leaves the rows the writes kept."""
    with engine.connect() as conn:
        kept = comparable(summary.stored(conn))
    with engine.begin() as conn:
        summary.rebuild(conn)
    with engine.connect() as conn:
        assert comparable(summary.stored(conn)) == kept


def plain(rows: dict[tuple, tuple]) -> dict[tuple, tuple]:
    """`stored` rows with NaN as None, so that equal rows compare equal."""
    return {key: tuple(None if pd.isna(x) else x for x in row) for key, row in rows.items()}
