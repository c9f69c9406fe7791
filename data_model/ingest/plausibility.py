"""Plausibility checks that warn (never block): sharp changes against the previous period."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import Connection, select

from data_model.i18n import t
from data_model.ingest.validate import parse_text
from data_model.periods import previous_period
from data_model.store.models import IndicatorValue
from data_model.store.record_fields import fields_getter

SHARP_RATIO = 3.0  # more than 3x up or down counts as sharp


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
