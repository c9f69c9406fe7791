"""Plausibility checks that warn (never block): sharp changes against the previous period."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import Connection, select

from data_model.i18n import t
from data_model.ingest.validate import parse_text
from data_model.periods import previous_period
from data_model.store.models import IndicatorValue
from data_model.store.record_fields import fields_getter

SHARP_RATIO = 3.0  # more than 3x up or down counts as sharp
# A sheet whose sharp changes are mostly (SCALE_SHARE) one power of ten of their previous
# values, 100 or more, from SCALE_LEAST of them on, was written in another unit: 元 for 万元
# makes every value 10,000 times last month's. A month's real changes do not agree so.
SCALE_SHARE = 0.8
SCALE_LEAST = 10
SCALE_SLACK = 0.15  # in powers of ten: within about 1.4 times of the power, either way


def is_sharp_change(previous: float, current: float, ratio: float = SHARP_RATIO) -> bool:
    """A sign flip, or a change by more than `ratio` times in either direction."""
    if previous == 0 or current == 0:
        return False  # a ratio to or from zero says nothing; zeros are common for counts
    if (previous < 0) != (current < 0):
        return True
    change = abs(current) / abs(previous)
    return change > ratio or change < 1 / ratio


class SharpChange(NamedTuple):
    """An indicator value far from its previous period's: its Excel row, the value, and
    the previous period with its value there."""

    row: int
    value: float
    previous_period: str
    previous: float

    def message(self) -> str:
        return t(
            "plausibility.sharp_change",
            period=self.previous_period,
            before=parse_text(self.previous),
            now=parse_text(self.value),
        )


def sharp_changes(conn: Connection, records: list[dict], rows: list[int]) -> Iterator[SharpChange]:
    """Each indicator value of `records` (at Excel `rows`) far from its previous period's,
    in order, one at a time: a file in 元 instead of 万元 makes every row one, and the
    caller keeps of them what it lists (`importer._warn_sharp_changes`).

    One query per distinct previous period: a month-end file holds a handful of
    periods, whatever its number of rows.
    """
    periods = set(map(fields_getter(records, ["period"]), records))
    previous_of = {p: previous_period(p) for p in periods}
    previous: dict[tuple, float] = {}
    for period in sorted(set(previous_of.values())):
        query = select(
            IndicatorValue.indicator_code, IndicatorValue.district_id, IndicatorValue.value
        ).where(IndicatorValue.is_current, IndicatorValue.period == period)
        for code, district, value in conn.execute(query):
            previous[(code, district, period)] = value
    if not previous:
        return
    for record, row in zip(records, rows, strict=True):
        before_period = previous_of[record["period"]]
        before = previous.get((record["indicator_code"], record["district_id"], before_period))
        if before is not None and is_sharp_change(before, record["value"]):
            yield SharpChange(row, record["value"], before_period, before)


def power_of_ten(change: SharpChange) -> int | None:
    """The power of ten that `change`'s value is of its previous value (4 for 10,000
    times, −4 for a 10,000th), when it is one within SCALE_SLACK and at least 100 times
    either way; else None."""
    if change.previous == 0 or change.value == 0 or (change.value > 0) != (change.previous > 0):
        return None
    exponent = math.log10(change.value / change.previous)
    power = round(exponent)
    return power if abs(power) >= 2 and abs(exponent - power) <= SCALE_SLACK else None


def common_power(powers: Counter, sharp: int) -> int | None:
    """The power of ten most of a sheet's `sharp` changes share (`powers`: how many are
    each `power_of_ten`), when they are enough to tell a unit from the figures; else None."""
    if sharp < SCALE_LEAST or not powers:
        return None
    power, count = powers.most_common(1)[0]
    return power if count >= SCALE_SHARE * sharp else None


def scale_message(sheet: str, power: int, count: int, language: str | None = None) -> str:
    """What a sheet whose values are `10**power` times their previous ones is told."""
    factor = f"{10 ** abs(power):,}"
    key = "plausibility.unit_scale_up" if power > 0 else "plausibility.unit_scale_down"
    return t(key, language, sheet=sheet, count=f"{count:,}", factor=factor)
