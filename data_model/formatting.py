"""The wording module: how numbers, percents, changes, lists and times are written.

Every separator, bracket and unit comes from the catalogue (`format.toml`), so a page,
a chart, the bulletin and the slides write `罗湖区、福田区`, `1,234.57万` and `+11.2个百分点`
in Chinese and `罗湖区, 福田区`, `12.35 M` and `+11.2 pts` in English with the same call.
Times stored in UTC are shown in `TIME_ZONE` (`local_time`). No Streamlit here.

A change always names its unit and its baseline (`较上年 +11.2 个百分点`, `较上季 +5 项`):

- a rate (`kind` "rate", a percent) changes in percentage points;
- a count (`kind` "count": tasks, activities, issues, people) changes by a number of
  things, never by a percent (1 → 6 overdue tasks is +5 项, not +500%);
- a score (`kind` "score", 0-100) changes in points (分).

There is no change when either value is unknown, and callers pass `previous=None` when
the period before holds no data of the figure's kind (see `queries.first_reported`): a
first year shows no change rather than a jump from nothing.

Colour follows meaning (`Change.tone`): a change the good way for the figure's direction
is "good" (a rise of a 正向 figure, a fall of a 逆向 one such as overdue tasks), the other
way "bad", no change or a figure without a direction "neutral".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from data_model import settings
from data_model.i18n import catalogue, language_in_use, t
from data_model.periods import granularity

KINDS = ("rate", "count", "score")
# The decimals a score is written and ranked with (`scoring.score_text`, `rank_with_ties`):
# two districts whose scores read alike share their rank.
SCORE_DECIMALS = 2
# The decimals a unit's task appraisal score (`task_queries.appraisal_score`) is kept and
# written with, in the task ranking's bars, title, finding and table alike.
APPRAISAL_DECIMALS = 1
# The decimals a change of each kind is written, and judged as no change, with.
CHANGE_DECIMALS = {"count": 0, "rate": 1, "score": SCORE_DECIMALS}
DIRECTIONS = ("positive", "negative", "neutral")
METRIC_COLORS = {"good": "green", "bad": "red", "neutral": "gray"}
NO_VALUE = "—"  # a missing number, in tables and texts of every language


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or bool(pd.isna(value))


# --- punctuation ----------------------------------------------------------------------


def join_names(names: Iterable[object], language: str | None = None) -> str:
    """`罗湖区、福田区` (zh-CN) or `罗湖区, 福田区` (en): a list written in running text."""
    return t("format.list_separator", language).join(str(n) for n in names)


def unit_word(key: str, count: float, language: str | None = None) -> str:
    """The catalogue's word for the things counted (`format.unit_activities`), in the
    singular for one where the language has one: `1 event`, `2 events`; `1 场`, `2 场`.

    A sentence takes it as `{count} {count_noun}` (zh-CN leaves the field out and keeps its
    measure word); where more than the noun changes for one (`1 task is overdue`), the
    caller picks the sentence's `_one` key instead."""
    return t(f"{key}_one" if abs(count) == 1 else key, language)


def join_items(items: Iterable[object], language: str | None = None) -> str:
    """Items that hold commas themselves: `南山区（24项）、福田区（23项）` or `A (24); B (23)`."""
    return t("format.item_separator", language).join(str(i) for i in items)


def join_sentences(sentences: Iterable[str], language: str | None = None) -> str:
    """Sentences one after another: no space between Chinese sentences, one in English."""
    return t("format.sentence_separator", language).join(sentences)


def labelled(label: str, value: object, language: str | None = None) -> str:
    """`牵头单位：市商务局` or `Lead unit: 市商务局`."""
    return t("format.labelled", language, label=label, value=value)


def bracketed(text: str, inner: object, language: str | None = None) -> str:
    """`企业开办时间（天）` or `Start-up time (days)`: a note after a name."""
    return t("format.bracketed", language, text=text, inner=inner)


def unit_text(unit: str, language: str | None = None, count: float | None = None) -> str:
    """An indicator's unit as the master data stores it (`天`, `亿元`), written for a reader
    of `language` (`format.indicator_units`): `days`, or `day` after a `count` of 1, in
    English; in Chinese as it is stored. A unit the catalogue does not list (`%`, one an
    upload brought) is written as it is.

    For people only: stored values, the importer's unit checks and files meant to be
    uploaded again keep the stored unit."""
    names = catalogue(language or language_in_use())
    key = f"format.indicator_units.{unit}"
    if count is not None and abs(count) == 1 and f"{key}_one" in names:
        return names[f"{key}_one"]
    return names.get(key, unit)


def with_unit(name: str, unit: str | None, language: str | None = None) -> str:
    """`企业开办时间（天）` or `企业开办时间 (days)`: a name with its indicator's unit
    (`unit_text`) in brackets; the name alone for an indicator without a unit."""
    return bracketed(name, unit_text(unit, language), language) if unit else name


# --- numbers ----------------------------------------------------------------------------


def format_number(value: float | None, unit: str = "", language: str | None = None) -> str:
    """`12345678` → `1,234.57万` (zh-CN) or `12.35 M` (en), `69.96` → `70`, `0.64` → `0.6`;
    None → `—`. Units follow the number, an indicator's in the language (`unit_text`: `1 day`,
    `0.6 days`).

    Large numbers take the language's own scale words (万/亿; M/bn), from the catalogue.
    """
    if _missing(value):
        return NO_VALUE
    magnitude = abs(value)
    shown = None  # the number as written, for the unit's singular: none in `1.00 M`
    for scale in ("large", "medium"):
        if magnitude >= float(t(f"format.{scale}_from", language)):
            size = float(t(f"format.{scale}_size", language))
            text = t(f"format.{scale}", language, value=f"{value / size:,.2f}")
            break
    else:
        # One decimal, none where that decimal is 0: 69.96 reads 70, as 70 does (`70.0`
        # beside `70` read as two figures, and ranked as two).
        tenths = round(float(value), 1)
        text = f"{int(tenths):,}" if tenths.is_integer() else f"{tenths:,.1f}"
        shown = tenths
    unit = unit_text(unit, language, shown)
    return f"{text}{unit}" if unit in ("%", "") else f"{text} {unit}"


# A number and the unit after it (`0.6 天`, `12 days`): the space between them.
_NUMBER_UNIT_SPACE = re.compile(r"(?<=\d) (?=[^\s\d])")
NO_BREAK_SPACE = "\u00a0"


def unbroken_units(text: str) -> str:
    """`text` with the space between each number and its unit made non-breaking, so that a
    sentence in large type (a slide's title) never breaks `（0.6 天）` between the two."""
    return _NUMBER_UNIT_SPACE.sub(NO_BREAK_SPACE, text)


def value_text(value: float | None, unit: str, language: str | None = None) -> str:
    """An indicator value as the app writes it, with its unit, wherever it is read (the
    trends page's tables, findings and charts with their hovers, the rankings, the slides):
    rounded to two decimals, then as `format_number` writes that (one decimal, two in 万 or
    M); `12.3%` for an indicator in %."""
    return format_number(None if _missing(value) else round(float(value), 2), unit, language)


def format_ticks(values: list[float], language: str | None = None) -> list[str]:
    """An axis's tick labels in one scale, chosen by its largest tick: `0, 0.5万, 1万, 1.5万`
    or `0, 1亿, 2亿` (zh-CN); `0, 50,000, 100,000`, `0, 1.5 M, 3 M` (en). Never `20k`."""
    top = max((abs(v) for v in values), default=0)
    template, size = "{value}", 1.0
    for scale in ("large", "medium"):
        if top >= float(t(f"format.{scale}_size", language)):
            template, size = (
                t(f"format.{scale}", language),
                float(t(f"format.{scale}_size", language)),
            )
            break
    return [
        real_minus(template.format(value=f"{v / size:,.4f}".rstrip("0").rstrip("."))) if v else "0"
        for v in values
    ]


def format_percent(value: float | None, language: str | None = None) -> str:
    """A rate as every page, chart (labels and hovers), slide and bulletin writes it: one
    decimal with a trailing `.0` dropped, `69.4%`, `70%`, `0%` (69.96 → `70%`); None → `—`.

    The one writer of rates: a page or slide that wrote `70.0%` in a chart beside `70%` in
    its title read as two figures."""
    if _missing(value):
        return NO_VALUE
    return format_number(float(value), "%", language)


def real_minus(text: str) -> str:
    """`text` with a real minus sign (U+2212) for each hyphen, as plotly's axes and hovers
    write negative numbers: a line never breaks after it, as it may after a hyphen. For a
    text of signed figures only (a hyphenated word would change)."""
    return text.replace("-", "\u2212")


def format_signed_percent(value: float | None) -> str:
    """A percent change: `+12.5%`, `−3.0%` (a real minus sign); None → `—`."""
    return NO_VALUE if _missing(value) else real_minus(f"{value:+.1f}%")


def appraisal_text(score: float) -> str:
    """A task appraisal score as it is written: `87.5`, `100.0` (never `100` in a title
    beside `100.0` on its bar)."""
    return f"{score:.{APPRAISAL_DECIMALS}f}"


def format_points(value: float | None, language: str | None = None) -> str:
    """A change of a rate in percentage points: `+11.2个百分点` or `−3.0 pts` (a real minus
    sign)."""
    if _missing(value):
        return NO_VALUE
    return t("format.points", language, value=real_minus(f"{value:+.1f}"))


# --- changes against the period before ---------------------------------------------


@dataclass(frozen=True)
class Change:
    """The change of a figure against the period before (see the module's docstring).

    `unit`: for counts, the catalogue key of the things counted (`format.unit_tasks`);
    `period`: the period the figure is of (its granularity names the baseline).
    """

    amount: float
    kind: str
    period: str
    direction: str = "positive"
    unit: str = ""

    @property
    def rounded(self) -> float:
        """The amount as it is written (a rate's 0.04 points is written, and judged, as no
        change)."""
        return round(self.amount, CHANGE_DECIMALS[self.kind])

    @property
    def tone(self) -> str:
        """ "good", "bad" or "neutral": what the change means for this figure."""
        if self.rounded == 0 or self.direction == "neutral":
            return "neutral"
        rising_is_good = self.direction == "positive"
        return "good" if (self.rounded > 0) == rising_is_good else "bad"

    @property
    def metric_color(self) -> str:
        """The tone as st.metric's `delta_color` names it (the palette is
        `charts.common.TONE_COLORS`; Streamlit draws its own green, red and grey)."""
        return METRIC_COLORS[self.tone]

    def tone_word(self, language: str | None = None) -> str | None:
        """`向好` / `走弱`, the text twin of the colour; None for a neutral change."""
        return None if self.tone == "neutral" else t(f"format.tone_{self.tone}", language)

    @property
    def arrow(self) -> str:
        """ "up", "down" or "off" (no change): the shape that carries the sign."""
        if self.rounded == 0:
            return "off"
        return "up" if self.rounded > 0 else "down"

    def amount_text(self, language: str | None = None) -> str:
        """`+11.2 个百分点`, `−5 项`, `+3.21 分` (a real minus sign)."""
        if self.kind == "count":
            value = f"{self.rounded:+,.0f}"
            unit = unit_word(self.unit, self.rounded, language) if self.unit else ""
            text = t("format.amount_count", language, value=value, unit=unit).strip()
        else:
            value = f"{self.rounded:+.{CHANGE_DECIMALS[self.kind]}f}"
            text = t(f"format.amount_{self.kind}", language, value=value)
        return real_minus(text)

    def text(self, language: str | None = None) -> str:
        """`较上年 +11.2 个百分点`; `与上季持平` when the written amount is zero."""
        baseline = t(f"format.baseline_{granularity(self.period)}", language)
        if self.rounded == 0:
            return t("format.change_same", language, baseline=baseline)
        return t("format.change", language, baseline=baseline, amount=self.amount_text(language))


def change(
    current: float | None,
    previous: float | None,
    kind: str,
    period: str,
    direction: str = "positive",
    unit: str = "",
) -> Change | None:
    """The change from `previous` to `current`; None when either is unknown."""
    if kind not in KINDS or direction not in DIRECTIONS:
        raise ValueError(f"unknown change kind {kind!r} or direction {direction!r}")
    if current is None or previous is None:
        return None
    return Change(float(current) - float(previous), kind, period, direction, unit)


def change_text(
    current: float | None,
    previous: float | None,
    kind: str,
    period: str,
    unit: str = "",
    language: str | None = None,
) -> str | None:
    """`change(...).text(language)`, or None when there is no change to state."""
    found = change(current, previous, kind, period, unit=unit)
    return None if found is None else found.text(language)


# --- times ------------------------------------------------------------------------------


def local_time(at: datetime | pd.Timestamp | None) -> datetime | None:
    """A stored time (UTC; naive values are UTC as the database keeps them) in `TIME_ZONE`."""
    if at is None or _missing(at):
        return None
    moment = pd.Timestamp(at).to_pydatetime()
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(settings.local_timezone())


def time_text(
    at: datetime | pd.Timestamp | None, seconds: bool = False, offset: bool = False
) -> str:
    """`2024-01-05 09:30` in `TIME_ZONE`, with seconds (`09:30:05`) and the offset from UTC
    (`+0800`, as a log shows it) when asked; `` for none."""
    moment = local_time(at)
    if moment is None:
        return ""
    text = moment.strftime("%Y-%m-%d %H:%M:%S" if seconds or offset else "%Y-%m-%d %H:%M")
    return f"{text} {moment.strftime('%z')}" if offset else text


def local_today() -> date:
    """Today's date in `TIME_ZONE` (the server's clock may run in UTC)."""
    return datetime.now(settings.local_timezone()).date()
