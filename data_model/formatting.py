"""The wording module: how numbers, percents, changes, lists and times are written.

Every separator, bracket and unit comes from the catalogue (`format.toml`), so a page,
a chart, the bulletin and the slides write `罗湖区、福田区`, `1,234.57万` and `+11.2个百分点`
in Chinese and `罗湖区, 福田区`, `12.35 M` and `+11.2 pts` in English with the same call.
Times stored in UTC are shown in `TIME_ZONE` (`local_time`). No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import pandas as pd

from data_model import settings
from data_model.i18n import t

NO_VALUE = "—"  # a missing number, in tables and texts of every language


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or bool(pd.isna(value))


# --- punctuation ----------------------------------------------------------------------


def join_names(names: Iterable[object], language: str | None = None) -> str:
    """`罗湖区、福田区` (zh-CN) or `罗湖区, 福田区` (en): a list written in running text."""
    return t("format.list_separator", language).join(str(n) for n in names)


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


# --- numbers ----------------------------------------------------------------------------


def format_number(value: float | None, unit: str = "", language: str | None = None) -> str:
    """`12345678` → `1,234.57万` (zh-CN) or `12.35 M` (en); None → `—`. Units follow the number.

    Large numbers take the language's own scale words (万/亿; M/bn), from the catalogue.
    """
    if _missing(value):
        return NO_VALUE
    magnitude = abs(value)
    for scale in ("large", "medium"):
        if magnitude >= float(t(f"format.{scale}_from", language)):
            size = float(t(f"format.{scale}_size", language))
            text = t(f"format.{scale}", language, value=f"{value / size:,.2f}")
            break
    else:
        text = f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}{unit}" if unit in ("%", "") else f"{text} {unit}"


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
        template.format(value=f"{v / size:,.4f}".rstrip("0").rstrip(".")) if v else "0"
        for v in values
    ]


def format_percent(value: float | None) -> str:
    """`69.4%` (always one decimal, as chart labels line up); None → `—`."""
    return NO_VALUE if _missing(value) else f"{value:.1f}%"


def format_signed_percent(value: float | None) -> str:
    """A percent change: `+12.5%`, `-3.0%`; None → `—`."""
    return NO_VALUE if _missing(value) else f"{value:+.1f}%"


def format_points(value: float | None, language: str | None = None) -> str:
    """A change of a rate in percentage points: `+11.2个百分点` or `+11.2 pts`."""
    if _missing(value):
        return NO_VALUE
    return t("format.points", language, value=f"{value:+.1f}")


def format_change(
    current: float | None, previous: float | None, points: bool = False, count: bool = False
) -> str | None:
    """Change against the previous period; None if unknown.

    `+12.5%` by default, `+3.0` percentage points for rates (`points`), `+5` for
    counts (`count`: 1 → 6 overdue tasks reads +5, not +500%).
    """
    if current is None or previous is None:
        return None
    if points:
        return f"{current - previous:+.1f}"
    if count:
        return f"{current - previous:+,.0f}"
    if previous == 0:
        return None if current == 0 else f"{current - previous:+,.0f}"
    return format_signed_percent((current - previous) / abs(previous) * 100)


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
