"""Task status rules of SPEC §6 on hand-made facts with known answers."""

from __future__ import annotations

from datetime import date

import pytest

from data_model.task_rules import TaskFacts, days_late, status_of

AS_OF = date(2022, 7, 1)


def facts(progress, deadline=date(2022, 12, 31), start=date(2022, 1, 1), stated="", ongoing=False):
    return TaskFacts(progress, stated, start, deadline, ongoing)


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        (facts(100), "completed"),
        (facts(60, stated="completed"), "completed"),
        (facts(100, stated="suspended"), "suspended"),
        (facts(90, deadline=date(2022, 6, 30)), "overdue"),
        (facts(0, deadline=date(2022, 6, 30)), "overdue"),
        (facts(10), "behind"),  # half the time gone (49.6%), 10 < 29.6
        (facts(30), "in_progress"),  # 30 is within 20 points of 49.6
        (facts(0, start=date(2022, 6, 1)), "not_started"),  # 17% elapsed, not behind yet
        (facts(10, deadline=None, ongoing=True), "in_progress"),  # ongoing: never overdue/behind
        (facts(0, deadline=None, ongoing=True), "not_started"),
        (facts(50, start=None), "in_progress"),  # no start date: cannot be behind
    ],
)
def test_status_as_of_a_date(task, expected):
    assert status_of(task, AS_OF) == expected


def test_deadline_day_itself_is_not_overdue():
    assert status_of(facts(90, deadline=AS_OF), AS_OF) != "overdue"


def test_days_late_counts_from_the_deadline():
    task = facts(50, deadline=date(2022, 6, 21))
    assert days_late(task, AS_OF, status_of(task, AS_OF)) == 10
    assert days_late(facts(50), AS_OF, "in_progress") == 0
