"""Numbers written the way Chinese reports write them (万, 亿), and changes against the
period before, worded in one way for the overview, the bulletin and the slides.

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

from dataclasses import dataclass

from data_model.i18n import t
from data_model.normalize.periods import granularity

KINDS = ("rate", "count", "score")
DIRECTIONS = ("positive", "negative", "neutral")
METRIC_COLORS = {"good": "green", "bad": "red", "neutral": "gray"}


def format_number(value: float | None, unit: str = "", language: str | None = None) -> str:
    """`12345678` → `1,234.57万`; `3.2e8` → `3.20亿`; None → `—`. Units follow the number."""
    if value is None:
        return "—"
    magnitude = abs(value)
    if magnitude >= 1e8:
        text = t("format.hundred_million", language, value=f"{value / 1e8:,.2f}")
    elif magnitude >= 1e5:
        text = t("format.ten_thousand", language, value=f"{value / 1e4:,.2f}")
    elif float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.1f}"
    return f"{text}{unit}" if unit in ("%", "") else f"{text} {unit}"


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
        """The amount as it is written (0.04 points is written, and judged, as no change)."""
        return round(self.amount, 0 if self.kind == "count" else 1)

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
        """`+11.2 个百分点`, `−5 项`, `+3.2 分` (a real minus sign)."""
        if self.kind == "count":
            value = f"{self.rounded:+,.0f}"
            unit = t(self.unit, language) if self.unit else ""
            text = t("format.amount_count", language, value=value, unit=unit).strip()
        else:
            value = f"{self.rounded:+.1f}"
            text = t(f"format.amount_{self.kind}", language, value=value)
        return text.replace("-", "\u2212")

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
