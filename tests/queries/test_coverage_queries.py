"""Coverage measures, matrices and gaps on a small hand-made database with known answers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_model.admin.bootstrap import open_database
from data_model.ingest.importer import import_file
from data_model.queries.coverage_queries import (
    MEASURES,
    action_matrix,
    activities_held,
    brand_matrix,
    coverage_gaps,
    coverage_measure,
    direct_contact_coverage,
    incomplete_indicators,
    indicator_completeness,
    issues_resolved,
    map_areas,
    submission_coverage,
    total_submission_coverage,
)
from tests.conftest import (
    ACTIVITY_HEADER,
    INDICATOR_HEADER,
    ISSUE_HEADER,
    VALUE_HEADER,
    make_xlsx,
)
from tests.ingest.test_import_template_kinds import TASK_HEADER

GEOGRAPHIES = 12  # 全市 + 11 districts of the default master data


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


def day(year: int, month: int, date: int) -> dt.datetime:
    return dt.datetime(year, month, date)


def issue(
    code: str,
    district: str,
    enterprise: str,
    category: str,
    content: str,
    received: dt.datetime,
    resolved: dt.datetime | None = None,
) -> list:
    """An issue row without handling unit or satisfaction: 已办结 on `resolved`, else 办理中."""
    status = "办理中" if resolved is None else "已办结"
    return [code, received, district, enterprise, category, content, "", status, resolved or "", ""]


ISSUES = [
    issue("SQ1", "宝安区", "甲公司", "融资贷款", "贷款", day(2022, 3, 1), day(2022, 3, 20)),
    issue("SQ2", "宝安区", "乙公司", "融资贷款", "贷款", day(2022, 3, 25), day(2022, 4, 2)),
    issue("SQ3", "宝安区", "丙公司", "用地用房", "厂房", day(2022, 2, 1)),
    issue("SQ4", "龙岗区", "丁公司", "人才招聘", "招工", day(2021, 12, 1), day(2022, 1, 15)),
]


@pytest.fixture
def db(engine):
    load(engine)
    with engine.connect() as conn:
        yield conn


def load(engine) -> None:
    """Three indicators (monthly, quarterly, yearly) and a few values, activities, issues, tasks.

    2022-Q1 expects per geography 3 monthly + 1 quarterly value = 4 values of 2 indicators:
    罗湖区 reports all 4; 福田区 misses March of M1 (3 of 4); 南山区 reports M1 as a quarter
    and Y1 for the year, neither of which is expected in 2022-Q1 (0 of 4).
    """
    workbook = make_xlsx(
        {
            "指标体系": [
                INDICATOR_HEADER,
                ["M1", "月度指标", "营商环境", "家", "正向", 40, "", "月", "求和"],
                ["Q1", "季度指标", "营商环境", "家", "正向", 30, "", "季", "求和"],
                ["Y1", "年度指标", "政企沟通", "家", "正向", 30, "", "年", "求和"],
            ],
            "指标数据": [
                VALUE_HEADER,
                ["M1", "", "罗湖区", "2022-01", 1, ""],
                ["M1", "", "罗湖区", "2022-02", 1, ""],
                ["M1", "", "罗湖区", "2022-03", 1, ""],
                ["M1", "", "罗湖区", "2022-04", 1, ""],  # after the quarter
                ["Q1", "", "罗湖区", "2022-Q1", 1, ""],
                ["M1", "", "福田区", "2022-01", 1, ""],
                ["M1", "", "福田区", "2022-02", 1, ""],
                ["Q1", "", "福田区", "2022-Q1", 1, ""],
                ["M1", "", "南山区", "2022-Q1", 3, ""],  # a monthly indicator as a quarter
                ["Y1", "", "南山区", "2022", 5, ""],
            ],
            "活动台账": [
                ACTIVITY_HEADER,
                [day(2022, 1, 5), "罗湖区", "直联走访", "走访一", "", 3, 5, "", ""],
                [day(2022, 1, 20), "罗湖区", "直联走访", "走访二", "", 3, 5, "", ""],
                [day(2022, 3, 10), "罗湖区", "直联走访", "走访三", "深圳企业家日", 3, 5, "", ""],
                [day(2022, 2, 1), "福田区", "政策宣讲会", "宣讲", "民企话坛", 30, 80, "", ""],
                [day(2021, 12, 31), "南山区", "直联走访", "年末走访", "", 1, 2, "", ""],
            ],
            "企业诉求": [ISSUE_HEADER, *ISSUES],
            "任务清单": [
                TASK_HEADER,
                task("A1-01", "领跑行动", "", 100),  # city-wide: counted for 全市
                task("A5-02", "连心行动", "南山区", 50),
                task("A5-03", "连心行动", "南山区", 100),
                task("A2-01", "提质行动", "南山区", 10, status="暂缓"),
            ],
        }
    )
    report = import_file(engine, workbook, "coverage.xlsx")
    assert report.errors == [], report.errors


def task(code: str, action: str, district: str, progress: int, status: str = "") -> list:
    return [
        code,
        action,
        f"任务{code}",
        "市发展改革委",
        "",
        "张三",
        day(2022, 1, 1),
        "2022年底",
        progress,
        status,
        "",
        district,
        "2022-Q1",
    ]


def by_district(frame, column: str = "value") -> dict:
    return dict(zip(frame["district"], frame[column], strict=True))


def test_every_measure_has_one_row_per_geography_in_master_data_order(db):
    names = [area.name for area in map_areas(db)]
    assert len(names) == GEOGRAPHIES and names[0] == "全市"
    for measure in MEASURES:
        frame = coverage_measure(db, measure, "2022-Q1")
        assert frame["district"].tolist() == names, measure
    with pytest.raises(ValueError, match="unknown coverage measure"):
        coverage_measure(db, "popularity", "2022-Q1")


def test_submission_coverage_counts_values_of_each_indicators_frequency(db):
    frame = submission_coverage(db, "2022-Q1")
    values = by_district(frame)
    assert values["罗湖区"] == 100
    assert values["福田区"] == 75
    assert values["南山区"] == 0
    assert values["全市"] == 0
    assert by_district(frame, "numerator")["福田区"] == 3
    assert set(frame["denominator"]) == {4}
    # Only values of the indicator's own frequency count (7 of 48: 南山区's M1 value of a
    # quarterly indicator does not), and the overview's city-wide card is the same figure
    # (it counted that value too, 8 of 48, under another name, before).
    assert frame["numerator"].sum() == 7 and frame["denominator"].sum() == 48
    assert total_submission_coverage(db, "2022-Q1") == pytest.approx(7 / 48 * 100)


def test_submission_coverage_for_a_year_expects_months_quarters_and_the_year(db):
    frame = submission_coverage(db, "2022")
    assert set(frame["denominator"]) == {12 + 4 + 1}
    assert by_district(frame, "numerator") == {
        **dict.fromkeys(frame["district"], 0),
        "罗湖区": 5,  # 4 months + 1 quarter
        "福田区": 3,
        "南山区": 1,  # the year value; the quarter value of M1 still does not count
    }


def test_nothing_expected_gives_no_value(db):
    # a month expects no quarterly or yearly values: only M1 is due
    month = submission_coverage(db, "2022-03")
    assert set(month["denominator"]) == {1}
    assert by_district(month)["福田区"] == 0
    assert by_district(month)["罗湖区"] == 100


def test_indicator_completeness_needs_every_expected_value(db):
    frame = indicator_completeness(db, "2022-Q1")
    values = by_district(frame)
    assert values["罗湖区"] == 100
    assert values["福田区"] == 50  # Q1 complete, M1 missing March
    assert values["南山区"] == 0
    assert set(frame["denominator"]) == {2}
    year = by_district(indicator_completeness(db, "2022"))
    assert year["南山区"] == pytest.approx(100 / 3)  # only Y1 is complete


def test_incomplete_indicators_lists_each_missing_indicator(db):
    frame = incomplete_indicators(db, "2022-Q1")
    futian = frame[frame["district"] == "福田区"]
    assert futian[["indicator_code", "expected", "reported"]].values.tolist() == [["M1", 3, 2]]
    assert "罗湖区" not in set(frame["district"])
    assert len(frame) == (GEOGRAPHIES - 1) * 2 - 1  # all but 罗湖区 miss both, 福田区 one


def test_direct_contact_coverage_counts_months_with_a_direct_visit(db):
    frame = direct_contact_coverage(db, "2022-Q1")
    values = by_district(frame)
    assert values["罗湖区"] == pytest.approx(200 / 3)  # January (twice) and March
    assert by_district(frame, "numerator")["罗湖区"] == 2
    assert values["福田区"] == 0  # a briefing is not a direct contact
    assert values["南山区"] == 0  # its visit was in 2021
    assert set(frame["denominator"]) == {3}
    briefings = by_district(direct_contact_coverage(db, "2022-Q1", ("政策宣讲会",)))
    assert briefings["福田区"] == pytest.approx(100 / 3)


def test_activities_and_issues_resolved_are_counted_in_the_period(db):
    activities = by_district(activities_held(db, "2022-Q1"))
    assert (activities["罗湖区"], activities["福田区"], activities["南山区"]) == (3, 1, 0)
    assert by_district(activities_held(db, "2021"))["南山区"] == 1
    resolved = by_district(issues_resolved(db, "2022-Q1"))
    assert resolved["宝安区"] == 1  # SQ2 resolved in April, SQ3 still open
    assert resolved["龙岗区"] == 1  # received in 2021, resolved in January
    assert sum(resolved.values()) == 2
    assert by_district(issues_resolved(db, "2022-Q2"))["宝安区"] == 1


def test_brand_matrix_holds_every_geography_and_brand(db):
    frame = brand_matrix(db, "2022-Q1")
    assert len(frame) == GEOGRAPHIES * 4
    counts = {(d, b): n for d, b, n in frame.itertuples(index=False)}
    assert counts[("罗湖区", "深圳企业家日")] == 1
    assert counts[("福田区", "民企话坛")] == 1
    assert sum(counts.values()) == 2


def test_action_matrix_counts_tasks_and_completion_per_district_and_action(db):
    frame = action_matrix(db, "2022-Q1", today=dt.date(2024, 1, 1))
    cells = {(r.district, r.action): (r.tasks, r.completed) for r in frame.itertuples()}
    assert len(cells) == GEOGRAPHIES * 6
    assert cells[("全市", "领跑行动")] == (1, 1)
    assert cells[("南山区", "连心行动")] == (2, 1)
    assert cells[("南山区", "提质行动")] == (0, 0)  # suspended tasks are left out
    rates = {(r.district, r.action): r.rate for r in frame.itertuples()}
    assert rates[("南山区", "连心行动")] == 50
    assert pd.isna(rates[("罗湖区", "领跑行动")])  # no tasks: no rate
    assert frame["tasks"].sum() == 3


def test_gaps_name_the_missing_brands_indicators_and_direct_contacts(db):
    gaps = coverage_gaps(db, "2022-Q1")
    found = {(r.district, r.gap): r for r in gaps.itertuples()}
    assert found[("罗湖区", "brand_gap")].items == (
        "民企话坛",
        "深圳青年企业家提升计划",
        "深商经贸交流",
    )
    assert ("罗湖区", "incomplete_indicators") not in found
    assert ("罗湖区", "no_direct_contact") not in found
    assert found[("福田区", "incomplete_indicators")].items == ("月度指标",)
    assert (
        found[("福田区", "incomplete_indicators")].count,
        found[("福田区", "incomplete_indicators")].total,
    ) == (1, 2)
    assert ("福田区", "no_direct_contact") in found
    assert found[("南山区", "no_brand_activity")].count == 4
    assert ("南山区", "brand_gap") not in found
    assert found[("南山区", "incomplete_indicators")].items == ("月度指标", "季度指标")


@pytest.fixture
def sqlite_db(tmp_path):
    """`db` on SQLite alone, to compare with PostgreSQL."""
    engine = open_database(f"sqlite:///{tmp_path / 'lite.sqlite3'}")
    load(engine)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def test_the_queries_give_the_same_answers_on_postgresql(sqlite_db, pg_url):
    db = sqlite_db
    engine = open_database(pg_url)
    try:
        load(engine)
        with engine.connect() as pg:
            for period in ("2022-Q1", "2022", "2022-03"):
                for measure in MEASURES:
                    pd.testing.assert_frame_equal(
                        coverage_measure(pg, measure, period), coverage_measure(db, measure, period)
                    )
                pd.testing.assert_frame_equal(brand_matrix(pg, period), brand_matrix(db, period))
                pd.testing.assert_frame_equal(coverage_gaps(pg, period), coverage_gaps(db, period))
                pd.testing.assert_frame_equal(
                    action_matrix(pg, period, dt.date(2024, 1, 1)),
                    action_matrix(db, period, dt.date(2024, 1, 1)),
                )
    finally:
        engine.dispose()
