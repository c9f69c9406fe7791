"""The coverage totals kept per half, quarter and year (`summaries_coverage`) always equal a
count from the raw rows, for every period holding values, whatever imports, supersedes,
rollbacks, indicator changes and district additions, deletions, kind changes and merges
came before, on SQLite and PostgreSQL; and the grid's totals (what a month or a period
without values reads) equal the same count."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from data_model.admin import master_admin
from data_model.errors import InputError
from data_model.ingest.importer import import_file
from data_model.periods import granularity, sub_periods
from data_model.store import summaries_coverage
from data_model.store.models import District, Indicator, IndicatorValue
from data_model.store.summaries_scores import LEVELS
from tests.admin.test_master_admin import ADMIN
from tests.conftest import database_examples
from tests.store.test_score_summary_equivalence import (
    assert_rebuild_keeps,
    indicator_sheet,
    run_step,
    step_lists,
    summarised_periods,
)

NEW_DISTRICTS = ("前海合作区", "河套合作区")
EXTRA_PERIODS = ("2024-H1", "2023-02", "2024", "2024-Q2")  # computed: no values, or a month


@pytest.fixture
def engine(db_engine):
    """A fresh database with the test indicators; on SQLite and on PostgreSQL."""
    import_file(db_engine, indicator_sheet(1000, 10, False), "indicators.xlsx")
    return db_engine


def recount(conn, period: str) -> dict[tuple, tuple]:
    """`period`'s totals per geography counted in Python from the raw rows, keyed as
    `summaries_coverage.stored`: every geography owes each current indicator one value
    per period of its frequency inside `period`; a value counts only there."""
    inside = sub_periods(period)
    frequency = dict(
        conn.execute(select(Indicator.code, Indicator.frequency).where(Indicator.is_current)).all()
    )
    owed = {code: sum(granularity(p) == f for p in inside) for code, f in frequency.items()}
    owed = {code: n for code, n in owed.items() if n}
    v = IndicatorValue
    values = conn.execute(
        select(v.indicator_code, v.district_id, v.period).where(v.is_current)
    ).all()
    cells = Counter(
        (district_id, code)
        for code, district_id, p in values
        if code in owed and p in inside and granularity(p) == frequency[code]
    )
    if not owed:
        return {}
    found = {}
    for district_id in conn.execute(select(District.id)).scalars():
        counts = [(cells[(district_id, code)], n) for code, n in owed.items()]
        found[(period, district_id)] = (
            sum(r for r, _ in counts),
            sum(n for _, n in counts),
            sum(r >= n for r, n in counts),
            len(counts),
        )
    return found


def assert_coverage_exact(engine) -> None:
    """The kept rows are those of the periods holding values, each equal to its count;
    the grid's totals of those periods and of others equal their counts too."""
    with engine.connect() as conn:
        periods = {p for p in summarised_periods(conn) if granularity(p) in LEVELS}
        kept = summaries_coverage.stored(conn)
        assert {key[0] for key in kept} == periods
        for period in sorted(periods):
            counted = recount(conn, period)
            assert {k: r for k, r in kept.items() if k[0] == period} == counted
            assert summaries_coverage.computed(conn, period) == counted
        for period in EXTRA_PERIODS:
            counted = recount(conn, period)
            assert summaries_coverage.computed(conn, period) == counted
            assert grid_sums(conn, period) == counted


def grid_sums(conn, period: str) -> dict[tuple, tuple]:
    """The cells of `summaries_coverage.indicator_grid` (the incomplete indicators' list)
    summed per geography, keyed as `recount`."""
    found: dict[tuple, tuple] = {}
    grid = summaries_coverage.indicator_grid(period)
    for _, district_id, _, _, owed, reported in conn.execute(select(grid)):
        before = found.get((period, district_id), (0, 0, 0, 0))
        cell = (int(reported), int(owed), int(reported) >= int(owed), 1)
        found[(period, district_id)] = tuple(a + b for a, b in zip(before, cell, strict=True))
    return found


steps = step_lists(
    [None, 1000.0],
    [0, 10],
    st.tuples(
        st.just("add"),
        st.tuples(st.sampled_from(NEW_DISTRICTS), st.sampled_from(["functional_area", "city"])),
    ),
    st.tuples(st.just("delete"), st.sampled_from(NEW_DISTRICTS)),
)


def run_district_step(engine, action: str, argument) -> None:
    try:
        with engine.begin() as conn:
            if action == "add":
                name, kind = argument
                code = f"X{NEW_DISTRICTS.index(name)}"
                master_admin.add_entry(conn, ADMIN, "districts", name=name, code=code, kind=kind)
            else:
                master_admin.delete_entry(conn, ADMIN, "districts", argument)
    except InputError:
        pass  # already there, not there, or referenced


@database_examples(10)
@given(steps=steps)
def test_coverage_summaries_equal_a_recount_after_every_step(engine, steps):
    # The database carries over from one example to the next, as in the scores' test.
    made: list[int] = []
    for number, (action, argument) in enumerate(steps):
        if action in ("add", "delete"):
            run_district_step(engine, action, argument)
        else:
            run_step(engine, made, number, action, argument)
        assert_coverage_exact(engine)
    assert_rebuild_keeps(engine, summaries_coverage)
