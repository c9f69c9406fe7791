"""The headline figures of a period (SPEC §6 overview cards) with their change against
the period before: one set of figures and one way of writing them for the overview, the
bulletin and the presentation's overview slide.

| key | figure | kind | direction |
|---|---|---|---|
| completion_rate | completed tasks / tasks counted, % | rate | positive |
| overdue | overdue tasks | count (项) | negative |
| composite | mean composite score of the districts (`scoring`) | score | positive |
| coverage | indicator values reported / expected, all geographies, % | rate | positive |
| issues_resolved | enterprise issues resolved in the period | count (件) | positive |
| activities | activities held in the period | count (场) | positive |

A figure whose data was never submitted for the period is None, never 0 (SPEC: a missing
value is never zero), and reads 未报送 / "Not submitted": activities and issues when
none is dated in or before the period, task figures when no task is counted.

`previous` is None, and no change is shown, when the period before holds no data of the
figure's kind: no task reported by its end, no activity, issue or indicator value dated
in or before it (`queries.first_reported`), no district scored. Task figures are as of
the period's end, or today while it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Connection

from data_model.evaluation.scoring import (
    PeriodRanking,
    period_ranking,
    ranking_with_change,
    score_text,
)
from data_model.formatting import Change, change, format_number, format_percent, unit_word
from data_model.i18n import t
from data_model.periods import previous_period
from data_model.queries.coverage_queries import total_submission_coverage
from data_model.queries.shared import (
    activity_count,
    first_reported,
    holds_data,
    issues_resolved,
    tasks_at_period_end,
)
from data_model.queries.task_status import TaskSummary

HEADLINE_KEYS = (
    "completion_rate",
    "overdue",
    "composite",
    "coverage",
    "issues_resolved",
    "activities",
)


@dataclass(frozen=True)
class Headline:
    """A headline figure of `period` and its value in the period before (None: no data
    to compare with). `unit`: for counts, the catalogue key of the things counted."""

    key: str
    value: float | None
    previous: float | None
    kind: str  # rate (%), count, score (0-100)
    period: str = ""
    direction: str = "positive"
    unit: str = ""

    @property
    def change(self) -> float | None:
        """The raw difference (points for rates and scores, things for counts)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def delta(self) -> Change | None:
        """The change as the pages word and colour it (`formatting.Change`)."""
        return change(self.value, self.previous, self.kind, self.period, self.direction, self.unit)

    def value_text(self, language: str | None = None) -> str:
        """`69.4%`, `6 项`, `78.6 分`; 未报送 (`format.not_submitted`) when unknown."""
        if self.value is None:
            return t("format.not_submitted", language)
        if self.kind == "rate":
            return format_percent(self.value, language)
        if self.kind == "score":
            return t("format.amount_score", language, value=score_text(self.value))
        unit = unit_word(self.unit, self.value, language) if self.unit else ""
        return format_number(self.value, unit, language)

    def change_text(self, language: str | None = None) -> str | None:
        delta = self.delta
        return None if delta is None else delta.text(language)


@dataclass(frozen=True, eq=False)
class Headlines:
    """The headline figures of a period, and what they were computed from."""

    period: str
    previous: str
    figures: tuple[Headline, ...]
    tasks: TaskSummary
    scores: pd.DataFrame  # scoring.ranking_with_change: districts best first, rank change
    current_scores: PeriodRanking  # with the districts' target counts

    def __getitem__(self, key: str) -> Headline:
        return next(h for h in self.figures if h.key == key)


def _mean_composite(scores: PeriodRanking) -> float | None:
    if scores.ranking is None:
        return None
    return float(scores.ranking["composite"].astype(float).mean())


def headline_figures(
    conn: Connection,
    period: str,
    today: date | None = None,
    scores: tuple[PeriodRanking, PeriodRanking] | None = None,
    tasks: TaskSummary | None = None,
) -> Headlines:
    """The figures of HEADLINE_KEYS for `period`, with the period before's.

    `scores`: the `period_ranking` of `period` and of the period before, when the caller
    has them already (the presentation's ranking slide uses them too). `tasks`: the
    summary of every task at the end of `period` (`tasks_at_period_end`), when the caller
    has judged them already (the bulletin's and the presentation's task sections), so
    50,000 tasks are not judged twice."""
    previous = previous_period(period)
    first = first_reported(conn)
    if tasks is None:
        tasks = tasks_at_period_end(conn, period, today)
    before = tasks_at_period_end(conn, previous, today)
    reported_before = before.total + before.suspended > 0
    if scores is None:
        scores = period_ranking(conn, period), period_ranking(conn, previous)
    current_scores, previous_scores = scores

    def count_before(kind: str, count: int) -> int | None:
        return count if holds_data(first[kind], previous) else None

    def count_now(kind: str, count: int) -> int | None:
        return count if holds_data(first[kind], period) else None

    figures = (
        Headline(
            "completion_rate",
            tasks.completion_rate,
            before.completion_rate if reported_before else None,
            "rate",
        ),
        Headline(
            "overdue",
            tasks.overdue if tasks.total + tasks.suspended else None,
            before.overdue if reported_before else None,
            "count",
            direction="negative",
            unit="format.unit_tasks",
        ),
        Headline(
            "composite", _mean_composite(current_scores), _mean_composite(previous_scores), "score"
        ),
        Headline(
            "coverage",
            total_submission_coverage(conn, period),
            total_submission_coverage(conn, previous)
            if holds_data(first["indicator_values"], previous)
            else None,
            "rate",
        ),
        Headline(
            "issues_resolved",
            count_now("issues", issues_resolved(conn, period)),
            count_before("issues", issues_resolved(conn, previous)),
            "count",
            unit="format.unit_issues",
        ),
        Headline(
            "activities",
            count_now("activities", activity_count(conn, period)),
            count_before("activities", activity_count(conn, previous)),
            "count",
            unit="format.unit_activities",
        ),
    )
    figures = tuple(
        Headline(h.key, h.value, h.previous, h.kind, period, h.direction, h.unit) for h in figures
    )
    return Headlines(
        period,
        previous,
        figures,
        tasks,
        ranking_with_change(current_scores, previous_scores),
        current_scores,
    )
