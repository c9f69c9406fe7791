"""Task-completion queries on a small hand-made task list with known answers.

The tasks and why each has its status are listed in tests/task_workbook.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from data_model.queries.task_queries import (
    appraisal_score,
    as_of_date,
    behind_tasks,
    deadline_timeline,
    overdue_tasks,
    progress_by_period,
    rates_by,
    scoped_tasks,
    status_table,
    task_totals,
    totals_on,
    unit_ranking,
)
from tests.task_workbook import STATUS_TABLE_HEADER

AS_OF = date(2022, 12, 31)


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


@pytest.fixture
def conn(task_list_conn):
    return task_list_conn


@pytest.fixture
def tasks(conn):
    """Every task of the workbook, judged on AS_OF."""
    return scoped_tasks(conn, AS_OF)


def test_as_of_is_the_period_end_or_today_while_the_period_runs():
    assert as_of_date("2022", today=date(2023, 5, 1)) == date(2022, 12, 31)
    assert as_of_date("2022-Q3", today=date(2022, 8, 15)) == date(2022, 8, 15)


def test_totals_exclude_suspended_and_judge_on_time_against_completed_plus_overdue(tasks):
    totals = task_totals(tasks)
    assert (totals.tasks, totals.completed, totals.on_time) == (8, 5, 4)
    assert (totals.overdue, totals.behind, totals.suspended) == (1, 1, 1)
    assert totals.completion_rate == pytest.approx(62.5)
    assert totals.on_time_rate == pytest.approx(4 / 6 * 100)


def test_a_task_is_on_time_when_its_first_complete_report_ends_by_the_deadline(conn):
    frame = scoped_tasks(conn, AS_OF).set_index("code")
    assert frame.loc["K01", "completed_period"] == "2022-Q2"  # deadline 2022-06-30
    assert frame.loc["K02", "completed_period"] == "2022-Q3"
    on_time = frame["on_time"]
    assert on_time[on_time].index.tolist() == ["K01", "K06", "K08", "K09"]
    assert not on_time["K02"]  # reported complete only at the end of Q3


def test_rates_by_action(tasks):
    rates = rates_by(tasks, "action")
    assert rates["group"].tolist() == ["领跑行动", "提质行动"]
    lead, quality = rates.iloc[0], rates.iloc[1]
    assert (lead["tasks"], lead["completed"], lead["overdue"], lead["behind"]) == (3, 2, 1, 0)
    assert lead["completion_rate"] == pytest.approx(200 / 3)
    assert lead["on_time_rate"] == pytest.approx(100 / 3)  # K01 of K01, K02, K03
    assert (quality["tasks"], quality["completed"], quality["behind"]) == (5, 3, 1)
    assert quality["completion_rate"] == pytest.approx(60)
    assert quality["on_time_rate"] == pytest.approx(100)


def test_rates_by_district_group_city_wide_tasks_under_an_empty_name(tasks):
    rates = rates_by(tasks, "district").set_index("group")
    assert rates["tasks"].to_dict() == {"福田区": 1, "": 5, "南山区": 2}
    assert rates.loc["南山区", "completion_rate"] == pytest.approx(50)


def test_rates_by_an_unknown_grouping_is_an_error(tasks):
    with pytest.raises(ValueError, match="grouping"):
        rates_by(tasks, "owner")


def test_district_filter_drops_city_wide_tasks_and_action_filter_keeps_its_action(conn):
    assert scoped_tasks(conn, AS_OF, ("南山区",))["code"].tolist() == ["K01", "K03"]
    assert len(scoped_tasks(conn, AS_OF)) == 9
    assert scoped_tasks(conn, AS_OF, action="领跑行动")["code"].tolist() == ["K01", "K02", "K03"]
    assert task_totals(scoped_tasks(conn, AS_OF, ("南山区", "福田区"))).tasks == 3
    assert totals_on(conn, AS_OF, ("南山区", "福田区")) == task_totals(
        scoped_tasks(conn, AS_OF, ("南山区", "福田区"))
    )


def test_overdue_list_has_owner_deadline_text_and_days_late(conn, tasks):
    overdue = overdue_tasks(tasks)
    assert overdue["code"].tolist() == ["K03"]
    row = overdue.iloc[0]
    assert row["owner"] == "王五"
    assert row["lead_unit"] == "市商务局"
    assert row["deadline"] == date(2022, 9, 30)
    assert row["deadline_text"] == "2022年第三季度末"
    assert row["progress"] == 70
    assert row["days_late"] == 92
    assert overdue_tasks(scoped_tasks(conn, AS_OF, action="提质行动")).empty


def test_behind_list_shows_expected_progress_and_gap(tasks):
    behind = behind_tasks(tasks, AS_OF)
    assert behind["code"].tolist() == ["K04"]
    row = behind.iloc[0]
    assert row["expected_progress"] == pytest.approx(183 / 364 * 100)
    assert row["gap"] == pytest.approx(183 / 364 * 100 - 5)
    assert row["days_left"] == 181


def test_progress_by_period_judges_each_quarter_at_its_end(conn):
    progress = progress_by_period(conn, AS_OF).set_index("period")
    assert progress.index.tolist() == ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]
    assert progress["completed"].tolist() == [0, 2, 4, 5]
    assert progress["tasks"].tolist() == [1, 4, 6, 8]
    assert progress.loc["2022-Q3", "behind"] == 1  # K03: 50% at its deadline day
    assert progress.loc["2022-Q4", ["overdue", "suspended"]].tolist() == [1, 1]
    assert progress["completion_rate"].tolist() == pytest.approx([0, 50, 400 / 6, 62.5])


def test_progress_by_period_is_empty_before_any_report(conn):
    assert progress_by_period(conn, date(2021, 12, 31)).empty


def test_timeline_keeps_tasks_active_in_the_period_and_overdue_ones(tasks):
    timeline = deadline_timeline(tasks, AS_OF, since=date(2022, 10, 1))
    assert timeline["code"].tolist() == ["K03", "K05", "K09", "K07", "K08", "K06", "K04"]
    rows = timeline.set_index("code")
    assert rows.loc["K03", "late_until"] == AS_OF  # overdue since 2022-09-30
    assert rows.loc["K05", "open_ended"] and rows.loc["K05", "end"] == AS_OF
    assert rows.loc["K06", "start"] == date(2022, 10, 1)  # no start date: first report period
    assert rows.loc["K04", "end"] == date(2023, 6, 30)
    assert len(deadline_timeline(tasks, AS_OF)) == 9


def test_appraisal_score_formula():
    assert appraisal_score(100, 50, 0) == 80
    assert appraisal_score(50, 100, 1) == 65  # 30 + 40 - 5
    assert appraisal_score(0, 0, 3) == 0  # never below zero
    assert appraisal_score(0, None, 0) == 40  # nothing due yet: nothing late


def test_unit_ranking_shares_ranks_on_equal_scores(tasks):
    ranking = unit_ranking(tasks)
    assert ranking["lead_unit"].tolist() == ["市财政局", "市发展改革委", "市司法局", "市商务局"]
    assert ranking["score"].tolist() == [100, 80, 80, 0]
    assert ranking["rank"].tolist() == [1, 2, 2, 4]
    assert ranking.set_index("lead_unit").loc["市司法局", "completion_rate"] == pytest.approx(
        200 / 3
    )


def test_every_query_is_empty_on_an_empty_database(engine):
    with engine.connect() as conn:
        tasks = scoped_tasks(conn, AS_OF)
        assert status_table(conn, AS_OF).empty
        assert progress_by_period(conn, AS_OF).empty
    assert tasks.empty
    assert task_totals(tasks).tasks == 0
    assert task_totals(tasks).completion_rate is None
    assert rates_by(tasks, "lead_unit").empty
    assert overdue_tasks(tasks).empty
    assert behind_tasks(tasks, AS_OF).empty
    assert deadline_timeline(tasks, AS_OF).empty
    assert unit_ranking(tasks).empty


def test_status_table_has_catalogue_headers_and_status_words(conn):
    table = status_table(conn, AS_OF)
    assert table.columns.tolist() == STATUS_TABLE_HEADER
    assert table.set_index("任务编号")["任务状态"].to_dict() == {
        "K01": "已完成",
        "K02": "已完成",
        "K03": "逾期",
        "K04": "滞后",
        "K05": "推进中",
        "K06": "已完成",
        "K07": "暂缓",
        "K08": "已完成",
        "K09": "已完成",
    }
    assert status_table(conn, AS_OF, "en").columns[-1] == "Days late"
