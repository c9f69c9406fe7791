"""Presentation mode (演示模式): which slides a meeting sees, how long each stays, and what
each slide says. No Streamlit and no plotly here: `charts.present` draws the figures and
`pages/present.py` puts them on screen.

The URL carries plain, validated values only (`parse_params`):

- `slides`: comma-separated names of SLIDE_GROUPS, in the order wanted (default: all).
  Unknown names are dropped with a notice; a group may stand for several slides
  (`tasks` is completion by action, then the overdue list).
- `interval`: seconds each slide stays, clamped to MIN_INTERVAL..MAX_INTERVAL
  (default DEFAULT_INTERVAL).
- `period` and `gran` are the global filters' (`data_model.filters`).

`build_slides` builds every slide with the query functions of the dashboards and titles it
with the finding sentences the pages show (`task_queries.rates_title`,
`coverage_queries.map_finding`, …), so a slide never disagrees with its page. A slide
with nothing to show is left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import pandas as pd
from sqlalchemy import Connection

from data_model.aggregation import target_for_period
from data_model.coverage_queries import coverage_measure, map_areas, map_finding, measure_texts
from data_model.formatting import bracketed, format_change, format_number
from data_model.i18n import t
from data_model.normalize.periods import (
    period_containing,
    period_label,
    previous_period,
    to_granularity,
)
from data_model.queries import (
    activity_count,
    filter_options,
    indicator_completeness,
    issues_resolved,
    tasks_at_period_end,
)
from data_model.scoring import (
    composite_finding,
    dimension_order,
    district_scores,
    indicator_table,
    ranking_headline,
    score_text,
)
from data_model.task_queries import (
    as_of_date,
    overdue_finding,
    overdue_tasks,
    overdue_title,
    rates_by,
    rates_title,
    scoped_tasks,
    task_totals,
)
from data_model.task_status import summarize
from data_model.trends_queries import (
    effective_granularity,
    period_standing,
    series_finding,
    trend_series,
)

SLIDE_GROUPS: dict[str, tuple[str, ...]] = {
    "overview": ("overview",),
    "coverage": ("coverage",),
    "tasks": ("task_actions", "overdue"),
    "trends": ("trend",),
    "evaluation": ("ranking",),
}
DEFAULT_INTERVAL = 20
MIN_INTERVAL = 5
MAX_INTERVAL = 300
COVERAGE_MEASURE = "submission_coverage"  # the coverage page's default measure
OVERDUE_ROWS = 10  # the overdue slide lists the longest overdue tasks only
CONTENT_CHARS = 12  # a task's content is cut to this many characters on the overdue slide


# --- the URL ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """Something in the URL was not used as given: a catalogue key and its values."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, language: str | None = None) -> str:
        return t(self.key, language, **dict(self.values))


@dataclass(frozen=True)
class Setup:
    groups: tuple[str, ...]  # names of SLIDE_GROUPS, in showing order
    interval: int  # seconds per slide
    notices: tuple[Notice, ...] = ()


def parse_params(params: Mapping[str, str]) -> Setup:
    """The slide groups and interval from URL values; anything invalid falls back to its
    default with a notice that quotes the offending value."""
    notices: list[Notice] = []
    groups: list[str] = []
    unknown: list[str] = []
    for name in str(params.get("slides", "")).split(","):
        name = name.strip().lower()
        if not name or name in groups or name in unknown:
            continue
        (groups if name in SLIDE_GROUPS else unknown).append(name)
    if unknown:
        notices.append(
            Notice(
                "present.unknown_slides",
                (("names", ", ".join(unknown)), ("known", ", ".join(SLIDE_GROUPS))),
            )
        )
    interval = DEFAULT_INTERVAL
    given = str(params.get("interval", "")).strip().lower().removesuffix("s")
    if given:
        try:
            seconds = float(given)
        except ValueError:
            seconds = math.nan
        if not math.isfinite(seconds):
            notices.append(
                Notice("present.bad_interval", (("value", given), ("default", DEFAULT_INTERVAL)))
            )
        else:
            interval = min(max(round(seconds), MIN_INTERVAL), MAX_INTERVAL)
            if interval != seconds:
                notices.append(
                    Notice(
                        "present.interval_clamped",
                        (
                            ("value", given),
                            ("used", interval),
                            ("low", MIN_INTERVAL),
                            ("high", MAX_INTERVAL),
                        ),
                    )
                )
    return Setup(tuple(groups) or tuple(SLIDE_GROUPS), interval, tuple(notices))


def next_slide(shown: int | None, count: int) -> int:
    """The index of the slide after slide `shown` (None: none shown yet), looping."""
    if count <= 0:
        return 0
    return 0 if shown is None else (shown + 1) % count


# --- the slides -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A headline figure: label, value, change against the previous period."""

    label: str
    value: str
    delta: str | None
    delta_color: str = "normal"  # as st.metric takes it: normal, inverse, off


@dataclass(frozen=True, eq=False)
class Slide:
    """One screen: a kicker line (section · what is shown), a title stating the finding with
    its numbers, an optional second sentence, and either cards or a frame for one chart or
    table. `chart` holds the chart builder's other arguments (labels, target, …)."""

    key: str  # overview, coverage, task_actions, overdue, trend, ranking
    kicker: str
    title: str
    note: str = ""
    cards: tuple[Card, ...] = ()
    frame: pd.DataFrame | None = None
    chart: dict = field(default_factory=dict)


def build_slides(
    conn: Connection,
    groups: tuple[str, ...],
    period: str,
    granularity: str,
    language: str | None = None,
    today: date | None = None,
) -> tuple[Slide, ...]:
    """The slides of `groups` for `period`, in order; slides without data are left out.

    `granularity` is the filters' (the trend slide shows the indicator at this granularity,
    or at its own frequency when that is coarser, as the trends page does). Task figures are
    as of the period's end, or `today` (default: the real today) while it is running.
    """
    builders = {
        "overview": _overview,
        "coverage": _coverage,
        "task_actions": _task_actions,
        "overdue": _overdue,
        "trend": _trend,
        "ranking": _ranking,
    }
    context = _Context(conn, period, granularity, language, today)
    slides = []
    for group in groups:
        for key in SLIDE_GROUPS[group]:
            slide = builders[key](context)
            if slide is not None:
                slides.append(slide)
    return tuple(slides)


@dataclass(frozen=True)
class _Context:
    conn: Connection
    period: str
    granularity: str
    language: str | None
    today: date | None

    @property
    def label(self) -> str:
        return period_label(self.period, self.language)

    def t(self, key: str, **params: object) -> str:
        return t(key, self.language, **params)

    def kicker(self, section: str, detail: str) -> str:
        return self.t("present.kicker", section=self.t(f"nav.{section}"), detail=detail)

    @property
    def as_of(self) -> date:
        """The day the task slides judge statuses on (see `as_of_date`)."""
        return as_of_date(self.period, self.today)

    @property
    def as_of_text(self) -> str:
        return self.t(
            "tasks.date", year=self.as_of.year, month=self.as_of.month, day=self.as_of.day
        )

    @cached_property
    def tasks(self) -> pd.DataFrame:
        """Every task judged on `as_of`, read once for all task slides."""
        return scoped_tasks(self.conn, self.as_of)


def _overview(c: _Context) -> Slide | None:
    """The overview page's five headline cards, each with its change."""
    previous = previous_period(c.period)
    tasks = summarize(c.tasks)
    tasks_before = tasks_at_period_end(c.conn, previous, c.today)
    activities = activity_count(c.conn, c.period)
    activities_before = activity_count(c.conn, previous)
    resolved = issues_resolved(c.conn, c.period)
    resolved_before = issues_resolved(c.conn, previous)
    completeness = indicator_completeness(c.conn, c.period)
    completeness_before = indicator_completeness(c.conn, previous)
    if tasks.total == 0 and not activities and not resolved and completeness is None:
        return None
    rate = format_number(tasks.completion_rate, "%", c.language)
    cards = (
        Card(
            c.t("overview.completion_rate"),
            rate,
            format_change(tasks.completion_rate, tasks_before.completion_rate, points=True),
        ),
        Card(
            c.t("overview.overdue"),
            format_number(tasks.overdue, language=c.language),
            format_change(tasks.overdue, tasks_before.overdue, count=True),
            "inverse",
        ),
        Card(
            c.t("overview.activities"),
            format_number(activities, language=c.language),
            format_change(activities, activities_before),
        ),
        Card(
            c.t("overview.issues_resolved"),
            format_number(resolved, language=c.language),
            format_change(resolved, resolved_before),
        ),
        Card(
            c.t("overview.completeness"),
            format_number(
                None if completeness is None else round(completeness, 1), "%", c.language
            ),
            format_change(completeness, completeness_before, points=True),
        ),
    )
    facts = {
        "period": c.label,
        "activities": format_number(activities, language=c.language),
        "resolved": format_number(resolved, language=c.language),
    }
    title = (
        c.t("present.overview_title", rate=rate, overdue=tasks.overdue, **facts)
        if tasks.total
        else c.t("present.overview_title_no_tasks", **facts)
    )
    return Slide(
        "overview",
        c.kicker("overview", c.t("overview.cards_heading", period=c.label)),
        title,
        note=c.t("present.overview_note", previous=period_label(previous, c.language)),
        cards=cards,
    )


def _coverage(c: _Context) -> Slide | None:
    """The district map of the coverage page's default measure."""
    measure = COVERAGE_MEASURE
    values = coverage_measure(c.conn, measure, c.period)
    on_map = values[values["kind"] != "city"].copy()
    if on_map.empty or on_map["value"].isna().all():
        return None
    on_map["text"] = measure_texts(on_map["value"], measure, c.language)
    measure_label = c.t(f"coverage.measure_{measure}")
    return Slide(
        "coverage",
        c.kicker("coverage", c.t("coverage.map_heading", period=c.label, measure=measure_label)),
        _headline(map_finding(on_map, measure, c.language)),
        frame=on_map.reset_index(drop=True),
        chart={"areas": map_areas(c.conn), "measure_label": measure_label, "rate": True},
    )


def _task_actions(c: _Context) -> Slide | None:
    """Completion and on-time rate per action, as on the task page's first tab."""
    day = c.as_of_text
    rates = rates_by(c.tasks, "action")
    if rates.empty:
        return None
    rates["label"] = rates["group"]
    return Slide(
        "task_actions",
        c.kicker("tasks", c.t("present.task_actions_detail", date=day)),
        rates_title(rates, c.language),
        frame=rates,
        chart={
            "completion_label": c.t("tasks.completion_rate"),
            "on_time_label": c.t("tasks.on_time_rate"),
        },
    )


def _overdue(c: _Context) -> Slide | None:
    """The longest overdue tasks (at most OVERDUE_ROWS), one bar of days late each, named
    by code and content, with the lead unit beside it (progress is in the note)."""
    day = c.as_of_text
    if task_totals(c.tasks).tasks == 0:
        return None
    overdue = overdue_tasks(c.tasks)
    kicker = c.kicker("tasks", c.t("present.overdue_detail", date=day, count=OVERDUE_ROWS))
    if overdue.empty:
        return Slide("overdue", kicker, overdue_title(overdue, c.language), c.t("tasks.no_overdue"))
    top = overdue.head(OVERDUE_ROWS)
    bars = pd.DataFrame(
        {
            "label": [
                f"{code} {_shorten(text)}"
                for code, text in zip(top["code"], top["content"], strict=True)
            ],
            "days_late": top["days_late"].astype(int),
            "text": [
                c.t("present.overdue_bar", days=int(days), unit=unit)
                for days, unit in zip(top["days_late"], top["lead_unit"], strict=True)
            ],
            "hover": [
                f"{code} {text}" for code, text in zip(top["code"], top["content"], strict=True)
            ],
        }
    )
    return Slide(
        "overdue",
        kicker,
        overdue_title(overdue, c.language),
        note=overdue_finding(overdue, c.language),
        frame=bars,
        chart={"days_label": c.t("tasks.col_days_late")},
    )


def _headline(sentence: str) -> str:
    """A page's finding sentence as a slide title: without its closing full stop."""
    return sentence.rstrip("。.")


def _shorten(text: str) -> str:
    return text if len(text) <= CONTENT_CHARS else text[: CONTENT_CHARS - 1] + "…"


def _trend(c: _Context) -> Slide | None:
    """The first indicator of the first dimension over periods per district, as the trends
    page shows it by default."""
    dimensions = dimension_order(c.conn)
    options = filter_options(c.conn)
    if not dimensions or options is None:
        return None
    indicator = indicator_table(c.conn, dimensions[0]).iloc[0]
    unit, negative = indicator["unit"], indicator["direction"] == "negative"
    granularity = effective_granularity(c.granularity, indicator["frequency"])
    period = to_granularity(c.period, granularity)
    target = target_for_period(indicator["target"], indicator["aggregation"], period)
    first = str(options.first_year)
    last = period_containing(options.last_period_day, granularity)
    trend = trend_series(c.conn, indicator["code"], granularity, first, last)
    if trend.empty:
        return None
    trend["label"] = trend["period"].map(lambda p: period_label(p, c.language))
    label = period_label(period, c.language)
    now = period_standing(trend, period, negative)
    name = bracketed(indicator["name"], unit, c.language) if unit else indicator["name"]
    return Slide(
        "trend",
        c.kicker("trends", c.t("trends.series_heading_plain", indicator=name)),
        _headline(series_finding(now, target, negative, unit, label, c.language)),
        frame=trend,
        chart={
            "target": target,
            "target_name": c.t("trends.target"),
            "marked_period": label,
            "incomplete_name": c.t("trends.incomplete"),
        },
    )


def _ranking(c: _Context) -> Slide | None:
    """Composite score per district in rank order, as on the evaluation page."""
    scores = district_scores(c.conn, c.period)
    if scores.empty:
        return None
    bars = scores.assign(
        text=[
            c.t("evaluation.rank_text", rank=rank, score=score_text(score))
            for rank, score in zip(scores["rank"], scores["composite"], strict=True)
        ]
    )
    return Slide(
        "ranking",
        c.kicker("evaluation", c.t("evaluation.ranking_heading")),
        ranking_headline(scores, c.label, language=c.language),
        note=composite_finding(scores, c.language),
        frame=bars,
    )
