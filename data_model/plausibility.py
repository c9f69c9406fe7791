"""Plausibility checks that warn (never block): sharp changes against the previous period."""

from __future__ import annotations

from sqlalchemy import Connection, select, tuple_

from data_model.i18n import t
from data_model.models import IndicatorValue
from data_model.normalize.periods import previous_period
from data_model.validate import parse_text

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
    """(Excel row, value, message) for each indicator value far from its previous period's."""
    wanted = {
        (r["indicator_code"], r["district_id"], previous_period(r["period"])) for r in records
    }
    previous: dict[tuple, float] = {}
    keys = sorted(wanted, key=str)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(
            IndicatorValue.indicator_code,
            IndicatorValue.district_id,
            IndicatorValue.period,
            IndicatorValue.value,
        ).where(
            IndicatorValue.is_current,
            tuple_(
                IndicatorValue.indicator_code, IndicatorValue.district_id, IndicatorValue.period
            ).in_(chunk),
        )
        for code, district, period, value in conn.execute(query):
            previous[(code, district, period)] = value
    found = []
    for record, row in zip(records, rows, strict=True):
        key = (record["indicator_code"], record["district_id"], previous_period(record["period"]))
        before = previous.get(key)
        if before is not None and is_sharp_change(before, record["value"]):
            found.append(
                (
                    row,
                    parse_text(record["value"]),
                    t(
                        "plausibility.sharp_change",
                        period=key[2],
                        before=parse_text(before),
                        now=parse_text(record["value"]),
                    ),
                )
            )
    return found
