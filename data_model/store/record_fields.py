"""Reading the same fields of many records at once.

Records reach the store as mappings: dicts, or the import's `ValueRecord` (a mapping
with slots, `ingest.value_record`), whose `record[name]` is a Python call, about 0.2 µs
each: over the five fields of 300k records read by the write and again by the value
summaries, half a second of an import. A record class that holds each field as an
attribute of the same name says so with `FIELDS_ARE_ATTRIBUTES = True`, and its fields are
then read with `operator.attrgetter`, in C.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from operator import attrgetter, itemgetter


def fields_getter(records: Iterable[Mapping], names: list[str] | tuple[str, ...]) -> Callable:
    """A function of one record giving its `names` fields, as `itemgetter(*names)` does
    (a tuple; the value itself for one name), for each of `records`."""
    classes = set(map(type, records))
    if classes and all(getattr(c, "FIELDS_ARE_ATTRIBUTES", False) for c in classes):
        return attrgetter(*names)
    return itemgetter(*names)
