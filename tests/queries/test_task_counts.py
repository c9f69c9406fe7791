"""The task statuses judged in SQL (`task_counts`) equal those judged in Python from every
task (`task_queries.scoped_tasks`): the counts per group and every page of the lists, on
the sample data (64 tasks, 2021-2023) at many days, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from data_model.ingest.importer import import_file
from data_model.queries.shared import late_tasks_at_period_end
from data_model.queries.task_counts import COUNT_COLUMNS, LISTS, status_counts, task_list
from data_model.queries.task_queries import (
    DUE_SOON_DAYS,
    counts_of,
    deadline_timeline,
    scoped_tasks,
    task_choices,
    timeline_page,
    totals_of,
)
from tests.conftest import make_xlsx
from tests.task_workbook import task_workbook

# Quarter ends (report period ends), days inside quarters, and a day before any report.
DAYS = [
    date(2020, 12, 31),
    date(2021, 3, 31),
    date(2021, 8, 15),
    date(2022, 6, 30),
    date(2022, 11, 2),
    date(2023, 3, 31),
    date(2023, 12, 31),
    date(2024, 5, 1),
]
SCOPES = [((), None), (("南山区", "福田区"), None), ((), "连心行动")]


@pytest.fixture(scope="module")
def conn(sample_db):
    engine = sample_db.open()
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def expected_list(tasks: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The list recomputed from every task judged in Python, most urgent first."""
    frame = tasks[tasks["status"].isin(LISTS[kind])].copy()
    frame["gap"] = frame["expected_progress"] - frame["progress"]
    overdue_first = (frame["status"] != "overdue").astype(int)
    keys = {
        "overdue": (["days_late", "code"], [False, True]),
        "behind": (["gap", "code"], [False, True]),
        "late": (["overdue_first", "days_late", "code"], [True, False, True]),
        "awaiting_evidence": ([], []),  # the frame's own order: action, then code
    }[kind]
    frame = frame.assign(overdue_first=overdue_first)
    if keys[0]:
        frame = frame.sort_values(keys[0], ascending=keys[1], kind="stable")
    return frame.reset_index(drop=True)


@pytest.mark.parametrize("as_of", DAYS)
def test_counts_in_sql_equal_the_counts_of_every_task_judged_in_python(conn, as_of):
    for districts, action in SCOPES:
        tasks = scoped_tasks(conn, as_of, districts, action)
        expected = counts_of(tasks)
        counted = status_counts(conn, as_of, districts, action)
        assert counted.columns.tolist() == COUNT_COLUMNS
        exact = [c for c in COUNT_COLUMNS if c not in ("overdue_progress", "behind_gap")]
        assert counted[exact].to_dict("records") == expected[exact].to_dict("records")
        for column in ("overdue_progress", "behind_gap"):
            assert counted[column].tolist() == pytest.approx(expected[column].tolist())
        assert totals_of(counted) == totals_of(expected)
        ungrouped = status_counts(conn, as_of, districts, action, grouped=False)
        assert len(ungrouped) == 1 and totals_of(ungrouped) == totals_of(expected)
        assert ungrouped["overdue_progress"].tolist() == pytest.approx(
            [expected["overdue_progress"].sum()]
        )
    if as_of >= date(2023, 3, 31):  # the sample has overdue and behind tasks by then
        totals = totals_of(status_counts(conn, as_of))
        assert totals.overdue > 0 and totals.behind > 0 and totals.completed > 0


@pytest.mark.parametrize("as_of", DAYS)
def test_every_page_of_every_list_is_the_list_of_every_task_judged_in_python(conn, as_of):
    tasks = scoped_tasks(conn, as_of)
    for kind in LISTS:
        expected = expected_list(tasks, kind)
        whole = task_list(conn, as_of, kind)
        assert whole["code"].tolist() == expected["code"].tolist()
        assert whole["days_late"].tolist() == expected["days_late"].tolist()
        assert whole["explanation"].tolist() == expected["explanation"].tolist()
        assert whole["deadline"].tolist() == expected["deadline"].tolist()
        if kind == "behind":
            assert whole["gap"].tolist() == pytest.approx(expected["gap"].tolist())
            assert whole["days_left"].tolist() == [
                (deadline - as_of).days for deadline in expected["deadline"]
            ]
        pages = [task_list(conn, as_of, kind, limit=4, offset=at) for at in range(0, 12, 4)]
        assert pd.concat(pages)["code"].tolist() == expected["code"].tolist()[:12]


def test_the_late_list_puts_overdue_tasks_first_longest_late_first(conn):
    late = task_list(conn, date(2023, 12, 31), "late")
    assert late["status"].tolist() == ["overdue"] * 6 + ["behind"] * 3
    assert late["days_late"].tolist() == [365, 184, 184, 184, 184, 92, 0, 0, 0]
    assert late["code"].iloc[0] == "A5-10"


def test_an_unknown_list_is_refused(conn):
    with pytest.raises(ValueError, match="unknown list"):
        task_list(conn, date(2023, 12, 31), "urgent")


def test_counts_with_evidence_required_hold_complete_tasks_awaiting_evidence(
    db_engine, monkeypatch
):
    monkeypatch.setenv("EVIDENCE_REQUIRED", "1")
    assert import_file(db_engine, task_workbook(), "tasks.xlsx").status == "accepted"
    as_of = date(2022, 12, 31)
    with db_engine.connect() as connection:
        counted = status_counts(connection, as_of)
        assert int(counted["awaiting_evidence"].sum()) == 5
        assert int(counted["completed"].sum()) == 0
        expected = counts_of(scoped_tasks(connection, as_of))
        assert counted["awaiting_evidence"].tolist() == expected["awaiting_evidence"].tolist()
        awaiting = task_list(connection, as_of, "awaiting_evidence")
        assert awaiting["code"].tolist() == ["K01", "K02", "K06", "K08", "K09"]


@pytest.mark.parametrize("as_of", DAYS)
def test_the_timeline_page_is_the_head_of_the_timeline_of_every_task(conn, as_of):
    since = date(as_of.year, 1, 1)
    everything = deadline_timeline(scoped_tasks(conn, as_of), as_of, since)
    page = timeline_page(conn, as_of, since, bars=len(everything) + 5)
    assert page.tasks == len(everything)
    assert page.overdue == int((everything["status"] == "overdue").sum())
    due_soon = everything[
        ~everything["open_ended"]
        & ~everything["status"].isin(["completed", "suspended"])
        & (everything["end"] >= as_of)
        & (everything["end"] <= as_of + timedelta(days=DUE_SOON_DAYS))
    ]
    assert page.due_soon == len(due_soon)
    assert page.bars.to_dict("records") == everything.to_dict("records")
    head = timeline_page(conn, as_of, since, bars=5)
    assert head.tasks == len(everything)
    assert head.bars["code"].tolist() == everything["code"].tolist()[:5]


def test_the_task_picker_finds_tasks_by_code_or_content_within_a_scope(conn):
    assert task_choices(conn, search="a5-1")["code"].tolist() == ["A5-10", "A5-11"]
    assert len(task_choices(conn)) == 64
    assert task_choices(conn, limit=3)["code"].tolist() == ["A1-01", "A1-02", "A1-03"]
    nanshan = task_choices(conn, districts=("南山区",))
    own = task_choices(conn, own=(("南山区",), ()))
    assert nanshan["code"].tolist() == own["code"].tolist() and len(own) == 2
    assert task_choices(conn, search="100%").empty  # % is a character, not a wildcard


def test_the_overviews_late_list_is_the_head_of_the_whole_list(conn):
    whole = late_tasks_at_period_end(conn, "2023", date(2024, 1, 15))
    head = late_tasks_at_period_end(conn, "2023", date(2024, 1, 15), limit=3)
    assert len(whole) == 9
    assert head.to_dict("records") == whole.head(3).to_dict("records")


def test_the_task_picker_ignores_case_beyond_ascii_on_both_engines(db_engine):
    header = ["任务编号", "所属行动", "任务内容", "牵头单位", "完成时限", "完成进度", "报送期"]
    rows = [
        [code, "领跑行动", content, "市商务局", "2024年6月底", 10, "2024-Q1"]
        for code, content in [("Z1-01", "Äpfel 任务"), ("Z1-02", "Ａｂｃ全角任务")]
    ]
    report = import_file(db_engine, make_xlsx({"任务清单": [header, *rows]}), "t.xlsx")
    assert report.status == "accepted"
    with db_engine.connect() as conn:
        assert task_choices(conn, search="äPFEL")["code"].tolist() == ["Z1-01"]
        assert task_choices(conn, search="ａｂｃ")["code"].tolist() == ["Z1-02"]
