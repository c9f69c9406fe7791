"""Each write that changes the coverage totals keeps their summaries
(`summaries_coverage`) exact: a value import, a supersede, a rollback, an indicator
import, a district added, deleted or merged, a backup restored; and the coverage
measures read from them are what the grid gives."""

from __future__ import annotations

import pytest
from pandas.testing import assert_frame_equal
from sqlalchemy import delete, select

from data_model.admin import master_admin
from data_model.admin.backup import backup, restore
from data_model.ingest.importer import import_file
from data_model.queries import coverage_queries as cq
from data_model.store import summaries_coverage
from data_model.store.models import District, PeriodCoverageSummary
from data_model.store.storage import rollback_submission
from tests.admin.test_master_admin import ADMIN
from tests.conftest import indicator_rows, make_xlsx
from tests.store.test_score_summaries import ROWS, import_values

# indicator_rows: YS01 and YS02 monthly, YS03 quarterly.
OWED = {"2023-Q1": 3 + 3 + 1, "2023": 12 + 12 + 4}


@pytest.fixture
def engine(db_engine):
    import_file(db_engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    return db_engine


def kept(engine, period: str) -> dict[str, tuple]:
    """{geography name: (reported, expected, complete, indicators)} of `period`'s rows."""
    with engine.connect() as conn:
        names = dict(conn.execute(select(District.id, District.name)).all())
        rows = summaries_coverage.stored(conn)
    return {names[d]: row for (p, d), row in rows.items() if p == period}


def measures(engine, period: str) -> tuple:
    with engine.connect() as conn:
        return (
            cq.submission_coverage(conn, period),
            cq.indicator_completeness(conn, period),
            cq.total_submission_coverage(conn, period),
        )


def assert_read_as_computed(engine, *periods: str) -> None:
    """The measures read from the kept rows equal those computed without them."""
    read = {period: measures(engine, period) for period in periods}
    with engine.begin() as conn:
        conn.execute(delete(PeriodCoverageSummary))
    for period in periods:
        computed = measures(engine, period)
        for got, want in zip(read[period][:2], computed[:2], strict=True):
            assert_frame_equal(got, want, check_exact=True)
        assert read[period][2] == computed[2]
    with engine.begin() as conn:
        summaries_coverage.rebuild(conn)


def test_an_import_counts_the_quarter_half_and_year_holding_its_values(engine):
    import_values(engine, ROWS)
    with engine.connect() as conn:
        geographies = conn.execute(select(District.name)).scalars().all()
        assert {key[0] for key in summaries_coverage.stored(conn)} == {
            "2023-Q1",
            "2023-H1",
            "2023",
        }
    quarter = kept(engine, "2023-Q1")
    assert set(quarter) == set(geographies)  # every geography, the city too
    assert quarter["南山区"] == (2, OWED["2023-Q1"], 0, 3)
    assert quarter["福田区"] == (1, OWED["2023-Q1"], 0, 3)
    assert quarter["罗湖区"] == (0, OWED["2023-Q1"], 0, 3)
    assert kept(engine, "2023")["南山区"] == (2, OWED["2023"], 0, 3)
    total = cq.total_submission_coverage
    with engine.connect() as conn:
        assert total(conn, "2023-Q1") == pytest.approx(
            3 / (OWED["2023-Q1"] * len(geographies)) * 100
        )
    assert_read_as_computed(engine, "2023-Q1", "2023", "2023-02", "2023-H1", "2024")


def test_a_supersede_and_a_rollback_recount(engine):
    first = import_values(engine, ROWS)
    second = import_values(engine, [["YS03", "福田区", "2023-Q1", 90]], "more.xlsx")
    assert kept(engine, "2023-Q1")["福田区"] == (2, OWED["2023-Q1"], 1, 3)
    third = import_values(engine, [["YS03", "福田区", "2023-Q1", 80]], "fix.xlsx")  # supersedes
    assert kept(engine, "2023-Q1")["福田区"] == (2, OWED["2023-Q1"], 1, 3)
    with engine.begin() as conn:
        rollback_submission(conn, first, by="admin")
    assert kept(engine, "2023")["南山区"] == (0, OWED["2023"], 0, 3)
    with engine.begin() as conn:
        for submission in (second, third):
            rollback_submission(conn, submission, by="admin")
    with engine.connect() as conn:
        assert summaries_coverage.stored(conn) == {}
        # A year without values is computed: every indicator still expected, none reported.
        assert cq.total_submission_coverage(conn, "2023") == 0.0
        frame = cq.submission_coverage(conn, "2023")
    assert frame["denominator"].tolist() == [float(OWED["2023"])] * len(frame)


def test_an_indicator_import_recounts_every_period(engine):
    import_values(engine, [*ROWS, ["YS02", "南山区", "2022-12", 10]])
    rows = indicator_rows()
    rows[3][7] = "年"  # YS03 yearly: owed once a year, no more in a quarter
    import_file(engine, make_xlsx({"指标体系": rows}), "frequencies.xlsx")
    assert kept(engine, "2023-Q1")["南山区"] == (2, 3 + 3, 0, 2)
    assert kept(engine, "2023")["南山区"] == (2, 12 + 12 + 1, 0, 3)
    assert kept(engine, "2022")["南山区"] == (1, 12 + 12 + 1, 0, 3)
    assert_read_as_computed(engine, "2022-Q4", "2022", "2023-Q1", "2023")


def test_district_changes_recount(engine):
    import_values(engine, ROWS)
    for kind in ("functional_area", "city"):
        name = f"前海合作区{kind}"
        with engine.begin() as conn:
            master_admin.add_entry(conn, ADMIN, "districts", name=name, code=name, kind=kind)
        # A geography added reported 0 of what it owes, not nothing.
        assert kept(engine, "2023")[name] == (0, OWED["2023"], 0, 3)
        with engine.connect() as conn:
            frame = cq.submission_coverage(conn, "2023").set_index("district")
        assert frame.loc[name, ["value", "numerator", "denominator"]].tolist() == [0, 0, 28]
        with engine.begin() as conn:
            master_admin.delete_entry(conn, ADMIN, "districts", name)
        assert name not in kept(engine, "2023")
    with engine.begin() as conn:
        master_admin.merge_entries(conn, ADMIN, "districts", "南山区", "罗湖区")
    quarter = kept(engine, "2023-Q1")
    assert "南山区" not in quarter and quarter["罗湖区"] == (2, OWED["2023-Q1"], 0, 3)
    assert_read_as_computed(engine, "2023-Q1", "2023")


def test_a_restore_rebuilds_the_summaries(engine, tmp_path):
    import_values(engine, ROWS)
    with engine.connect() as conn:
        before = summaries_coverage.stored(conn)
    path = tmp_path / "backup.zip"
    backup(engine, path)
    import_values(engine, [["YS02", "罗湖区", "2023-05", 90]], "more.xlsx")
    restore(engine, path, force=True)
    with engine.connect() as conn:
        assert summaries_coverage.stored(conn) == before != {}
