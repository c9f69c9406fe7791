"""The task status rule of SPEC §6: one task's status as of a day, from its latest report.

This is the one statement of the rule. `task_status_arrays.statuses_on` applies it to
many (task, day) pairs at once; `tests/test_task_status_arrays.py` checks with hypothesis
that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

STATUSES = (
    "completed",
    "in_progress",
    "behind",
    "overdue",
    "not_started",
    "suspended",
    "awaiting_evidence",
)
BEHIND_MARGIN = 20  # points of progress behind the elapsed share of the schedule


@dataclass(frozen=True)
class TaskFacts:
    progress: float
    stated_status: str
    start_date: date | None
    deadline: date | None
    ongoing: bool
    has_evidence: bool = False


def status_of(facts: TaskFacts, as_of: date, evidence_required: bool = False) -> str:
    """One of STATUSES; the order of the checks is the precedence of SPEC §6."""
    if facts.stated_status == "suspended":
        return "suspended"
    if facts.progress >= 100 or facts.stated_status == "completed":
        if evidence_required and not facts.has_evidence:
            return "awaiting_evidence"
        return "completed"
    if not facts.ongoing and facts.deadline is not None and facts.deadline < as_of:
        return "overdue"
    if _behind_schedule(facts, as_of):
        return "behind"
    if facts.progress <= 0:
        return "not_started"
    return "in_progress"


def _behind_schedule(facts: TaskFacts, as_of: date) -> bool:
    if facts.ongoing or facts.start_date is None or facts.deadline is None:
        return False
    span = (facts.deadline - facts.start_date).days
    if span <= 0:
        return False
    elapsed = min(max((as_of - facts.start_date).days / span, 0.0), 1.0)
    return facts.progress < elapsed * 100 - BEHIND_MARGIN


def days_late(facts: TaskFacts, as_of: date, status: str) -> int:
    if status != "overdue" or facts.deadline is None:
        return 0
    return (as_of - facts.deadline).days
