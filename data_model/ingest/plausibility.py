"""Plausibility checks that warn (never block): sharp changes against the previous period."""

from __future__ import annotations

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


def sharp_changes(
    conn: Connection, records: list[dict], rows: list[int]
) -> list[tuple[int, str, str]]:
    """(Excel row, value, message) for each indicator value far from its previous period's.

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
        return []
    found = []
    for record, row in zip(records, rows, strict=True):
        before_period = previous_of[record["period"]]
        before = previous.get((record["indicator_code"], record["district_id"], before_period))
        if before is not None and is_sharp_change(before, record["value"]):
            found.append(
                (
                    row,
                    parse_text(record["value"]),
                    t(
                        "plausibility.sharp_change",
                        period=before_period,
                        before=parse_text(before),
                        now=parse_text(record["value"]),
                    ),
                )
            )
    return found
