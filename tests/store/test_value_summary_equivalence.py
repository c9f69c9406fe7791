"""The indicator value summaries (`summaries_values`) always equal a recomputation from
the current values, whatever imports, supersedes and rollbacks came before, on SQLite
and PostgreSQL; a rebuild gives the same rows; the aggregation reads them, and gives
every month, quarter, half and year what the rules give from the raw values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from data_model.evaluation.aggregation import aggregate
from data_model.ingest.importer import import_file
from data_model.periods import granularity, sub_periods, to_granularity
from data_model.store import summaries_values
from data_model.store.models import District, Indicator, IndicatorValue, Submission
from data_model.store.storage import rollback_submission
from tests.conftest import VALUE_HEADER, database_examples, indicator_rows, make_xlsx

CODES = ("YS01", "YS02", "YS03")  # monthly last value, monthly sum, quarterly last value
DISTRICTS = ("南山区", "福田区")
PERIODS = ("2022-11", "2022-12", "2023-01", "2023-02", "2023-03", "2023-05", "2023-Q1", "2023")
SHOWN = ("2022-H2", "2023-H1", "2023-Q1", "2023-Q2", "2023", "2023-02", "2022")  # aggregated


@pytest.fixture
def engine(db_engine):
    """A fresh database with the test indicators; on SQLite and on PostgreSQL."""
    import_file(db_engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    return db_engine


def recomputed(engine) -> dict[tuple, tuple]:
    """The summaries as the module defines them, counted plainly from the current values."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                IndicatorValue.indicator_code,
                IndicatorValue.district_id,
                IndicatorValue.period,
                IndicatorValue.value,
            ).where(IndicatorValue.is_current)
        ).all()
    groups: dict[tuple, list[tuple[str, float]]] = {}
    for code, district_id, period, value in rows:
        frequency = granularity(period)
        levels = {"month": ("quarter", "year"), "quarter": ("year",)}.get(frequency, ())
        for level in levels:
            key = (to_granularity(period, level), code, district_id, frequency)
            groups.setdefault(key, []).append((period, value))
    expected = {}
    for key, values in groups.items():
        values.sort()
        expected[key] = (len(values), sum(v for _, v in values), *values[-1])
    return expected


def assert_summaries_exact(engine) -> None:
    with engine.connect() as conn:
        stored = summaries_values.stored(conn)
    expected = recomputed(engine)
    assert stored.keys() == expected.keys()
    for key, (reported, total, latest_period, latest_value) in expected.items():
        assert stored[key][0] == reported, key
        assert stored[key][1] == pytest.approx(total, rel=1e-12), key
        assert stored[key][2:] == (latest_period, pytest.approx(latest_value)), key


def aggregated_plainly(conn, period: str) -> dict[tuple, tuple]:
    """`aggregate`'s rows for `period` by the module's rules, from the current values
    alone: {(indicator_code, district): (value, complete, reported, expected)}."""
    rules = dict(
        (code, (rule, frequency))
        for code, rule, frequency in conn.execute(
            select(Indicator.code, Indicator.aggregation, Indicator.frequency).where(
                Indicator.is_current
            )
        )
    )
    names = dict(conn.execute(select(District.id, District.name)).all())
    v = IndicatorValue
    values = conn.execute(
        select(v.indicator_code, v.district_id, v.period, v.value).where(v.is_current)
    ).all()
    inside = sub_periods(period)
    exact, parts = {}, {}
    for code, district_id, at, value in values:
        if code not in rules:
            continue
        key = (code, names[district_id])
        if at == period:
            exact[key] = (value, True, 1, 1)
        elif at in inside and granularity(at) == rules[code][1]:
            parts.setdefault(key, []).append((at, value))
    found = {}
    for key, part in parts.items():
        rule, frequency = rules[key[0]]
        part.sort()
        total = sum(value for _, value in part)
        value = total if rule == "sum" else total / len(part) if rule == "mean" else part[-1][1]
        due = sum(granularity(p) == frequency for p in inside)
        found[key] = (value, len(part) >= due, len(part), due)
    return {**found, **exact}


def assert_aggregates_plain(engine) -> None:
    with engine.connect() as conn:
        for period in SHOWN:
            frame = aggregate(conn, [period])
            got = {
                (row.indicator_code, row.district): (
                    row.value,
                    row.complete,
                    row.reported,
                    row.expected,
                )
                for row in frame.itertuples()
            }
            expected = aggregated_plainly(conn, period)
            assert got.keys() == expected.keys(), period
            for key, (value, *counts) in expected.items():
                assert got[key][0] == pytest.approx(value, rel=1e-12), (period, key)
                assert list(got[key][1:]) == counts, (period, key)


value_rows = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.sampled_from(DISTRICTS),
        st.sampled_from(PERIODS),
        st.integers(min_value=-5, max_value=50),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda row: row[:3],
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("import"), value_rows),
        st.tuples(st.just("rollback"), st.integers(min_value=0, max_value=5)),
    ),
    min_size=1,
    max_size=5,
)


@database_examples(12)
@given(steps=steps)
def test_summaries_equal_a_recomputation_after_every_step(engine, steps):
    # The database carries over from one example to the next: the property holds from
    # any starting state, so the later examples start from a richer history.
    made: list[int] = []
    for number, (action, argument) in enumerate(steps):
        if action == "import":
            rows = [
                [code, "", district, period, value, ""]
                for code, district, period, value in argument
            ]
            data = make_xlsx({"指标数据": [VALUE_HEADER, *rows]})
            report = import_file(engine, data, f"values-{len(made)}-{number}.xlsx")
            if report.submission_id is not None:
                made.append(report.submission_id)
        elif made:
            submission_id = made[argument % len(made)]
            with engine.connect() as conn:
                status = conn.execute(
                    select(Submission.status).where(Submission.id == submission_id)
                ).scalar_one()
            if status in ("accepted", "partial", "superseded"):
                with engine.begin() as conn:
                    rollback_submission(conn, submission_id, by="admin")
        assert_summaries_exact(engine)
        assert_aggregates_plain(engine)


def test_rebuild_gives_the_rows_the_writes_kept(engine):
    rows = [
        ["YS02", "", "南山区", "2023-01", 4, ""],
        ["YS02", "", "南山区", "2023-02", 6, ""],
        ["YS01", "", "福田区", "2023-03", 2, ""],
        ["YS03", "", "福田区", "2023-Q1", 90, ""],
    ]
    import_file(engine, make_xlsx({"指标数据": [VALUE_HEADER, *rows]}), "a.xlsx")
    with engine.connect() as conn:
        kept = summaries_values.stored(conn)
    with engine.begin() as conn:
        summaries_values.rebuild(conn)
    with engine.connect() as conn:
        assert summaries_values.stored(conn) == kept
        quarter = aggregate(conn, ["2023-Q1"], ["YS02"], ["南山区"])
    assert kept[("2023-Q1", "YS02", kept_district(kept, "YS02"), "month")] == (
        2,
        10.0,
        "2023-02",
        6.0,
    )
    assert quarter[["value", "complete", "reported", "expected"]].values.tolist() == [
        [10.0, False, 2, 3]
    ]


def kept_district(kept: dict, code: str) -> int:
    return next(key[2] for key in kept if key[1] == code)
