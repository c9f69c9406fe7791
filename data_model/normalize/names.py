"""Matching free-typed names (districts, units, actions, brands, indicators) to canonical ones."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from data_model.errors import InputError
from data_model.formatting import join_names
from data_model.i18n import t
from data_model.text import is_missing, remove_whitespace, to_halfwidth

SUGGESTION_CUTOFF = 0.5
# How many known names an unknown one is shown with.
NEAREST_COUNT = 3
# Similarity (difflib ratio of the comparison keys) a *close* match needs besides being a
# short or long form of the name (see `is_close`).
CLOSE_CUTOFF = 0.6
# Distinct unknown names remembered per matcher: a sheet repeats its misspellings.
SUGGESTION_CACHE_SIZE = 4096


def normalize_name(raw: object) -> str:
    """Comparison key of a name: half-width, no whitespace, case-folded.

    None → "". Integer-valued floats lose their `.0` so that a code typed into a number
    cell (440303.0) compares equal to the text code `440303`.
    """
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return remove_whitespace(to_halfwidth(str(raw))).casefold()


class NameMatcher:
    """Maps a raw name to one canonical name via the canonical names and their aliases.

    `entries` are (canonical name, aliases) pairs in display order; `kind_key` is the
    catalogue key naming what is matched (e.g. `normalize.kind_district`) for messages.
    A name or alias that normalises equal to one of another entry is a ValueError:
    the matcher would otherwise pick one of them silently. `inactive` names deactivated
    entries: they are still recognised, so the message can say the entry is deactivated
    (停用) instead of unknown, but `match` refuses them and `names` leaves them out.
    """

    def __init__(
        self,
        entries: Iterable[tuple[str, Iterable[str]]],
        kind_key: str,
        inactive: Iterable[str] = (),
    ) -> None:
        self.kind_key = kind_key
        self.inactive = frozenset(inactive)
        self._names: list[str] = []
        self._lookup: dict[str, str] = {}
        for name, aliases in entries:
            if not normalize_name(name):
                raise ValueError(f"empty canonical name in {kind_key}")
            if name in self._names:
                raise ValueError(f"{name!r} is listed twice in {kind_key}")
            self._names.append(name)
            for alias in (name, *aliases):
                key = normalize_name(alias)
                if not key:
                    continue
                owner = self._lookup.setdefault(key, name)
                if owner != name:
                    raise ValueError(f"{alias!r} names both {owner!r} and {name!r} in {kind_key}")
        # Keys of active entries by character, so that a suggestion compares only keys
        # sharing one (a deactivated entry is never suggested).
        self._keys_with: dict[str, set[str]] = {}
        for key, name in self._lookup.items():
            if name in self.inactive:
                continue
            for character in key:
                self._keys_with.setdefault(character, set()).add(key)
        # The longest key a suggestion can be for: difflib's ratio, 2·matches / (len(a) +
        # len(b)), stays under the cutoff when one is this much longer than every key.
        longest = max((len(k) for keys in self._keys_with.values() for k in keys), default=0)
        self._longest_candidate = int(longest * (2 - SUGGESTION_CUTOFF) / SUGGESTION_CUTOFF)
        # key → the nearest names, each with the key of it that is nearest.
        self._nearest: dict[str, tuple[tuple[str, str], ...]] = {}

    @property
    def names(self) -> list[str]:
        """Canonical names of the active entries in the order given."""
        return [name for name in self._names if name not in self.inactive]

    def match(self, raw: object) -> str:
        """The canonical name for `raw`.

        Raises InputError `normalize.name_missing` (blank or a missing marker) or
        `normalize.name_unknown` with `suggestion` set to the closest canonical name, or
        None when nothing is close. The unknown-name error also carries `candidates` (up to
        NEAREST_COUNT nearest active names, named in its message) and `close` (the nearest
        one when it is a close match, else None); an unknown name is never matched here.
        """
        if is_missing(raw):
            raise InputError(
                "normalize.name_missing", kind=t(self.kind_key), kind_key=self.kind_key
            )
        key = normalize_name(raw)
        found = self._lookup.get(key)
        if found is not None and found in self.inactive:
            value = raw.strip() if isinstance(raw, str) else str(raw)
            raise InputError(
                "normalize.name_inactive",
                kind=t(self.kind_key),
                kind_key=self.kind_key,
                value=value,
                name=found,
            )
        if found is not None:
            return found
        # The kind is translated now, in the session's language, since InputError keeps
        # plain params; `kind_key` travels along for callers that render another language.
        kind = t(self.kind_key)
        value = raw.strip() if isinstance(raw, str) else str(raw)
        nearest = self._nearest_keys(key)
        names = [name for name, _ in nearest]
        error = InputError(
            "normalize.name_unknown",
            names[0] if names else None,
            kind=kind,
            kind_key=self.kind_key,
            value=value,
            near=t("normalize.name_near", names=join_names(names)) if names else "",
        )
        error.candidates = tuple(names)
        error.close = nearest[0][0] if nearest and is_close(key, nearest[0][1]) else None
        raise error

    def lookup(self, raw: object) -> str | None:
        """The canonical name `raw` names exactly (after normalising), else None.

        For recognising layouts, which try many cells and need no suggestion.
        """
        if is_missing(raw):
            return None
        return self._lookup.get(normalize_name(raw))

    def suggest(self, raw: object) -> str | None:
        """The active canonical name closest to `raw`, or None when nothing is close enough."""
        nearest = self.nearest(raw)
        return nearest[0] if nearest else None

    def nearest(self, raw: object) -> tuple[str, ...]:
        """Up to NEAREST_COUNT active canonical names nearest to `raw`, best first."""
        return tuple(name for name, _ in self._nearest_keys(normalize_name(raw)))

    def _nearest_keys(self, key: str) -> tuple[tuple[str, str], ...]:
        if key not in self._nearest:
            if len(self._nearest) >= SUGGESTION_CACHE_SIZE:
                self._nearest.clear()  # a hostile file's endless distinct names
            found: dict[str, str] = {}
            for close in self._closest_keys(key):
                name = self._lookup[close]
                if name not in found and len(found) < NEAREST_COUNT:
                    found[name] = close
            self._nearest[key] = tuple(found.items())
        return self._nearest[key]

    def _closest_keys(self, key: str) -> list[str]:
        """difflib's closest keys, best first, comparing only keys that could reach the cutoff.

        difflib's ratio is 2·matches / (len(a) + len(b)): a key sharing no character with
        `key` scores 0, and one of very different length cannot reach the cutoff either.
        Leaving them out gives the same answer as comparing all keys, at a fraction of the
        cost (a sheet of numbers once spent minutes comparing each with every district).
        """
        if len(key) > self._longest_candidate:  # no key is near its length: none can reach
            return []
        sharing: set[str] = set()
        for character in set(key):
            sharing |= self._keys_with.get(character, set())
        candidates = [
            other
            for other in sharing
            if 2 * min(len(key), len(other)) >= SUGGESTION_CUTOFF * (len(key) + len(other))
        ]
        if not candidates:  # difflib would still index `key` (32,000 characters: seconds)
            return []
        # Several keys may name one entry (its aliases): ask for enough to find 3 entries.
        return difflib.get_close_matches(
            key, sorted(candidates), n=NEAREST_COUNT * 4, cutoff=SUGGESTION_CUTOFF
        )


def is_close(key: str, known: str) -> bool:
    """Whether a known name is close enough to an unknown one to be preselected for the
    admin (who still confirms it): one is a short or long form of the other — its
    characters in order, only some left out (市发改委 / 市发展改革委, 深圳市发展和改革委员会)
    — and they are similar overall (CLOSE_CUTOFF).

    A replaced character is never close, however similar the rest: 市水务局 and 市税务局,
    市民政局 and 市财政局 are different departments that differ in one character.
    """
    short, long = sorted((key, known), key=len)
    if len(short) < 3 or difflib.SequenceMatcher(None, key, known).ratio() < CLOSE_CUTOFF:
        return False
    rest = iter(long)
    return all(character in rest for character in short)
