"""Presentation mode (演示模式): which slides a meeting sees, how long each stays, and what
each slide says. No Streamlit and no plotly here: `charts.present` draws the figures and
`pages/present.py` puts them on screen.

The URL carries plain, validated values only (`parse_params`):

- `slides`: comma-separated names of SLIDE_GROUPS, in the order wanted (default: all).
  Unknown names are dropped with a notice; a group may stand for several slides
  (`tasks` is completion by action, then the overdue list).
- `interval`: seconds each slide stays, clamped to MIN_INTERVAL..MAX_INTERVAL
  (default DEFAULT_INTERVAL).
- `period` and `gran` are the global filters' (`data_model.queries.filters`).

`build_slides` builds every slide with the query functions of the dashboards and titles it
with the finding sentences the pages show (`task_queries.rates_title`,
`coverage_queries.map_finding`, …), so a slide never disagrees with its page. A slide
with nothing to show is left out.

`Stage` and `restage` say which slide is on screen and which is drawn in advance behind it
(the page swaps the two, so the next slide appears at once), and how the timer and the
presenter's previous / next buttons move between them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import pandas as pd
from sqlalchemy import Connection

from data_model.charts.common import LINE_BREAK
from data_model.evaluation.aggregation import target_for_period
from data_model.evaluation.scoring import (
    PeriodRanking,
    composite_finding,
    dimension_order,
    indicator_table,
    period_ranking,
    ranking_headline,
    ranking_with_change,
    score_text,
)
from data_model.formatting import (
    format_number,
    unbroken_units,
    unit_word,
    with_unit,
)
from data_model.i18n import t
from data_model.periods import (
    period_containing,
    period_label,
    previous_period,
    to_granularity,
)
from data_model.queries.coverage_queries import (
    coverage_measure,
    map_areas,
    map_finding,
    map_notes,
    measure_texts,
)
from data_model.queries.headlines import Headline, Headlines, headline_figures
from data_model.queries.shared import (
    filter_options,
)
from data_model.queries.task_counts import status_counts, summary_of, task_list
from data_model.queries.task_queries import (
    as_of_date,
    overdue_finding_of,
    overdue_title,
    rates_of,
    rates_title,
    totals_of,
)
from data_model.queries.trends_queries import (
    effective_granularity,
    named_ends,
    period_standing,
    series_finding,
    trend_series,
)
from data_model.reference.geo import Area, load_district_map

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
EXPLANATION_CHARS = 20  # and its explanation (情况说明) beside the bar to this many (all on hover)


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


# --- the stage: which slide is on screen and which is drawn in advance ------------------

MOVES = ("tick", "next", "previous")


@dataclass(frozen=True)
class Stage:
    """The screen's two slots. The slot in `front` is on screen; the other, hidden but laid
    out at full size, holds the slide that comes next, already drawn, so that moving on is
    a swap of the two slots rather than a wait for a chart to be built and drawn.

    `slots`: the slide index each slot holds (None: empty). `moved_at`: when the presenter
    last moved by hand (a monotonic clock's seconds), so that the timer does not move on
    again a moment after a click.
    """

    slots: tuple[int | None, int | None] = (None, None)
    front: int = 0
    moved_at: float | None = None

    @property
    def back(self) -> int:
        return 1 - self.front

    @property
    def shown(self) -> int | None:
        """The index of the slide on screen."""
        return self.slots[self.front]


def restage(stage: Stage | None, count: int, move: str, now: float, interval: float) -> Stage:
    """The stage after `move` among `count` slides at time `now`.

    `move`: "next" or "previous" (the presenter's buttons), or "tick" (the timer, or the
    page's first run), which moves on unless the presenter moved less than half an
    `interval` ago. The slide to show is taken from the back slot when it is waiting there
    (the slots swap); otherwise it replaces the front slot's. The back slot then gets the
    slide after the one shown (nothing when there is only one slide).
    """
    if move not in MOVES:
        raise ValueError(f"unknown move {move!r}; expected one of {', '.join(MOVES)}")
    stage = stage or Stage()
    if count <= 0:
        return Stage()
    # Slides can disappear when the data change: forget slots beyond the end.
    first, second = (i if i is not None and i < count else None for i in stage.slots)
    stage = Stage((first, second), stage.front, stage.moved_at)
    shown = stage.shown
    moved_at = stage.moved_at
    if shown is None:
        target = 0
    elif move == "next":
        target, moved_at = (shown + 1) % count, now
    elif move == "previous":
        target, moved_at = (shown - 1) % count, now
    elif moved_at is not None and now - moved_at < interval / 2:
        target = shown
    else:
        target = (shown + 1) % count
    front = stage.front
    new_slots = list(stage.slots)
    if target != shown:
        if new_slots[stage.back] == target:
            front = stage.back
        else:
            new_slots[front] = target
    new_slots[1 - front] = next_slide(target, count) if count > 1 else None
    return Stage((new_slots[0], new_slots[1]), front, moved_at)


# --- the slides -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A headline figure: label, value, change against the previous period (`headlines`)."""

    label: str
    value: str
    delta: str | None  # worded with unit and baseline (`较上年 +5 项`), None: no comparison
    delta_color: str = "off"  # as st.metric takes it: green (good), red (bad), gray, off
    delta_arrow: str = "auto"  # up, down, off (no change)
    tone: str | None = None  # 向好 / 走弱: the colour in words


@dataclass(frozen=True, eq=False)
class Slide:
    """One screen: a kicker line (section · what is shown), a title stating the finding with
    its numbers, an optional second sentence, and either cards or a frame for one chart or
    table, with a footnote under it that explains its marks (the map's `*` tiles, the
    trend's open markers). `chart` holds the chart builder's other arguments (labels,
    target, …)."""

    key: str  # overview, coverage, task_actions, overdue, trend, ranking
    kicker: str
    title: str
    note: str = ""
    cards: tuple[Card, ...] = ()
    frame: pd.DataFrame | None = None
    chart: dict = field(default_factory=dict)
    footnote: str = ""


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
    context = _Context(conn, period, granularity, language, today, "tasks" in groups)
    slides = []
    for group in groups:
        for key in SLIDE_GROUPS[group]:
            slide = builders[key](context)
            if slide is not None:
                slides.append(replace(slide, title=unbroken_units(slide.title)))
    return tuple(slides)


@dataclass(frozen=True)
class _Context:
    conn: Connection
    period: str
    granularity: str
    language: str | None
    today: date | None
    task_slides: bool = False  # the task slides are shown: judge the tasks once for all

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
    def scores(self) -> tuple[PeriodRanking, PeriodRanking]:
        """The ranking of the period and of the period before (from the score summaries),
        read once for the overview and the ranking slides."""
        return period_ranking(self.conn, self.period), period_ranking(
            self.conn, previous_period(self.period)
        )

    @cached_property
    def task_counts(self) -> pd.DataFrame:
        """The tasks on `as_of` counted per group (`task_counts.status_counts`), read once
        for all task slides."""
        return status_counts(self.conn, self.as_of)


def _overview(c: _Context) -> Slide | None:
    """The overview page's headline cards, each with its change (`headlines`)."""
    judged = summary_of(c.task_counts) if c.task_slides else None
    figures = headline_figures(c.conn, c.period, c.today, c.scores, judged)
    tasks = figures.tasks
    activities, resolved = figures["activities"], figures["issues_resolved"]
    if (
        tasks.total == 0
        and not activities.value
        and not resolved.value
        and figures["coverage"].value is None
    ):
        return None
    cards = tuple(_card(c, headline) for headline in figures.figures)
    return Slide(
        "overview",
        c.kicker("overview", c.t("overview.cards_heading", period=c.label)),
        _overview_title(c, figures),
        note=c.t("present.overview_note", previous=period_label(figures.previous, c.language)),
        cards=cards,
    )


def _overview_title(c: _Context, figures: Headlines) -> str:
    """The overview slide's headline, from the figures that were submitted only: a figure
    never submitted is left out of the sentence, not announced as 0 (开展活动0场)."""
    tasks = figures.tasks
    activities, resolved = figures["activities"].value, figures["issues_resolved"].value
    facts = {"period": c.label}
    if activities is not None:
        facts["activities"] = format_number(activities, language=c.language)
    if resolved is not None:
        facts["resolved"] = format_number(resolved, language=c.language)
    if tasks.total:
        rate = figures["completion_rate"].value_text(c.language)
        key = "present.overview_title" if "activities" in facts else "present.overview_title_tasks"
        return c.t(key, rate=rate, overdue=tasks.overdue, **facts)
    shown = tuple(name for name in ("activities", "resolved") if name in facts)
    key = {
        ("activities", "resolved"): "present.overview_title_no_tasks",
        ("activities",): "present.overview_title_activities",
        ("resolved",): "present.overview_title_resolved",
        (): "present.overview_title_nothing",
    }[shown]
    return c.t(key, **facts)


def _card(c: _Context, headline: Headline) -> Card:
    delta = headline.delta
    if delta is None:
        return Card(c.t(f"overview.{headline.key}"), headline.value_text(c.language), None, "off")
    return Card(
        c.t(f"overview.{headline.key}"),
        headline.value_text(c.language),
        delta.text(c.language),
        delta.metric_color,
        delta.arrow,
        delta.tone_word(c.language),
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
    areas = map_areas(c.conn)
    return Slide(
        "coverage",
        c.kicker("coverage", c.t("coverage.map_heading", period=c.label, measure=measure_label)),
        _headline(map_finding(on_map, measure, c.language)),
        frame=on_map.reset_index(drop=True),
        chart={"areas": areas, "measure_label": measure_label, "rate": True},
        footnote=_map_notes(c, areas, on_map["district"]),
    )


def _map_notes(c: _Context, areas: tuple[Area, ...], shown: pd.Series) -> str:
    """The coverage page's notes under the map (`map_notes`: the `*` tiles beside it, the
    areas drawn as their own part of a district), for the areas on the slide, in brief."""
    layout = load_district_map(areas)
    if layout.problem:  # the tile grid stands in, as on the page: nothing to explain
        return ""
    notes = map_notes(layout, shown, c.language, brief=True)
    return c.t("format.sentence_separator").join(notes)


def _task_actions(c: _Context) -> Slide | None:
    """Completion and on-time rate per action, as on the task page's first tab."""
    day = c.as_of_text
    rates = rates_of(c.task_counts, "action")
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
    by code and content, with the lead unit and the start of its explanation (情况说明)
    beside it, all of it on hover (progress is in the note)."""
    totals = totals_of(c.task_counts)
    if totals.tasks == 0:
        return None
    overdue = task_list(c.conn, c.as_of, "overdue", limit=OVERDUE_ROWS)
    kicker = c.kicker("tasks", _overdue_detail(c, len(overdue), totals.overdue))
    if overdue.empty:
        return Slide("overdue", kicker, overdue_title(overdue, c.language), c.t("tasks.no_overdue"))
    top = overdue
    bars = pd.DataFrame(
        {
            "label": [
                f"{code} {text}"  # wrapped to the room left of the bar by the chart
                for code, text in zip(top["code"], top["content"], strict=True)
            ],
            "days_late": top["days_late"].astype(int),
            "text": [
                c.t(
                    "present.overdue_bar",
                    days=int(days),
                    days_noun=unit_word("format.unit_days", int(days), c.language),
                    unit=unit,
                )
                + (
                    c.t("present.overdue_because", text=_shorten(why, EXPLANATION_CHARS))
                    if why
                    else ""
                )
                for days, unit, why in zip(
                    top["days_late"], top["lead_unit"], top["explanation"], strict=True
                )
            ],
            "hover": [
                f"{code} {text}"
                + (f"{LINE_BREAK}{c.t('explanations.hover', text=why)}" if why else "")
                for code, text, why in zip(
                    top["code"], top["content"], top["explanation"], strict=True
                )
            ],
        }
    )
    return Slide(
        "overdue",
        kicker,
        overdue_title(overdue, c.language, totals.overdue),
        note=overdue_finding_of(c.task_counts, c.language),
        frame=bars,
        chart={"days_label": c.t("tasks.col_days_late")},
    )


def _headline(sentence: str) -> str:
    """A page's finding sentence as a slide title: without its closing full stop."""
    return sentence.rstrip("。.")


def _overdue_detail(c: _Context, shown: int, overdue: int) -> str:
    """The overdue slide's kicker, counting the bars the slide shows: all of the overdue
    tasks, or the `shown` longest overdue of more."""
    if shown == 0:
        return c.t("present.overdue_detail_none", date=c.as_of_text)
    key = "present.overdue_detail_all" if shown >= overdue else "present.overdue_detail"
    return c.t(key, date=c.as_of_text, count=shown)


def _shorten(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


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
    trend["hover_note"] = [
        c.t("explanations.hover", text=text) if text else "" for text in trend["explanation"]
    ]
    label = period_label(period, c.language)
    now = period_standing(trend, period, negative)
    best, worst = named_ends(now)
    name = with_unit(indicator["name"], unit, c.language)
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
            # The title names the best and the worst district: only they are coloured.
            "best": best,
            "worst": worst,
            "others_name": c.t("trends.other_districts"),
            "unit": unit,
            "language": c.language,
        },
        # The chart draws a period not fully reported with open markers, as the page does.
        footnote="" if trend["complete"].all() else c.t("trends.incomplete_points"),
    )


def _ranking(c: _Context) -> Slide | None:
    """Composite score per district in rank order, as on the evaluation page."""
    scores = ranking_with_change(*c.scores)  # `district_scores` of the period
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
