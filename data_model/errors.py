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
        return t(self.key, language, **self.params)
