"""Slip forecast (`data_model.queries.forecast`, CLI `forecast`): the Theil–Sen pace, the expected
finish, which open tasks are forecast and which will miss, the 将逾期 list. On SQLite and
PostgreSQL (the CLI on SQLite)."""

from __future__ import annotations

import csv
import datetime as dt
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_model.cli import main
from data_model.ingest.importer import import_file
from data_model.queries.forecast import (
    EPOCH,
    _paces,
    expected_finish,
    forecast_table,
    pace_per_day,
    slipping_tasks,
    task_forecasts,
)
from tests.conftest import make_xlsx
from tests.task_workbook import TASK_HEADER

JAN = dt.datetime(2022, 1, 1)
TASKS = {
    # code: (deadline, [(period, progress, stated status)])
    "F1": ("2022-12-31", [("2022-Q1", 30, ""), ("2022-Q2", 60, ""), ("2022-Q3", 90, "")]),
    "F2": ("2022-12-31", [("2022-Q1", 10, ""), ("2022-Q2", 15, ""), ("2022-Q3", 20, "")]),
    "F3": ("2023-06-30", [("2022-Q3", 40, "")]),  # one report: no pace
    "F4": ("2022-12-31", [("2022-Q1", 50, ""), ("2022-Q2", 100, "已完成")]),
    "F5": ("长期坚持", [("2022-Q1", 10, ""), ("2022-Q2", 20, "")]),
    "F6": ("2023-06-30", [("2022-Q1", 50, ""), ("2022-Q2", 50, ""), ("2022-Q3", 50, "")]),
    "F7": ("2022-06-30", [("2022-Q1", 10, ""), ("2022-Q2", 20, "")]),  # overdue by 9-30
}
AS_OF = date(2022, 9, 30)


def workbook() -> bytes:
    rows = [
        [
            code,
            "领跑行动",
            f"任务{code}",
            "市商务局",
            "张三",
            JAN,
            deadline,
            progress,
            status,
            "",
            period,
        ]
        for code, (deadline, reports) in TASKS.items()
        for period, progress, status in reports
    ]
    return make_xlsx({"任务清单": [TASK_HEADER, *rows]})


@pytest.fixture
def engine(db_engine):
    report = import_file(db_engine, workbook(), "forecast.xlsx")
    assert report.status == "accepted", report.message
    return db_engine


def test_the_pace_is_the_median_of_pairwise_slopes_so_one_typo_does_not_swing_it():
    days = [0, 30, 60, 90, 120]
    assert pace_per_day(days, [10, 20, 30, 40, 50]) == pytest.approx(1 / 3)
    assert pace_per_day(days, [10, 20, 30, 40, 5]) == pytest.approx(1 / 3)  # 5 for 50
    assert pace_per_day([0, 0], [10, 20]) != pace_per_day([0, 0], [10, 20])  # NaN: no span


# A task's reports: (day number, progress); several on one day, or all on one, happen.
REPORTS = st.lists(
    st.tuples(st.integers(18_000, 18_400), st.integers(0, 100).map(float)),
    min_size=1,
    max_size=9,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(REPORTS, min_size=1, max_size=12))
def test_the_paces_of_many_tasks_at_once_are_those_of_each_task_alone(tasks):
    """`_paces` (every task at once, as arrays) gives each task the same number of
    reports, pace and expected finish, to the last bit, as `pace_per_day` and
    `expected_finish` of that task's reports sorted by day."""
    history = pd.DataFrame(
        [(f"T{n}", day, progress) for n, reports in enumerate(tasks) for day, progress in reports],
        columns=["code", "day", "progress"],
    )
    found = _paces(history).set_index("code")
    for n, reports in enumerate(tasks):
        code = f"T{n}"
        if len(reports) < 2:
            assert code not in found.index
            continue
        ordered = sorted(reports, key=lambda r: r[0])  # stable: ties keep their order
        days, progress = zip(*ordered, strict=True)
        pace = pace_per_day(days, progress)
        row = found.loc[code]
        assert row["reports"] == len(reports)
        if pace != pace:
            assert row["pace"] is None or row["pace"] != row["pace"]
        else:
            assert row["pace"] == pace * 30
        last = EPOCH + dt.timedelta(days=int(days[-1]))
        assert row["expected_finish"] == expected_finish(last, progress[-1], pace)


def test_the_expected_finish_counts_the_remaining_points_at_that_pace():
    assert expected_finish(date(2022, 6, 30), 40, 0.5) == date(2022, 10, 28)
    assert expected_finish(date(2022, 6, 30), 40, 0.0) is None
    assert expected_finish(date(2022, 6, 30), 40, float("nan")) is None


def test_open_tasks_with_two_reports_are_forecast_and_the_slow_ones_will_miss(engine):
    with engine.connect() as conn:
        frame = task_forecasts(conn, AS_OF)
    by_code = frame.set_index("code")
    assert list(frame["code"]) == ["F1", "F2", "F6"]  # soonest deadline first
    assert by_code.loc["F1", "expected_finish"] == date(2022, 10, 31)
    assert not by_code.loc["F1", "will_miss"]
    assert by_code.loc["F1", "days_short"] == -61
    assert by_code.loc["F1", "pace"] == pytest.approx(60 / 183 * 30)
    assert by_code.loc["F2", "will_miss"]
    assert by_code.loc["F2", "status"] == "behind"
    assert by_code.loc["F6", "expected_finish"] is None  # stalled: no finish at all
    assert by_code.loc["F6", "will_miss"]
    assert pd.isna(by_code.loc["F6", "days_short"])
    assert int(by_code.loc["F2", "reports"]) == 3


def test_the_slipping_list_looks_the_given_weeks_ahead(engine):
    with engine.connect() as conn:
        frame = task_forecasts(conn, AS_OF)
    assert list(slipping_tasks(frame, AS_OF, weeks=13)["code"]) == []  # F2 due on 12-31
    assert list(slipping_tasks(frame, AS_OF, weeks=14)["code"]) == ["F2"]
    assert list(slipping_tasks(frame, AS_OF, weeks=52)["code"]) == ["F2", "F6"]


def test_the_table_has_chinese_headers_and_words(engine):
    with engine.connect() as conn:
        table = forecast_table(conn, AS_OF)
        english = forecast_table(conn, AS_OF, "en")
    rows = table.set_index("任务编号")
    assert rows.loc["F6", "预计完成日期"] == "按目前进度无法完成"
    assert rows.loc["F2", "预计逾期"] == "是"
    assert rows.loc["F1", "预计逾期"] == "否"
    assert "Expected finish" in english.columns


def test_the_cli_prints_the_list_or_writes_it(tmp_path, capsys, sqlite_url):
    url = sqlite_url  # as init makes it: import creates no database
    (tmp_path / "tasks.xlsx").write_bytes(workbook())
    assert main(["import", str(tmp_path / "tasks.xlsx"), "--db", url]) == 0
    capsys.readouterr()
    assert main(["forecast", "--as-of", "2022-09-30", "--db", url]) == 0
    printed = capsys.readouterr().out
    assert "F2" in printed and "按目前进度无法完成" in printed and "F3" not in printed
    out = tmp_path / "forecast.csv"
    assert main(["forecast", "--as-of", "2022-09-30", "--out", str(out), "--db", url]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["任务编号"]: row for row in csv.DictReader(handle)}
    assert rows["F1"]["预计完成日期"] == "2022-10-31"
    assert main(["forecast", "--as-of", "2022-31-09", "--db", url]) == 2
