"""Numbers written the way Chinese reports write them (万, 亿), and percent changes."""

from __future__ import annotations

from data_model.i18n import t


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
    return f"{(current - previous) / abs(previous) * 100:+.1f}%"
