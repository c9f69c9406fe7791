"""Districts: the default master data and a matcher that accepts every way staff write them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from data_model.normalize.names import NameMatcher, normalize_name

DEFAULT_MASTER_DATA = Path(__file__).resolve().parent.parent / "defaults" / "master_data.json"

# Romanised suffixes staff append to a pinyin name (`nanshanqu`, `Nanshan District`).
_PINYIN_SUFFIXES = ("qu", "xinqu", "district", "newdistrict", "area", "shi", "city")


@dataclass(frozen=True)
class DistrictRecord:
    """One geography: a district, a functional area or the city level (`kind` = `city`)."""

    code: str
    name: str
    short_name: str
    pinyin: str
    kind: str
    aliases: tuple[str, ...] = ()
    is_active: bool = True


def districts_from_rows(rows: Iterable[Mapping[str, object]]) -> list[DistrictRecord]:
    """Records from master-data rows (dicts with code, name, short_name, pinyin, kind, aliases)."""
    return [
        DistrictRecord(
            code=str(row["code"]),
            name=str(row["name"]),
            short_name=str(row.get("short_name") or row["name"]),
            pinyin=str(row.get("pinyin") or ""),
            kind=str(row.get("kind") or "district"),
            aliases=tuple(str(a) for a in row.get("aliases") or ()),  # type: ignore[union-attr]
        )
        for row in rows
    ]


def load_default_districts(path: Path = DEFAULT_MASTER_DATA) -> list[DistrictRecord]:
    """The districts of the shipped master data (or of another file in the same format)."""
    with path.open(encoding="utf-8") as handle:
        return districts_from_rows(json.load(handle)["districts"])


def district_matcher(records: Iterable[DistrictRecord]) -> NameMatcher:
    """A NameMatcher over districts.

    Accepts each record's name, short name, code (text, int or float cell), pinyin in
    any case and spacing, aliases, pinyin or Latin aliases with a suffix such as `qu` or
    `district`, and a district name prefixed by the city (`深圳市南山区`, where `深圳市`
    is a name or alias of the record of kind `city`). Generated forms that would name
    two records are dropped rather than guessed.
    """
    records = list(records)
    explicit = {r.name: _explicit_keys(r) for r in records}
    city_prefixes = [
        key for r in records if r.kind == "city" for key in _explicit_keys(r) if not key.isascii()
    ]
    generated = {r.name: _generated_keys(r, city_prefixes) - explicit[r.name] for r in records}
    taken = set().union(*explicit.values()) if explicit else set()
    counts = Counter(key for keys in generated.values() for key in keys)
    entries = []
    for r in records:
        unique = sorted(k for k in generated[r.name] if counts[k] == 1 and k not in taken)
        entries.append((r.name, [*sorted(explicit[r.name]), *unique]))
    inactive = [r.name for r in records if not r.is_active]
    return NameMatcher(entries, "normalize.kind_district", inactive)


def _explicit_keys(record: DistrictRecord) -> set[str]:
    raw = (record.name, record.short_name, record.code, record.pinyin, *record.aliases)
    return {key for key in map(normalize_name, raw) if key}


def _generated_keys(record: DistrictRecord, city_prefixes: list[str]) -> set[str]:
    latin = [k for k in _explicit_keys(record) if k.isascii() and k.isalpha()]
    keys = {base + suffix for base in latin for suffix in _PINYIN_SUFFIXES}
    if record.kind != "city":
        for name in {normalize_name(record.name), normalize_name(record.short_name)}:
            keys.update(prefix + name for prefix in city_prefixes)
    return keys
