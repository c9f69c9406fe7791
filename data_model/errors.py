"""The error type every normaliser and reader raises for bad input."""

from __future__ import annotations

from data_model.i18n import t


class InputError(ValueError):
    """A raw value or file could not be accepted.

    `key` names a catalogue message (for example `normalize.period_ambiguous`),
    `params` fill it, `suggestion` is an optional corrected value to offer
    (for example `福田区` for `福天区`).
    """

    def __init__(self, key: str, suggestion: str | None = None, **params: object) -> None:
        self.key = key
        self.params = params
        self.suggestion = suggestion
        super().__init__(self.message())

    def message(self, language: str | None = None) -> str:
        return t(self.key, language, **{k: quoted(v) for k, v in self.params.items()})


# Input quoted back in a message or a problem, up to this many characters: a column of
# 32,000-character cells, quoted in each row's message and problem, held 1.6 GB.
QUOTED_CHARS = 500


def quoted(value: object) -> object:
    """`value` as a message quotes it: a text longer than `QUOTED_CHARS` cut there, with …"""
    if value.__class__ is str and len(value) > QUOTED_CHARS:
        return value[:QUOTED_CHARS] + "…"
    return value
