"""Each write that changes the district scores keeps their summaries
(`summaries_scores`) exact: a value import, a rollback, an indicator import, a district
added, made the city, merged or deleted, a backup restored; and a ranking read from them
is the scoring's (`scoring.period_ranking`)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data_model.admin import master_admin
from data_model.admin.backup import backup, restore
from data_model.evaluation.scoring import (
    period_ranking,
    period_scores,
    ranking_of,
)
from data_model.ingest.importer import import_file
from data_model.outputs.bulletin import ranked_targets, targets_met
from data_model.store import summaries_scores
from data_model.store.models import District
from data_model.store.storage import rollback_submission
from tests.admin.test_master_admin import ADMIN
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx
from tests.store.test_score_summary_equivalence import assert_same, plain


@pytest.fixture
def engine(db_engine):
    import_file(db_engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    return db_engine


def import_values(engine, rows: list[list], name: str = "values.xlsx") -> int:
    data = make_xlsx({"指标数据": [VALUE_HEADER, *[[c, "", d, p, v, ""] for c, d, p, v in rows]]})
    report = import_file(engine, data, name)
    assert report.submission_id is not None
    return report.submission_id


def composite(engine, period: str) -> dict[str, float]:
    """{district name: composite} read from the summaries."""
    with engine.connect() as conn:
        names = dict(conn.execute(select(District.id, District.name)).all())
        rows = summaries_scores.stored(conn)
    return {names[d]: row[0] for (p, dim, d), row in rows.items() if p == period and dim == ""}


def assert_as_scored(engine, *periods: str) -> None:
    with engine.connect() as conn:
        for period in periods:
            assert_same(period_ranking(conn, period), ranking_of(period_scores(conn, period)))


ROWS = [
    ["YS02", "南山区", "2023-02", 500],
    ["YS02", "福田区", "2023-02", 1000],
    ["YS01", "南山区", "2023-02", 2],
]


def test_an_import_scores_the_quarter_half_and_year_holding_its_values(engine):
    import_values(engine, ROWS)
    with engine.connect() as conn:
        stored = summaries_scores.stored(conn)
    assert {key[0] for key in stored} == {"2023-Q1", "2023-H1", "2023"}
    # In Q1, YS02 (sum, 1000 a year) against 250: both districts meet it; YS01 (逆向,
    # 1 day) at 2 days scores 50, 福田区 did not report it; YS03 (quarterly, weight 10) is
    # due and nobody reported it.
    quarter = composite(engine, "2023-Q1")
    assert quarter["南山区"] == pytest.approx((20 * 100 + 10 * 50) / 40)
    assert quarter["福田区"] == pytest.approx(20 * 100 / 40)
    assert quarter["罗湖区"] == 0.0
    with engine.connect() as conn:
        ranking = period_ranking(conn, "2023-Q1")
    assert ranking.ranking["district"].tolist()[:2] == ["南山区", "福田区"]
    assert ranking.ranking["missing_count"].tolist()[:2] == [1, 2]
    targets = ranking.targets.set_index("district")
    assert targets.loc["南山区"].tolist() == [1, 3] and targets.loc["福田区"].tolist() == [1, 3]
    # A month is not summarised: scored as before; the half reads its rows.
    assert_as_scored(engine, "2023-02", "2023-Q1", "2023", "2023-H1")


def test_a_rollback_rescores_and_leaves_no_rows_for_periods_without_values(engine):
    first = import_values(engine, ROWS)
    second = import_values(engine, [["YS02", "罗湖区", "2023-05", 90]], "more.xlsx")
    assert composite(engine, "2023")["罗湖区"] > 0
    with engine.begin() as conn:
        rollback_submission(conn, second, by="admin")
    assert composite(engine, "2023")["罗湖区"] == 0.0
    with engine.connect() as conn:
        assert {key[0] for key in summaries_scores.stored(conn)} == {"2023-Q1", "2023-H1", "2023"}
    with engine.begin() as conn:
        rollback_submission(conn, first, by="admin")
    with engine.connect() as conn:
        assert summaries_scores.stored(conn) == {}
        assert period_ranking(conn, "2023").ranking is None


def test_a_superseding_import_rescores(engine):
    import_values(engine, ROWS)
    before = composite(engine, "2023-Q1")["福田区"]
    import_values(engine, [["YS01", "福田区", "2023-02", 1]], "fix.xlsx")
    assert composite(engine, "2023-Q1")["福田区"] > before
    assert_as_scored(engine, "2023-02", "2023-Q1", "2023")


def test_an_indicator_import_rescores_every_period(engine):
    import_values(engine, [*ROWS, ["YS02", "南山区", "2022-12", 10]])
    rows = indicator_rows()
    rows[2][6] = 100_000  # YS02's target: no district meets it any more
    rows.append(["YS04", "新增专利数", "创新活力", "件", "正向", 5, None, "年", "求和"])
    import_file(engine, make_xlsx({"指标体系": rows}), "targets.xlsx")
    with engine.connect() as conn:
        stored = summaries_scores.stored(conn)
    assert {key[1] for key in stored if key[0] == "2023"} == {
        "",
        "营商环境",
        "民营经济发展质量",
        "政企沟通",
        "创新活力",
    }
    assert composite(engine, "2023-Q1")["福田区"] < 20 * 100 / 40
    assert_as_scored(engine, "2022-12", "2022-Q4", "2022", "2023-02", "2023-Q1", "2023")


def test_district_changes_rescore(engine):
    import_values(engine, ROWS)
    with engine.begin() as conn:
        added = master_admin.add_entry(
            conn, ADMIN, "districts", name="前海合作区", code="QIANHAI", kind="functional_area"
        )
    assert composite(engine, "2023")["前海合作区"] == 0.0
    with engine.begin() as conn:
        master_admin.edit_entry(conn, ADMIN, "districts", "前海合作区", kind="city")
    assert "前海合作区" not in composite(engine, "2023")
    with engine.begin() as conn:
        master_admin.delete_entry(conn, ADMIN, "districts", "前海合作区")
    with engine.begin() as conn:
        master_admin.merge_entries(conn, ADMIN, "districts", "罗湖区", "南山区")
    scores = composite(engine, "2023-Q1")
    assert "罗湖区" not in scores and added["name"] not in scores
    with engine.begin() as conn:
        master_admin.merge_entries(conn, ADMIN, "districts", "南山区", "宝安区")
    assert composite(engine, "2023-Q1")["宝安区"] == pytest.approx((20 * 100 + 10 * 50) / 40)
    assert_as_scored(engine, "2023-02", "2023-Q1", "2023")


def test_a_restore_rebuilds_the_summaries(engine, tmp_path):
    import_values(engine, ROWS)
    with engine.connect() as conn:
        kept = plain(summaries_scores.stored(conn))
    path = tmp_path / "backup.zip"
    backup(engine, path)
    import_values(engine, [["YS02", "罗湖区", "2023-05", 90]], "more.xlsx")
    restore(engine, path, force=True)
    with engine.connect() as conn:
        assert plain(summaries_scores.stored(conn)) == kept


def test_the_bulletins_targets_from_the_counts_equal_those_from_the_detail(engine):
    import_values(engine, ROWS)
    with engine.connect() as conn:
        read = ranked_targets(period_ranking(conn, "2023-Q1").targets)
        scored = targets_met(period_scores(conn, "2023-Q1").detail)
    assert read.equals(scored) and read["met"].tolist()[:2] == [1, 1]
