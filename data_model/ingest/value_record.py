"""A validated indicator value of a long sheet in 88 bytes instead of a dict's 200.

A month-end file of a million rows makes a million records, which live from validation
to the last write: as dicts they were the largest part of a large import's memory.
`ValueRecord` is a read-only mapping of the same five fields, equal to the dict the
per-row way (`kind_converters`) makes, so every reader of records (the checks, the
writes, the review hold) takes it as it takes that dict.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

FIELDS = ("indicator_code", "district_id", "period", "value", "note")


class ValueRecord(Mapping):
    __slots__ = FIELDS
    # Each field is an attribute of its name: `store.record_fields` reads many at once.
    FIELDS_ARE_ATTRIBUTES = True

    def __init__(
        self, indicator_code: str, district_id: int, period: str, value: float, note: str
    ) -> None:
        self.indicator_code = indicator_code
        self.district_id = district_id
        self.period = period
        self.value = value
        self.note = note

    def __getitem__(self, key: str) -> object:
        if key.__class__ is not str or key not in _FIELD_SET:
            raise KeyError(key)
        return getattr(self, key)

    # Mapping's own `get` and `in` go through a KeyError for a field it does not have,
    # which costs more than the look-up itself over a million records.
    def get(self, key: str, default: object = None) -> object:
        return getattr(self, key) if key in _FIELD_SET else default

    def __contains__(self, key: object) -> bool:
        return key in _FIELD_SET

    def __iter__(self) -> Iterator[str]:
        return iter(FIELDS)

    def __len__(self) -> int:
        return len(FIELDS)

    def __repr__(self) -> str:
        return repr(dict(self))


_FIELD_SET = frozenset(FIELDS)
